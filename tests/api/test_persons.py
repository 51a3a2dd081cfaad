import pytest

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.registry.models import Person

pytestmark = pytest.mark.django_db

URL = "/api/v1/persons"


def new_person(geo, ids, **extra):
    body = {"ho": "Trần", "ten_dem": "Thị", "ten": "Bình", "sex": "F",
            "birth_date": "1945-03-05", "id_number": ids("F", 1945),
            "commune_code": geo["commune"].code}
    body.update(extra)
    return body


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    if field:
        assert field in error["fields"], error
        assert all(isinstance(m, str) and m for m in error["fields"][field])
    return error


# -- list and scoping ----------------------------------------------------------------------

@pytest.fixture
def three_areas(geo, person_factory):
    return {
        "home": person_factory(geo["commune"], ten="An"),
        "sibling": person_factory(geo["sibling_commune"], ten="Bình"),
        "foreign": person_factory(geo["foreign_commune"], ten="Cúc"),
    }


def names(response):
    assert response.status_code == 200, response.content
    return sorted(p["ten"] for p in response.json()["items"])


def test_a_commune_officer_lists_only_their_commune(api_as, three_areas):
    response = api_as("commune_officer").get(URL)
    assert names(response) == ["An"]
    assert response.json()["count"] == 1


def test_a_province_officer_lists_both_communes_of_the_province(api_as, three_areas):
    assert names(api_as("province_officer").get(URL)) == ["An", "Bình"]


def test_a_national_viewer_lists_everything(api_as, three_areas):
    assert names(api_as("national_viewer").get(URL)) == ["An", "Bình", "Cúc"]


def test_a_user_without_a_role_lists_nothing(api_as, three_areas):
    assert names(api_as("no_role").get(URL)) == []


def test_a_person_outside_the_area_is_404_not_403(api_as, three_areas):
    client = api_as("commune_officer")
    assert client.get(f"{URL}/{three_areas['home'].pk}").status_code == 200
    for key in ("sibling", "foreign"):
        assert_error(client.get(f"{URL}/{three_areas[key].pk}"), 404, "not_found")
    assert_error(client.get(f"{URL}/999999999"), 404, "not_found")


def test_the_list_is_in_vietnamese_order_and_paginates(api_as, geo, person_factory):
    for ten in ["Đức", "Dũng", "An", "Ánh", "Bình", "Yến", "Chi"]:
        person_factory(geo["commune"], ten=ten)
    client = api_as("commune_officer")
    first = client.get(URL, data={"limit": 3})
    body = first.json()
    assert body["count"] == 7
    assert [p["ten"] for p in body["items"]] == ["An", "Ánh", "Bình"]
    assert body["previous"] is None
    second = client.get(body["next"])
    assert [p["ten"] for p in second.json()["items"]] == ["Chi", "Dũng", "Đức"]
    third = client.get(second.json()["next"]).json()
    assert [p["ten"] for p in third["items"]] == ["Yến"]
    assert third["next"] is None and third["previous"]
    beyond = client.get(URL, data={"offset": 100}).json()
    assert beyond["items"] == [] and beyond["count"] == 7


def test_pagination_limits_are_validated(api_as, geo):
    client = api_as("commune_officer")
    assert_error(client.get(URL, data={"limit": 0}), 422, "validation_error", "limit")
    assert_error(client.get(URL, data={"limit": 10_000}), 422, "validation_error", "limit")
    assert_error(client.get(URL, data={"offset": -1}), 422, "validation_error", "offset")
    assert_error(client.get(URL, data={"limit": "abc"}), 422, "validation_error", "limit")


