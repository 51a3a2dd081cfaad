"""A commune social-security centre: one fund officer, one fund manager, a donor, a fund."""

from datetime import date

import pytest

from ansinh.funds.services import donor_create, fund_create, receipt_create, receipt_issue
from tests.conftest import make_user

DAY = date(2026, 1, 15)


@pytest.fixture
def fund_users(geo):
    return {
        "officer": make_user("canboquy", "fund_officer", geo["commune"]),
        "manager": make_user("giamdocquy", "fund_manager", geo["commune"]),
        "province_officer": make_user("canboquytinh", "fund_officer", geo["province"]),
        "foreign_officer": make_user("canboquyhp", "fund_officer", geo["other_province"]),
        "foreign_manager": make_user("giamdochp", "fund_manager", geo["other_province"]),
    }


@pytest.fixture
def officer(fund_users):
    return fund_users["officer"]


@pytest.fixture
def fund(geo, officer):
    return fund_create(officer, area=geo["commune"], kind="social_security",
                       name="Quỹ An sinh xã hội phường Ba Đình", code="ASXH")


@pytest.fixture
def donor(geo, officer):
    return donor_create(officer, area=geo["commune"], kind="business", name="Công ty TNHH An Phú",
                        tax_code="0101234567", phone="0912345678", bank_account="0011002233445",
                        bank_name="Vietcombank")


@pytest.fixture
def give(officer, donor, fund):
    """Issue a receipt of `amount` đồng into one pot of the fund and return it."""
    def make(amount, *, restriction=None, campaign=None, on=DAY, to=None, by=None, **kw):
        receipt = receipt_create(
            by or officer, fund=to or fund, donor=kw.pop("from_donor", donor), received_on=on,
            method="bank_transfer", total=amount,
            lines=[{"fund": to or fund, "amount": amount, "restriction": restriction,
                    "campaign": campaign}], **kw)
        return receipt_issue(by or officer, receipt)
    return make
