from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ansinh.funds.choices import AllocationStatus
from ansinh.funds.models import Allocation
from ansinh.funds.selectors import balance_of, fund_balances
from ansinh.funds.services import (
    allocation_approve,
    allocation_prepare,
    allocation_reject,
    campaign_create,
    receipt_reverse,
    restriction_create,
)


def prepare(officer, fund, amount, **kw):
    return allocation_prepare(officer, fund=fund, amount=amount,
                              purpose="Quà Tết cho hộ nghèo", **kw)


def test_an_allocation_cannot_exceed_the_balance(officer, fund, give):
    give(1_000_000)
    with pytest.raises(ValidationError) as err:
        prepare(officer, fund, 1_000_001)
    assert "Số tiền" in err.value.message_dict["amount"][0]
    assert prepare(officer, fund, 1_000_000).status == AllocationStatus.PENDING


def test_a_pending_allocation_reserves_and_only_an_approved_one_is_spent(
        officer, fund_users, fund, give):
    give(1_000_000)
    a = prepare(officer, fund, 700_000)
    assert balance_of(fund.pk, None).reserved == 700_000
    with pytest.raises(ValidationError):
        prepare(officer, fund, 400_000)
    allocation_approve(fund_users["manager"], a)
    [pot] = fund_balances(officer)
    assert (pot["spent"], pot["reserved"], pot["available"]) == (700_000, 0, 300_000)


def test_a_rejection_gives_the_money_back(officer, fund_users, fund, give):
    give(1_000_000)
    a = prepare(officer, fund, 1_000_000)
    allocation_reject(fund_users["manager"], a, note="Danh sách chưa đủ")
    assert balance_of(fund.pk, None).available == 1_000_000


def test_the_maker_cannot_approve_their_own_allocation(fund_users, fund, give):
    manager = fund_users["manager"]
    give(1_000_000, by=manager)
    a = prepare(manager, fund, 500_000)
    with pytest.raises(PermissionDenied):
        allocation_approve(manager, a)


def test_approval_needs_fund_approve_in_the_area(officer, users, fund_users, fund, give):
    give(1_000_000)
    a = prepare(officer, fund, 500_000)
    for checker in (fund_users["province_officer"], fund_users["foreign_manager"],
                    users["commune_leader"]):
        with pytest.raises(PermissionDenied):
            allocation_approve(checker, a)
    assert Allocation.objects.get(pk=a.pk).status == AllocationStatus.PENDING


def test_an_allocation_is_decided_once(officer, fund_users, fund, give):
    give(1_000_000)
    a = allocation_approve(fund_users["manager"], prepare(officer, fund, 500_000))
    with pytest.raises(ValidationError):
        allocation_reject(fund_users["manager"], a, note="x")


@pytest.fixture
def flood(officer, geo, fund):
    return campaign_create(officer, area=geo["commune"], name="Ủng hộ đồng bào lũ lụt",
                           starts_on=date(2025, 9, 1), funds=[fund])


def test_restricted_money_is_spent_only_on_its_campaign(officer, fund, give, flood):
    tied = restriction_create(officer, fund=fund, kind="campaign", campaign=flood,
                              description="")
    give(2_000_000, restriction=tied)
    # Restricted money is not in the unrestricted pot.
    with pytest.raises(ValidationError):
        prepare(officer, fund, 1)
    with pytest.raises(ValidationError) as err:
        prepare(officer, fund, 1_000_000, restriction=tied)
    assert "Chiến dịch" in err.value.message_dict["campaign"][0]
    assert prepare(officer, fund, 2_000_000, restriction=tied, campaign=flood).pk


def test_restricted_money_is_not_spent_after_its_end_date(officer, fund_users, fund, give):
    today = timezone.localdate()
    ends = today - timedelta(days=1)
    tied = restriction_create(officer, fund=fund, kind="purpose", description="Học bổng",
                              ends_on=ends)
    give(1_000_000, restriction=tied, on=ends - timedelta(days=5))
    with pytest.raises(ValidationError) as err:
        prepare(officer, fund, 100_000, restriction=tied, allocated_on=today)
    assert "hết hạn" in err.value.message_dict["restriction"][0]
    # Prepared in time, but the end date passed before the approval.
    a = prepare(officer, fund, 100_000, restriction=tied, allocated_on=ends)
    with pytest.raises(ValidationError):
        allocation_approve(fund_users["manager"], a)


def test_a_reversal_refuses_to_take_back_money_already_allocated(officer, fund, give):
    receipt = give(1_000_000)
    prepare(officer, fund, 600_000)
    with pytest.raises(ValidationError) as err:
        receipt_reverse(officer, receipt, reason="Chuyển nhầm")
    assert "đã được phân bổ" in err.value.message_dict["receipt"][0]


def test_approval_rechecks_the_balance(officer, fund_users, fund, give):
    give(1_000_000)
    a = prepare(officer, fund, 1_000_000)
    assert allocation_approve(fund_users["manager"], a).status == AllocationStatus.APPROVED
    assert balance_of(fund.pk, None).available == 0


def test_a_fund_officer_of_another_province_cannot_spend(fund_users, fund, give):
    give(1_000_000)
    with pytest.raises(PermissionDenied):
        prepare(fund_users["foreign_officer"], fund, 1)