def test_it_searches_by_name_without_diacritics_id_birth_household_and_commune(
    api_as, geo, person_factory, household_factory, id_number
):
    household = household_factory("HN-9")
    dung = person_factory(ten="Dũng", ho="Đặng", birth_date="1950-04-01", household=household,
                          relationship="head")
    person_factory(ten="Lan", ho="Lê", sex="F", birth_date="1962-01-01")
    person_factory(geo["sibling_commune"], ten="Dũng", ho="Đặng")
    client = api_as("province_officer")

    def found(**params):
        response = client.get(URL, data=params)
        assert response.status_code == 200, response.content
        return [p["id"] for p in response.json()["items"]]

    assert found(q="dang dung", commune=geo["commune"].code) == [dung.pk]
    assert len(found(q="dang dung")) == 2
    assert found(q=dung.id_number) == [dung.pk]
    assert found(birth="04/1950") == [dung.pk]
    assert found(birth="1950") == [dung.pk]
    assert found(household="HN-9") == [dung.pk]
    assert found(q="nobody here") == []
    assert_error(client.get(URL, data={"birth": "not a date"}), 422, "validation_error", "birth")
    assert_error(client.get(URL, data={"commune": "99999"}), 422, "validation_error", "commune")


def test_output_carries_commune_province_and_birth_forms(api_as, geo, person_factory):
    from datetime import date

    p = person_factory(birth_date=date(1945, 3, 1), birth_date_precision="M")
    body = api_as("commune_officer").get(f"{URL}/{p.pk}").json()
    assert body["commune_code"] == geo["commune"].code
    assert body["commune_name"] == geo["commune"].name
    assert body["province_code"] == "01"
    assert body["birth_date"] == "1945-03-01"
    assert body["birth_date_precision"] == "M"
    assert body["birth_display"] == "03/1945"


# -- create ----------------------------------------------------------------------------------

def test_a_commune_officer_creates_in_their_commune_and_it_is_audited(api_as, users, geo,
                                                                     id_number):
    response = api_as("commune_officer").post(URL, new_person(geo, id_number))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Trần Thị Bình"
    assert body["birth_date"] == "1945-03-05" and body["birth_date_precision"] == "D"
    assert body["commune_code"] == geo["commune"].code
    person = Person.objects.get(pk=body["id"])
    event = AuditEvent.objects.get(object_type="person", object_id=person.pk)
    assert event.action == AuditAction.CREATE
    assert event.user_id == users["commune_officer"].pk
    assert event.username == "canbo"
    assert event.source == "api"
    assert event.changes["ten"] == "Bình"


def test_it_accepts_vietnamese_partial_birth_dates(api_as, geo):
    client = api_as("commune_officer")
    for text, iso, precision in [("05/03/1945", "1945-03-05", "D"), ("03/1945", "1945-03-01", "M"),
                                 ("1945", "1945-01-01", "Y")]:
        body = {"full_name": "lê văn tám", "sex": "M", "birth_date": text,
                "commune_code": geo["commune"].code}
        response = client.post(URL, body)
        assert response.status_code == 201, response.content
        out = response.json()
        assert (out["birth_date"], out["birth_date_precision"]) == (iso, precision)
        assert (out["ho"], out["ten_dem"], out["ten"]) == ("Lê", "Văn", "Tám")
    explicit = client.post(URL, {"ten": "Tư", "sex": "M", "birth_date": "1945-03-05",
                                 "birth_date_precision": "Y", "commune_code": geo["commune"].code})
    assert explicit.json()["birth_date"] == "1945-01-01"


def test_creating_in_a_foreign_commune_is_403(api_as, geo, id_number):
    body = new_person(geo, id_number, commune_code=geo["foreign_commune"].code)
    assert_error(api_as("commune_officer").post(URL, body), 403, "forbidden")
    assert_error(api_as("province_officer").post(URL, body), 403, "forbidden")
    assert not Person.objects.exists()


def test_read_only_roles_cannot_create(api_as, geo, id_number):
    for role in ("national_viewer", "auditor", "commune_leader", "no_role"):
        assert_error(api_as(role).post(URL, new_person(geo, id_number)), 403, "forbidden")
    assert not Person.objects.exists()


