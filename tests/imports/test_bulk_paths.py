"""The set-wise paths of the import: column-wise parsing, ids reserved at staging, apply without
planning again while the registry is unchanged, and planning again when it is not."""

import csv
import datetime as dt
from unittest import mock

import pytest

from ansinh.audit.models import AuditEvent
from ansinh.core.text import clean_name, fold, name_sort_key, split_full_name
from ansinh.imports import services
from ansinh.imports.parsing import name_forms, per_value
from ansinh.imports.services import import_apply, import_preview, import_stage
from ansinh.registry.models import Household, Person

from .conftest import HEADERS


def stage(user, path, **kwargs):
    with open(path, "rb") as f:
        return import_stage(user, f, path.name, **kwargs)


@pytest.mark.parametrize("raw", [
    "Nguyễn Văn An", "  nguyễn   văn   an ", "NGUYỄN THỊ MINH KHAI", "An", "Đặng-Thị Hương",
    "Lò Văn Páo", "Nguye\u0302\u0303n Văn An", "H'Hen Niê", "Trần  Thị\tBình", "Ông Ba Mươi",
])
def test_name_forms_are_what_the_registry_derives(raw):
    ho, ten_dem, ten = split_full_name(raw)
    ho, ten_dem, ten = clean_name(ho), clean_name(ten_dem), clean_name(ten)
    full = " ".join(p for p in (ho, ten_dem, ten) if p)
    assert name_forms(raw) == (ho, ten_dem, ten, full, fold(full),
                               name_sort_key(ho, ten_dem, ten))


def test_the_staged_array_is_encoded_as_one_row_of_the_carried_fields(xlsx, household,
                                                                      users):
    from ansinh.imports.parsing import _CARRIED_BY_COLUMN, CARRIED_FIELDS

    assert tuple(f for _, fields in _CARRIED_BY_COLUMN for f in fields) == CARRIED_FIELDS
    batch = stage(users["commune_officer"], xlsx(household()))
    row = batch.rows.order_by("row_number").first()
    assert row.parsed == {
        "ho": "Nguyễn", "ten_dem": "Văn", "ten": "An", "full_name": "Nguyễn Văn An",
        "search_name": "nguyen van an", "sort_key": row.parsed["sort_key"],
        "birth_date": "1975-04-02", "birth_date_precision": "D", "sex": "M",
        "ethnicity": "01", "id_number": row.id_number, "phone": "0912345678",
        "relationship": "head", "household_code": "H001", "address": "Tổ 5",
        "commune_id": row.commune_id, "province_id": row.parsed["province_id"],
    }


def test_a_boolean_cell_keeps_its_own_meaning_beside_a_one():
    assert per_value([True, 1, 1.0, False, 0], repr) == ["True", "1", "1.0", "False", "0"]
    assert per_value(["a", "b", "a"], str.upper) == ["A", "B", "A"]


def test_new_rows_get_their_ids_at_staging_and_keep_them(xlsx, household, users):
    officer = users["commune_officer"]
    batch = stage(officer, xlsx(household()))
    reserved = dict(batch.rows.values_list("row_number", "target_person_id"))
    assert None not in reserved.values()
    # Not shown before the persons exist.
    assert {r["target_person_id"] for r in import_preview(batch)["rows"]} == {None}
    import_apply(officer, batch)
    assert set(reserved.values()) == set(Person.objects.values_list("pk", flat=True))
    assert dict(batch.rows.values_list("row_number", "target_person_id")) == reserved
    assert {r["target_person_id"] for r in import_preview(batch)["rows"]} == set(
        reserved.values())
    household_id = Household.objects.get().pk
    assert set(batch.rows.values_list("household_id", flat=True)) == {household_id}


def test_an_unchanged_registry_is_not_planned_again_at_apply(xlsx, household, users):
    officer = users["commune_officer"]
    batch = stage(officer, xlsx(household()))
    with mock.patch.object(services, "_plan_again",
                           side_effect=AssertionError("planned again")):
        assert import_apply(officer, batch)["persons_created"] == 3


