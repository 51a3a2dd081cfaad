"""Receiving, moving, handing out and writing off goods: balances, values, lots and refusals."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.stock.choices import MovementKind, ReceiptSource, WriteOffReason
from ansinh.stock.models import AppendOnlyError, StockLot, StockMovement
from ansinh.stock.selectors import balance_list, balance_of, lots_expiring, movement_list
from ansinh.stock.services import (
    stock_issue,
    stock_receive,
    stock_transfer,
    stock_write_off,
)

TODAY = timezone.localdate()


def receive(staff, houses, items, item="gift", house="central", quantity=10, **kw):
    kw.setdefault("donor_name", "Công ty Vinamilk")
    kw.setdefault("unit_value", 300_000)
    return stock_receive(staff["province"], warehouse=houses[house], item=items[item],
                         quantity=quantity, **kw)


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_it_receives_goods_and_books_their_value(staff, houses, items):
    movement = receive(staff, houses, items, quantity=5_500, source_receipt_line_id=42)
    assert movement.kind == MovementKind.RECEIVE
    assert movement.value == 5_500 * 300_000
    assert movement.source == ReceiptSource.DONATION
    assert movement.source_receipt_line_id == 42
    assert movement.province_id == houses["central"].province_id
    assert balance_of(staff["province"], houses["central"], items["gift"]) == (
        5_500, 1_650_000_000)


def test_every_movement_is_audited(staff, houses, items, person):
    receive(staff, houses, items, quantity=3)
    stock_transfer(staff["province"], source=houses["central"], destination=houses["badinh"],
                   item=items["gift"], quantity=2)
    stock_issue(staff["province"], warehouse=houses["badinh"], item=items["gift"], quantity=1,
                recipient=person)
    ids = set(StockMovement.objects.values_list("id", flat=True))
    audited = set(AuditEvent.objects.filter(object_type="stockmovement")
                  .values_list("object_id", flat=True))
    assert len(ids) == 4 and audited == ids
    event = AuditEvent.objects.get(object_type="stockmovement", changes__kind="issue")
    assert event.changes["recipient"] == person.pk
    assert event.commune_id == houses["badinh"].commune_id


def test_a_transfer_writes_one_movement_out_and_one_in(staff, houses, items):
    receive(staff, houses, items, quantity=10)
    out, into = stock_transfer(staff["province"], source=houses["central"],
                               destination=houses["badinh"], item=items["gift"], quantity=4)
    assert (out.kind, into.kind) == (MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN)
    assert out.transfer_key == into.transfer_key
    assert out.counterpart == houses["badinh"] and into.counterpart == houses["central"]
    assert out.value == into.value == 4 * 300_000
    user = staff["province"]
    assert balance_of(user, houses["central"], items["gift"]) == (6, 1_800_000)
    assert balance_of(user, houses["badinh"], items["gift"]) == (4, 1_200_000)


def test_it_hands_out_to_a_registered_person(staff, houses, items, person):
    receive(staff, houses, items, house="badinh", quantity=2)
    [movement] = stock_issue(staff["commune"], warehouse=houses["badinh"], item=items["gift"],
                             quantity=1, recipient=person, distribution_line_id=7)
    assert movement.recipient == person and movement.distribution_line_id == 7
    assert movement.value == 300_000
    assert balance_of(staff["commune"], houses["badinh"], items["gift"]) == (1, 300_000)


def test_the_last_unit_carries_the_rest_of_the_value(staff, houses, items, person):
    # 1 kg at 100.000 đ and 2 kg at 150.000 đ: 3 kg worth 400.000 đ, which does not divide
    # evenly; every đồng must still leave with the goods.
    receive(staff, houses, items, item="rice", quantity=1, unit_value=100_000)
    receive(staff, houses, items, item="rice", quantity=2, unit_value=150_000)
    values = [m.value for _ in range(3) for m in stock_issue(
        staff["province"], warehouse=houses["central"], item=items["rice"], quantity=1,
        recipient=person)]
    assert values == [133_333, 133_333, 133_334]
    assert balance_of(staff["province"], houses["central"], items["rice"]) == (0, 0)


def test_it_refuses_a_hand_out_larger_than_the_stock(staff, houses, items, person):
    receive(staff, houses, items, quantity=2)
    with pytest.raises(ValidationError) as excinfo:
        stock_issue(staff["province"], warehouse=houses["central"], item=items["gift"],
                    quantity=3, recipient=person)
    assert "còn 2" in field_errors(excinfo)["quantity"][0]
    assert balance_of(staff["province"], houses["central"], items["gift"]) == (2, 600_000)
    assert not StockMovement.objects.filter(kind=MovementKind.ISSUE).exists()


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", True])
def test_it_refuses_a_quantity_that_is_not_a_positive_integer(staff, houses, items, quantity):
    with pytest.raises(ValidationError) as excinfo:
        receive(staff, houses, items, quantity=quantity)
    assert "Số lượng" in field_errors(excinfo)["quantity"][0]
    assert not StockLot.objects.exists() and not StockMovement.objects.exists()


def test_it_refuses_dates_in_the_future(staff, houses, items, person):
    tomorrow = TODAY + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        receive(staff, houses, items, received_on=tomorrow)
    assert "sau ngày hôm nay" in field_errors(excinfo)["received_on"][0]
    receive(staff, houses, items)
    with pytest.raises(ValidationError) as excinfo:
        stock_issue(staff["province"], warehouse=houses["central"], item=items["gift"],
                    quantity=1, recipient=person, issued_on=tomorrow)
    assert "issued_on" in field_errors(excinfo)


def test_perishables_need_an_expiry_date_that_has_not_passed(staff, houses, items):
    with pytest.raises(ValidationError) as excinfo:
        receive(staff, houses, items, item="milk")
    assert "hạn sử dụng" in field_errors(excinfo)["expiry_date"][0]
    with pytest.raises(ValidationError) as excinfo:
        receive(staff, houses, items, item="milk", expiry_date=TODAY - timedelta(days=1))
    assert "đã qua" in field_errors(excinfo)["expiry_date"][0]
    assert not StockMovement.objects.exists()


def test_it_refuses_a_transfer_to_the_same_warehouse(staff, houses, items):
    receive(staff, houses, items)
    with pytest.raises(ValidationError) as excinfo:
        stock_transfer(staff["province"], source=houses["central"],
                       destination=houses["central"], item=items["gift"], quantity=1)
    assert "khác kho xuất" in field_errors(excinfo)["destination"][0]


def test_a_donation_names_its_donor(staff, houses, items):
    with pytest.raises(ValidationError) as excinfo:
        receive(staff, houses, items, donor_name="  ")
    assert "nhà tài trợ" in field_errors(excinfo)["donor_name"][0]


def test_a_failed_transfer_leaves_nothing_half_written(staff, houses, items):
    receive(staff, houses, items, quantity=3)
    with pytest.raises(ValidationError):
        stock_transfer(staff["province"], source=houses["central"],
                       destination=houses["badinh"], item=items["gift"], quantity=4)
    assert StockMovement.objects.count() == 1
    assert balance_of(staff["province"], houses["badinh"], items["gift"]) == (0, 0)
    assert balance_of(staff["province"], houses["central"], items["gift"]) == (3, 900_000)


def test_perishables_leave_first_expiry_first_out(staff, houses, items, person):
    late, soon = TODAY + timedelta(days=90), TODAY + timedelta(days=10)
    receive(staff, houses, items, item="milk", quantity=5, expiry_date=late)
    receive(staff, houses, items, item="milk", quantity=3, expiry_date=soon)
    movements = stock_issue(staff["province"], warehouse=houses["central"], item=items["milk"],
                            quantity=4, recipient=person)
    assert [(m.expiry_date, m.quantity) for m in movements] == [(soon, 3), (late, 1)]
    lots = dict(StockLot.objects.values_list("expiry_date", "quantity"))
    assert lots == {soon: 0, late: 4}


def test_a_transfer_keeps_each_lot_expiry_date(staff, houses, items):
    late, soon = TODAY + timedelta(days=90), TODAY + timedelta(days=10)
    receive(staff, houses, items, item="milk", quantity=2, expiry_date=late)
    receive(staff, houses, items, item="milk", quantity=2, expiry_date=soon)
    movements = stock_transfer(staff["province"], source=houses["central"],
                               destination=houses["badinh"], item=items["milk"], quantity=3)
    assert len(movements) == 4
    arrived = dict(StockLot.objects.filter(warehouse=houses["badinh"])
                   .values_list("expiry_date", "quantity"))
    assert arrived == {soon: 2, late: 1}


def test_expired_goods_are_not_handed_out_but_can_be_written_off(
        staff, houses, items, person):
    receive(staff, houses, items, item="milk", quantity=4, expiry_date=TODAY)
    # Receipts refuse past dates, so age the lot directly: it expired yesterday.
    StockLot.objects.update(expiry_date=TODAY - timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        stock_issue(staff["province"], warehouse=houses["central"], item=items["milk"],
                    quantity=1, recipient=person)
    assert "còn 0" in field_errors(excinfo)["quantity"][0]
    [written] = stock_write_off(staff["province"], warehouse=houses["central"],
                                item=items["milk"], quantity=4, reason=WriteOffReason.EXPIRED)
    assert written.kind == MovementKind.WRITE_OFF and written.write_off_reason == "expired"
    assert balance_of(staff["province"], houses["central"], items["milk"]) == (0, 0)


def test_a_write_off_needs_a_reason(staff, houses, items):
    receive(staff, houses, items)
    with pytest.raises(ValidationError) as excinfo:
        stock_write_off(staff["province"], warehouse=houses["central"], item=items["gift"],
                        quantity=1, reason="")
    assert "lý do" in field_errors(excinfo)["reason"][0]
    with pytest.raises(ValidationError) as excinfo:
        stock_write_off(staff["province"], warehouse=houses["central"], item=items["gift"],
                        quantity=1, reason=WriteOffReason.OTHER)
    assert "note" in field_errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        stock_write_off(staff["province"], warehouse=houses["central"], item=items["gift"],
                        quantity=11, reason=WriteOffReason.DAMAGED)
    assert "quantity" in field_errors(excinfo)


def test_a_hand_out_needs_a_recipient(staff, houses, items):
    receive(staff, houses, items)
    with pytest.raises(ValidationError) as excinfo:
        stock_issue(staff["province"], warehouse=houses["central"], item=items["gift"],
                    quantity=1)
    assert "người nhận" in field_errors(excinfo)["recipient"][0]


def test_movements_are_append_only(staff, houses, items):
    movement = receive(staff, houses, items)
    movement.quantity = 1000
    with pytest.raises(AppendOnlyError):
        movement.save()
    with pytest.raises(AppendOnlyError):
        movement.delete()


def test_balances_and_history_read_back(staff, houses, items, person):
    receive(staff, houses, items, quantity=10)
    receive(staff, houses, items, item="rice", quantity=100, unit_value=20_000,
            source=ReceiptSource.PURCHASE, donor_name="")
    stock_issue(staff["province"], warehouse=houses["central"], item=items["gift"],
                quantity=4, recipient=person)
    rows = {r["item__name"]: (r["quantity"], r["value"])
            for r in balance_list(staff["province"], warehouse=houses["central"])}
    assert rows == {"Quà Tết": (6, 1_800_000), "Gạo": (100, 2_000_000)}
    history = movement_list(staff["province"], item=items["gift"])
    assert [m.kind for m in history] == [MovementKind.ISSUE, MovementKind.RECEIVE]
    assert movement_list(staff["province"], kind=MovementKind.ISSUE,
                         since=TODAY + timedelta(days=1)).count() == 0


def test_it_lists_lots_expiring_soon(staff, houses, items):
    receive(staff, houses, items, item="milk", quantity=2, expiry_date=TODAY + timedelta(days=5))
    receive(staff, houses, items, item="milk", quantity=2,
            expiry_date=TODAY + timedelta(days=60))
    soon = lots_expiring(staff["province"], days=30)
    assert [lot.expiry_date for lot in soon] == [TODAY + timedelta(days=5)]
    assert lots_expiring(staff["province"], days=90).count() == 2
    assert lots_expiring(staff["foreign"], days=90).count() == 0


def test_the_lot_table_refuses_a_negative_balance(staff, houses, items):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    receive(staff, houses, items, quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLot.objects.update(quantity=F("quantity") - 2)


def test_old_dates_are_accepted(staff, houses, items):
    # Paper records of last year's Tết are entered late; only future dates are refused.
    movement = receive(staff, houses, items, received_on=date(2025, 1, 20))
    assert movement.occurred_on == date(2025, 1, 20)
