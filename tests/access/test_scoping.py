"""Scoping at the selector level: what each role sees, in its own area and outside it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ansinh.access.models import RoleAssignment
from ansinh.access.scoping import allows, communes_for, restrict
from ansinh.access.services import user_add
from ansinh.registry.models import Person
from ansinh.registry.selectors import persons_for
from ansinh.registry.services import person_create
from tests.conftest import make_user, new_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(geo, users):
    admin = make_user("root-maker")
    admin.is_superuser = True
    admin.save()

    def person(commune, ten):
        return person_create(admin, ho="Trần", ten=ten, sex="F", commune=commune,
                             birth_date=date(1990, 1, 1), id_number=new_id("F", 1990))

    return {
        "own": person(geo["commune"], "An"),
        "sibling": person(geo["sibling_commune"], "Bình"),
        "foreign": person(geo["foreign_commune"], "Cúc"),
    }


VISIBLE = {
    "commune_officer": {"own"},
    "commune_leader": {"own"},
    "province_officer": {"own", "sibling"},
    "province_admin": {"own", "sibling"},
    "auditor": {"own", "sibling"},
    "national_viewer": {"own", "sibling", "foreign"},
    "no_role": set(),
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_sees_exactly_its_area(role, users, people):
    seen = {key for key, p in people.items() if persons_for(users[role]).filter(pk=p.pk).exists()}
    assert seen == VISIBLE[role]


CHANGE = {
    "commune_officer": {"own"},
    "commune_leader": set(),
    "province_officer": {"own", "sibling"},
    "province_admin": {"own", "sibling"},
    "auditor": set(),
    "national_viewer": set(),
    "no_role": set(),
}


@pytest.mark.parametrize("role", sorted(CHANGE))
def test_each_role_may_change_exactly_its_area(role, users, people):
    allowed = {key for key, p in people.items() if allows(users[role], "change", p)}
    assert allowed == CHANGE[role]
    queryset = restrict(Person.objects.all(), users[role], "change")
    assert {k for k, p in people.items() if queryset.filter(pk=p.pk).exists()} == CHANGE[role]


def test_an_inactive_user_sees_nothing(users, people):
    officer = users["province_officer"]
    officer.is_active = False
    officer.save()
    assert not persons_for(officer).exists()


def test_communes_for_a_commune_officer_is_her_commune(geo, users):
    assert list(communes_for(users["commune_officer"], "add")) == [geo["commune"]]
    province_communes = communes_for(users["province_officer"], "add")
    assert province_communes.filter(pk=geo["sibling_commune"].pk).exists()
    assert not province_communes.filter(pk=geo["foreign_commune"].pk).exists()


def test_a_role_is_refused_on_the_wrong_level_of_unit(geo):
    with pytest.raises(ValidationError):
        user_add("x1", "commune_officer", "01")  # a province, not a commune
    with pytest.raises(ValidationError):
        user_add("x2", "national_viewer", "01")
    with pytest.raises(ValidationError):
        user_add("x3", "province_officer", "99")  # no such province
    assert not RoleAssignment.objects.filter(user__username__in=["x1", "x2", "x3"]).exists()


def test_users_command_adds_a_role_and_prints_a_token(geo, capsys):
    from django.core.management import call_command

    from ansinh.access.models import ApiToken

    call_command("users", "add", "xa-ba-dinh", "--role", "commune_officer", "--area", "00004",
                 "--no-password")
    call_command("users", "token", "xa-ba-dinh")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert secret.startswith("ans_")
    assert ApiToken.objects.get(digest=ApiToken.hash(secret)).user.username == "xa-ba-dinh"