def test_unknown_fields_are_422_naming_the_field(api_as, geo, id_number):
    body = new_person(geo, id_number, nickname="Bé", commune_id=1)
    error = assert_error(api_as("commune_officer").post(URL, body), 422, "validation_error",
                         "nickname")
    assert "commune_id" in error["fields"]
    assert not Person.objects.exists()


def test_unknown_nested_fields_are_422(api_as, geo, id_number):
    body = new_person(geo, id_number, documents=[{"type": "cmnd", "number": "012345678",
                                                   "colour": "blue"}])
    assert_error(api_as("commune_officer").post(URL, body), 422, "validation_error",
                 "documents.0.colour")


@pytest.mark.parametrize("field,value", [
    ("birth_date", "abc"), ("birth_date", "31/02/1990"), ("birth_date", 1945),
    ("sex", 5), ("sex", "X"), ("ten", ["An"]), ("ten", {"a": 1}), ("hiv_status", "maybe"),
    ("household_id", "one"), ("household_id", 2**70), ("commune_code", "4"),
    ("commune_code", 4), ("documents", "cmnd"), ("deceased_date", "yesterday"),
    ("ten", "x" * 51), ("birth_date_precision", "Q"), ("disability_level", "very"),
])
def test_wrong_types_are_422_naming_the_field(api_as, geo, id_number, field, value):
    body = new_person(geo, id_number, **{field: value})
    assert_error(api_as("commune_officer").post(URL, body), 422, "validation_error", field)


def test_missing_required_fields_are_422(api_as, geo):
    error = assert_error(api_as("commune_officer").post(URL, {"commune_code": geo["commune"].code}),
                         422, "validation_error")
    assert "sex" in error["fields"]


def test_an_invalid_id_number_is_422_on_id_number(api_as, geo, id_number):
    client = api_as("commune_officer")
    for bad in ("12345", "999180000001", id_number("M", 1945)):  # short, bad province, wrong sex
        assert_error(client.post(URL, new_person(geo, id_number, id_number=bad)), 422,
                     "validation_error", "id_number")


def test_a_duplicate_id_number_is_422_on_id_number(api_as, geo, id_number, person_factory):
    existing = person_factory(geo["foreign_commune"], sex="F", year=1945)
    body = new_person(geo, id_number, id_number=existing.id_number)
    error = assert_error(api_as("commune_officer").post(URL, body), 422, "validation_error",
                         "id_number")
    assert "đã" in error["fields"]["id_number"][0]  # "… đã tồn tại" / "… đã có …"


def test_a_business_rule_error_names_the_api_field(api_as, geo, id_number):
    body = new_person(geo, id_number, birth_date="2999-01-01", id_number=None)
    assert_error(api_as("commune_officer").post(URL, body), 422, "validation_error", "birth_date")
    sibling = geo["sibling_commune"]
    body = new_person(geo, id_number, commune_code=sibling.code, relationship="child")
    # household_id of another commune in the same province: named by its API field
    from ansinh.registry.models import Household

    household = Household.objects.create(code="X1", commune=geo["commune"],
                                         province=geo["province"])
    body["household_id"] = household.pk
    assert_error(api_as("province_officer").post(URL, body), 422, "validation_error",
                 "household_id")


def test_an_unknown_commune_code_is_422(api_as, geo, id_number):
    body = new_person(geo, id_number, commune_code="99999")
    assert_error(api_as("commune_officer").post(URL, body), 422, "validation_error", "commune_code")


def test_a_household_outside_the_area_is_422(api_as, geo, id_number, household_factory):
    foreign = household_factory("HP-1", geo["foreign_commune"])
    body = new_person(geo, id_number, household_id=foreign.pk, relationship="child")
    del body["commune_code"]
    assert_error(api_as("commune_officer").post(URL, body), 422, "validation_error",
                 "household_id")


