"""Shared fixtures: two communes in one province and one in another, and a user per role."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from ansinh.access.models import RoleAssignment
from ansinh.core.identity import make_id_number
from ansinh.geo.models import AdminUnit

from .serialized_rollback import install as _install_fast_restore

# Playwright fixtures (`browser`, `page`) for the browser tests of every package.
pytest_plugins = ["tests.browser"]

_install_fast_restore()

PASSWORD = "Mat-khau-2026!"
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher costs ~1 s per user on a loaded 2-core machine; tests make many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _vietnamese_to_begin_with(settings):
    # A page requested in English leaves English active in the thread (the locale middleware
    # activates the reader's language per request and nothing resets it), and the services
    # build their messages in the active language: every test starts in Vietnamese.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    # Uploaded spreadsheets are kept under MEDIA_ROOT; tests keep theirs out of ./var.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def geo(db):
    """Hà Nội (01) with Phường Ba Đình and Phường Ngọc Hà; Hải Phòng (31) with one commune."""
    hanoi = AdminUnit.objects.provinces().get(code="01")
    haiphong = AdminUnit.objects.provinces().get(code="31")
    communes = AdminUnit.objects.communes()
    return {
        "province": hanoi,
        "other_province": haiphong,
        "commune": communes.get(code="00004"),  # Phường Ba Đình
        "sibling_commune": communes.get(code="00008"),  # Phường Ngọc Hà, same province
        "foreign_commune": communes.filter(province=haiphong).order_by("code").first(),
    }


def make_user(username, role=None, area=None):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if role:
        RoleAssignment.objects.create(user=user, role=role, area=area)
    return user


@pytest.fixture
def users(geo):
    return {
        "commune_officer": make_user("canbo", "commune_officer", geo["commune"]),
        "commune_leader": make_user("chutich", "commune_leader", geo["commune"]),
        "province_officer": make_user("chuyenvien", "province_officer", geo["province"]),
        "province_admin": make_user("quantri", "province_admin", geo["province"]),
        "auditor": make_user("thanhtra", "auditor", geo["province"]),
        "national_viewer": make_user("bo", "national_viewer", None),
        "no_role": make_user("khach"),
    }


def new_id(sex="M", year=1980, prefix="001"):
    return make_id_number(prefix, sex, year, next(_serial))


@pytest.fixture
def id_number():
    return new_id
