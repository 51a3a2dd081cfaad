"""Across rows and against the registry: what each valid row would do.

Run at staging (for the preview). The registry rows the plan depended on are summed up in a
digest stored with the batch; apply recomputes the digest inside its transaction and plans
again only if it differs (or if someone with another scope applies), so what is written always
reflects the registry as it is then, not as it was when the file was staged.

Matching rules:
- a row with an ID number is the registry person with that number (an update, or unchanged);
  if the names and birth dates both differ, the number belongs to someone else → rejected;
- a row without a match by ID is matched inside its household by (folded full name, birth
  date), so that re-importing a list without IDs changes nothing;
- a blank cell never erases a value already in the registry.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from ansinh.access.scoping import Scope
from ansinh.core.dates import DAY, MONTH, YEAR, format_partial
from ansinh.registry.choices import DisabilityLevel, Poverty, Relationship, Sex
from ansinh.registry.models import Household, Person

from .columns import FIELDS
from .models import Outcome
from .parsing import ETHNIC_NAMES, Staged, encode_json

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
_HOUSEHOLD_COLUMNS = ("pk", "code", "commune_id", "address", "poverty_status", "head_id")
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
    existing: dict | None = None  # pk, code, commune_id, address, poverty_status, head_id
    address: str | None = None
    poverty_status: str | None = None
    head: int | None = None  # index of the head's row
    changes: dict = field(default_factory=dict)  # field → [old, new], machine values
    pk: int | None = None  # the registry id: existing, or reserved for a new household


@dataclass
class Plan:
    households: dict[tuple[int, str], HouseholdPlan] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)  # indexes of the rows that will be written
    existing: dict[int, dict] = field(default_factory=dict)  # row → registry person matched
    values: dict[int, dict] = field(default_factory=dict)  # row → merged person (matched only)
    row_household: dict[int, HouseholdPlan] = field(default_factory=dict)

    def new_households(self) -> list[HouseholdPlan]:
        return [h for h in self.households.values() if h.existing is None]

    def new_rows(self) -> list[int]:
        return [i for i in self.rows if i not in self.existing]


# ---------------------------------------------------------------------------------------------
# The registry side, fetched set-wise


@dataclass
class RegistrySnapshot:
    """The registry rows a plan depends on: the persons holding the file's ID numbers, the
    households with the file's (commune, code) keys, their members, and the codes of the
    households those persons live in."""

    by_id: dict[str, dict] = field(default_factory=dict)
    households: dict[tuple[int, str], dict] = field(default_factory=dict)
    members: dict[int, dict] = field(default_factory=dict)
    household_codes: dict[int, str] = field(default_factory=dict)

    def digest(self, scope: Scope) -> str:
        """A fingerprint of everything the plan read, and of the scope it was checked
        against. Equal fingerprints mean planning again would give the same plan."""
        h = hashlib.sha256()
        for part in (
            sorted(tuple(p.values()) for p in self.by_id.values()),
            sorted(tuple(v.values()) for v in self.households.values()),
            sorted(tuple(p.values()) for p in self.members.values()),
            sorted(self.household_codes.items()),
            (scope.national, sorted(scope.provinces), sorted(scope.communes)),
        ):
            h.update(repr(part).encode())
            h.update(b"\x00")
        return h.hexdigest()


def registry_snapshot(rows) -> RegistrySnapshot:
    """The snapshot for `rows`: (id number, commune id, household code) of every row that
    shows no problem of its own. Staging and apply pass the same rows, so equal registries give
    equal snapshots."""
    ids: set[str] = set()
    keys: set[tuple[int, str]] = set()
    for number, commune_id, code in rows:
        if number:
            ids.add(number)
        keys.add((commune_id, code))
    snap = RegistrySnapshot()
    snap.by_id = {p["id_number"]: p for p in _persons("id_number", sorted(ids))}
    snap.households = _households(keys)
    snap.members = {p["pk"]: p for p in _persons(
        "household_id", sorted(h["pk"] for h in snap.households.values()))}
    snap.household_codes = {h["pk"]: h["code"] for h in snap.households.values()}
    snap.household_codes.update(_household_codes(
        {p["household_id"] for p in snap.by_id.values()} - set(snap.household_codes)))
    return snap


def staged_keys(staged: Staged) -> list[tuple[str, int, str]]:
    """What registry_snapshot needs of freshly parsed rows."""
    v, local = staged.values, staged.local_errors
    return [(number, commune_id, code) for i, (number, commune_id, code) in enumerate(
        zip(v["id_number"], v["commune_id"], v["household_code"], strict=True))
        if i not in local]


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _persons(column: str, values: list) -> list[dict]:
    """Registry persons whose `column` is any of `values`, in raw SQL (the ORM spends longer
    preparing thousands of parameters and converting rows than the database takes)."""
    if not values:
        return []
    table = Person._meta.db_table
    columns = ", ".join('"id"' if c == "pk" else f'"{Person._meta.get_field(c).column}"'
                        for c in _PERSON_COLUMNS)
    to_date = Person._meta.get_field("birth_date").to_python
    found = []
    with connection.cursor() as cursor:
        for chunk in _in_chunks(values):
            cursor.execute(f'SELECT {columns} FROM "{table}" WHERE "{column}" {chunk[0]}',
                           chunk[1])
            for row in cursor.fetchall():
                person = dict(zip(_PERSON_COLUMNS, row, strict=True))
                person["birth_date"] = to_date(person["birth_date"])
                found.append(person)
    return found


def _in_chunks(values: list):
    """The condition "is one of `values`" with its parameters: one array on PostgreSQL, one
    JSON list on SQLite (binding thousands of parameters costs more than the lookups)."""
    if connection.vendor == "postgresql":
        yield "= ANY(%s)", [list(values)]
    elif connection.vendor == "sqlite":
        yield "IN (SELECT value FROM json_each(%s))", [encode_json(list(values))]
    else:  # pragma: no cover - only SQLite and PostgreSQL run
        for chunk in _chunks(values):
            yield f"IN ({', '.join(['%s'] * len(chunk))})", chunk


def _households(keys: set[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    by_commune: dict[int, list[str]] = {}
    for commune_id, code in keys:
        by_commune.setdefault(commune_id, []).append(code)
    table = Household._meta.db_table
    columns = ", ".join('"id"' if c == "pk" else f'"{c}"' for c in _HOUSEHOLD_COLUMNS)
    found = {}
    with connection.cursor() as cursor:
        for commune_id, codes in sorted(by_commune.items()):
            for where, params in _in_chunks(sorted(codes)):
                cursor.execute(f'SELECT {columns} FROM "{table}" WHERE "commune_id" = %s '
                               f'AND "code" {where}', [commune_id, *params])
                for row in cursor.fetchall():
                    values = dict(zip(_HOUSEHOLD_COLUMNS, row, strict=True))
                    found[(commune_id, values["code"])] = values
    return found


def _household_codes(pks: set) -> dict[int, str]:
    pks = sorted(pk for pk in pks if pk is not None)
    codes = {}
    for chunk in _chunks(pks):
        codes.update(Household.objects.filter(pk__in=chunk).values_list("pk", "code"))
    return codes


# ---------------------------------------------------------------------------------------------
# Planning


def _label(labels: dict, key: str) -> str:
    return labels.get(key, FIELDS.get(key, key))


def plan(staged: Staged, snapshot: RegistrySnapshot, scope: Scope, labels: dict[str, str],
         commune_names: dict[int, str]) -> Plan:
    """Add the cross-row and registry errors to `staged`, set each row's outcome, displayed
    diff and registry ids, and return what applying would write. On entry the rows carry only
    their own (local) errors."""
    _check_duplicates(staged, labels)
    v = staged.values
    errors = staged.errors
    ids, communes, provinces, codes = (v["id_number"], v["commune_id"], v["province_id"],
                                       v["household_code"])
    relationships, addresses, poverty = v["relationship"], v["address"], v["poverty_status"]
    sexes = v["sex"]
    result = Plan()
    households = result.households
    members_by_key: dict[tuple, list[dict]] = {}
    for person in snapshot.members.values():
        key = (person["household_id"], person["search_name"], person["birth_date"])
        members_by_key.setdefault(key, []).append(person)
    claimed: dict[int, int] = {}  # person pk → row number that matched it
    for i in range(len(staged)):
        if i in errors:
            continue
        key = (communes[i], codes[i])
        hplan = households.get(key)
        if hplan is None:
            hplan = households[key] = HouseholdPlan(
                commune_id=communes[i], province_id=provinces[i], code=codes[i],
                existing=snapshot.households.get(key),
            )
        existing = None
        if ids[i] in snapshot.by_id or hplan.existing is not None:
            existing = _match(staged, i, hplan, snapshot.by_id, members_by_key, scope, labels)
            if i in errors:
                continue
        if existing is not None:
            first = claimed.get(existing["pk"])
            if first is not None:
                staged.fail(i, _label(labels, "full_name"),
                            f"trùng người với dòng {first} (cùng một người trong cơ sở dữ "
                            "liệu).", "full_name")
                continue
            claimed[existing["pk"]] = staged.row_numbers[i]
            _existing_person_values(staged, i, existing, hplan, result)
        elif not (sexes[i] and relationships[i]) and not _new_person_ok(staged, i, labels):
            continue
        result.rows.append(i)
        result.row_household[i] = hplan
        if relationships[i] == Relationship.HEAD and hplan.head is None:
            hplan.head = i
        if addresses[i] and (hplan.address is None or hplan.head == i):
            hplan.address = addresses[i]
        if poverty[i] and (hplan.poverty_status is None or hplan.head == i):
            hplan.poverty_status = poverty[i]

    # Households with no valid row are not created.
    used = {id(h) for h in result.row_household.values()}
    result.households = {k: h for k, h in households.items() if id(h) in used}
    for hplan in result.households.values():
        _household_changes(hplan, result)
    _set_outcomes(staged, result, snapshot, commune_names)
    return result


def assign_ids(staged: Staged, result: Plan, person_ids: list[int],
               household_ids: list[int]) -> None:
    """Give new persons and households the ids reserved for them, and every written row the
    registry ids of its person and household."""
    for hplan, pk in zip(result.new_households(), household_ids, strict=True):
        hplan.pk = pk
    for hplan in result.households.values():
        if hplan.existing is not None:
            hplan.pk = hplan.existing["pk"]
    # New persons are numbered in the registry's list order (sort key): inserted in that order,
    # the person table and its three sort-key indexes grow at their ends instead of
    # everywhere at once, which makes the insert a third cheaper.
    # (The sort is stable and new_rows() ascending: rows with the same key keep file order.)
    by_key = sorted(result.new_rows(), key=staged.values["sort_key"].__getitem__)
    for i, pk in zip(by_key, person_ids, strict=True):
        staged.target[i] = pk
    for i in result.rows:
        staged.household[i] = result.row_household[i].pk
        changes = staged.changes.get(i)
        if changes and "household" in changes:
            changes["household"] = [changes["household"][0], staged.household[i]]
    for hplan in result.households.values():
        if "head" in hplan.changes:
            hplan.changes["head"][1] = staged.target[hplan.head]


def _check_duplicates(staged: Staged, labels: dict) -> None:
    """Duplicate IDs, duplicate name keys and second heads inside the file. Rows with other
    problems still count as 'first', so the officer sees every clash."""
    v = staged.values
    ids, communes, codes = v["id_number"], v["commune_id"], v["household_code"]
    names, births, relationships = v["search_name"], v["birth_date"], v["relationship"]
    row_numbers = staged.row_numbers
    first_id: dict[str, int] = {}
    first_name: dict[tuple, int] = {}
    first_head: dict[tuple, int] = {}
    head = Relationship.HEAD.value
    for i, number in enumerate(ids):
        row_number = row_numbers[i]
        if number:
            first = first_id.setdefault(number, row_number)
            if first != row_number:
                staged.fail(i, _label(labels, "id_number"),
                            f"số định danh {number} trùng với dòng {first}.", "id_number")
        commune, code = communes[i], codes[i]
        if commune is None or not code:
            continue
        if not number and names[i]:
            first = first_name.setdefault((commune, code, names[i], births[i]), row_number)
            if first != row_number:
                staged.fail(i, _label(labels, "full_name"),
                            f"trùng với dòng {first} (cùng hộ, họ tên và ngày sinh, không có "
                            "số định danh).", "full_name")
        if relationships[i] == head:
            first = first_head.setdefault((commune, code), row_number)
            if first != row_number:
                staged.fail(i, _label(labels, "relationship"),
                            f"hộ «{code}» đã có chủ hộ ở dòng {first}; một hộ chỉ có một "
                            "chủ hộ.", "relationship")


def _match(staged: Staged, i: int, hplan: HouseholdPlan, existing_by_id: dict,
           members_by_key: dict, scope: Scope, labels: dict) -> dict | None:
    v = staged.values
    number = v["id_number"][i]
    person = existing_by_id.get(number) if number else None
    if person is not None:
        same_name = person["search_name"] == v["search_name"][i]
        birth = v["birth_date"][i]
        same_birth = birth is None or person["birth_date"] is None or _compatible_birth(
            person["birth_date"], person["birth_date_precision"], birth,
            v["birth_date_precision"][i])
        if not same_name and not same_birth:
            staged.fail(i, _label(labels, "id_number"),
                        f"số định danh {number} đã thuộc về một người khác trong cơ sở dữ liệu "
                        "(khác họ tên và ngày sinh). Kiểm tra lại số.", "id_number")
            return None
    elif hplan.existing is not None:
        candidates = members_by_key.get(
            (hplan.existing["pk"], v["search_name"][i], v["birth_date"][i]), [])
        for candidate in candidates:
            if number and candidate["id_number"] and candidate["id_number"] != number:
                staged.fail(i, _label(labels, "id_number"),
                            "trong hộ đã có người cùng họ tên, ngày sinh nhưng số định danh "
                            f"khác ({candidate['id_number'][:3]}…). Kiểm tra lại số.",
                            "id_number")
                return None
            person = candidate
            break
    if person is not None and not scope.covers(person["commune_id"], person["province_id"]):
        staged.fail(i, _label(labels, "id_number"),
                    "người này đang được quản lý ở xã/phường ngoài địa bàn của bạn; cần làm "
                    "thủ tục chuyển nơi cư trú thay vì nhập từ tệp.", "id_number")
        return None
    return person


def _compatible_birth(old: date, old_precision: str, new: date, new_precision: str) -> bool:
    """Same date, or one is a less precise form of the other (1990 vs 03/05/1990)."""
    rank = min(_PRECISION_RANK.get(old_precision, 2), _PRECISION_RANK.get(new_precision or DAY,
                                                                          2))
    if rank == 0:
        return old.year == new.year
    if rank == 1:
        return (old.year, old.month) == (new.year, new.month)
    return old == new


def _new_person_ok(staged: Staged, i: int, labels: dict) -> bool:
    missing = [k for k in ("sex", "relationship") if not staged.values[k][i]]
    for key in missing:
        what = "giới tính" if key == "sex" else "quan hệ với chủ hộ"
        staged.fail(i, _label(labels, key), f"chưa có {what} (bắt buộc khi thêm người mới).",
                    key)
    return not missing


def _existing_person_values(staged: Staged, i: int, old: dict, h: HouseholdPlan,
                            result: Plan) -> None:
    """The matched person as it will be written, and what changes (field → [old, new])."""
    v = staged.values
    new = {k: old[k] for k in PERSON_VALUE_FIELDS}
    for key in ("ho", "ten_dem", "ten", "sex", "ethnicity", "id_number", "phone",
                "disability_level", "relationship"):
        if v[key][i]:
            new[key] = v[key][i]
    if v["full_name"][i]:  # the name is always given; ho/ten_dem may legitimately be empty
        new["ho"], new["ten_dem"] = v["ho"][i], v["ten_dem"][i]
    birth, precision = v["birth_date"][i], v["birth_date_precision"][i]
    if birth and not (
        new["birth_date"] and _PRECISION_RANK.get(precision, 2)
        < _PRECISION_RANK.get(old["birth_date_precision"], 2)
        and _compatible_birth(old["birth_date"], old["birth_date_precision"], birth, precision)
    ):
        # A less precise date that agrees with the stored one (1990 vs 03/05/1990) keeps it.
        new["birth_date"], new["birth_date_precision"] = birth, precision
    changes = {}
    for key in PERSON_VALUE_FIELDS:
        if old[key] != new[key]:
            changes[key] = [old[key], new[key]]
    if h.existing is None or h.existing["pk"] != old["household_id"]:
        # The new household's id is filled in once it is reserved (assign_ids).
        changes["household"] = [old["household_id"], h.existing["pk"] if h.existing else None]
    if old["commune_id"] != h.commune_id:
        changes["commune"] = [old["commune_id"], h.commune_id]
    result.existing[i] = old
    result.values[i] = new
    if changes:
        staged.changes[i] = changes


def _household_changes(h: HouseholdPlan, result: Plan) -> None:
    if h.existing is None:
        return
    for name in ("address", "poverty_status"):
        value = getattr(h, name)
        if value and value != h.existing[name]:
            h.changes[name] = [h.existing[name], value]
    if h.head is not None:
        head = result.existing.get(h.head)
        if head is None or head["pk"] != h.existing["head_id"]:
            h.changes["head"] = [h.existing["head_id"], head["pk"] if head else None]


def _set_outcomes(staged: Staged, result: Plan, snapshot: RegistrySnapshot,
                  commune_names: dict) -> None:
    n = len(staged)
    staged.outcome = [Outcome.REJECTED.value] * n
    staged.target = [None] * n
    staged.household = [None] * n
    staged.diff = {}
    # Household changes are shown on the head's row, or on the household's first row.
    carrier: dict[int, int] = {}
    for i in result.rows:
        h = result.row_household[i]
        if h.changes and (id(h) not in carrier or h.head == i):
            carrier[id(h)] = i
    new = Outcome.NEW.value
    for i in result.rows:
        old = result.existing.get(i)
        if old is None:
            staged.outcome[i] = new
            continue
        staged.target[i] = old["pk"]
        diff = _display_diff(staged, i, result, snapshot.household_codes, commune_names)
        h = result.row_household[i]
        if carrier.get(id(h)) == i:
            for name, (before, after) in h.changes.items():
                if name == "head":
                    old_name = snapshot.members.get(before, {}).get("full_name", "") \
                        if before else ""
                    diff["head"] = [old_name, staged.values["full_name"][h.head]]
                else:
                    diff[name] = [_show(name, before), _show(name, after)]
        if diff:
            staged.diff[i] = diff
        staged.outcome[i] = Outcome.CHANGED.value if diff else Outcome.UNCHANGED.value


def _show(key: str, value) -> str:
    if value in (None, ""):
        return ""
    return str(_LABELS.get(key, {}).get(value, value))


def _display_diff(staged: Staged, i: int, result: Plan, household_codes: dict,
                  commune_names: dict) -> dict:
    old, changes, values = result.existing[i], staged.changes.get(i, {}), result.values[i]
    h = result.row_household[i]
    diff = {}
    if any(k in changes for k in ("ho", "ten_dem", "ten")):
        diff["full_name"] = [old["full_name"], staged.values["full_name"][i]]
    if "birth_date" in changes or "birth_date_precision" in changes:
        diff["birth_date"] = [
            format_partial(old["birth_date"], old["birth_date_precision"]),
            format_partial(values["birth_date"], values["birth_date_precision"]),
        ]
    for key in ("sex", "ethnicity", "id_number", "phone", "disability_level", "relationship"):
        if key in changes:
            diff[key] = [_show(key, changes[key][0]), _show(key, changes[key][1])]
    if "household" in changes:
        diff["household_code"] = [household_codes.get(old["household_id"], ""), h.code]
    if "commune" in changes:
        diff["commune"] = [commune_names.get(old["commune_id"], ""),
                           commune_names.get(h.commune_id, "")]
    return diff
