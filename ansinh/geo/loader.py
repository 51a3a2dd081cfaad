"""Loads the administrative units: the 34 provinces and 3,321 communes of the 2025 reform from
the `vietnam-provinces` package, and the 63 provinces, 696 districts and their communes as
they stood before 01/07/2025 (kept as retired units with successors).

Idempotent: rows are matched on (scheme, level, code) and updated in place.
"""

import json
from datetime import date
from pathlib import Path

from django.db import transaction

from ansinh.core.text import fold

from .models import CODE_WIDTH, REFORM_DATE, AdminUnit, Level, Scheme

RETIRED_FILE = Path(__file__).parent / "data" / "units_2004.json"
RETIRED_UNTIL = date(2025, 6, 30)

# Resolution 202/2025/QH15 Art. 1: each pre-2025 province (2004 code) → the 2025 province it
# became part of. A merged province took the code of the province where its seat is.
PROVINCE_SUCCESSOR = {
    "01": "01", "02": "08", "04": "04", "06": "19", "08": "08", "10": "15", "11": "11",
    "12": "12", "14": "14", "15": "15", "17": "25", "19": "19", "20": "20", "22": "22",
    "24": "24", "25": "25", "26": "25", "27": "24", "30": "31", "31": "31", "33": "33",
    "34": "33", "35": "37", "36": "37", "37": "37", "38": "38", "40": "40", "42": "42",
    "44": "44", "45": "44", "46": "46", "48": "48", "49": "48", "51": "51", "52": "52",
    "54": "66", "56": "56", "58": "56", "60": "68", "62": "51", "64": "52", "66": "66",
    "67": "68", "68": "68", "70": "75", "72": "80", "74": "79", "75": "75", "77": "79",
    "79": "79", "80": "80", "82": "82", "83": "86", "84": "86", "86": "86", "87": "82",
    "89": "91", "91": "91", "92": "92", "93": "92", "94": "92", "95": "96", "96": "96",
}


def _code(level: str, value: int | str) -> str:
    return str(value).zfill(CODE_WIDTH[level])


def _kind(name: str) -> str:
    for prefix in ("Thành phố", "Tỉnh", "Phường", "Xã", "Đặc khu", "Thị trấn", "Quận",
                   "Huyện", "Thị xã"):
        if name.startswith(prefix):
            return prefix.lower()
    return ""


class _Upserter:
    """Collects units keyed by (scheme, level, code) and writes them in bulk."""

    def __init__(self, model):
        self.model = model
        self.existing = {(u.scheme, u.level, u.code): u for u in model.objects.all()}
        self.new: list[AdminUnit] = []
        self.changed: list[AdminUnit] = []

    def put(self, scheme, level, code, name, **fields) -> AdminUnit:
        key = (scheme, level, code)
        values = {"name": name, "kind": _kind(name), "search_name": fold(name), **fields}
        unit = self.existing.get(key)
        if unit is None:
            unit = self.model(scheme=scheme, level=level, code=code, **values)
            self.existing[key] = unit
            self.new.append(unit)
        elif any(getattr(unit, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(unit, k, v)
            self.changed.append(unit)
        return unit

    def flush(self, fields):
        self.model.objects.bulk_create(self.new, batch_size=2000)
        if self.changed:
            self.model.objects.bulk_update(self.changed, fields, batch_size=2000)
        count = len(self.new) + len(self.changed)
        self.new, self.changed = [], []
        return count


@transaction.atomic
def load_units(*, with_retired: bool = True, model=None) -> dict[str, int]:
    """`model` lets a data migration pass its historical AdminUnit."""
    import vietnam_provinces

    model = model or AdminUnit
    data = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text("utf-8"))
    up = _Upserter(model)
    provinces = {}
    for p in data:
        code = _code(Level.PROVINCE, p["code"])
        provinces[code] = up.put(
            Scheme.CURRENT, Level.PROVINCE, code, p["name"], valid_from=REFORM_DATE
        )
    written = up.flush(["name", "kind", "search_name", "valid_from"])
    for unit in provinces.values():
        unit.province = unit
    model.objects.bulk_update(list(provinces.values()), ["province"])
    for p in data:
        parent = provinces[_code(Level.PROVINCE, p["code"])]
        for w in p["wards"]:
            up.put(
                Scheme.CURRENT, Level.COMMUNE, _code(Level.COMMUNE, w["code"]), w["name"],
                parent=parent, province=parent, valid_from=REFORM_DATE,
            )
    written += up.flush(["name", "kind", "search_name", "parent", "province", "valid_from"])
    counts = {"provinces": len(provinces), "communes": sum(len(p["wards"]) for p in data)}
    if with_retired:
        counts.update(_load_retired(up, provinces))
    counts["written"] = written
    return counts


def _load_retired(up: _Upserter, provinces: dict[str, AdminUnit]) -> dict[str, int]:
    data = json.loads(RETIRED_FILE.read_text("utf-8"))
    current_communes = {
        u.code: u for (s, lvl, _), u in up.existing.items()
        if s == Scheme.CURRENT and lvl == Level.COMMUNE
    }
    retired = {"valid_to": RETIRED_UNTIL}
    old_provinces = {}
    for code_int, name, _districts in data["provinces"]:
        code = _code(Level.PROVINCE, code_int)
        successor = provinces[PROVINCE_SUCCESSOR[code]]
        old_provinces[code] = up.put(
            Scheme.RETIRED, Level.PROVINCE, code, name,
            successor=successor, province=successor, **retired,
        )
    up.flush(["name", "kind", "search_name", "successor", "province", "valid_to"])
    districts = {}
    for code_int, _name, dists in data["provinces"]:
        old = old_provinces[_code(Level.PROVINCE, code_int)]
        for d_code, d_name, _wards in dists:
            districts[d_code] = up.put(
                Scheme.RETIRED, Level.DISTRICT, _code(Level.DISTRICT, d_code), d_name,
                parent=old, province=old.successor, **retired,
            )
    up.flush(["name", "kind", "search_name", "parent", "province", "valid_to"])
    n_communes = 0
    for _p, _n, dists in data["provinces"]:
        for d_code, _d_name, wards in dists:
            district = districts[d_code]
            for w_code, w_name in wards:
                code = _code(Level.COMMUNE, w_code)
                # A merged commune kept the code of one of the communes it absorbed; for the
                # others the successor commune is not in the package data, only the province.
                succ = current_communes.get(code)
                if succ is not None and succ.province_id != district.province_id:
                    succ = None
                up.put(
                    Scheme.RETIRED, Level.COMMUNE, code, w_name,
                    parent=district, province=district.province, successor=succ, **retired,
                )
                n_communes += 1
    up.flush(["name", "kind", "search_name", "parent", "province", "successor", "valid_to"])
    return {
        "retired_provinces": len(old_provinces),
        "retired_districts": len(districts),
        "retired_communes": n_communes,
    }
