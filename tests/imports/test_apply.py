import io
from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from openpyxl import load_workbook

from ansinh.audit.models import AuditEvent
from ansinh.imports.models import ImportBatch
from ansinh.imports.selectors import batch_get, batches_for
from ansinh.imports.services import (
    import_apply,
    import_preview,
    import_rejects_xlsx,
    import_stage,
)
from ansinh.registry.models import Household, Person


def stage(user, path, **kwargs):
    with open(path, "rb") as f:
        return import_stage(user, f, path.name, **kwargs)


def test_it_creates_households_members_and_heads_with_audit(xlsx, household, users, geo):
    officer = users["commune_officer"]
    batch = stage(officer, xlsx(household()))
    counts = import_apply(officer, batch)
    assert counts["persons_created"] == 3
    assert counts["households_created"] == 1
    hh = Household.objects.get(code="H001")
    assert hh.commune == geo["commune"] and hh.province == geo["province"]
    assert hh.head.full_name == "Nguyễn Văn An"
    assert hh.address == "Tổ 5"
    wife = Person.objects.get(ten="Bình")
    # Derived fields are what Person.refresh_derived() would store.
    expected = Person(ho=wife.ho, ten_dem=wife.ten_dem, ten=wife.ten, commune=wife.commune)
    expected.refresh_derived()
    assert (wife.full_name, wife.search_name, wife.sort_key, wife.province_id) == (
        expected.full_name, expected.search_name, expected.sort_key, geo["province"].pk)
    assert wife.birth_date == date(1978, 6, 5)
    events = AuditEvent.objects.filter(import_batch_id=batch.pk)
    assert events.filter(action="create", object_type="person").count() == 3
    assert events.filter(action="create", object_type="household").count() == 1
    assert events.filter(action="import").count() == 1
    assert set(events.values_list("username", flat=True)) == {officer.username}
    batch.refresh_from_db()
    assert batch.status == "applied"
    assert set(batch.rows.values_list("target_person_id", flat=True)) == set(
        Person.objects.values_list("pk", flat=True))


def test_reimporting_the_same_file_changes_nothing(xlsx, household, users):
    officer = users["commune_officer"]
    path = xlsx(household())
    import_apply(officer, stage(officer, path))
    audit_before = AuditEvent.objects.count()
    updated_before = list(Person.objects.order_by("pk").values_list("updated_at", flat=True))
    again = stage(officer, path)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "rejected": 0}
    counts = import_apply(officer, again)
    assert not any(counts.values())
    assert AuditEvent.objects.count() == audit_before
    assert list(Person.objects.order_by("pk").values_list("updated_at", flat=True)) == \
        updated_before


def test_a_changed_row_shows_its_field_diff_and_updates_the_person(xlsx, household, users,
                                                                     id_number):
    officer = users["commune_officer"]
    head = id_number("M", 1975)
    rows = household(head_id=head)
    import_apply(officer, stage(officer, xlsx(rows)))
    rows[0][10] = "0987654321"
    rows[0][9] = "Tày"
    rows[0][7] = "Tổ 9"
    batch = stage(officer, xlsx(rows))
    assert batch.counts == {"new": 0, "changed": 1, "unchanged": 2, "rejected": 0}
    preview = import_preview(batch, outcome="changed")
    diff = {d["field"]: (d["old"], d["new"]) for d in preview["rows"][0]["diff"]}
    assert diff == {"phone": ("0912345678", "0987654321"), "ethnicity": ("Kinh", "Tày"),
                    "address": ("Tổ 5", "Tổ 9")}
    import_apply(officer, batch)
    person = Person.objects.get(id_number=head)
    assert (person.phone, person.ethnicity) == ("0987654321", "02")
    assert person.household.address == "Tổ 9"
    update = AuditEvent.objects.get(import_batch_id=batch.pk, action="update",
                                    object_type="person")
    assert update.changes["phone"] == ["0912345678", "0987654321"]


def test_a_row_without_id_matches_the_member_by_name_and_birth(xlsx, users):
    officer = users["commune_officer"]
    rows = [[1, "Lò Văn Páo", "1950", "Nam", None, "Chủ hộ", "H5", "", "00004", "Thái", ""]]
    import_apply(officer, stage(officer, xlsx(rows)))
    again = stage(officer, xlsx(rows))
    assert again.counts["unchanged"] == 1
    assert Person.objects.count() == 1