def test_joining_a_household_takes_its_commune_and_head(api_as, geo, id_number,
                                                        household_factory):
    household = household_factory("HN-7")
    body = new_person(geo, id_number, household_id=household.pk, relationship="head")
    del body["commune_code"]
    response = api_as("commune_officer").post(URL, body)
    assert response.status_code == 201, response.content
    assert response.json()["household_code"] == "HN-7"
    household.refresh_from_db()
    assert household.head_id == response.json()["id"]


def test_a_body_that_is_not_json_is_400(api_as, geo):
    response = api_as("commune_officer").post(URL, "{not json")
    assert_error(response, 400, "bad_request")


# -- update ----------------------------------------------------------------------------------

def test_update_changes_only_the_fields_sent_and_audits_the_diff(api_as, users, person_factory):
    person = person_factory(ten="An", phone="0901")
    response = api_as("commune_officer").patch(f"{URL}/{person.pk}", {"ten": "Ân", "ho": "Phạm"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["full_name"] == "Phạm Văn Ân"
    assert body["phone"] == "0901"
    event = AuditEvent.objects.get(object_id=person.pk, action=AuditAction.UPDATE)
    assert event.changes == {"ho": ["Nguyễn", "Phạm"], "ten": ["An", "Ân"]}
    assert (event.username, event.source) == ("canbo", "api")


def test_an_empty_patch_changes_nothing(api_as, person_factory):
    person = person_factory()
    assert api_as("commune_officer").patch(f"{URL}/{person.pk}", {}).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_null_clears_optional_fields_but_not_required_ones(api_as, person_factory):
    person = person_factory(phone="0901")
    client = api_as("commune_officer")
    response = client.patch(f"{URL}/{person.pk}", {"phone": None, "id_number": None})
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "" and response.json()["id_number"] is None
    assert_error(client.patch(f"{URL}/{person.pk}", {"ten": None}), 422, "validation_error", "ten")
    assert_error(client.patch(f"{URL}/{person.pk}", {"sex": None}), 422, "validation_error", "sex")
    assert_error(client.patch(f"{URL}/{person.pk}", {"commune_code": None}), 422,
                 "validation_error", "commune_code")


def test_changing_only_the_precision_truncates_the_stored_date(api_as, person_factory):
    from datetime import date

    person = person_factory(birth_date=date(1980, 6, 15))
    response = api_as("commune_officer").patch(f"{URL}/{person.pk}",
                                               {"birth_date_precision": "Y"})
    assert (response.json()["birth_date"], response.json()["birth_display"]) == ("1980-01-01",
                                                                                 "1980")


def test_update_outside_the_area_is_404(api_as, geo, person_factory):
    foreign = person_factory(geo["sibling_commune"])
    assert_error(api_as("commune_officer").patch(f"{URL}/{foreign.pk}", {"ten": "X"}), 404,
                 "not_found")


def test_update_by_a_read_only_role_is_403(api_as, person_factory):
    person = person_factory()
    for role in ("national_viewer", "auditor", "commune_leader"):
        assert_error(api_as(role).patch(f"{URL}/{person.pk}", {"ten": "X"}), 403, "forbidden")
    person.refresh_from_db()
    assert person.ten == "An"


def test_moving_to_a_commune_outside_the_area_is_403(api_as, geo, person_factory):
    person = person_factory()
    response = api_as("commune_officer").patch(f"{URL}/{person.pk}",
                                               {"commune_code": geo["sibling_commune"].code})
    assert_error(response, 403, "forbidden")
    response = api_as("province_officer").patch(f"{URL}/{person.pk}",
                                                {"commune_code": geo["sibling_commune"].code})
    assert response.status_code == 200
    assert response.json()["commune_code"] == geo["sibling_commune"].code


def test_update_to_a_duplicate_id_is_422(api_as, person_factory):
    a, b = person_factory(ten="A"), person_factory(ten="B")
    response = api_as("commune_officer").patch(f"{URL}/{b.pk}", {"id_number": a.id_number})
    assert_error(response, 422, "validation_error", "id_number")


def test_update_rejects_unknown_fields_and_wrong_types(api_as, person_factory):
    person = person_factory()
    client = api_as("commune_officer")
    assert_error(client.patch(f"{URL}/{person.pk}", {"full_name_x": "A"}), 422,
                 "validation_error", "full_name_x")
    assert_error(client.patch(f"{URL}/{person.pk}", {"birth_date": "abc"}), 422,
                 "validation_error", "birth_date")
    assert_error(client.patch(f"{URL}/{person.pk}", {"sex": 5}), 422, "validation_error", "sex")
    assert_error(client.patch(f"{URL}/abc", {"ten": "A"}), 422, "validation_error", "person_id")
    assert_error(client.patch(f"{URL}/{2**70}", {"ten": "A"}), 422, "validation_error",
                 "person_id")


# -- sensitive fields ------------------------------------------------------------------------

@pytest.fixture
def sensitive_person(person_factory):
    return person_factory(disability_level="severe", disability_type="visual",
                          disability_notes="Mù hai mắt", hiv_status=True)


def test_sensitive_fields_are_absent_by_default(api_as, sensitive_person):
    client = api_as("commune_officer")
    body = client.get(f"{URL}/{sensitive_person.pk}").json()
    listed = client.get(URL).json()["items"][0]
    for out in (body, listed):
        for field in Person.SENSITIVE_FIELDS:
            assert field not in out
        assert out["disability_level"] == "severe"
    assert not AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE).exists()


def test_sensitive_fields_are_revealed_on_request_and_the_read_is_audited(
    api_as, users, sensitive_person
):
    client = api_as("commune_officer")
    body = client.get(f"{URL}/{sensitive_person.pk}", data={"include_sensitive": "true"}).json()
    assert (body["disability_type"], body["disability_notes"], body["hiv_status"]) == (
        "visual", "Mù hai mắt", True)
    event = AuditEvent.objects.get(action=AuditAction.READ_SENSITIVE)
    assert event.object_id == sensitive_person.pk
    assert event.user_id == users["commune_officer"].pk and event.source == "api"
    assert set(event.changes["fields"]) == set(Person.SENSITIVE_FIELDS)

    listed = client.get(URL, data={"include_sensitive": "true"}).json()["items"][0]
    assert listed["hiv_status"] is True
    assert AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE).count() == 2


