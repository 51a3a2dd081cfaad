"""Who may see and move which goods: the `funds` right, held on the warehouse's area."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ansinh.stock.choices import Category, Unit, WriteOffReason
from ansinh.stock.models import StockMovement
from ansinh.stock.selectors import balance_list, lots_expiring, movement_list, warehouse_list
from ansinh.stock.services import (
    item_create,
    stock_issue,
    stock_receive,
    stock_transfer,
    stock_write_off,
    warehouse_create,
)


@pytest.fixture
def stocked(staff, houses, items):
    for house in ("central", "badinh", "ngocha"):
        stock_receive(staff["province"], warehouse=houses[house], item=items["gift"],
                      quantity=10, unit_value=300_000, donor_name="Ngân hàng BIDV")
    return houses


def test_a_fund_officer_of_another_province_sees_nothing(staff, stocked):
    foreign = staff["foreign"]
    assert list(warehouse_list(foreign)) == [stocked["haiphong"]]
    assert not balance_list(foreign).exists()
    assert not movement_list(foreign).exists()
    assert not lots_expiring(foreign, days=10_000).exists()


def test_a_fund_officer_of_another_province_cannot_move_stock(staff, stocked, items, person):
    foreign, gift = staff["foreign"], items["gift"]
    calls = [
        lambda: stock_receive(foreign, warehouse=stocked["central"], item=gift, quantity=1,
                              donor_name="X"),
        lambda: stock_issue(foreign, warehouse=stocked["central"], item=gift, quantity=1,
                            recipient=person),
        lambda: stock_transfer(foreign, source=stocked["central"],
                               destination=stocked["haiphong"], item=gift, quantity=1),
        lambda: stock_write_off(foreign, warehouse=stocked["central"], item=gift, quantity=1,
                                reason=WriteOffReason.DAMAGED),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert StockMovement.objects.count() == 3


def test_a_commune_officer_without_funds_cannot_record_movements(staff, stocked, items, person):
    officer, gift = staff["commune_officer"], items["gift"]
    with pytest.raises(PermissionDenied):
        stock_receive(officer, warehouse=stocked["badinh"], item=gift, quantity=1,
                      donor_name="X")
    with pytest.raises(PermissionDenied):
        stock_issue(officer, warehouse=stocked["badinh"], item=gift, quantity=1,
                    recipient=person)
    with pytest.raises(PermissionDenied):
        item_create(officer, name="Mì gói", unit=Unit.THUNG, category=Category.FOOD)
    with pytest.raises(PermissionDenied):
        warehouse_create(officer, name="Kho xã", commune=stocked["badinh"].commune)
    assert StockMovement.objects.count() == 3


def test_a_commune_fund_officer_works_only_in_the_commune(staff, stocked, items, person):
    officer = staff["commune"]
    assert list(warehouse_list(officer)) == [stocked["badinh"]]
    assert {r["warehouse__name"] for r in balance_list(officer)} == {"Điểm phát Ba Đình"}
    stock_issue(officer, warehouse=stocked["badinh"], item=items["gift"], quantity=1,
                recipient=person)
    with pytest.raises(PermissionDenied):
        stock_issue(officer, warehouse=stocked["ngocha"], item=items["gift"], quantity=1,
                    recipient=person)
    # Neither out of the province warehouse nor into a sibling commune's point.
    with pytest.raises(PermissionDenied):
        stock_transfer(officer, source=stocked["central"], destination=stocked["badinh"],
                       item=items["gift"], quantity=1)
    with pytest.raises(PermissionDenied):
        stock_transfer(officer, source=stocked["badinh"], destination=stocked["ngocha"],
                       item=items["gift"], quantity=1)
    with pytest.raises(PermissionDenied):
        warehouse_create(officer, name="Kho tỉnh", province=stocked["central"].province)


def test_goods_go_only_to_recipients_in_the_staff_area(staff, stocked, items, foreign_person):
    with pytest.raises(PermissionDenied):
        stock_issue(staff["province"], warehouse=stocked["central"], item=items["gift"],
                    quantity=1, recipient=foreign_person)


def test_a_fund_manager_of_the_province_may_move_stock(staff, stocked, items):
    stock_transfer(staff["manager"], source=stocked["central"], destination=stocked["ngocha"],
                   item=items["gift"], quantity=5)
    assert movement_list(staff["manager"], warehouse=stocked["ngocha"]).count() == 2


def test_read_only_roles_see_but_cannot_move(users, stocked, items):
    auditor = users["auditor"]  # holds `view` on Hà Nội, not `funds`
    assert balance_list(auditor).count() == 3
    with pytest.raises(PermissionDenied):
        stock_write_off(auditor, warehouse=stocked["central"], item=items["gift"], quantity=1,
                        reason=WriteOffReason.DAMAGED, written_off_on=timezone.localdate())


def test_no_role_sees_nothing(users, stocked):
    assert not warehouse_list(users["no_role"]).exists()
    assert not movement_list(users["no_role"]).exists()
