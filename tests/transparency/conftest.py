"""A campaign of the Ba Đình fund with a named and an anonymous donor, and a manager."""

# The fund fixtures are imported by name, so pytest finds them; parameters reuse the names.
# ruff: noqa: F811

from datetime import date

import pytest

from ansinh.funds.services import campaign_create, donor_create, restriction_create
from tests.funds.conftest import donor, fund, fund_users, give, officer  # noqa: F401

START = date(2026, 1, 1)


@pytest.fixture
def manager(fund_users):
    return fund_users["manager"]


@pytest.fixture
def campaign(geo, officer, fund):
    return campaign_create(officer, area=geo["commune"], name="Xuân yêu thương 2026",
                           starts_on=START, ends_on=date(2026, 2, 28),
                           target_amount=500_000_000, responsible_unit="Trung tâm An sinh",
                           funds=[fund])


@pytest.fixture
def tet(officer, fund, campaign):
    return restriction_create(officer, fund=fund, kind="campaign", description="",
                              campaign=campaign)


@pytest.fixture
def anonymous(geo, officer):
    return donor_create(officer, area=geo["commune"], kind="individual",
                        name="Bà Phạm Thị Kín Đáo", display="anonymous")
