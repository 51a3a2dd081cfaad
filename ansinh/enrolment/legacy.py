"""Migration of existing beneficiaries from a legacy list (`ansinh beneficiaries import`).

The whole file is read and every row validated first (stage → validate); the valid rows are
then applied in one transaction. A row already migrated with the same terms is "unchanged", so
importing the same file twice changes nothing. Missing persons are created in the registry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction

from ansinh.access.scoping import scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.dates import InvalidDate, parse_partial_date
from ansinh.core.identity import InvalidIdNumber, check_id_number, normalise_id_number
from ansinh.core.months import month_of, parse_month
from ansinh.core.text import cell_text, fold, split_full_name
from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import SEX_WORDS
from ansinh.registry.models import Person

from .choices import Benefit, Channel, DecisionKind
from .models import Decision, Entitlement
from .services import enrolled_conflict
from .terms import Terms, check_terms

COLUMNS = {
    "id_number": ("so dinh danh", "so dinh danh ca nhan", "so cccd", "cccd", "so can cuoc"),
    "full_name": ("ho va ten", "ho ten", "name"),
    "date_of_birth": ("ngay sinh", "ngay thang nam sinh", "dob", "birth_date"),
    "sex": ("gioi tinh", "gender"),
    "commune_code": ("ma xa", "ma xa/phuong", "ma don vi hanh chinh"),
    "benefit": ("che do", "loai tro cap"),
    "category": ("nhom doi tuong", "nhom", "doi tuong", "dien doi tuong"),
    "disability_level": ("muc do khuyet tat",),
    "children_count": ("so con", "so con dang nuoi"),
    "household_poverty": ("ho ngheo/can ngheo", "ho ngheo", "hoan canh ho"),
    "decision_number": ("so quyet dinh",),
    "decision_date": ("ngay quyet dinh", "ngay ky quyet dinh"),
    "start_month": ("thang bat dau", "huong tu thang", "thang huong"),
    "payment_channel": ("hinh thuc nhan", "hinh thuc chi tra"),
    "account_number": ("so tai khoan", "tai khoan"),
    "recipient_id_number": ("so dinh danh nguoi nhan", "so dinh danh nguoi cham soc"),
}
REQUIRED = ("id_number", "full_name", "date_of_birth", "sex", "commune_code", "benefit",
            "category", "start_month")

def _words(pairs: dict[str, str]) -> dict[str, str]:
    return {fold(k): v for k, v in pairs.items()}


BENEFIT_WORDS = {fold(b.label): b.value for b in Benefit} | _words({b.value: b.value for b in Benefit}) \
    | _words({"tro cap xa hoi": "monthly_allowance", "huu tri xa hoi": "social_pension",
       "cham soc": "care_allowance"})
LEVEL_WORDS = _words({"severe": "severe", "nang": "severe", "extremely_severe": "extremely_severe",
               "dac biet nang": "extremely_severe", "": ""})
POVERTY_WORDS = _words({"poor": "poor", "ngheo": "poor", "ho ngheo": "poor", "near_poor": "near_poor",
                 "can ngheo": "near_poor", "ho can ngheo": "near_poor", "": ""})
CHANNEL_WORDS = _words({c.value: c.value for c in Channel}) | _words({
    "tien mat": "cash", "buu dien": "cash", "tai nha": "home", "ngan hang": "bank",
    "tai khoan": "bank", "vi dien tu": "ewallet", "vi": "ewallet", "": "cash"})


@dataclass
class Row:
    number: int  # as the officer sees it in the spreadsheet (header is row 1)
    raw: dict
    values: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    outcome: str = ""  # new | unchanged | rejected


@dataclass
class Report:
    rows: list[Row]
    applied: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)


class LegacyFileError(ValueError):
    pass


def read_rows(path: str | Path) -> tuple[list[str], list[list]]:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(text)))
    elif suffix in (".xlsx", ".xls", ".xlsm"):
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        table = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    else:
        raise LegacyFileError(f"Tệp «{path.name}» không phải .csv hoặc .xlsx / not a .csv or "
                              ".xlsx file.")
    # The header is the first row naming at least three known columns (title rows above it
    # are common in commune spreadsheets).
    for index, row in enumerate(table[:20]):
        names = [_column(cell) for cell in row]
        if sum(1 for n in names if n) >= 3:
            missing = [c for c in REQUIRED if c not in names]
            if missing:
                raise LegacyFileError("Thiếu cột / missing columns: " + ", ".join(missing))
            return names, [(index + 2 + i, r) for i, r in enumerate(table[index + 1:])]
    raise LegacyFileError("Không tìm thấy dòng tiêu đề / no header row found.")


def _column(cell) -> str | None:
    key = fold(str(cell or "")).strip().replace("_", " ")
    for name, aliases in COLUMNS.items():
        if key == name.replace("_", " ") or key in aliases:
            return name
    return None


def _parse(row: Row) -> None:
    v, raw, err = row.values, row.raw, row.errors
    number = normalise_id_number(raw.get("id_number"))
    sex = SEX_WORDS.get(fold(cell_text(raw.get("sex"))))
    if not sex:
        err.append(("sex", f"Giới tính «{cell_text(raw.get('sex'))}» không rõ (Nam/Nữ)."))
    try:
        born = parse_partial_date(raw.get("date_of_birth"))
        if born is None:
            raise InvalidDate("Thiếu ngày sinh.")
        v["birth_date"], v["birth_precision"] = born.value, born.precision
    except InvalidDate as exc:
        err.append(("date_of_birth", str(exc)))
        born = None
    try:
        check_id_number(number, sex=sex, birth_year=born.value.year if born else None)
        v["id_number"] = number
    except InvalidIdNumber as exc:
        err.append(("id_number", str(exc)))
    v["full_name"] = " ".join(cell_text(raw.get("full_name")).split())
    if not v["full_name"]:
        err.append(("full_name", "Thiếu họ và tên."))
    v["sex"] = sex
    benefit = BENEFIT_WORDS.get(fold(cell_text(raw.get("benefit"))))
    if not benefit:
        err.append(("benefit", f"Chế độ «{cell_text(raw.get('benefit'))}» không có; dùng "
                               f"{', '.join(Benefit.values)}."))
    v["benefit"] = benefit or ""
    category = cell_text(raw.get("category")).lower().replace(" ", "")
    if category.startswith("5.5.") and len(category) == 5:  # 5.5.a → 5.5a
        category = "5.5" + category[-1]
    v["category"] = category
    for name, words in (("disability_level", LEVEL_WORDS), ("household_poverty", POVERTY_WORDS),
                        ("payment_channel", CHANNEL_WORDS)):
        text = cell_text(raw.get(name))
        value = words.get(fold(text))
        if value is None:
            err.append((name, f"Giá trị «{text}» không hợp lệ."))
        v[name] = value or ("cash" if name == "payment_channel" else "")
    children = cell_text(raw.get("children_count"))
    try:
        v["children_count"] = int(children) if children else None
    except ValueError:
        err.append(("children_count", f"Số con «{children}» không phải số."))
    start = raw.get("start_month")
    try:
        v["start_month"] = month_of(start) if isinstance(start, date) else \
            parse_month(cell_text(start))
    except ValueError as exc:
        err.append(("start_month", str(exc)))
    decided = raw.get("decision_date")
    try:
        v["decision_date"] = decided.date() if isinstance(decided, datetime) else decided \
            if isinstance(decided, date) else (parse_partial_date(decided).value
                                               if cell_text(decided) else None)
    except (InvalidDate, AttributeError):
        err.append(("decision_date", f"Ngày quyết định «{cell_text(decided)}» không hợp lệ."))
    v["decision_number"] = cell_text(raw.get("decision_number"))
    v["account_number"] = cell_text(raw.get("account_number"))
    v["commune_code"] = cell_text(raw.get("commune_code")).zfill(5) if \
        cell_text(raw.get("commune_code")) else ""
    v["recipient_id_number"] = normalise_id_number(raw.get("recipient_id_number"))


def stage(path, *, default_commune: str | None = None) -> Report:
    names, table = read_rows(path)
    rows = []
    for number, cells in table:
        raw = {name: cells[i] if i < len(cells) else None for i, name in enumerate(names) if name}
        if not any(cell_text(x) for x in raw.values()):
            continue  # blank line
        if default_commune and not cell_text(raw.get("commune_code")):
            raw["commune_code"] = default_commune
        row = Row(number=number, raw=raw)
        _parse(row)
        rows.append(row)
    return Report(rows)


def validate(user, report: Report) -> Report:
    communes = {u.code: u for u in AdminUnit.objects.filter(
        code__in={r.values["commune_code"] for r in report.rows}, level="commune",
        scheme="2025")}
    numbers = {r.values.get("id_number") for r in report.rows} | \
        {r.values.get("recipient_id_number") for r in report.rows}
    persons = {p.id_number: p for p in Person.objects.filter(id_number__in=numbers - {None, ""})}
    seen: dict[tuple, int] = {}
    area = scope_for(user, "add")
    for row in report.rows:
        v, err = row.values, row.errors
        commune = communes.get(v["commune_code"])
        if commune is None:
            err.append(("commune_code", f"Mã xã «{v['commune_code']}» không có trong danh mục "
                                        "34 tỉnh, 3.321 xã."))
        elif not area.covers(commune.pk, commune.province_id):
            err.append(("commune_code", f"Xã {commune.name} ngoài địa bàn của bạn."))
        v["commune"] = commune
        person = persons.get(v.get("id_number"))
        v["person"] = person
        if person is not None and fold(person.full_name) != fold(v["full_name"]):
            err.append(("full_name", f"Số định danh này trong sổ là của «{person.full_name}», "
                                     f"không phải «{v['full_name']}»."))
        if v["benefit"] == Benefit.CARE_ALLOWANCE:
            recipient = persons.get(v["recipient_id_number"])
            if recipient is None:
                err.append(("recipient_id_number", "Hỗ trợ chăm sóc cần số định danh của người "
                                                   "nhận đã có trong sổ."))
            v["recipient"] = recipient
        if "start_month" in v and v.get("birth_date") and v["benefit"]:
            err.extend(check_terms(Terms(
                benefit=v["benefit"], category=v["category"], start_month=v["start_month"],
                birth_date=v["birth_date"], birth_precision=v["birth_precision"],
                disability_level=v["disability_level"], children_count=v["children_count"],
                household_poverty=v["household_poverty"], payment_channel=v["payment_channel"],
                account_number=v["account_number"],
                deceased_date=person.deceased_date if person else None)))
        key = (v.get("id_number"), v["benefit"], v["category"])
        if key in seen:
            err.append(("id_number", f"Trùng với dòng {seen[key]} (cùng người, cùng chế độ)."))
        seen.setdefault(key, row.number)
        if not err and person is not None:
            same = Entitlement.objects.filter(
                person=person, benefit=v["benefit"], category=v["category"],
                start_month=v["start_month"], decisions__number=v["decision_number"]).exists()
            if same:
                row.outcome = "unchanged"
                continue
            if other := enrolled_conflict(person, v["benefit"], v["category"],
                                          v["start_month"]):
                err.append(("benefit", f"Người này đang hưởng {other.get_benefit_display()} "
                                       f"(nhóm {other.category}) từ "
                                       f"{other.start_month:%m/%Y}."))
        row.outcome = "rejected" if err else "new"
    return report


@transaction.atomic
def apply(user, report: Report) -> int:
    from ansinh.registry.services import person_create

    created = 0
    for row in report.rows:
        if row.outcome != "new":
            continue
        v = row.values
        person = v["person"]
        if person is None:
            ho, ten_dem, ten = split_full_name(v["full_name"])
            person = person_create(user, ho=ho, ten_dem=ten_dem, ten=ten,
                                   birth_date=v["birth_date"],
                                   birth_date_precision=v["birth_precision"], sex=v["sex"],
                                   id_number=v["id_number"], commune=v["commune"])
            v["person"] = person
        commune = v["commune"]
        entitlement = Entitlement.objects.create(
            person=person, recipient=v.get("recipient") or person, benefit=v["benefit"],
            category=v["category"], disability_level=v["disability_level"],
            children_count=v["children_count"], household_poverty=v["household_poverty"],
            commune=commune, province=commune.province, start_month=v["start_month"],
            payment_channel=v["payment_channel"], account_number=v["account_number"])
        decision = Decision.objects.create(
            kind=DecisionKind.GRANT, status=Decision.Status.SIGNED,
            number=v["decision_number"], signed_on=v["decision_date"],
            year=v["decision_date"].year if v["decision_date"] else None, person=person,
            entitlement=entitlement, commune=commune, province=commune.province,
            benefit=v["benefit"], category=v["category"], effective_month=v["start_month"],
            migrated=True, reason="Chuyển từ danh sách đang hưởng")
        audit_record(AuditAction.IMPORT, entitlement, changes={
            "benefit": entitlement.benefit, "category": entitlement.category,
            "start_month": entitlement.start_month.isoformat(), "decision": decision.number,
            "row": row.number})
        created += 1
    report.applied = True
    return created


def run(user, path, *, dry_run: bool = False, default_commune: str | None = None) -> Report:
    report = validate(user, stage(path, default_commune=default_commune))
    if not dry_run and report.count("new"):
        apply(user, report)
    return report


def rejects_xlsx(report: Report) -> bytes:
    from ansinh.core.excel import write_xlsx

    headers = ["Dòng", *COLUMNS.keys(), "Lỗi"]
    rows = [[r.number, *(cell_text(r.raw.get(c)) for c in COLUMNS), "; ".join(
        f"{f}: {m}" for f, m in r.errors)] for r in report.rows if r.outcome == "rejected"]
    return write_xlsx(headers, rows, title="Dòng bị từ chối")
