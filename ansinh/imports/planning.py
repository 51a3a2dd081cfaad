"""Across rows and against the registry: what each valid row would do.

Run at staging (for the preview) and again at apply time inside the apply transaction, so that
what is written reflects the registry as it is then, not as it was when the file was staged.

Matching rules:
- a row with an ID number is the registry person with that number (an update, or unchanged);
  if the names and birth dates both differ, the number belongs to someone else → rejected;
- a row without a match by ID is matched inside its household by (folded full name, birth
  date), so that re-importing a list without IDs changes nothing;
- a blank cell never erases a value already in the registry.
"""

from dataclasses import dataclass, field

from django.db import connection

from ansinh.access.scoping import Scope
from ansinh.core.dates import DAY, MONTH, YEAR, format_partial
from ansinh.registry.choices import DisabilityLevel, Poverty, Relationship, Sex
from ansinh.registry.models import Household, Person

from .columns import FIELDS
from .models import Outcome
from .parsing import ETHNIC_NAMES, StagedRow, error

CHUNK = 5000
_PRECISION_RANK = {YEAR: 0, MONTH: 1, DAY: 2}
PERSON_VALUE_FIELDS = (
    "ho", "ten_dem", "ten", "birth_date", "birth_date_precision", "sex", "ethnicity",
    "id_number", "phone", "disability_level", "relationship",
)
_PERSON_COLUMNS = (
    "pk", "ho", "ten_dem", "ten", "full_name", "search_name", "birth_date",
    "birth_date_precision", "sex", "ethnicity", "id_number", "phone", "disability_level",
    "relationship", "household_id", "commune_id", "province_id",
)
_LABELS = {
    "sex": dict(Sex.choices), "relationship": dict(Relationship.choices),
    "disability_level": dict(DisabilityLevel.choices), "poverty_status": dict(Poverty.choices),
    "ethnicity": ETHNIC_NAMES,
}


@dataclass
class HouseholdPlan:
    commune_id: int
    province_id: int
    code: str
    existing: dict | None = None  # id, address, poverty_status, head_id
    address: str | None = None
    poverty_status: str | None = None
    head: "PersonPlan | None" = None
    changes: dict = field(default_factory=dict)  # field → [old, new], machine values
    pk: int | None = None


@dataclass
class PersonPlan:
    row: StagedRow
    household: HouseholdPlan
    existing: dict | None = None
    values: dict = field(default_factory=dict)  # the person as it will be written
    changes: dict = field(default_factory=dict)  # field → [old, new], machine values
    pk: int | None = None


@dataclass
class Plan:
    households: dict[tuple[int, str], HouseholdPlan] = field(default_factory=dict)
    persons: list[PersonPlan] = field(default_factory=list)

    def counts(self, rows: list[StagedRow]) -> dict[str, int]:
        counts = dict.fromkeys(Outcome.values, 0)
        for row in rows:
            counts[row.outcome] += 1
        return counts


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _label(labels: dict, key: str) -> str:
    return labels.get(key, FIELDS.get(key, key))


