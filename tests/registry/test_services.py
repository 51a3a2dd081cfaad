import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.registry.models import Person
from ansinh.registry.services import household_create, person_create, person_update
from tests.conftest import new_id

pytestmark = pytest.mark.django_db


def make_person(user, commune, **extra):
    data = dict(ho="Nguyễn", ten_dem="Văn", ten="Dũng", sex="M", commune=commune,
                id_number=new_id("M", 1980))
    data["birth_date"] = __import__("datetime").date(1980, 5, 1)
    data.update(extra)
    return person_create(user, **data)


def test_creating_a_person_fills_derived_fields_and_audits(geo, users):
    person = make_person(users["commune_officer"], geo["commune"], ho="đặng", ten="ửng")
    assert person.full_name == "Đặng Văn Ửng"
    assert person.search_name == "dang van ung"
    assert person.province_id == geo["province"].pk
    event = AuditEvent.objects.get(object_type="person", object_id=person.pk)
    assert event.action == "create"
    assert event.changes["ho"] == "Đặng"


def test_updating_records_old_and_new_values(geo, users):
    officer = users["commune_officer"]
    person = make_person(officer, geo["commune"])
    person_update(officer, person, phone="0912345678")
    event = AuditEvent.objects.filter(object_id=person.pk, action="update").get()
    assert event.changes == {"phone": ["", "0912345678"]}


def test_an_update_that_changes_nothing_writes_no_audit_row(geo, users):
    officer = users["commune_officer"]
    person = make_person(officer, geo["commune"])
    person_update(officer, person, ten="Dũng")
    assert not AuditEvent.objects.filter(object_id=person.pk, action="update").exists()


def test_it_rejects_an_id_that_contradicts_sex(geo, users):
    with pytest.raises(ValidationError) as exc:
        make_person(users["commune_officer"], geo["commune"], id_number=new_id("F", 1980))
    assert "id_number" in exc.value.message_dict


def test_it_rejects_a_duplicate_id(geo, users):
    first = make_person(users["commune_officer"], geo["commune"])
    with pytest.raises(ValidationError, match="đã có trong cơ sở dữ liệu"):
        make_person(users["commune_officer"], geo["commune"], id_number=first.id_number)


def test_it_rejects_a_future_birth_date_and_a_death_before_birth(geo, users):
    from datetime import date

    with pytest.raises(ValidationError) as exc:
        make_person(users["commune_officer"], geo["commune"], id_number=None,
                    birth_date=date(2099, 1, 1))
    assert "birth_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_person(users["commune_officer"], geo["commune"],
                    deceased_date=date(1970, 1, 1))
    assert "deceased_date" in exc.value.message_dict


def test_a_commune_officer_cannot_create_in_another_commune(geo, users):
    with pytest.raises(PermissionDenied):
        make_person(users["commune_officer"], geo["sibling_commune"])
    assert not Person.objects.exists()


def test_a_viewer_cannot_create_anywhere(geo, users):
    with pytest.raises(PermissionDenied):
        make_person(users["national_viewer"], geo["commune"])


def test_a_member_must_live_in_the_households_commune(geo, users):
    officer = users["province_officer"]
    household = household_create(officer, code="HB-001", commune=geo["commune"])
    with pytest.raises(ValidationError) as exc:
        make_person(officer, geo["sibling_commune"], household=household, relationship="child")
    assert "household" in exc.value.message_dict


def test_the_member_marked_head_becomes_the_households_head(geo, users):
    officer = users["commune_officer"]
    household = household_create(officer, code="HB-002", commune=geo["commune"])
    head = make_person(officer, geo["commune"], household=household, relationship="head")
    household.refresh_from_db()
    assert household.head_id == head.pk


def test_a_retired_commune_is_refused(geo, users):
    from ansinh.geo.models import AdminUnit

    old = AdminUnit.objects.filter(scheme="2004", level="commune").first()
    with pytest.raises((ValidationError, PermissionDenied)):
        household_create(users["province_admin"], code="X", commune=old)
