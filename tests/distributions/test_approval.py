"""Review and approval of a list by another user: cash through an approved allocation of the
fund (or its restriction), goods checked against stock, all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.distributions.choices import LineStatus, ListStatus
from ansinh.distributions.models import Recipient
from ansinh.distributions.services import (
    list_approve,
    list_reject,
    list_submit,
    recipient_add,
    recipients_build,
)
from ansinh.funds.choices import AllocationStatus
from ansinh.funds.models import Allocation
from ansinh.funds.selectors import balance_of
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(officer, campaign, fund, registry):
    """A Tết cycle of 500,000 đ for each of the 3 poor persons, built and submitted."""
    def make(**kw):
        cycle = gift_cycle(officer, campaign, fund, **kw)
        rlist, _ = recipients_build(officer, cycle)
        return cycle, list_submit(officer, rlist)
    return make


def test_it_approves_a_list_spending_its_cash_from_the_fund(built, give, fund, manager,
                                                             officer):
    give(10_000_000)
    cycle, rlist = built()
    rlist = list_approve(manager, rlist, note="Đồng ý")
    assert rlist.status == ListStatus.APPROVED
    allocation = rlist.allocation
    assert (allocation.amount, allocation.status) == (1_500_000, AllocationStatus.APPROVED)
    assert (allocation.prepared_by, allocation.decided_by) == (officer, manager)
    assert balance_of(fund.pk, None).available == 8_500_000
    assert set(rlist.lines.values_list("status", flat=True)) == {LineStatus.APPROVED}


def test_it_refuses_a_list_larger_than_the_balance_and_applies_nothing(built, give, fund,
                                                                         manager):
    give(1_000_000)
    cycle, rlist = built()
    with pytest.raises(ValidationError) as exc:
        list_approve(manager, rlist)
    assert "vượt số dư" in exc.value.message_dict["amount"][0]
    rlist.refresh_from_db()
    assert rlist.status == ListStatus.SUBMITTED
    assert not Allocation.objects.exists()
    assert set(rlist.lines.values_list("status", flat=True)) == {LineStatus.PENDING}


def test_it_spends_restricted_money_only_up_to_the_restriction(built, give, restricted,
                                                                campaign, manager):
    give(100_000_000)  # unrestricted money does not pay a restricted cycle
    give(1_000_000, restriction=restricted, campaign=campaign)
    cycle, rlist = built(restriction=restricted)
    with pytest.raises(ValidationError):
        list_approve(manager, rlist)
    give(500_000, restriction=restricted, campaign=campaign)
    rlist = list_approve(manager, rlist)
    assert rlist.allocation.restriction == restricted


def test_it_refuses_a_list_larger_than_the_stock_and_applies_nothing(built, give, manager,
                                                                       items, warehouse, stock):
    give(10_000_000)
    stock("gift", 2)
    cycle, rlist = built(components=[(items["gift"], 1)], warehouse=warehouse)
    with pytest.raises(ValidationError) as exc:
        list_approve(manager, rlist)
    message = exc.value.message_dict["stock"][0]
    assert "Quà Tết" in message and "cần 3" in message and "còn 2" in message
    assert not Allocation.objects.exists()  # the cash was not spent either
    rlist.refresh_from_db()
    assert rlist.status == ListStatus.SUBMITTED


def test_goods_promised_to_an_approved_list_are_not_promised_again(
        officer, campaign, fund, registry, give, manager, items, warehouse, stock):
    give(10_000_000)
    stock("gift", 4)
    first = gift_cycle(officer, campaign, fund, components=[(items["gift"], 1)],
                       warehouse=warehouse, name="Quà Tết")
    list_approve(manager, list_submit(officer, recipients_build(officer, first)[0]))
    second = gift_cycle(officer, campaign, fund, components=[(items["gift"], 1)],
                        warehouse=warehouse, name="Quà Rằm tháng Giêng")
    rlist = list_submit(officer, recipients_build(officer, second)[0])
    with pytest.raises(ValidationError) as exc:
        list_approve(manager, rlist)
    assert "3 đã dành cho danh sách đã duyệt" in exc.value.message_dict["stock"][0]


def test_the_maker_cannot_approve_his_own_list(built, give, staff):
    from ansinh.access.models import RoleAssignment
    give(10_000_000)
    maker = staff["officer"]
    RoleAssignment.objects.create(user=maker, role="fund_manager",
                                  area=maker.role_assignments.first().area)
    maker.__dict__.pop("_ansinh_scopes", None)
    cycle, rlist = built()
    with pytest.raises(PermissionDenied):
        list_approve(maker, rlist)


@pytest.mark.parametrize("who", ["officer2", "foreign_manager", "case_worker"])
def test_only_a_manager_of_the_area_approves(built, give, staff, who):
    give(10_000_000)
    cycle, rlist = built()
    with pytest.raises(PermissionDenied):
        list_approve(staff[who], rlist)


def test_a_draft_list_cannot_be_approved(officer, campaign, fund, registry, manager, give):
    give(10_000_000)
    cycle = gift_cycle(officer, campaign, fund)
    rlist, _ = recipients_build(officer, cycle)
    with pytest.raises(ValidationError):
        list_approve(manager, rlist)


def test_an_empty_list_cannot_be_submitted(officer, campaign, fund):
    from ansinh.distributions.services import _draft_list
    cycle = gift_cycle(officer, campaign, fund)
    with pytest.raises(ValidationError):
        list_submit(officer, _draft_list(officer, cycle))


def test_a_list_is_approved_once(built, give, manager, staff):
    give(10_000_000)
    cycle, rlist = built()
    list_approve(manager, rlist)
    with pytest.raises(ValidationError):
        list_approve(staff["manager2"], rlist)
    assert Allocation.objects.count() == 1


def test_a_rejected_list_frees_its_recipients_for_a_new_list(built, manager, officer,
                                                              registry):
    cycle, rlist = built()
    with pytest.raises(ValidationError):
        list_reject(manager, rlist, note="")
    list_reject(manager, rlist, note="Thiếu xác nhận của phường")
    assert set(rlist.lines.values_list("status", flat=True)) == {LineStatus.CANCELLED}
    _, added = recipients_build(officer, cycle)
    assert added == 3


def test_an_exception_takes_effect_only_when_its_list_is_approved(built, give, officer,
                                                                   manager, registry):
    give(10_000_000)
    cycle, first = built()
    list_approve(manager, first)
    extra = recipient_add(officer, cycle, person=registry["rich"].head,
                          exception_reason="Hộ gặp hỏa hoạn, phường đề nghị")
    assert extra.status == LineStatus.PENDING
    second = list_submit(officer, extra.recipient_list)
    assert second.number == 2
    list_approve(manager, second)
    extra.refresh_from_db()
    assert extra.status == LineStatus.APPROVED
    assert Recipient.objects.filter(cycle=cycle, status=LineStatus.APPROVED).count() == 4


def test_goods_only_lists_spend_no_money(officer, campaign, fund, registry, manager, items,
                                         warehouse, stock):
    stock("rice", 100)
    cycle = gift_cycle(officer, campaign, fund, cash=0, components=[(items["rice"], 10)],
                       warehouse=warehouse)
    rlist = list_approve(manager, list_submit(officer, recipients_build(officer, cycle)[0]))
    assert rlist.allocation is None and rlist.status == ListStatus.APPROVED