def test_it_rejects_an_id_held_by_a_different_registry_person(xlsx, household, users,
                                                               id_number):
    officer = users["commune_officer"]
    number = id_number("M", 1975)
    import_apply(officer, stage(officer, xlsx(household(head_id=number))))
    row = [1, "Hoàng Văn Khác", "12/12/1975", "Nam", number, "Chủ hộ", "H77", "", "00004",
           "Kinh", ""]
    batch = stage(officer, xlsx([row]))
    got = batch.rows.get()
    assert got.outcome == "rejected"
    assert "đã thuộc về một người khác" in got.errors[0]["message"]


def test_a_person_already_registered_with_the_id_is_updated_not_duplicated(
        xlsx, household, users, id_number):
    officer = users["commune_officer"]
    number = id_number("M", 1975)
    import_apply(officer, stage(officer, xlsx(household(head_id=number))))
    rows = household(head_id=number)
    rows[0][1] = "Nguyễn Văn Ăn"  # a diacritic corrected: same folded name
    batch = stage(officer, xlsx(rows[:1]))
    got = batch.rows.get()
    assert got.outcome == "changed"
    assert got.target_person_id == Person.objects.get(id_number=number).pk
    import_apply(officer, batch)
    assert Person.objects.filter(id_number=number).get().full_name == "Nguyễn Văn Ăn"


def test_apply_is_one_transaction(xlsx, household, users):
    officer = users["commune_officer"]
    batch = stage(officer, xlsx(household()))
    audit_before = AuditEvent.objects.count()
    # Fails after households and persons are inserted, before heads and audit rows.
    with mock.patch("ansinh.imports.bulk.audit_new_persons",
                    side_effect=RuntimeError("hỏng")), pytest.raises(RuntimeError):
        import_apply(officer, batch)
    assert not Person.objects.exists()
    assert not Household.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    batch.refresh_from_db()
    assert batch.status == "validated"
    # Once the fault is gone the same batch applies cleanly.
    assert import_apply(officer, batch)["persons_created"] == 3


def test_applying_a_batch_twice_does_nothing_the_second_time(xlsx, household, users):
    officer = users["commune_officer"]
    batch = stage(officer, xlsx(household()))
    first = import_apply(officer, batch)
    audit_after_first = AuditEvent.objects.count()
    second = import_apply(officer, batch)
    assert second == {**first, "already_applied": True}
    assert Person.objects.count() == 3
    assert AuditEvent.objects.count() == audit_after_first


def test_valid_rows_are_applied_and_rejected_rows_left_out(xlsx, household, users):
    officer = users["commune_officer"]
    rows = household()
    rows[1][2] = "31/02/1978"
    batch = stage(officer, xlsx(rows))
    assert batch.counts == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 1}
    import_apply(officer, batch)
    assert sorted(Person.objects.values_list("ten", flat=True)) == ["An", "Châu"]


def test_a_commune_officer_cannot_import_rows_into_another_commune(xlsx, household, users,
                                                                    geo):
    officer = users["commune_officer"]
    batch = stage(officer, xlsx(household(commune=geo["sibling_commune"].code)))
    assert batch.rejected_count == 3
    row = batch.rows.order_by("row_number").first()
    assert row.errors[0]["field"] == "commune"
    import_apply(officer, batch)
    assert not Person.objects.exists()


def test_a_commune_officer_cannot_see_another_areas_batch(xlsx, household, users, geo):
    province_officer = users["province_officer"]
    other = stage(province_officer, xlsx(household(commune=geo["sibling_commune"].code)),
                  commune_code=geo["sibling_commune"].code)
    mine = stage(users["commune_officer"], xlsx(household(code="H2")))
    officer = users["commune_officer"]
    assert list(batches_for(officer)) == [mine]
    assert set(batches_for(province_officer)) == {mine, other}
    with pytest.raises(Http404):
        batch_get(officer, other.pk)
    with pytest.raises(PermissionDenied):
        import_apply(officer, other)
    assert not batches_for(users["no_role"]).exists()


