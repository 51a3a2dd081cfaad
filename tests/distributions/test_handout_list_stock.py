"""The goods of a whole-list hand-out: issued set-wise, they are exactly what issuing each
line's package with `stock_issue`, line by line, would have written."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.distributions.choices import LineStatus
from ansinh.distributions.handouts import handout_record_list
from ansinh.stock.choices import Category, MovementKind, Unit
from ansinh.stock.models import StockLot, StockMovement
from ansinh.stock.services import item_create, stock_issue, stock_receive
from tests.distributions.conftest import RECEIVED
from tests.distributions.helpers import approved_gift

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SOON, LATE = TODAY + timedelta(days=10), TODAY + timedelta(days=90)


class Rollback(Exception):
    pass


def scan():
    return SimpleUploadedFile("danh-sach-da-ky.pdf", b"%PDF-1.4\n" + b"0" * 200,
                              content_type="application/pdf")


@pytest.fixture
def goods(officer, warehouse, items):
    """Gifts: 2 in a lot with an expiry date (they go first), 4 undated. Rice is perishable
    here, so it is counted in lots too: 14 kg expiring soon (whose value does not divide
    evenly), 20 kg later."""
    gift, rice = items["gift"], item_create(officer, name="Gạo nếp", unit=Unit.KG,
                                            category=Category.FOOD, perishable=True)

    def put(item, quantity, unit_value, expiry_date=None):
        stock_receive(officer, warehouse=warehouse, item=item, quantity=quantity,
                      unit_value=unit_value, expiry_date=expiry_date, received_on=RECEIVED,
                      donor_name="Công ty Cổ phần Bình Minh")

    put(gift, 2, 310_000, SOON)
    put(gift, 4, 300_000)
    put(rice, 7, 20_000, SOON)
    put(rice, 7, 21_001, SOON)
    put(rice, 20, 19_000, LATE)
    return {"gift": gift, "rice": rice}


@pytest.fixture
def cycle(officer, manager, campaign, fund, registry, give, goods, warehouse):
    """The 3 poor persons, each to receive a gift and 10 kg of rice."""
    give(10_000_000)
    return approved_gift(officer, manager, campaign, fund, goods, warehouse)


def written(cycle):
    """The cycle's issue movements (what, from which lot, how much, worth, to whom, for which
    line), their audit rows' changes, and what every lot holds."""
    movements = StockMovement.objects.filter(kind=MovementKind.ISSUE,
                                             distribution_line_id__in=cycle.recipients.values("pk"))
    rows = sorted(movements.values_list(
        "item_id", "expiry_date", "quantity", "value", "unit_value", "recipient_id",
        "distribution_line_id", "note", "occurred_on"), key=repr)
    audited = sorted(AuditEvent.objects.filter(object_type="stockmovement",
                                               object_id__in=movements.values("pk"))
                     .values_list("changes", flat=True), key=repr)
    lots = sorted(StockLot.objects.values_list("item_id", "expiry_date", "quantity", "value"),
                  key=repr)
    return rows, audited, lots


def test_the_goods_are_what_issuing_line_by_line_writes(officer, cycle, goods):
    lines = list(cycle.recipients.select_related("person", "recipient_list").order_by("pk"))
    components = list(cycle.items.select_related("item").order_by("item_id"))
    try:
        with transaction.atomic():
            # What the hand-out did before it issued set-wise: each line, each item in turn.
            for line in lines:
                for comp in components:
                    stock_issue(officer, warehouse=cycle.warehouse, item=comp.item,
                                quantity=comp.quantity, recipient=line.person,
                                distribution_line_id=line.pk,
                                note=f"{cycle.name} – danh sách số {line.recipient_list.number}")
            one_by_one = written(cycle)
            raise Rollback
    except Rollback:
        pass
    assert written(cycle)[0] == []

    assert handout_record_list(officer, cycle, proof=scan())["handed_out"] == 3
    assert written(cycle) == one_by_one
    rows, _audited, lots = one_by_one
    # Lines crossed lots (the 2 dated gifts, then an undated one; 14 kg of rice then 16 kg
    # from the later lot), so the comparison covers the picking order and the values.
    # The soon rice lot's 287,007 đ leave in proportion (10/14, rounded down), the rest with
    # its last kilogram.
    gift, rice = goods["gift"].pk, goods["rice"].pk
    assert sorted(((r[0], r[1], r[2], r[3]) for r in rows), key=repr) == sorted([
        (gift, SOON, 1, 310_000), (gift, SOON, 1, 310_000), (gift, None, 1, 300_000),
        (rice, SOON, 10, 205_005), (rice, SOON, 4, 82_002), (rice, LATE, 6, 114_000),
        (rice, LATE, 10, 190_000)], key=repr)
    assert (gift, None, 3, 900_000) in lots and (rice, LATE, 4, 76_000) in lots


def test_not_enough_stock_for_the_list_writes_nothing(officer, cycle, goods, warehouse):
    from ansinh.stock.services import stock_write_off

    stock_write_off(officer, warehouse=warehouse, item=goods["rice"], quantity=5,
                    reason="damaged")  # 29 kg left for 30
    lots = sorted(StockLot.objects.values_list("pk", "quantity", "value"))
    with pytest.raises(ValidationError) as excinfo:
        handout_record_list(officer, cycle, proof=scan())
    assert excinfo.value.message_dict["quantity"] == [
        "Không đủ hàng trong kho: còn 29 kg Gạo nếp có thể xuất, yêu cầu 30."]
    assert sorted(StockLot.objects.values_list("pk", "quantity", "value")) == lots
    assert written(cycle)[0] == [] and written(cycle)[1] == []
    assert set(cycle.recipients.values_list("status", flat=True)) == {LineStatus.APPROVED}