def test_another_scope_applying_plans_again(xlsx, household, users):
    batch = stage(users["commune_officer"], xlsx(household()))
    with mock.patch.object(services, "_plan_again", wraps=services._plan_again) as again:
        counts = import_apply(users["province_officer"], batch)
    assert again.called
    assert counts["persons_created"] == 3
    assert Household.objects.get().head.full_name == "Nguyễn Văn An"


def test_an_id_taken_by_another_writer_is_replaced_at_apply(xlsx, household, users, geo,
                                                          id_number):
    officer = users["commune_officer"]
    batch = stage(officer, xlsx(household()))
    taken = batch.rows.order_by("row_number").first().target_person_id
    Person.objects.create(pk=taken, ten="Khác", sex="M", id_number=id_number("M", 1960),
                          commune=geo["commune"], province=geo["province"])
    counts = import_apply(officer, batch)
    assert counts["persons_created"] == 3
    targets = set(batch.rows.values_list("target_person_id", flat=True))
    assert taken not in targets
    assert set(Person.objects.filter(pk__in=targets).values_list("ten", flat=True)) == {
        "An", "Bình", "Châu"}


def test_a_new_household_is_audited_as_audit_row_would(xlsx, household, users):
    from ansinh.access.context import acting
    from ansinh.audit.services import audit_row

    officer = users["commune_officer"]
    batch = stage(officer, xlsx(household()))
    with acting(user_id=officer.pk, username=officer.username, source="web"):
        import_apply(officer, batch)
    hh = Household.objects.get()
    event = AuditEvent.objects.get(object_type="household", object_id=hh.pk)
    with acting(user_id=officer.pk, username=officer.username, source="web",
                import_batch_id=batch.pk):
        expected = audit_row("create", hh, object_repr=f"Hộ {hh.code}", changes={
            "code": hh.code, "address": hh.address, "commune": hh.commune_id,
            "poverty_status": hh.poverty_status, "poverty_year": None, "head": hh.head_id})
    for name in ("user_id", "username", "source", "import_batch_id", "action", "object_type",
                 "object_id", "object_repr", "changes", "commune_id", "province_id"):
        assert getattr(event, name) == getattr(expected, name), name


def test_a_member_moving_to_a_new_household_is_updated_and_audited(xlsx, household, users,
                                                                    id_number):
    officer = users["commune_officer"]
    child = id_number("F", 2005)
    rows = household(child_id=child)
    import_apply(officer, stage(officer, xlsx(rows)))
    old_household = Person.objects.get(id_number=child).household_id
    moved = list(rows[2])
    moved[5], moved[6], moved[7] = "Chủ hộ", "H002", "Tổ 7"
    batch = stage(officer, xlsx([moved]))
    assert batch.counts == {"new": 0, "changed": 1, "unchanged": 0, "rejected": 0}
    diff = {d["field"]: (d["old"], d["new"]) for d in import_preview(batch)["rows"][0]["diff"]}
    assert diff["household_code"] == ("H001", "H002")
    counts = import_apply(officer, batch)
    assert counts == {"households_created": 1, "households_updated": 0, "persons_created": 0,
                      "persons_updated": 1, "audit_rows": 2}
    person = Person.objects.get(id_number=child)
    new_household = Household.objects.get(code="H002")
    assert person.household == new_household and person.relationship == "head"
    assert new_household.head == person and new_household.address == "Tổ 7"
    update = AuditEvent.objects.get(import_batch_id=batch.pk, action="update")
    assert update.changes["household"] == [old_household, new_household.pk]
    assert update.changes["relationship"] == ["child", "head"]


