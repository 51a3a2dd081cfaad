"""A province social-security centre (Hà Nội) with money, a warehouse of Tết gifts and rice,
and a registry of poor, near-poor and other households in two of its communes."""

from datetime import date

import pytest

from ansinh.enrolment.models import Entitlement
from ansinh.funds.services import (
    campaign_create,
    donor_create,
    fund_create,
    receipt_create,
    receipt_issue,
    restriction_create,
)
from ansinh.registry.models import Household, Person
from ansinh.stock.choices import Category, Unit
from ansinh.stock.services import item_create, stock_receive, warehouse_create
from tests.conftest import make_user, new_id

RECEIVED = date(2026, 1, 10)
STARTS = date(2026, 1, 20)


@pytest.fixture
def staff(geo):
    return {
        "officer": make_user("canbo_quy", "fund_officer", geo["province"]),
        "officer2": make_user("canbo_quy2", "fund_officer", geo["province"]),
        "manager": make_user("giamdoc_quy", "fund_manager", geo["province"]),
        "manager2": make_user("phogiamdoc_quy", "fund_manager", geo["province"]),
        "commune_fund": make_user("quy_badinh", "fund_officer", geo["commune"]),
        "foreign_manager": make_user("giamdoc_hp", "fund_manager", geo["other_province"]),
        "foreign_officer": make_user("canbo_hp", "fund_officer", geo["other_province"]),
        "case_worker": make_user("canbo_xa", "commune_officer", geo["commune"]),
    }


@pytest.fixture
def officer(staff):
    return staff["officer"]


@pytest.fixture
def manager(staff):
    return staff["manager"]


@pytest.fixture
def fund(geo, officer):
    return fund_create(officer, area=geo["province"], kind="social_security",
                       name="Quỹ An sinh xã hội Hà Nội", code="ASXH")


@pytest.fixture
def donor(geo, officer):
    return donor_create(officer, area=geo["province"], kind="business",
                        name="Công ty Cổ phần Bình Minh", tax_code="0109876543")


@pytest.fixture
def campaign(geo, officer, fund):
    return campaign_create(officer, area=geo["province"], name="Tết nghĩa tình 2026",
                           starts_on=date(2025, 12, 1), target_amount=500_000_000, funds=[fund])


@pytest.fixture
def give(officer, donor, fund):
    """Issue a receipt of `amount` đồng into the fund (optionally restricted)."""
    def make(amount, *, restriction=None, campaign=None):
        receipt = receipt_create(officer, fund=fund, donor=donor, received_on=RECEIVED,
                                 method="bank_transfer", total=amount,
                                 lines=[{"fund": fund, "amount": amount,
                                         "restriction": restriction, "campaign": campaign}])
        return receipt_issue(officer, receipt)
    return make


@pytest.fixture
def restricted(officer, fund, campaign, donor):
    return restriction_create(officer, fund=fund, kind="campaign", campaign=campaign,
                              donor=donor, description="Quà Tết cho hộ nghèo")


@pytest.fixture
def items(officer):
    return {
        "gift": item_create(officer, name="Quà Tết", unit=Unit.PHAN_QUA, category=Category.GIFT),
        "rice": item_create(officer, name="Gạo", unit=Unit.KG, category=Category.FOOD),
    }


@pytest.fixture
def warehouse(geo, officer):
    return warehouse_create(officer, name="Kho Trung tâm An sinh", province=geo["province"])


@pytest.fixture
def stock(officer, warehouse, items):
    """Put `quantity` units of an item into the warehouse."""
    def put(item, quantity, unit_value=100_000):
        return stock_receive(officer, warehouse=warehouse, item=items[item], quantity=quantity,
                             unit_value=unit_value, received_on=RECEIVED,
                             donor_name="Công ty Cổ phần Bình Minh")
    return put


def make_person(commune, ten, *, born=date(1960, 5, 1), household=None, relationship="head",
                ho="Nguyễn", sex="M", deceased=None):
    person = Person(ho=ho, ten_dem="Thị" if sex == "F" else "Văn", ten=ten, sex=sex,
                    birth_date=born, id_number=new_id(sex, born.year), commune=commune,
                    province=commune.province, household=household,
                    relationship=relationship if household else "", deceased_date=deceased)
    person.refresh_derived()
    person.save()
    return person


def make_household(commune, code, poverty="", head_name="An", **kw):
    household = Household.objects.create(code=code, commune=commune, province=commune.province,
                                         poverty_status=poverty, poverty_year=2025)
    head = make_person(commune, head_name, household=household, **kw)
    household.head = head
    household.save(update_fields=["head"])
    return household


def entitle(person, category):
    return Entitlement.objects.create(
        person=person, recipient=person, benefit="monthly_allowance", category=category,
        commune=person.commune, province=person.province, start_month=date(2025, 1, 1))


@pytest.fixture
def registry(geo):
    """Ba Đình: a poor household (with an orphan child), a near-poor one, a well-off one, an
    elderly woman living alone; Ngọc Hà: a poor household; Hải Phòng: a poor household."""
    c, s, f = geo["commune"], geo["sibling_commune"], geo["foreign_commune"]
    poor = make_household(c, "BD-001", "poor", "Bình")
    orphan = make_person(c, "Cúc", born=date(2015, 3, 3), household=poor,
                         relationship="grandchild", sex="F")
    entitle(orphan, "5.1")
    near = make_household(c, "BD-002", "near_poor", "Dũng", born=date(1975, 1, 1))
    rich = make_household(c, "BD-003", "", "Hùng", born=date(1980, 1, 1))
    elderly = make_person(c, "Lan", born=date(1940, 2, 2), sex="F")
    entitle(elderly, "5.5a")
    sibling_poor = make_household(s, "NH-001", "poor", "Minh", born=date(1970, 1, 1))
    foreign_poor = make_household(f, "HP-001", "poor", "Nam")
    return {"poor": poor, "orphan": orphan, "near": near, "rich": rich, "elderly": elderly,
            "sibling_poor": sibling_poor, "foreign_poor": foreign_poor}
