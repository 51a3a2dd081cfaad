"""Registry records in three communes, created through the services like any real write."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from ansinh.registry import services
from tests.conftest import PASSWORD


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("admin", password=PASSWORD)


@pytest.fixture
def registry(geo, admin, id_number):
    """A household in Ba Đình with a head and a child (with sensitive data), one person in
    Ngọc Hà (same province) and one in Hải Phòng."""
    household = services.household_create(
        admin, code="BD-001", address="12 Phố Đội Cấn", commune=geo["commune"],
        poverty_status="poor", poverty_year=2025,
    )
    head = services.person_create(
        admin, ho="Nguyễn", ten_dem="Văn", ten="Dũng", sex="M",
        birth_date=date(1975, 3, 5), id_number=id_number("M", 1975),
        household=household, relationship="head", commune=geo["commune"],
    )
    child = services.person_create(
        admin, ho="Đặng", ten_dem="Thị", ten="Hoa", sex="F", birth_date=date(2005, 6, 1),
        household=household, relationship="child", commune=geo["commune"],
        disability_level="severe", disability_type="intellectual",
        disability_notes="Cần người hỗ trợ", hiv_status=True,
    )
    neighbour = services.person_create(
        admin, ho="Trần", ten_dem="Minh", ten="Anh", sex="M", birth_date=date(1990, 1, 1),
        commune=geo["sibling_commune"],
    )
    foreign = services.person_create(
        admin, ho="Lê", ten_dem="Thị", ten="Bình", sex="F", birth_date=date(1960, 1, 1),
        commune=geo["foreign_commune"],
    )
    foreign_household = services.household_create(
        admin, code="HP-001", commune=geo["foreign_commune"],
    )
    return {
        "household": household, "head": head, "child": child, "neighbour": neighbour,
        "foreign": foreign, "foreign_household": foreign_household,
    }


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
