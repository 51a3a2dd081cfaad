from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ansinh.funds.selectors import campaign_progress, donor_progress, fund_balances
from ansinh.funds.services import campaign_create, pledge_create, restriction_create

from .conftest import DAY


@pytest.fixture
def tet(officer, geo, fund):
    return campaign_create(officer, area=geo["commune"], name="Tết vì người nghèo 2026",
                           starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 10),
                           target_amount=50_000_000, responsible_unit="Trung tâm ASXH",
                           funds=[fund])


def test_a_pledge_is_never_counted_as_money_received(officer, donor, tet):
    pledge_create(officer, donor=donor, campaign=tet, amount=10_000_000, pledged_on=DAY)
    [row] = campaign_progress(officer)
    assert (row["pledged"], row["received"], row["outstanding"]) == (10_000_000, 0, 10_000_000)
    assert fund_balances(officer) == []
    assert donor_progress(officer, donor)["received"] == 0


def test_pledged_received_and_outstanding_per_campaign_and_donor(officer, donor, fund, tet,
                                                                give):
    pledge = pledge_create(officer, donor=donor, campaign=tet, amount=10_000_000,
                           pledged_on=DAY)
    pledge_create(officer, donor=donor, campaign=tet, in_kind="200 phần quà Tết",
                  pledged_on=DAY)
    tied = restriction_create(officer, fund=fund, kind="campaign", campaign=tet,
                              description="")
    give(4_000_000, restriction=tied, pledge=pledge)
    give(1_000_000, campaign=tet)  # unpledged money for the campaign, unrestricted
    [row] = campaign_progress(officer, tet)
    assert row == {"campaign_id": tet.pk, "name": tet.name, "target": 50_000_000,
                   "pledged": 10_000_000, "received": 5_000_000, "outstanding": 6_000_000,
                   "in_kind_pledges": 1}
    assert donor_progress(officer, donor) == {"donor_id": donor.pk, "pledged": 10_000_000,
                                              "received": 5_000_000, "outstanding": 6_000_000}


def test_a_pledge_needs_an_amount_or_goods_and_a_target(officer, donor, tet):
    with pytest.raises(ValidationError) as err:
        pledge_create(officer, donor=donor, campaign=tet, pledged_on=DAY)
    assert "Số tiền cam kết" in err.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as err:
        pledge_create(officer, donor=donor, amount=1, pledged_on=DAY)
    assert "campaign" in err.value.message_dict


def test_campaign_dates_and_target_are_checked(officer, geo):
    with pytest.raises(ValidationError) as err:
        campaign_create(officer, area=geo["commune"], name="X", starts_on=date(2026, 2, 1),
                        ends_on=date(2026, 1, 1))
    assert "Ngày kết thúc" in err.value.message_dict["ends_on"][0]
    with pytest.raises(ValidationError):
        campaign_create(officer, area=geo["commune"], name="X", starts_on=date(2026, 2, 1),
                        target_amount=0)


def test_another_province_sees_no_campaign_progress(fund_users, officer, donor, tet):
    pledge_create(officer, donor=donor, campaign=tet, amount=10_000_000, pledged_on=DAY)
    other = fund_users["foreign_officer"]
    assert campaign_progress(other) == []
    assert donor_progress(other, donor)["pledged"] == 0
