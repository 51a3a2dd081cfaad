"""Fund staff, a small catalogue, warehouses in three areas and one registered person."""

import pytest

from ansinh.registry.models import Person
from ansinh.stock.choices import Category, PointKind, Unit
from ansinh.stock.services import item_create, warehouse_create
from tests.conftest import make_user, new_id


@pytest.fixture
def staff(geo):
    return {
        "province": make_user("quy_hn", "fund_officer", geo["province"]),
        "commune": make_user("quy_badinh", "fund_officer", geo["commune"]),
        "manager": make_user("giamdoc_quy", "fund_manager", geo["province"]),
        "foreign": make_user("quy_hp", "fund_officer", geo["other_province"]),
        "commune_officer": make_user("canbo_xa", "commune_officer", geo["commune"]),
    }


@pytest.fixture
def items(staff):
    officer = staff["province"]
    return {
        "gift": item_create(officer, name="Quà Tết", unit=Unit.PHAN_QUA, category=Category.GIFT),
        "rice": item_create(officer, name="Gạo", unit=Unit.KG, category=Category.FOOD),
        "milk": item_create(officer, name="Sữa hộp", unit=Unit.THUNG, category=Category.FOOD,
                            perishable=True),
    }


@pytest.fixture
def houses(geo, staff):
    officer = staff["province"]
    return {
        "central": warehouse_create(officer, name="Kho Trung tâm", province=geo["province"]),
        "badinh": warehouse_create(officer, name="Điểm phát Ba Đình", commune=geo["commune"],
                                   kind=PointKind.DISTRIBUTION_POINT),
        "ngocha": warehouse_create(officer, name="Điểm phát Ngọc Hà",
                                   commune=geo["sibling_commune"],
                                   kind=PointKind.DISTRIBUTION_POINT),
        "haiphong": warehouse_create(staff["foreign"], name="Kho Hải Phòng",
                                     province=geo["other_province"]),
    }


def _person(commune, ten="An"):
    person = Person(ho="Nguyễn", ten_dem="Văn", ten=ten, sex="M", id_number=new_id("M", 1950),
                    commune=commune, province=commune.province)
    person.refresh_derived()
    person.save()
    return person


@pytest.fixture
def person(geo):
    return _person(geo["commune"])


@pytest.fixture
def foreign_person(geo):
    return _person(geo["foreign_commune"], "Bình")