def test_a_commune_officer_cannot_choose_another_commune(xlsx, household, users, geo):
    with pytest.raises(PermissionDenied):
        stage(users["commune_officer"], xlsx(household()), commune_code=geo["foreign_commune"].code)


def test_an_existing_person_of_another_area_is_not_updated(xlsx, household, users, geo,
                                                           id_number):
    number = id_number("M", 1975)
    admin = users["province_officer"]
    rows = household(head_id=number, commune=geo["sibling_commune"].code)
    import_apply(admin, stage(admin, xlsx(rows)))
    batch = stage(users["commune_officer"], xlsx(household(head_id=number)[:1]))
    got = batch.rows.get()
    assert got.outcome == "rejected"
    assert "ngoài địa bàn" in got.errors[0]["message"]


def test_the_rejects_report_keeps_columns_adds_errors_and_defuses_formulas(xlsx, household,
                                                                           users):
    officer = users["commune_officer"]
    rows = household()
    rows[0][1] = '=HYPERLINK("http://evil.example","Bấm vào")'
    rows[0][4] = "123"
    batch = stage(officer, xlsx(rows))
    data = import_rejects_xlsx(batch)
    ws = load_workbook(io.BytesIO(data)).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][-1] == "Lỗi"
    assert values[0][:-1] == tuple(batch.mapping["headers"])
    assert len(values) == 2  # header + the one rejected row
    name_cell = ws.cell(row=2, column=2)
    assert name_cell.data_type != "f"
    assert str(name_cell.value).startswith("'=HYPERLINK")
    assert "Dòng 5" in values[1][-1]


def test_the_preview_pages_rows_by_outcome(xlsx, household, users):
    officer = users["commune_officer"]
    rows = household()
    rows[2][4] = "bad"
    batch = stage(officer, xlsx(rows))
    preview = import_preview(batch, page_size=2)
    assert preview["counts"] == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 1}
    assert preview["pages"] == 2 and len(preview["rows"]) == 2
    rejected = import_preview(batch, outcome="rejected")
    assert [r["row_number"] for r in rejected["rows"]] == [7]
    assert rejected["rows"][0]["errors"][0]["field"] == "id_number"


def test_a_registry_change_between_staging_and_apply_is_caught(xlsx, household, users,
                                                               id_number):
    officer = users["commune_officer"]
    number = id_number("M", 1975)
    path = xlsx(household(head_id=number))
    first = stage(officer, path)
    second = stage(officer, path)
    import_apply(officer, first)
    # Staged as "new" before the first batch went in; at apply time it is already there.
    counts = import_apply(officer, second)
    assert counts["persons_created"] == 0
    assert Person.objects.count() == 3
    second.refresh_from_db()
    assert second.counts["unchanged"] == 3


def test_the_system_user_of_the_cli_has_a_national_scope(xlsx, household, geo):
    from ansinh.access.console import SystemUser

    batch = stage(SystemUser(), xlsx(household(commune=geo["foreign_commune"].code)))
    assert batch.new_count == 3
    assert isinstance(batch, ImportBatch)


def test_bulk_audit_rows_match_what_audit_row_writes(xlsx, household, users):
    """The import writes audit rows through its own bulk writer; they must be the rows
    ansinh.audit.services.audit_row would have built."""
    from ansinh.access.context import acting
    from ansinh.audit.services import audit_row

    officer = users["commune_officer"]
    batch = stage(officer, xlsx(household()))
    with acting(user_id=officer.pk, username=officer.username, source="web"):
        import_apply(officer, batch)
    person = Person.objects.get(ten="Bình")
    event = AuditEvent.objects.get(object_type="person", object_id=person.pk)
    with acting(user_id=officer.pk, username=officer.username, source="web",
                import_batch_id=batch.pk):
        expected = audit_row("create", person, changes={
            f: getattr(person, f + "_id") if f in ("household", "commune")
            else getattr(person, f) for f in Person.AUDITED_FIELDS})
    for name in ("user_id", "username", "source", "import_batch_id", "action", "object_type",
                 "object_id", "object_repr", "changes", "commune_id", "province_id"):
        assert getattr(event, name) == getattr(expected, name), name
