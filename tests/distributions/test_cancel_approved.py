"""Cancelling an approved recipient before the hand-out (died, moved, refused): the line is
kept, marked cancelled with its reason; its cash goes back to the fund as a dated return of
the list's allocation, its goods are free for the next approval. Balances, the monthly
statement and snapshots published earlier stay right."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ansinh.access.models import ApiToken
from ansinh.audit.models import AuditEvent
from ansinh.distributions.choices import LineStatus, ListStatus, ProofKind
from ansinh.distributions.services import (
    handout_record,
    list_approve,
    list_submit,
    recipient_add,
    recipient_cancel,
)
from ansinh.funds.models import Allocation, AllocationReturn
from ansinh.funds.reports.monthly import statement
from ansinh.funds.selectors import balance_of
from ansinh.transparency.selectors import snapshot_verify
from ansinh.transparency.services import snapshot_publish
from tests.distributions.helpers import approved_gift, gift_cycle

pytestmark = pytest.mark.django_db

BASE = "/api/v1/funds/distributions"


@pytest.fixture
def cycle(officer, manager, campaign, fund, registry, give, items, warehouse, stock):
    """10 M received; 3 poor persons approved for 500,000 đ, a gift and 10 kg of rice each,
    with exactly 3 gifts in the warehouse."""
    give(10_000_000)
    stock("gift", 3, 300_000)
    stock("rice", 100, 20_000)
    return approved_gift(officer, manager, campaign, fund, items, warehouse)


def line_of(cycle, ten):
    return cycle.recipients.get(person__ten=ten)


def test_the_cash_of_a_cancelled_line_goes_back_to_the_fund(officer, fund, cycle):
    assert balance_of(fund.pk, None).available == 8_500_000
    line = recipient_cancel(officer, line_of(cycle, "Bình"), reason="Người nhận đã mất")
    assert (line.status, line.cancel_reason) == (LineStatus.CANCELLED, "Người nhận đã mất")
    assert cycle.recipients.count() == 3  # kept, never deleted
    returned = AllocationReturn.objects.get()
    allocation = Allocation.objects.get()
    assert (returned.allocation, returned.amount, returned.distribution_line_id) == \
        (allocation, 500_000, line.pk)
    assert returned.returned_on == timezone.localdate()
    assert "Người nhận đã mất" in returned.reason
    assert allocation.amount == 1_500_000  # the approved allocation is not edited
    balance = balance_of(fund.pk, None)
    assert (balance.spent, balance.available) == (1_000_000, 9_000_000)
    event = AuditEvent.objects.filter(object_type="recipient", object_id=line.pk).latest("pk")
    assert event.changes["status"] == ["approved", "cancelled"]
    assert event.changes["returned_cash"] == 500_000
    assert event.changes["allocation_return"] == returned.pk


def test_its_goods_are_free_again_for_the_next_approval(officer, manager, campaign, fund,
                                                        registry, items, warehouse, cycle):
    rice = gift_cycle(officer, campaign, fund, name="Quà Rằm", components=[(items["gift"], 1)],
                      warehouse=warehouse, criteria={})
    rlist = list_submit(officer, recipient_add(officer, rice,
                                               person=registry["elderly"]).recipient_list)
    with pytest.raises(ValidationError) as exc:
        list_approve(manager, rlist)
    assert "3 đã dành cho danh sách đã duyệt" in exc.value.message_dict["stock"][0]
    recipient_cancel(officer, line_of(cycle, "Minh"), reason="Chuyển đi tỉnh khác")
    assert list_approve(manager, rlist).status == ListStatus.APPROVED


def test_the_monthly_statement_still_adds_up_and_matches_the_balance(officer, fund, cycle):
    today = timezone.localdate()
    recipient_cancel(officer, line_of(cycle, "Cúc"), reason="Gia đình từ chối nhận")
    rows = statement(fund, today.year, today.month)
    for r in rows:
        assert r.opening + r.receipts - r.reversals - r.allocations == r.closing
    assert sum(r.allocations for r in rows) == 1_000_000
    assert sum(r.closing for r in rows) == balance_of(fund.pk, None).available == 9_000_000
    january = statement(fund, 2026, 1)
    assert sum(r.closing for r in january) == 10_000_000


@pytest.mark.parametrize("subject", ["fund", "campaign"])
def test_a_snapshot_taken_before_the_cancellation_still_verifies(officer, fund, campaign,
                                                                 cycle, subject):
    target = {subject: fund if subject == "fund" else campaign}
    before = snapshot_publish(officer, **target)
    assert before.figures["spent"]["total"] == 1_500_000
    recipient_cancel(officer, line_of(cycle, "Bình"), reason="Người nhận đã mất")
    check = snapshot_verify(before)
    assert check.ok, check.differences
    after = snapshot_publish(officer, **target)
    assert after.figures["spent"]["total"] == 1_000_000
    assert after.figures["spent"]["parts"] == [{"label": "Tết nghĩa tình 2026" if subject
                                                == "fund" else fund.name,
                                                "amount": 1_000_000}]
    assert snapshot_verify(after).ok
    assert snapshot_verify(before).ok


def test_a_snapshot_published_before_returns_existed_still_verifies(officer, fund, cycle):
    """Marks stored before this kind of row existed carry no `allocation_return` mark; the
    published row is immutable, so its marks are changed on the object only."""
    snap = snapshot_publish(officer, fund=fund)
    marks = dict(snap.marks)
    marks.pop("allocation_return")
    snap.marks = marks
    recipient_cancel(officer, line_of(cycle, "Bình"), reason="Người nhận đã mất")
    assert snapshot_verify(snap).ok


def test_a_line_handed_out_cannot_be_cancelled(officer, fund, cycle):
    line = handout_record(officer, line_of(cycle, "Cúc"), proof_kind=ProofKind.SIGNATURE)
    with pytest.raises(ValidationError) as exc:
        recipient_cancel(officer, line, reason="Nhầm")
    assert "Đã nhận" in exc.value.message_dict["status"][0]
    line.refresh_from_db()
    assert line.status == LineStatus.HANDED_OUT
    assert not AllocationReturn.objects.exists()
    assert balance_of(fund.pk, None).available == 8_500_000


def test_a_line_is_cancelled_and_its_money_returned_once(officer, fund, cycle):
    line = line_of(cycle, "Cúc")
    recipient_cancel(officer, line, reason="Chuyển đi")
    with pytest.raises(ValidationError):
        recipient_cancel(officer, line, reason="Chuyển đi")
    assert AllocationReturn.objects.count() == 1
    assert balance_of(fund.pk, None).available == 9_000_000


def test_a_reason_is_required(officer, cycle):
    with pytest.raises(ValidationError) as exc:
        recipient_cancel(officer, line_of(cycle, "Cúc"), reason="  ")
    assert "reason" in exc.value.message_dict
    assert not AllocationReturn.objects.exists()


def test_a_package_without_cash_returns_nothing_but_frees_its_goods(officer, manager,
                                                                     campaign, fund,
                                                                     registry, items,
                                                                     warehouse, stock):
    stock("gift", 1)
    goods = gift_cycle(officer, campaign, fund, cash=0, components=[(items["gift"], 1)],
                       warehouse=warehouse)
    line = recipient_add(officer, goods, person=registry["orphan"])
    list_approve(manager, list_submit(officer, line.recipient_list))
    recipient_cancel(officer, line, reason="Từ chối nhận")
    assert not AllocationReturn.objects.exists()
    other = gift_cycle(officer, campaign, fund, cash=0, components=[(items["gift"], 1)],
                       warehouse=warehouse, name="Quà Rằm")
    again = recipient_add(officer, other, person=registry["elderly"], exception_reason="x")
    assert list_approve(manager, list_submit(officer, again.recipient_list)).status \
        == ListStatus.APPROVED


@pytest.mark.parametrize("who", ["case_worker", "foreign_officer", "commune_fund"])
def test_only_fund_staff_of_the_cycles_area_cancel(staff, fund, cycle, who):
    line = line_of(cycle, "Cúc")
    with pytest.raises(PermissionDenied):
        recipient_cancel(staff[who], line, reason="Chuyển đi")
    line.refresh_from_db()
    assert line.status == LineStatus.APPROVED
    assert not AllocationReturn.objects.exists()
    assert balance_of(fund.pk, None).available == 8_500_000


# ---------------------------------------------------------------------------- page and API

def test_the_cycle_page_cancels_an_approved_line_and_says_what_came_back(officer, cycle):
    client = Client()
    client.force_login(officer)
    line = line_of(cycle, "Cúc")
    page = client.get(reverse("distributions:cycle_detail", args=[cycle.pk])).content.decode()
    assert f'id="cancel-reason-{line.pk}"' in page
    response = client.post(reverse("distributions:recipient_cancel", args=[cycle.pk, line.pk]),
                           {"reason": "Đã chuyển đi"}, follow=True)
    assert "500.000 đ hoàn lại quỹ" in response.content.decode()
    line.refresh_from_db()
    assert line.status == LineStatus.CANCELLED


def test_the_api_cancels_and_refuses_what_may_not_be_cancelled(officer, staff, cycle):
    _, secret = ApiToken.issue(officer, name="test")
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    def cancel(line, body):
        return client.post(f"{BASE}/recipients/{line.pk}/cancel", body,
                           content_type="application/json")

    line = line_of(cycle, "Cúc")
    assert cancel(line, {}).status_code == 422
    done = cancel(line, {"reason": "Đã mất"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = cancel(line, {"reason": "Đã mất"})
    assert again.status_code == 422 and "status" in again.json()["error"]["fields"]
    handed = handout_record(officer, line_of(cycle, "Bình"), proof_kind=ProofKind.SIGNATURE)
    assert cancel(handed, {"reason": "Nhầm"}).status_code == 422
    assert AllocationReturn.objects.count() == 1
    assert cancel(line, {"reason": "x", "why": "y"}).status_code == 422


def test_the_day_of_the_return_is_the_day_of_the_cancellation(officer, cycle):
    recipient_cancel(officer, line_of(cycle, "Cúc"), reason="Chuyển đi")
    assert AllocationReturn.objects.get().returned_on == date.today()
