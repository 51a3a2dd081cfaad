from django.urls import reverse

from ansinh.registry.models import Household


def test_create_and_edit_a_household(login, users, registry, geo):
    client = login(users["commune_officer"])
    response = client.post(reverse("household_create"), {
        "code": "BD-002", "address": "5 Liễu Giai", "commune": geo["commune"].pk,
        "poverty_status": "near_poor", "poverty_year": "2025",
    })
    assert response.status_code == 302
    household = Household.objects.get(code="BD-002")
    assert household.province == geo["province"]
    response = client.post(reverse("household_edit", args=[household.pk]), {
        "code": "BD-002", "address": "7 Liễu Giai", "commune": geo["commune"].pk,
        "poverty_status": "", "poverty_year": "", "head": "",
    })
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.address == "7 Liễu Giai" and household.poverty_status == ""


def test_a_duplicate_code_in_the_commune_is_refused(login, users, registry, geo):
    response = login(users["commune_officer"]).post(reverse("household_create"), {
        "code": "BD-001", "commune": geo["commune"].pk, "poverty_status": "",
    })
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Household.objects.filter(code="BD-001").count() == 1


def test_add_member_prefills_the_household(login, users, registry):
    household = registry["household"]
    form = login(users["commune_officer"]).get(
        reverse("person_create"), {"household": household.pk}
    ).context["form"]
    assert form.initial["household_code"] == "BD-001"
