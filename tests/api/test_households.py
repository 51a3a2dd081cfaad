import pytest

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.registry.models import Household

pytestmark = pytest.mark.django_db

URL = "/api/v1/households"


def body(geo, **extra):
    return {"code": "HN-100", "address": "Số 1 phố Đội Cấn", "commune_code": geo["commune"].code,
            "poverty_status": "poor", "poverty_year": 2025, **extra}


def test_a_commune_officer_creates_a_household_and_it_is_audited(api_as, users, geo):
    response = api_as("commune_officer").post(URL, body(geo))
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["code"] == "HN-100" and out["poverty_status"] == "poor"
    assert out["commune_code"] == geo["commune"].code and out["province_code"] == "01"
    assert out["members"] == [] and out["head_id"] is None
    event = AuditEvent.objects.get(object_type="household", action=AuditAction.CREATE)
    assert (event.user_id, event.username, event.source) == (
        users["commune_officer"].pk, "canbo", "api")


def test_the_household_code_is_unique_within_its_commune(api_as, geo):
    client = api_as("province_officer")
    assert client.post(URL, body(geo)).status_code == 201
    duplicate = client.post(URL, body(geo))
    assert duplicate.status_code == 422, duplicate.content
    assert duplicate.json()["error"]["code"] == "validation_error"
    elsewhere = client.post(URL, body(geo, commune_code=geo["sibling_commune"].code))
    assert elsewhere.status_code == 201


def test_creating_outside_the_area_or_read_only_is_403(api_as, geo):
    response = api_as("commune_officer").post(URL, body(geo, commune_code=geo["sibling_commune"].code))
    assert response.status_code == 403
    for role in ("national_viewer", "auditor"):
        assert api_as(role).post(URL, body(geo)).status_code == 403
    assert not Household.objects.exists()


@pytest.mark.parametrize("extra", [{"colour": "red"}, {"code": ""}, {"code": 5},
                                   {"poverty_status": "rich"}, {"poverty_year": "năm nay"},
                                   {"poverty_year": 1800}, {"commune_code": "abc"},
                                   {"head_id": 1}])
def test_bad_household_input_is_422(api_as, geo, extra):
    response = api_as("commune_officer").post(URL, body(geo, **extra))
    assert response.status_code == 422, response.content
    assert set(extra) <= set(response.json()["error"]["fields"])


def test_get_lists_members_in_vietnamese_order(api_as, geo, household_factory, person_factory):
    household = household_factory("HN-1")
    for ten, rel in (("Tâm", "head"), ("An", "child"), ("Bình", "spouse")):
        person_factory(ten=ten, household=household, relationship=rel)
    out = api_as("commune_officer").get(f"{URL}/{household.pk}").json()
    assert [m["full_name"] for m in out["members"]] == ["Nguyễn Văn An", "Nguyễn Văn Bình",
                                                       "Nguyễn Văn Tâm"]
    assert out["members"][0]["relationship"] == "child"


def test_lists_and_gets_are_scoped(api_as, geo, household_factory):
    home = household_factory("A-1")
    sibling = household_factory("B-1", geo["sibling_commune"])
    foreign = household_factory("C-1", geo["foreign_commune"])
    officer = api_as("commune_officer")
    assert [h["code"] for h in officer.get(URL).json()["items"]] == ["A-1"]
    assert officer.get(f"{URL}/{sibling.pk}").status_code == 404
    assert officer.get(f"{URL}/{foreign.pk}").status_code == 404
    assert officer.get(f"{URL}/{home.pk}").status_code == 200
    province = api_as("province_officer").get(URL).json()
    assert province["count"] == 2
    assert sorted(h["code"] for h in province["items"]) == ["A-1", "B-1"]


def test_the_list_filters_and_paginates(api_as, geo, household_factory):
    for i in range(5):
        household_factory(f"HN-{i}", poverty_status="poor" if i % 2 else "")
    client = api_as("commune_officer")
    page = client.get(URL, data={"limit": 2}).json()
    assert page["count"] == 5 and len(page["items"]) == 2 and page["next"]
    assert client.get(URL, data={"poverty": "poor"}).json()["count"] == 2
    assert client.get(URL, data={"q": "HN-3"}).json()["items"][0]["code"] == "HN-3"
    assert client.get(URL, data={"commune": geo["sibling_commune"].code}).json()["count"] == 0
    assert client.get(URL, data={"poverty": "rich"}).status_code == 422


def test_update_changes_the_fields_sent_and_audits_the_diff(api_as, household_factory):
    household = household_factory("HN-1", address="Cũ")
    response = api_as("commune_officer").patch(f"{URL}/{household.pk}",
                                               {"address": "Mới", "poverty_status": "near_poor"})
    assert response.status_code == 200, response.content
    assert response.json()["address"] == "Mới"
    event = AuditEvent.objects.get(object_type="household", action=AuditAction.UPDATE)
    assert event.changes == {"address": ["Cũ", "Mới"], "poverty_status": ["", "near_poor"]}
    assert event.source == "api" and event.username == "canbo"


def test_update_outside_the_area_is_404_and_read_only_is_403(api_as, geo, household_factory):
    foreign = household_factory("HP-1", geo["foreign_commune"])
    assert api_as("commune_officer").patch(f"{URL}/{foreign.pk}", {"address": "x"}).status_code == 404
    home = household_factory("HN-1")
    response = api_as("national_viewer").patch(f"{URL}/{home.pk}", {"address": "x"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_update_rejects_unknown_fields_and_nulls_on_required_ones(api_as, household_factory):
    household = household_factory("HN-1")
    client = api_as("commune_officer")
    assert client.patch(f"{URL}/{household.pk}", {"members": []}).status_code == 422
    response = client.patch(f"{URL}/{household.pk}", {"code": None})
    assert response.status_code == 422 and "code" in response.json()["error"]["fields"]
    response = client.patch(f"{URL}/{household.pk}", {"commune_code": None})
    assert response.status_code == 422 and "commune_code" in response.json()["error"]["fields"]
