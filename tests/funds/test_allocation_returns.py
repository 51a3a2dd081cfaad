"""Hoàn chi: part of an approved allocation back to its pot, as its own dated row. The
allocation stays as approved; balances, the monthly statement and the donor report count the
return from its own date, and months before it read as they did."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from ansinh.funds.models import AllocationReturn, ImmutableError
from ansinh.funds.reports.donor import donor_use
from ansinh.funds.reports.monthly import statement
from ansinh.funds.returns import allocation_return
from ansinh.funds.selectors import balance_of, fund_balances
from ansinh.funds.services import allocation_approve, allocation_prepare, restriction_create

pytestmark = pytest.mark.django_db

FEB, MARCH = date(2026, 2, 10), date(2026, 3, 5)


@pytest.fixture
def spent(fund_users, officer, fund, give):
    """20 M received in January; 6 M spent on 10 February."""
    give(20_000_000)
    allocation = allocation_prepare(officer, fund=fund, amount=6_000_000, allocated_on=FEB,
                                    purpose="Quà Tết 12 hộ")
    return allocation_approve(fund_users["manager"], allocation)


def totals(rows):
    return {k: sum(getattr(r, k) for r in rows)
            for k in ("opening", "receipts", "reversals", "allocations", "closing")}


def test_a_return_gives_money_back_to_the_pot_and_keeps_the_allocation(officer, fund, spent):
    assert balance_of(fund.pk, None).available == 14_000_000
    row = allocation_return(officer, spent, amount=500_000, reason="Người nhận đã mất",
                            returned_on=MARCH, distribution_line_id=77)
    assert (row.fund_id, row.restriction_id, row.amount) == (fund.pk, None, 500_000)
    spent.refresh_from_db()
    assert (spent.amount, spent.status) == (6_000_000, "approved")
    balance = balance_of(fund.pk, None)
    assert (balance.spent, balance.available) == (5_500_000, 14_500_000)
    pot = fund_balances(officer, fund)[0]
    assert (pot["spent"], pot["available"]) == (5_500_000, 14_500_000)


def test_the_statement_shows_the_return_in_its_own_month_and_still_adds_up(officer, fund,
                                                                          spent):
    february_before = totals(statement(fund, 2026, 2))
    allocation_return(officer, spent, amount=500_000, reason="Chuyển đi nơi khác",
                      returned_on=MARCH)
    february, march = totals(statement(fund, 2026, 2)), totals(statement(fund, 2026, 3))
    assert february == february_before  # a month already reported does not move
    assert february["allocations"] == 6_000_000 and march["allocations"] == -500_000
    for month in (february, march):
        assert month["opening"] + month["receipts"] - month["reversals"] \
            - month["allocations"] == month["closing"]
    assert march["opening"] == february["closing"]
    assert march["closing"] == balance_of(fund.pk, None).available == 14_500_000


def test_the_donor_report_counts_only_what_was_not_returned(officer, fund, donor, spent):
    allocation_return(officer, spent, amount=500_000, reason="Từ chối nhận",
                      returned_on=MARCH)
    before, after = donor_use(donor, date(2026, 2, 28)), donor_use(donor, date(2026, 3, 31))
    assert before["used"] == 6_000_000
    assert after["used"] == 5_500_000 and after["remaining"] == 14_500_000


def test_never_more_than_what_is_left_of_the_allocation(officer, spent):
    allocation_return(officer, spent, amount=5_000_000, reason="Không dùng hết")
    with pytest.raises(ValidationError) as exc:
        allocation_return(officer, spent, amount=1_000_001, reason="Không dùng hết")
    assert "chỉ còn 1.000.000 đ" in exc.value.message_dict["amount"][0]
    assert AllocationReturn.objects.count() == 1


def test_it_refuses_bad_input_and_a_pending_allocation(officer, fund, spent):
    pending = allocation_prepare(officer, fund=fund, amount=1_000_000, purpose="Chờ duyệt")
    cases = [
        (spent, {"amount": 0, "reason": "x"}, "amount"),
        (spent, {"amount": 100, "reason": " "}, "reason"),
        (spent, {"amount": 100, "reason": "x", "returned_on": date(2026, 2, 1)},
         "returned_on"),
        (pending, {"amount": 100, "reason": "x"}, "allocation"),
    ]
    for allocation, kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            allocation_return(officer, allocation, **kwargs)
        assert field in exc.value.message_dict
    assert not AllocationReturn.objects.exists()


def test_a_return_is_final(officer, spent):
    row = allocation_return(officer, spent, amount=100, reason="x")
    with pytest.raises(ImmutableError):
        row.save()
    with pytest.raises(ImmutableError):
        row.delete()


def test_one_return_per_distribution_line(officer, spent):
    from django.db import IntegrityError, transaction

    allocation_return(officer, spent, amount=100, reason="x", distribution_line_id=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        allocation_return(officer, spent, amount=100, reason="x", distribution_line_id=5)


def test_a_restricted_pot_gets_its_own_money_back(officer, fund, fund_users, donor, give):
    scholarship = restriction_create(officer, fund=fund, kind="purpose",
                                     description="Học bổng", donor=donor)
    give(3_000_000, restriction=scholarship)
    allocation = allocation_approve(fund_users["manager"], allocation_prepare(
        officer, fund=fund, amount=3_000_000, restriction=scholarship, purpose="Học bổng"))
    allocation_return(officer, allocation, amount=1_000_000, reason="Học sinh chuyển trường")
    assert balance_of(fund.pk, scholarship.pk).available == 1_000_000
    assert balance_of(fund.pk, None).available == 0


def test_only_fund_staff_of_the_allocations_area_return(fund_users, users, spent):
    for user in (fund_users["foreign_officer"], users["commune_officer"],
                 users["auditor"]):
        with pytest.raises(PermissionDenied):
            allocation_return(user, spent, amount=100, reason="x")
    assert not AllocationReturn.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_the_database_refuses_to_change_or_delete_a_return(officer, spent):
    from django.db import DatabaseError, transaction

    row = allocation_return(officer, spent, amount=100, reason="x")
    for change in (lambda: AllocationReturn.objects.filter(pk=row.pk).update(amount=1),
                   lambda: AllocationReturn.objects.filter(pk=row.pk)._raw_delete("default")):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert AllocationReturn.objects.get(pk=row.pk).amount == 100
