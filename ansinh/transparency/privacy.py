"""What may leave for the public: neutral category labels and groups large enough that nobody
can be singled out.

Distribution rows come in aggregated already; this is the last gate before they are frozen in
a snapshot, so it does not trust its input: a label that names a vulnerability (orphans,
disability, HIV, gender-based violence, …) is replaced by a neutral one, and a group of fewer
than `MIN_GROUP` recipients is merged with the other small groups of its category.
"""

from __future__ import annotations

from ansinh.core.text import fold

MIN_GROUP = 5
NEUTRAL_CATEGORY = "Hỗ trợ khác"
OTHER_COMMUNES = "Các xã/phường khác"

# Folded words that, next to a place and a count, would say something about a person's
# health, family or history. Matched as whole words or phrases of the folded label.
SENSITIVE_WORDS = (
    "mo coi", "khuyet tat", "tan tat", "hiv", "aids", "bao luc", "bao hanh",
    "xam hai", "buon ban nguoi", "mua ban nguoi", "tam than", "tam ly", "ma tuy", "cai nghien",
    "mai dam", "benh", "ung thu", "tu vong", "don than", "khong noi nuong tua",
    "khong nguon nuoi duong", "lang thang", "gbv", "orphan", "disab", "violence",
    "abuse",
)


def is_sensitive(text: str) -> bool:
    folded = f" {fold(text)} "
    return any(f" {word}" in folded for word in SENSITIVE_WORDS)


def neutral_category(label: str) -> str:
    label = (label or "").strip()
    if not label or is_sensitive(label):
        return NEUTRAL_CATEGORY
    return label


def merge_small_groups(rows: list[dict]) -> list[dict]:
    """Rows {commune_code, commune_name, category, recipients, cash, goods_value}: neutral
    labels, rows of one commune and category added up, and groups of fewer than MIN_GROUP
    recipients merged per category into one "other communes" row. A merged row still under
    MIN_GROUP keeps its amounts but not its count (`recipients` None)."""
    grouped: dict[tuple, dict] = {}
    for row in rows:
        category = neutral_category(str(row.get("category") or ""))
        key = (row.get("commune_code") or "", category)
        into = grouped.setdefault(key, {
            "commune_code": row.get("commune_code") or "",
            "commune_name": row.get("commune_name") or "",
            "category": category, "recipients": 0, "cash": 0, "goods_value": 0})
        into["recipients"] += int(row.get("recipients") or 0)
        into["cash"] += int(row.get("cash") or 0)
        into["goods_value"] += int(row.get("goods_value") or 0)
    kept, small = [], {}
    for row in grouped.values():
        if row["recipients"] >= MIN_GROUP:
            kept.append(row)
            continue
        other = small.setdefault(row["category"], {
            "commune_code": "", "commune_name": OTHER_COMMUNES, "category": row["category"],
            "recipients": 0, "cash": 0, "goods_value": 0})
        for field in ("recipients", "cash", "goods_value"):
            other[field] += row[field]
    for other in small.values():
        if other["recipients"] < MIN_GROUP:
            other["recipients"] = None
        kept.append(other)
    kept.sort(key=lambda r: (r["commune_code"] == "", r["commune_name"], r["category"]))
    return kept
