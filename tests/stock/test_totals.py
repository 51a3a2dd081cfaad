"""Totals for the public transparency page: per item and per commune, never per person."""

from datetime import date, timedelta

from django.utils import timezone

from ansinh.stock.choices import ReceiptSource, WriteOffReason
from ansinh.stock.selectors import totals_per_commune, totals_per_item
from ansinh.stock.services import stock_issue, stock_receive, stock_transfer, stock_write_off

TODAY = timezone.localdate()


def _history(staff, houses, items, person):
    officer = staff["province"]
    stock_receive(officer, warehouse=houses["central"], item=items["gift"], quantity=100,
                  unit_value=500_000, donor_name="Hội Doanh nhân trẻ")
    stock_receive(officer, warehouse=houses["badinh"], item=items["rice"], quantity=50,
                  unit_value=20_000, source=ReceiptSource.BUDGET)
    stock_receive(officer, warehouse=houses["central"], item=items["gift"], quantity=7,
                  unit_value=500_000, donor_name="Cũ", received_on=TODAY - timedelta(days=400))
    stock_transfer(officer, source=houses["central"], destination=houses["badinh"],
                   item=items["gift"], quantity=30)
    for _ in range(3):
        stock_issue(officer, warehouse=houses["badinh"], item=items["gift"], quantity=2,
                    recipient=person)
    stock_write_off(officer, warehouse=houses["badinh"], item=items["rice"], quantity=5,
                    reason=WriteOffReason.DAMAGED)
    stock_receive(staff["foreign"], warehouse=houses["haiphong"], item=items["gift"],
                  quantity=9, unit_value=1, donor_name="Y")


def test_totals_per_item_count_receipts_and_hand_outs_not_transfers(
        staff, houses, items, person, geo):
    _history(staff, houses, items, person)
    start = TODAY - timedelta(days=30)
    rows = {r["item__name"]: r for r in totals_per_item(start=start, end=TODAY,
                                                         province=geo["province"])}
    gift, rice = rows["Quà Tết"], rows["Gạo"]
    assert (gift["received_quantity"], gift["received_value"]) == (100, 50_000_000)
    assert (gift["issued_quantity"], gift["issued_value"], gift["hand_outs"]) == (
        6, 3_000_000, 3)
    assert rice["written_off_quantity"] == 5 and rice["issued_quantity"] == 0
    everywhere = {r["item__name"]: r for r in totals_per_item(start=start, end=TODAY)}
    assert everywhere["Quà Tết"]["received_quantity"] == 109


def test_totals_per_commune_carry_no_recipient(staff, houses, items, person, geo):
    _history(staff, houses, items, person)
    rows = totals_per_commune(start=date(2000, 1, 1), end=TODAY, province=geo["province"])
    by_place = {(r["commune_id"], r["item__name"]): r for r in rows}
    assert by_place[(None, "Quà Tết")]["received_quantity"] == 107
    assert by_place[(geo["commune"].pk, "Quà Tết")]["issued_quantity"] == 6
    assert by_place[(geo["commune"].pk, "Gạo")]["received_value"] == 1_000_000
    for row in rows:
        assert not any("recipient" in key or "person" in key for key in row)
