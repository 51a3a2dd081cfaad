"""The access matrix: every role × (own area, neighbouring commune, other province) ×
(list, get, update, export, API list/get/update). Each denial is proven, not assumed."""

import json
from datetime import date

import pytest
from django.urls import reverse

from ansinh.access.models import ApiToken
from ansinh.registry.models import Person
from ansinh.registry.services import person_create
from tests.conftest import make_user, new_id

pytestmark = pytest.mark.django_db

ROLES = ["commune_officer", "commune_leader", "province_officer", "province_admin",
         "auditor", "national_viewer", "no_role"]
PLACES = ["own", "sibling", "foreign"]

VIEW = {
    "commune_officer": {"own"}, "commune_leader": {"own"},
    "province_officer": {"own", "sibling"}, "province_admin": {"own", "sibling"},
    "auditor": {"own", "sibling"}, "national_viewer": {"own", "sibling", "foreign"},
    "no_role": set(),
}
CHANGE = {
    "commune_officer": {"own"}, "province_officer": {"own", "sibling"},
    "province_admin": {"own", "sibling"},
}
EXPORT = {
    "commune_officer": {"own"}, "commune_leader": {"own"},
    "province_officer": {"own", "sibling"}, "province_admin": {"own", "sibling"},
    "auditor": {"own", "sibling"},
}


@pytest.fixture
def people(geo, users):
    root = make_user("matrix-root")
    root.is_superuser = True
    root.save()
    names = {"own": "Ánh", "sibling": "Bích", "foreign": "Cúc"}
    communes = {"own": geo["commune"], "sibling": geo["sibling_commune"],
                "foreign": geo["foreign_commune"]}
    return {
        place: person_create(root, ho="Lương", ten_dem="Thị", ten=names[place], sex="F",
                             commune=communes[place], birth_date=date(1970, 2, 3),
                             id_number=new_id("F", 1970))
        for place in PLACES
    }


def web_client(client, user):
    client.force_login(user)
    return client


def bearer(user):
    _token, secret = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("role", ROLES)
def test_web_list_and_get_follow_the_area(role, client, users, people):
    c = web_client(client, users[role])
    listing = c.get(reverse("person_list"))
    for place, person in people.items():
        allowed = place in VIEW[role]
        if listing.status_code == 200:
            assert (person.full_name in listing.content.decode()) == allowed, (role, place)
        else:
            assert not VIEW[role] and listing.status_code == 403
        detail = c.get(reverse("person_detail", args=[person.pk]))
        assert (detail.status_code == 200) == allowed, (role, place, detail.status_code)
        if not allowed:
            assert detail.status_code in (403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_web_update_follows_the_area_and_role(role, client, users, people):
    c = web_client(client, users[role])
    for place, person in people.items():
        allowed = place in CHANGE.get(role, set())
        page = c.get(reverse("person_edit", args=[person.pk]))
        assert (page.status_code == 200) == allowed, (role, place, page.status_code)
        if not allowed:
            assert page.status_code in (403, 404)
            c.post(reverse("person_edit", args=[person.pk]), {"ten": "Đổi", "ho": "Tên"})
            person.refresh_from_db()
            assert person.ten != "Đổi"


@pytest.mark.parametrize("role", ROLES)
def test_web_export_holds_only_the_area(role, client, users, people):
    c = web_client(client, users[role])
    response = c.get(reverse("person_export") + "?format=csv")
    if not EXPORT.get(role):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    for place, person in people.items():
        assert (person.id_number in text) == (place in EXPORT[role]), (role, place)


@pytest.mark.parametrize("role", ROLES)
def test_api_list_get_update_follow_the_area(role, client, users, people):
    headers = bearer(users[role])
    listing = client.get("/api/v1/persons", **headers)
    ids = set()
    if listing.status_code == 200:
        ids = {item["id"] for item in listing.json()["items"]}
    else:
        assert not VIEW[role] and listing.status_code == 403
    for place, person in people.items():
        allowed = place in VIEW[role]
        assert (person.pk in ids) == allowed, (role, place)
        got = client.get(f"/api/v1/persons/{person.pk}", **headers)
        assert (got.status_code == 200) == allowed, (role, place, got.status_code)
        if not allowed:
            assert got.status_code in (403, 404)
            assert "error" in got.json()
        patched = client.patch(
            f"/api/v1/persons/{person.pk}", data=json.dumps({"phone": "0900000001"}),
            content_type="application/json", **headers,
        )
        may_change = place in CHANGE.get(role, set())
        assert (patched.status_code == 200) == may_change, (role, place, patched.status_code)
        if not may_change:
            assert patched.status_code in (403, 404)
        assert (Person.objects.get(pk=person.pk).phone == "0900000001") == may_change


def test_api_without_a_token_is_refused(client, people):
    response = client.get("/api/v1/persons")
    assert response.status_code == 401
    assert "error" in response.json()