def plan_rows(rows: list[StagedRow], scope: Scope, labels: dict[str, str],
              commune_names: dict[int, str]) -> Plan:
    """Add the cross-row and registry errors to `rows`, set each row's outcome and diff, and
    return what applying would write. `rows` carry only their own (local) errors on entry."""
    _check_duplicates(rows, labels)
    candidates = [r for r in rows if not r.errors]

    existing_by_id = _persons_by_id([r.parsed["id_number"] for r in candidates
                                     if "id_number" in r.parsed])
    households = _households({(r.parsed["commune_id"], r.parsed["household_code"])
                              for r in candidates})
    members = _members([h["pk"] for h in households.values()])
    members_by_key: dict[tuple, list[dict]] = {}
    for person in members.values():
        key = (person["household_id"], person["search_name"], _iso(person["birth_date"]))
        members_by_key.setdefault(key, []).append(person)
    household_codes = {h["pk"]: h["code"] for h in households.values()}
    household_codes.update(_household_codes(
        {p["household_id"] for p in existing_by_id.values()} - set(household_codes)
    ))

    plan = Plan()
    claimed: dict[int, int] = {}  # person pk → row number that matched it
    for row in candidates:
        p = row.parsed
        key = (p["commune_id"], p["household_code"])
        hplan = plan.households.get(key)
        if hplan is None:
            hplan = plan.households[key] = HouseholdPlan(
                commune_id=p["commune_id"], province_id=p["province_id"],
                code=p["household_code"], existing=households.get(key),
            )
        existing = _match(row, hplan, existing_by_id, members_by_key, scope, labels)
        if row.errors:
            continue
        if existing is not None:
            first = claimed.get(existing["pk"])
            if first is not None:
                row.errors.append(error(
                    row.row_number, _label(labels, "full_name"),
                    f"trùng người với dòng {first} (cùng một người trong cơ sở dữ liệu).",
                    "full_name"))
                continue
            claimed[existing["pk"]] = row.row_number
        person = PersonPlan(row=row, household=hplan, existing=existing)
        if not _person_values(person, labels):
            continue
        plan.persons.append(person)
        if p.get("relationship") == Relationship.HEAD and hplan.head is None:
            hplan.head = person
        for name in ("address", "poverty_status"):
            if p.get(name) and (getattr(hplan, name) is None or person is hplan.head):
                setattr(hplan, name, p[name])

    # Households with no valid row are not created.
    used = {id(pp.household) for pp in plan.persons}
    plan.households = {k: h for k, h in plan.households.items() if id(h) in used}
    for hplan in plan.households.values():
        _household_changes(hplan)

    _set_outcomes(rows, plan, members, household_codes, commune_names)
    return plan


def _check_duplicates(rows: list[StagedRow], labels: dict) -> None:
    """Duplicate IDs, duplicate name keys and second heads inside the file. Rows with other
    problems still count as 'first', so the officer sees every clash."""
    first_id: dict[str, int] = {}
    first_name: dict[tuple, int] = {}
    first_head: dict[tuple, int] = {}
    for row in rows:
        p = row.parsed
        number = p.get("id_number")
        if number:
            first = first_id.setdefault(number, row.row_number)
            if first != row.row_number:
                row.errors.append(error(
                    row.row_number, _label(labels, "id_number"),
                    f"số định danh {number} trùng với dòng {first}.", "id_number"))
        hkey = (p.get("commune_id"), p.get("household_code"))
        if hkey[0] is None or hkey[1] is None:
            continue
        if not number and p.get("search_name"):
            nkey = (*hkey, p["search_name"], p.get("birth_date"))
            first = first_name.setdefault(nkey, row.row_number)
            if first != row.row_number:
                row.errors.append(error(
                    row.row_number, _label(labels, "full_name"),
                    f"trùng với dòng {first} (cùng hộ, họ tên và ngày sinh, không có số "
                    "định danh).", "full_name"))
        if p.get("relationship") == Relationship.HEAD:
            first = first_head.setdefault(hkey, row.row_number)
            if first != row.row_number:
                row.errors.append(error(
                    row.row_number, _label(labels, "relationship"),
                    f"hộ «{hkey[1]}» đã có chủ hộ ở dòng {first}; một hộ chỉ có một chủ hộ.",
                    "relationship"))


def _match(row, hplan, existing_by_id, members_by_key, scope: Scope, labels) -> dict | None:
    p = row.parsed
    number = p.get("id_number")
    person = existing_by_id.get(number) if number else None
    if person is not None:
        same_name = person["search_name"] == p["search_name"]
        birth = p.get("birth_date")
        same_birth = birth is None or person["birth_date"] is None or _compatible_birth(
            person, p)
        if not same_name and not same_birth:
            row.errors.append(error(
                row.row_number, _label(labels, "id_number"),
                f"số định danh {number} đã thuộc về một người khác trong cơ sở dữ liệu "
                "(khác họ tên và ngày sinh). Kiểm tra lại số.", "id_number"))
            return None
    elif hplan.existing is not None:
        candidates = members_by_key.get(
            (hplan.existing["pk"], p["search_name"], p.get("birth_date")), []
        )
        for candidate in candidates:
            if number and candidate["id_number"] and candidate["id_number"] != number:
                row.errors.append(error(
                    row.row_number, _label(labels, "id_number"),
                    "trong hộ đã có người cùng họ tên, ngày sinh nhưng số định danh khác "
                    f"({candidate['id_number'][:3]}…). Kiểm tra lại số.", "id_number"))
                return None
            person = candidate
            break
    if person is not None and not scope.covers(person["commune_id"], person["province_id"]):
        row.errors.append(error(
            row.row_number, _label(labels, "id_number"),
            "người này đang được quản lý ở xã/phường ngoài địa bàn của bạn; cần làm thủ tục "
            "chuyển nơi cư trú thay vì nhập từ tệp.", "id_number"))
        return None
    return person


