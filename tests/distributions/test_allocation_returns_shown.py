"""The returns of an allocation (hoàn chi) on its page, in the allocation list and in the
API: each dated with its amount and reason, the recipient whose share came back named to fund
staff of his area only, never the criterion he met; the total returned and what is left."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ansinh.access.models import ApiToken
from ansinh.distributions.services import (
    list_approve,
    list_submit,
    recipient_cancel,
    recipients_build,
)
from ansinh.funds.models import Allocation
from ansinh.funds.returns import HIDDEN_REASON, allocation_return, returns_by_allocation
from ansinh.funds.services import allocation_approve, allocation_prepare
from tests.conftest import make_user
from tests.distributions.helpers import approved_gift, gift_cycle

pytestmark = pytest.mark.django_db

URL = "/api/v1/funds/allocations"


@pytest.fixture
def cycle(officer, manager, campaign, fund, registry, give, items, warehouse, stock):
    """3 poor persons approved for 500,000 đ each (one allocation of 1,500,000 đ); Bình's
    share comes back: he died before the hand-out."""
    give(10_000_000)
    stock("gift", 3, 300_000)
    stock("rice", 100, 20_000)
    cycle = approved_gift(officer, manager, campaign, fund, items, warehouse)
    recipient_cancel(officer, cycle.recipients.get(person__ten="Bình"),
                     reason="Người nhận đã mất")
    return cycle


@pytest.fixture
def allocation(cycle):
    return Allocation.objects.get(distribution_list__cycle=cycle)


def page_of(user, allocation) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("funds:allocation_detail", args=[allocation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def api(user):
    _token, secret = ApiToken.issue(user, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_the_page_shows_each_return_its_recipient_and_what_is_left(officer, cycle,
                                                                    allocation):
    page = page_of(officer, allocation)
    returns = page[page.index('id="allocation-returns"'):]
    assert "Đã hoàn lại quỹ</dt><dd>500.000 đ" in returns
    assert "Còn lại sau hoàn</dt><dd><strong>1.000.000 đ" in returns
    assert f"<td>{timezone.localdate():%d/%m/%Y}</td>" in returns
    assert '<td class="num">500.000</td>' in returns
    assert "Người nhận đã mất" in returns  # the reason written at the cancellation
    link = reverse("distributions:cycle_detail", args=[cycle.pk])
    assert f'<a href="{link}">Nguyễn Văn Bình</a>' in returns
    assert "Hộ nghèo" not in page  # why he was on the list is never said here


def test_an_orphan_is_named_to_fund_staff_without_the_reason_she_qualified(
        officer, manager, campaign, fund, registry, give):
    give(10_000_000)
    cycle = gift_cycle(officer, campaign, fund, name="Học bổng 2026",
                       criteria={"groups": ["orphan"]})
    rlist = list_approve(manager, list_submit(officer, recipients_build(officer, cycle)[0]))
    recipient_cancel(officer, cycle.recipients.get(), reason="Chuyển trường")
    page = page_of(officer, rlist.allocation)
    assert "Nguyễn Thị Cúc</a>" in page
    assert "mồ côi" not in page and "Theo tiêu chí" not in page


def test_a_return_without_a_line_shows_its_reason_and_no_recipient(officer, manager, fund,
                                                                    give):
    give(5_000_000)
    spent = allocation_approve(manager, allocation_prepare(
        officer, fund=fund, amount=2_000_000, purpose="Học bổng", allocated_on=date(2026, 1, 20)))
    allocation_return(officer, spent, amount=300_000, reason="Không dùng hết",
                      returned_on=date(2026, 2, 3))
    returns = page_of(officer, spent).split('id="allocation-returns"')[1]
    assert "<td>03/02/2026</td>" in returns and "Không dùng hết" in returns
    assert "Còn lại sau hoàn</dt><dd><strong>1.700.000 đ" in returns
    assert "(ẩn)" not in returns and "distributions" not in returns


def test_an_allocation_without_returns_shows_no_return_section(officer, manager, fund, give):
    give(5_000_000)
    spent = allocation_approve(manager, allocation_prepare(officer, fund=fund, amount=100,
                                                           purpose="Quà"))
    assert 'id="allocation-returns"' not in page_of(officer, spent)


def test_the_list_shows_what_came_back_where_something_did(officer, manager, fund, give,
                                                           allocation):
    other = allocation_approve(manager, allocation_prepare(officer, fund=fund, amount=100,
                                                           purpose="Quà"))
    client = Client()
    client.force_login(officer)
    listed = client.get(reverse("funds:allocation_list")).content.decode()
    assert f'id="returned-{allocation.pk}">đã hoàn 500.000</span>' in listed
    assert f'id="returned-{other.pk}"' not in listed


def test_another_provinces_fund_staff_still_get_404(staff, allocation):
    client = Client()
    client.force_login(staff["foreign_manager"])
    assert client.get(reverse("funds:allocation_detail",
                              args=[allocation.pk])).status_code == 404
    assert api(staff["foreign_manager"]).get(f"{URL}/{allocation.pk}").status_code == 404
    listed = api(staff["foreign_officer"]).get(URL).json()
    assert allocation.pk not in [a["id"] for a in listed["items"]]


def test_the_api_adds_returned_and_the_returns(officer, cycle, allocation):
    line = cycle.recipients.get(person__ten="Bình")
    body = api(officer).get(f"{URL}/{allocation.pk}").json()
    assert (body["amount"], body["returned"], body["status"]) == (1_500_000, 500_000,
                                                                  "approved")
    [returned] = body["returns"]
    assert returned["amount"] == 500_000
    assert returned["returned_on"] == timezone.localdate().isoformat()
    assert returned["reason"].endswith("Người nhận đã mất")
    assert (returned["distribution_line_id"], returned["cycle_id"]) == (line.pk, cycle.pk)
    assert (returned["recipient_name"], returned["household_code"]) == ("Nguyễn Văn Bình",
                                                                        None)
    assert returned["hidden"] is False
    assert "basis" not in returned
    listed = api(officer).get(URL).json()["items"]
    assert [(a["id"], a["returned"]) for a in listed] == [(allocation.pk, 500_000)]


def test_the_api_withholds_the_name_from_a_viewer_without_the_fund_right(geo, allocation):
    auditor = make_user("kiemtoan", "auditor", geo["province"])
    response = api(auditor).get(f"{URL}/{allocation.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["returned"] == 500_000
    [returned] = body["returns"]
    assert returned["hidden"] is True
    assert (returned["recipient_name"], returned["cycle_id"]) == (None, None)
    assert returned["reason"] == HIDDEN_REASON
    assert "Bình" not in response.content.decode()


def test_a_household_line_is_named_by_its_code_and_head(officer, manager, campaign, fund,
                                                        registry, give):
    give(10_000_000)
    cycle = gift_cycle(officer, campaign, fund, name="Quà hộ", unit="household",
                       criteria={"poverty": ["near_poor"]})
    rlist = list_approve(manager, list_submit(officer, recipients_build(officer, cycle)[0]))
    recipient_cancel(officer, cycle.recipients.get(), reason="Chuyển đi")
    [returned] = returns_by_allocation(officer, [rlist.allocation_id])[rlist.allocation_id]
    assert (returned["household_code"], returned["recipient_name"]) == ("BD-002",
                                                                        "Nguyễn Văn Dũng")
    page = page_of(officer, rlist.allocation)
    assert "Hộ BD-002 – Nguyễn Văn Dũng</a>" in page


def test_a_commune_fund_officer_sees_only_the_lines_of_his_commune(staff, fund, registry,
                                                                   officer, manager, campaign,
                                                                   give):
    """The province's allocation is not his to view; the names follow the lines' areas."""
    give(10_000_000)
    cycle = gift_cycle(officer, campaign, fund, name="Quà Rằm")
    rlist = list_approve(manager, list_submit(officer, recipients_build(officer, cycle)[0]))
    for line in cycle.recipients.filter(person__ten__in=["Bình", "Minh"]):
        recipient_cancel(officer, line, reason="Từ chối nhận")
    rows = returns_by_allocation(staff["commune_fund"], [rlist.allocation_id])
    named = {r["recipient_name"]: r["hidden"] for r in rows[rlist.allocation_id]}
    assert named == {"Nguyễn Văn Bình": False, None: True}  # Minh lives in Ngọc Hà
    everything = returns_by_allocation(officer, [rlist.allocation_id])[rlist.allocation_id]
    assert sorted(r["recipient_name"] for r in everything) == ["Nguyễn Văn Bình",
                                                               "Nguyễn Văn Minh"]