def test_sensitive_fields_are_403_for_a_role_without_the_right(api_as, sensitive_person):
    for role in ("national_viewer", "auditor"):
        client = api_as(role)
        assert_error(client.get(f"{URL}/{sensitive_person.pk}",
                                data={"include_sensitive": "true"}), 403, "forbidden")
        assert_error(client.get(URL, data={"include_sensitive": "true"}), 403, "forbidden")
        assert client.get(f"{URL}/{sensitive_person.pk}").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE).exists()


def test_sensitive_fields_can_be_written_and_are_not_echoed(api_as, geo, id_number):
    body = new_person(geo, id_number, disability_level="mild", disability_type="mobility",
                      hiv_status=False)
    response = api_as("commune_officer").post(URL, body)
    assert response.status_code == 201, response.content
    assert "disability_type" not in response.json()
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.disability_type, person.hiv_status) == ("mobility", False)


def test_a_list_page_costs_the_same_few_queries_whatever_its_size(
    api_as, geo, person_factory, household_factory, django_assert_max_num_queries
):
    household = household_factory("HN-Q")
    for i in range(30):
        person_factory(ten=f"Người{i}", household=household, relationship="child")
    client = api_as("commune_officer")
    client.get(URL)  # the first call of a token also records its last use
    # token, roles, count, page (with commune, province and household joined)
    with django_assert_max_num_queries(5):
        response = client.get(URL, data={"limit": 30})
    assert len(response.json()["items"]) == 30
