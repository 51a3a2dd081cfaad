"""Every page answers in-area users, and hides or refuses records of other areas."""

import pytest
from django.urls import reverse


def detail_pages(registry):
    return [
        reverse("person_detail", args=[registry["head"].pk]),
        reverse("person_edit", args=[registry["head"].pk]),
        reverse("household_detail", args=[registry["household"].pk]),
        reverse("household_edit", args=[registry["household"].pk]),
    ]


@pytest.mark.parametrize("name", ["dashboard", "person_list", "person_create",
                                  "household_list", "household_create"])
def test_list_pages_answer_a_commune_officer(login, users, registry, name):
    response = login(users["commune_officer"]).get(reverse(name))
    assert response.status_code == 200


def test_detail_pages_answer_an_in_area_officer(login, users, registry):
    client = login(users["commune_officer"])
    for url in detail_pages(registry):
        assert client.get(url).status_code == 200, url


def test_a_commune_officer_gets_404_for_another_provinces_records(login, users, registry):
    client = login(users["commune_officer"])
    foreign, household = registry["foreign"], registry["foreign_household"]
    for url in (
        reverse("person_detail", args=[foreign.pk]),
        reverse("person_edit", args=[foreign.pk]),
        reverse("household_detail", args=[household.pk]),
        reverse("household_edit", args=[household.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("person_reveal", args=[foreign.pk])).status_code == 404


def test_a_commune_officer_cannot_open_the_sibling_commune(login, users, registry):
    client = login(users["commune_officer"])
    assert client.get(reverse("person_detail", args=[registry["neighbour"].pk])).status_code == 404


def test_a_national_viewer_can_view_but_not_edit(login, users, registry):
    client = login(users["national_viewer"])
    head = registry["head"]
    detail = client.get(reverse("person_detail", args=[head.pk]))
    assert detail.status_code == 200
    assert reverse("person_edit", args=[head.pk]) not in detail.text
    assert client.get(reverse("person_detail", args=[registry["foreign"].pk])).status_code == 200
    assert client.get(reverse("person_edit", args=[head.pk])).status_code == 403
    assert client.post(reverse("person_edit", args=[head.pk]), {"ten": "X"}).status_code == 403
    assert client.get(reverse("person_create")).status_code == 403
    hh = registry["household"]
    assert client.get(reverse("household_edit", args=[hh.pk])).status_code == 403
    assert client.get(reverse("person_export")).status_code == 403


def test_the_dashboard_counts_only_the_users_area(login, users, registry):
    response = login(users["commune_officer"]).get(reverse("dashboard"))
    assert response.context["persons"]["total"] == 2
    assert response.context["persons"]["disabled"] == 1
    assert response.context["households"]["poor"] == 1
    assert "top_communes" not in response.context


def test_the_dashboard_lists_top_communes_for_a_province_user(login, users, registry, geo):
    response = login(users["province_officer"]).get(reverse("dashboard"))
    assert response.context["persons"]["total"] == 3
    names = [row["commune__name"] for row in response.context["top_communes"]]
    assert names[0] == geo["commune"].name
    assert geo["foreign_commune"].name not in names
    assert response.context["top_communes"][0]["poor"] == 1


def test_household_detail_lists_members_head_first(login, users, registry):
    response = login(users["commune_officer"]).get(
        reverse("household_detail", args=[registry["household"].pk])
    )
    members = list(response.context["members"])
    assert members[0] == registry["head"]
    assert "Chủ hộ" in response.text
    assert "Hộ nghèo" in response.text


def test_household_list_searches_by_head_name_and_poverty(login, users, registry):
    client = login(users["commune_officer"])
    response = client.get(reverse("household_list"), {"q": "dung"})
    assert "BD-001" in response.text
    response = client.get(reverse("household_list"), {"poverty": "near_poor"})
    assert "BD-001" not in response.text
    assert "HP-001" not in client.get(reverse("household_list")).text