def _compatible_birth(person: dict, parsed: dict) -> bool:
    """Same date, or one is a less precise form of the other (1990 vs 03/05/1990)."""
    old, new = _iso(person["birth_date"]), parsed.get("birth_date")
    rank = min(_PRECISION_RANK.get(person["birth_date_precision"], 2),
               _PRECISION_RANK.get(parsed.get("birth_date_precision", DAY), 2))
    width = {0: 4, 1: 7, 2: 10}[rank]
    return old[:width] == new[:width]


def _person_values(plan: PersonPlan, labels) -> bool:
    """Fill plan.values (and plan.changes for an existing person); False if rejected."""
    row, p, old = plan.row, plan.row.parsed, plan.existing
    h = plan.household
    if old is None:
        missing = [k for k in ("sex", "relationship") if not p.get(k)]
        for key in missing:
            what = "giới tính" if key == "sex" else "quan hệ với chủ hộ"
            row.errors.append(error(row.row_number, _label(labels, key),
                                    f"chưa có {what} (bắt buộc khi thêm người mới).", key))
        if missing:
            return False
        plan.values = {
            "ho": p["ho"], "ten_dem": p["ten_dem"], "ten": p["ten"],
            "full_name": p["full_name"], "search_name": p["search_name"],
            "sort_key": p["sort_key"], "birth_date": p.get("birth_date"),
            "birth_date_precision": p.get("birth_date_precision", DAY),
            "sex": p["sex"], "ethnicity": p.get("ethnicity", ""),
            "id_number": p.get("id_number"), "phone": p.get("phone", ""),
            "disability_level": p.get("disability_level", ""),
            "relationship": p["relationship"], "commune_id": h.commune_id,
            "province_id": h.province_id,
        }
        return True
    new = {k: old[k] for k in PERSON_VALUE_FIELDS}
    new["birth_date"] = _iso(old["birth_date"])
    for key in ("ho", "ten_dem", "ten", "sex", "ethnicity", "id_number", "phone",
                "disability_level", "relationship"):
        if p.get(key):
            new[key] = p[key]
    if "ten" in p:  # the name is always given; ho/ten_dem may legitimately be empty
        new["ho"], new["ten_dem"] = p["ho"], p["ten_dem"]
    if p.get("birth_date") and not (
        new["birth_date"] and _PRECISION_RANK.get(p["birth_date_precision"], 2)
        < _PRECISION_RANK.get(old["birth_date_precision"], 2) and _compatible_birth(old, p)
    ):
        # A less precise date that agrees with the stored one (1990 vs 03/05/1990) keeps it.
        new["birth_date"], new["birth_date_precision"] = p["birth_date"], p[
            "birth_date_precision"]
    changes = {}
    for key in PERSON_VALUE_FIELDS:
        before = _iso(old[key]) if key == "birth_date" else old[key]
        if before != new[key]:
            changes[key] = [before, new[key]]
    if h.existing is None or h.existing["pk"] != old["household_id"]:
        changes["household"] = [old["household_id"], h.existing["pk"] if h.existing else None]
    if old["commune_id"] != h.commune_id:
        changes["commune"] = [old["commune_id"], h.commune_id]
    plan.values = new
    plan.changes = changes
    plan.pk = old["pk"]
    return True


def _household_changes(h: HouseholdPlan) -> None:
    if h.existing is None:
        return
    for name in ("address", "poverty_status"):
        value = getattr(h, name)
        if value and value != h.existing[name]:
            h.changes[name] = [h.existing[name], value]
    head = h.head
    if head is not None and (head.existing is None or head.existing["pk"] != h.existing["head_id"]):
        h.changes["head"] = [h.existing["head_id"], head.existing["pk"] if head.existing else None]


