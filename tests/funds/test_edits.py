"""Correcting funds, campaigns, restrictions and pledges; cancelling a pledge."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.funds import selectors
from ansinh.funds.models import Pledge
from ansinh.funds.services import (
    allocation_prepare,
    campaign_create,
    campaign_update,
    fund_create,
    fund_update,
    pledge_cancel,
    pledge_create,
    pledge_update,
    receipt_create,
    receipt_issue,
    restriction_create,
    restriction_update,
)

from .conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(geo, officer, fund):
    return campaign_create(officer, area=geo["commune"], name="Tết 2026",
                           starts_on=date(2026, 1, 1), target_amount=10_000_000, funds=[fund])


@pytest.fixture
def restriction(officer, fund):
    return restriction_create(officer, fund=fund, kind="purpose", description="Học bổng",
                              ends_on=date(2026, 12, 31))


@pytest.fixture
def pledge(officer, donor, campaign):
    return pledge_create(officer, donor=donor, campaign=campaign, amount=5_000_000,
                         pledged_on=DAY)


def _last_update(obj):
    return AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(obj.pk),
                                     object_type__endswith=obj._meta.model_name).latest("pk")


def test_a_fund_is_renamed_and_the_audit_keeps_old_and_new(officer, fund):
    fund_update(officer, fund, name="Quỹ ASXH phường", code="asxh2")
    fund.refresh_from_db()
    assert (fund.name, fund.code) == ("Quỹ ASXH phường", "ASXH2")
    changes = _last_update(fund).changes
    assert changes["name"] == ["Quỹ An sinh xã hội phường Ba Đình", "Quỹ ASXH phường"]


def test_it_refuses_a_new_code_once_the_fund_numbered_a_receipt(officer, fund, give):
    give(1_000_000)
    with pytest.raises(ValidationError) as err:
        fund_update(officer, fund, code="KHAC")
    assert "code" in err.value.message_dict


def test_it_refuses_unknown_fields_and_empty_names(officer, fund):
    with pytest.raises(ValidationError):
        fund_update(officer, fund, commune=None)
    with pytest.raises(ValidationError) as err:
        fund_update(officer, fund, name="  ")
    assert "name" in err.value.message_dict


def test_another_province_may_not_edit_a_fund(fund_users, fund):
    with pytest.raises(PermissionDenied):
        fund_update(fund_users["foreign_officer"], fund, name="X")


def test_a_campaign_gets_a_new_end_and_target(officer, campaign):
    campaign_update(officer, campaign, ends_on=date(2026, 2, 28), target_amount=20_000_000)
    campaign.refresh_from_db()
    assert (campaign.ends_on, campaign.target_amount) == (date(2026, 2, 28), 20_000_000)
    assert _last_update(campaign).changes["target_amount"] == [10_000_000, 20_000_000]


def test_it_refuses_a_campaign_ending_before_it_starts(officer, campaign):
    with pytest.raises(ValidationError) as err:
        campaign_update(officer, campaign, ends_on=date(2025, 12, 1))
    assert "ends_on" in err.value.message_dict


def test_it_refuses_dropping_a_fund_that_received_money_for_the_campaign(officer, campaign,
                                                                        give):
    give(1_000_000, campaign=campaign)
    with pytest.raises(ValidationError) as err:
        campaign_update(officer, campaign, funds=[])
    assert "funds" in err.value.message_dict


def test_a_restriction_keeps_its_money_fields_once_a_receipt_uses_it(officer, restriction,
                                                                   give, campaign):
    give(1_000_000, restriction=restriction)
    with pytest.raises(ValidationError) as err:
        restriction_update(officer, restriction, kind="campaign", campaign=campaign)
    assert "kind" in err.value.message_dict
    restriction_update(officer, restriction, description="Học bổng cho học sinh nghèo")
    restriction.refresh_from_db()
    assert restriction.description == "Học bổng cho học sinh nghèo"


def test_an_unused_restriction_may_change_its_campaign(officer, restriction, campaign):
    restriction_update(officer, restriction, kind="campaign", campaign=campaign)
    restriction.refresh_from_db()
    assert restriction.campaign_id == campaign.pk


def test_it_refuses_an_end_date_before_money_already_spent(officer, fund, restriction, give):
    give(2_000_000, restriction=restriction)
    allocation_prepare(officer, fund=fund, restriction=restriction, amount=500_000,
                       purpose="Học bổng kỳ 1", allocated_on=date(2026, 3, 1))
    with pytest.raises(ValidationError) as err:
        restriction_update(officer, restriction, ends_on=date(2026, 2, 1))
    assert "01/03/2026" in err.value.message_dict["ends_on"][0]
    restriction_update(officer, restriction, ends_on=date(2026, 3, 1))
    restriction.refresh_from_db()
    assert restriction.ends_on == date(2026, 3, 1)


def test_a_pledge_amount_is_corrected_and_audited(officer, pledge):
    pledge_update(officer, pledge, amount=6_000_000)
    pledge.refresh_from_db()
    assert pledge.amount == 6_000_000
    assert _last_update(pledge).changes["amount"] == [5_000_000, 6_000_000]


def test_it_refuses_a_pledge_amount_below_what_was_paid(officer, fund, donor, pledge):
    receipt = receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                             method="bank_transfer", total=3_000_000, pledge=pledge,
                             lines=[{"fund": fund, "amount": 3_000_000}])
    receipt_issue(officer, receipt)
    with pytest.raises(ValidationError) as err:
        pledge_update(officer, pledge, amount=2_000_000)
    assert "amount" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        pledge_update(officer, pledge, campaign=None, fund=fund)
    assert set(err.value.message_dict) & {"campaign", "fund"}


def test_it_refuses_a_future_pledge_date_and_a_pledge_without_target(officer, pledge):
    with pytest.raises(ValidationError):
        pledge_update(officer, pledge, pledged_on=date(2099, 1, 1))
    with pytest.raises(ValidationError):
        pledge_update(officer, pledge, campaign=None)


def test_a_cancelled_pledge_is_kept_and_no_longer_outstanding(officer, donor, pledge):
    assert selectors.donor_progress(officer, donor)["outstanding"] == 5_000_000
    pledge_cancel(officer, pledge, reason="Doanh nghiệp gặp khó khăn", cancelled_on=DAY)
    row = Pledge.objects.get(pk=pledge.pk)
    assert row.cancelled and row.cancel_reason == "Doanh nghiệp gặp khó khăn"
    assert selectors.donor_progress(officer, donor)["outstanding"] == 0
    assert _last_update(pledge).changes["cancelled_on"] == [None, DAY.isoformat()]


def test_it_refuses_cancelling_twice_without_reason_or_before_the_pledge(officer, pledge):
    with pytest.raises(ValidationError) as err:
        pledge_cancel(officer, pledge, reason=" ")
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        pledge_cancel(officer, pledge, reason="x", cancelled_on=date(2025, 1, 1))
    assert "cancelled_on" in err.value.message_dict
    pledge_cancel(officer, pledge, reason="Rút lại")
    with pytest.raises(ValidationError) as err:
        pledge_cancel(officer, pledge, reason="Lần nữa")
    assert "status" in err.value.message_dict
    with pytest.raises(ValidationError):
        pledge_update(officer, pledge, amount=1_000_000)


def test_another_province_may_not_cancel_or_edit(fund_users, pledge, restriction, campaign):
    foreign = fund_users["foreign_officer"]
    with pytest.raises(PermissionDenied):
        pledge_cancel(foreign, pledge, reason="x")
    with pytest.raises(PermissionDenied):
        restriction_update(foreign, restriction, description="x")
    with pytest.raises(PermissionDenied):
        campaign_update(foreign, campaign, name="x")


def test_a_fund_officer_may_not_move_a_pledge_to_a_fund_of_another_area(geo, fund_users,
                                                                        pledge):
    other = fund_create(fund_users["foreign_officer"], area=geo["other_province"],
                        kind="social_security", name="Quỹ khác", code="QK")
    with pytest.raises(PermissionDenied):
        pledge_update(fund_users["officer"], pledge, fund=other)


def test_no_receipt_pays_on_a_cancelled_pledge(officer, donor, fund, pledge):
    from ansinh.funds.services import receipt_create

    pledge_cancel(officer, pledge, reason="Rút lại", cancelled_on=DAY)
    with pytest.raises(ValidationError) as err:
        receipt_create(officer, fund=fund, donor=donor, received_on=DAY, method="bank_transfer",
                       total=1_000_000, pledge=pledge,
                       lines=[{"fund": fund, "amount": 1_000_000}])
    assert "đã hủy" in err.value.message_dict["pledge"][0]