def test_a_changed_household_head_is_written_and_audited(xlsx, household, users, id_number):
    officer = users["commune_officer"]
    head, wife = id_number("M", 1975), id_number("F", 1978)
    rows = household(head_id=head, wife_id=wife)
    import_apply(officer, stage(officer, xlsx(rows)))
    rows[0][5], rows[1][5] = "Chồng", "Chủ hộ"
    batch = stage(officer, xlsx(rows))
    preview = import_preview(batch, outcome="changed")
    heads = [d for r in preview["rows"] for d in r["diff"] if d["field"] == "head"]
    assert [(d["old"], d["new"]) for d in heads] == [("Nguyễn Văn An", "Trần Thị Bình")]
    counts = import_apply(officer, batch)
    assert counts["households_updated"] == 1 and counts["persons_updated"] == 2
    hh = Household.objects.get()
    assert hh.head == Person.objects.get(id_number=wife)
    event = AuditEvent.objects.get(import_batch_id=batch.pk, object_type="household")
    assert event.changes["head"] == [Person.objects.get(id_number=head).pk, hh.head_id]


def test_a_ragged_csv_keeps_each_rows_own_cells(tmp_path, users, id_number):
    path = tmp_path / "ds.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerow([1, "Lê Văn Tám", "1980", "Nam", id_number("M", 1980), "Chủ hộ", "H1",
                         "", "00004"])
        writer.writerow([2, "Lê Thị Sáu", "1982", "Nữ", "sai", "Vợ", "H1", "", "00004", "Kinh",
                         "", "thừa"])
    batch = stage(users["commune_officer"], path)
    raws = dict(batch.rows.values_list("row_number", "raw"))
    assert len(raws[2]) == 9 and len(raws[3]) == 12
    assert batch.counts == {"new": 1, "changed": 0, "unchanged": 0, "rejected": 1}


def test_total_and_numbering_rows_are_skipped_wherever_they_sit(xlsx, users, id_number):
    rows = [
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        [1, "Nguyễn Văn A", dt.datetime(1990, 1, 2), "Nam", id_number("M", 1990), "Chủ hộ",
         "H1", "", "00004", "Kinh", ""],
        [None, None, "TỔNG CỘNG", None, None],
        [2, "Nguyễn Văn B", "1991", "Nam", id_number("M", 1991), "Chủ hộ", "H2", "", "00004",
         "Kinh", ""],
        [None, "Cộng", None, None],
    ]
    batch = stage(users["commune_officer"], xlsx(rows))
    assert list(batch.rows.order_by("row_number").values_list("row_number", flat=True)) == [
        6, 8]


def test_real_and_typed_dates_out_of_range_are_rejected_with_their_reason(xlsx, users):
    def person(name, birth, code):
        return [1, name, birth, "Nam", None, "Chủ hộ", code, "", "00004", "Kinh", ""]

    batch = stage(users["commune_officer"], xlsx([
        person("Nguyễn Văn A", dt.datetime(2999, 1, 1), "H1"),
        person("Nguyễn Văn B", "06/05/1850", "H2"),
        person("Nguyễn Văn C", "29/02/1991", "H3"),
        person("Nguyễn Văn D", "28-02.1991", "H4"),
    ]))
    rows = {r.row_number: r for r in batch.rows.all()}
    assert "01/01/2999 ở tương lai" in rows[5].errors[0]["message"]
    assert "năm sinh 1850 không hợp lý" in rows[6].errors[0]["message"]
    assert rows[7].errors[0]["message"].endswith("Ngày «29/02/1991» không tồn tại.")
    assert rows[8].outcome == "new" and rows[8].parsed["birth_date"] == "1991-02-28"


def test_a_matched_person_changed_after_staging_is_planned_again(xlsx, household, users,
                                                                 id_number):
    officer = users["commune_officer"]
    head = id_number("M", 1975)
    rows = household(head_id=head)
    import_apply(officer, stage(officer, xlsx(rows)))
    rows[0][10] = "0987654321"
    batch = stage(officer, xlsx(rows))
    assert batch.counts["changed"] == 1
    # Someone else records the same new number before the batch is applied.
    Person.objects.filter(id_number=head).update(phone="0987654321")
    with mock.patch.object(services, "_plan_again", wraps=services._plan_again) as again:
        counts = import_apply(officer, batch)
    assert again.called
    assert counts["persons_updated"] == 0
    batch.refresh_from_db()
    assert batch.counts == {"new": 0, "changed": 0, "unchanged": 3, "rejected": 0}
    assert batch.rows.filter(outcome="changed").count() == 0
