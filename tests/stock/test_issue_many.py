"""Many hand-outs of one item at once (`stock_issue_many`): the same movements, lots and audit
rows as `stock_issue` called for each in turn, and nothing written when any is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.stock.choices import MovementKind
from ansinh.stock.models import StockLot, StockMovement
from ansinh.stock.services import Issue, stock_issue, stock_issue_many, stock_receive
from tests.stock.conftest import _person

TODAY = timezone.localdate()
SOON, LATE = TODAY + timedelta(days=10), TODAY + timedelta(days=90)


class Rollback(Exception):
    pass


def receive(staff, houses, items, item, quantity, unit_value, expiry_date=None):
    return stock_receive(staff["province"], warehouse=houses["central"], item=items[item],
                         quantity=quantity, unit_value=unit_value, expiry_date=expiry_date,
                         donor_name="Công ty Vinamilk")


@pytest.fixture
def milk(staff, houses, items):
    """Three lots of milk whose values do not divide evenly: 4 boxes expiring soon (2 at
    100,000 đ and 2 at 150,001 đ), 6 later, and 5 that expired yesterday."""
    receive(staff, houses, items, "milk", 2, 100_000, SOON)
    receive(staff, houses, items, "milk", 2, 150_001, SOON)
    receive(staff, houses, items, "milk", 6, 90_000, LATE)
    receive(staff, houses, items, "milk", 5, 80_000, TODAY)
    StockLot.objects.filter(expiry_date=TODAY).update(expiry_date=TODAY - timedelta(days=1))
    return items["milk"]


@pytest.fixture
def people(geo):
    return [_person(geo["commune"], ten) for ten in ("An", "Bình", "Cúc", "Dũng")]


def issues_for(people):
    """Quantities that make issues cross from one lot into the next."""
    return [Issue(3, people[0], 101, "Quà Tết – danh sách số 1"),
            Issue(2, people[1], 102, "  Quà Tết – danh sách số 1 "),
            Issue(1, None, 103, ""),
            Issue(3, people[3], 104, "Quà Tết – danh sách số 2")]


def written(since_id: int):
    """The issue movements written after `since_id`, their audit rows' changes, and every
    lot's quantity and value."""
    movements = StockMovement.objects.filter(pk__gt=since_id, kind=MovementKind.ISSUE)
    rows = sorted(movements.values_list(
        "item_id", "expiry_date", "quantity", "value", "unit_value", "recipient_id",
        "distribution_line_id", "note", "occurred_on", "warehouse_id", "commune_id",
        "province_id", "created_by_id"), key=repr)
    changes = sorted((AuditEvent.objects.filter(object_type="stockmovement",
                                                object_id__in=movements.values("pk"))
                      .values_list("changes", "commune_id", "province_id", "action")), key=repr)
    lots = sorted(StockLot.objects.values_list("pk", "quantity", "value"))
    return rows, changes, lots


def test_it_writes_what_issuing_one_by_one_writes(staff, houses, milk, people):
    user, house = staff["province"], houses["central"]
    start = StockMovement.objects.latest("pk").pk
    try:
        with transaction.atomic():
            for issue in issues_for(people):
                stock_issue(user, warehouse=house, item=milk, quantity=issue.quantity,
                            recipient=issue.recipient, note=issue.note,
                            distribution_line_id=issue.distribution_line_id)
            one_by_one = written(start)
            raise Rollback
    except Rollback:
        pass
    assert written(start)[0] == []  # rolled back

    movements = stock_issue_many(user, warehouse=house, item=milk, issues=issues_for(people))
    assert written(start) == one_by_one
    # The issues cross lots: 3 soon; 1 soon + 1 late; 1 late; 3 late. The soon lot's
    # 500,002 đ leave in proportion (3/4, rounded down), the rest with its last box.
    assert [(m.distribution_line_id, m.expiry_date, m.quantity, m.value) for m in movements] == [
        (101, SOON, 3, 375_001), (102, SOON, 1, 125_001), (102, LATE, 1, 90_000),
        (103, LATE, 1, 90_000), (104, LATE, 3, 270_000)]
    assert movements[1].note == "Quà Tết – danh sách số 1"
    lots = dict(StockLot.objects.values_list("expiry_date", "quantity"))
    assert lots == {SOON: 0, LATE: 1, TODAY - timedelta(days=1): 5}  # expired lot untouched
    assert all(m.pk for m in movements)


def test_not_enough_stock_refuses_the_whole_set_and_writes_nothing(staff, houses, milk, people):
    before = (StockMovement.objects.count(), AuditEvent.objects.count(),
              sorted(StockLot.objects.values_list("pk", "quantity", "value")))
    issues = [*issues_for(people), Issue(2, people[2], 105)]  # 11 wanted, 10 not expired
    with pytest.raises(ValidationError) as excinfo:
        stock_issue_many(staff["province"], warehouse=houses["central"], item=milk,
                         issues=issues)
    # The single hand-out's message, for the sum asked.
    assert excinfo.value.message_dict["quantity"] == [
        "Không đủ hàng trong kho: còn 10 thùng Sữa hộp có thể xuất, yêu cầu 11."]
    assert (StockMovement.objects.count(), AuditEvent.objects.count(),
            sorted(StockLot.objects.values_list("pk", "quantity", "value"))) == before


def test_a_refused_issue_refuses_the_set(staff, houses, milk, people, foreign_person):
    count = StockMovement.objects.count()
    user, house = staff["province"], houses["central"]
    with pytest.raises(ValidationError) as excinfo:
        stock_issue_many(user, warehouse=house, item=milk,
                         issues=[Issue(1, people[0], 1), Issue(0, people[1], 2),
                                 Issue(1, None, None)])
    assert set(excinfo.value.message_dict) == {"quantity", "recipient"}
    with pytest.raises(PermissionDenied):
        stock_issue_many(user, warehouse=house, item=milk,
                         issues=[Issue(1, people[0], 1), Issue(1, foreign_person, 2)])
    assert StockMovement.objects.count() == count
    assert stock_issue_many(user, warehouse=house, item=milk, issues=[]) == []