def _set_outcomes(rows, plan: Plan, members: dict, household_codes: dict,
                  commune_names: dict) -> None:
    by_row = {id(pp.row): pp for pp in plan.persons}
    # Household changes are shown on the head's row, or on the household's first row.
    carrier = {}
    for pp in plan.persons:
        h = pp.household
        if h.changes and (id(h) not in carrier or pp is h.head):
            carrier[id(h)] = pp
    for row in rows:
        pp = by_row.get(id(row))
        row.diff = {}
        row.target_person_id = None
        if row.errors or pp is None:
            row.outcome = Outcome.REJECTED
            continue
        if pp.existing is None:
            row.outcome = Outcome.NEW
            continue
        row.target_person_id = pp.existing["pk"]
        row.diff = _display_diff(pp, household_codes, commune_names)
        h = pp.household
        if carrier.get(id(h)) is pp:
            for name, (old, new) in h.changes.items():
                if name == "head":
                    old_name = members.get(old, {}).get("full_name", "") if old else ""
                    row.diff["head"] = [old_name, pp.household.head.values.get(
                        "full_name") or pp.household.head.row.parsed.get("full_name", "")]
                else:
                    row.diff[name] = [_show(name, old), _show(name, new)]
        row.outcome = Outcome.CHANGED if row.diff else Outcome.UNCHANGED


def _show(key: str, value) -> str:
    if value in (None, ""):
        return ""
    return str(_LABELS.get(key, {}).get(value, value))


def _display_diff(pp: PersonPlan, household_codes: dict, commune_names: dict) -> dict:
    old, changes = pp.existing, pp.changes
    diff = {}
    if any(k in changes for k in ("ho", "ten_dem", "ten")):
        diff["full_name"] = [old["full_name"], pp.row.parsed["full_name"]]
    if "birth_date" in changes or "birth_date_precision" in changes:
        diff["birth_date"] = [
            format_partial(_date(old["birth_date"]), old["birth_date_precision"]),
            format_partial(_date(pp.values["birth_date"]), pp.values["birth_date_precision"]),
        ]
    for key in ("sex", "ethnicity", "id_number", "phone", "disability_level", "relationship"):
        if key in changes:
            diff[key] = [_show(key, changes[key][0]), _show(key, changes[key][1])]
    if "household" in changes:
        diff["household_code"] = [household_codes.get(old["household_id"], ""),
                                  pp.household.code]
    if "commune" in changes:
        diff["commune"] = [commune_names.get(old["commune_id"], ""),
                           commune_names.get(pp.household.commune_id, "")]
    return diff


def _iso(value) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def _date(value):
    from datetime import date

    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _persons_by_id(numbers: list[str]) -> dict[str, dict]:
    """Registry persons holding any of these ID numbers, in chunks of raw IN queries (the ORM
    spends longer preparing 5,000 parameters than the database spends answering)."""
    found = {}
    numbers = sorted(set(numbers))
    if not numbers:
        return found
    table = Person._meta.db_table
    columns = ", ".join(f'"{Person._meta.get_field(c).column}"' if c != "pk" else '"id"'
                        for c in _PERSON_COLUMNS)
    date_field = Person._meta.get_field("birth_date")
    with connection.cursor() as cursor:
        for chunk in _chunks(numbers):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f'SELECT {columns} FROM "{table}" WHERE "id_number" IN ({marks})',
                           chunk)
            for values in cursor.fetchall():
                person = dict(zip(_PERSON_COLUMNS, values, strict=True))
                person["birth_date"] = date_field.to_python(person["birth_date"])
                found[person["id_number"]] = person
    return found


def _households(keys: set[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    by_commune: dict[int, list[str]] = {}
    for commune_id, code in keys:
        by_commune.setdefault(commune_id, []).append(code)
    found = {}
    for commune_id, codes in by_commune.items():
        for chunk in _chunks(codes):
            for values in Household.objects.filter(commune_id=commune_id, code__in=chunk) \
                    .values("pk", "code", "commune_id", "address", "poverty_status",
                            "head_id"):
                found[(commune_id, values["code"])] = values
    return found


def _household_codes(pks: set) -> dict[int, str]:
    pks = [pk for pk in pks if pk is not None]
    codes = {}
    for chunk in _chunks(pks):
        codes.update(Household.objects.filter(pk__in=chunk).values_list("pk", "code"))
    return codes


def _members(household_pks: list[int]) -> dict[int, dict]:
    found = {}
    for chunk in _chunks(household_pks):
        for values in Person.objects.filter(household_id__in=chunk).values_list(
                *_PERSON_COLUMNS):
            person = dict(zip(_PERSON_COLUMNS, values, strict=True))
            found[person["pk"]] = person
    return found
