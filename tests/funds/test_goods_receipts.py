"""Receipts of goods and services: numbered like money, put into stock, kept out of balances."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ansinh.funds.in_kind import goods_receipt_create, service_receipt_create
from ansinh.funds.models import GoodsReceiptLine, ImmutableError, Receipt, ReceiptReversal
from ansinh.funds.selectors import (
    balance_of,
    campaign_in_kind,
    campaign_progress,
    donor_in_kind,
    donor_progress,
    fund_balances,
    service_places,
)
from ansinh.funds.services import (
    campaign_create,
    pledge_create,
    receipt_create,
    receipt_issue,
    receipt_reverse,
)
from ansinh.stock.choices import Category, MovementKind, Unit
from ansinh.stock.models import StockMovement
from ansinh.stock.selectors import balance_of as stock_balance
from ansinh.stock.services import item_create, stock_issue, warehouse_create

from .conftest import DAY


@pytest.fixture
def goods(officer, geo):
    return {
        "rice": item_create(officer, name="Gạo", unit=Unit.KG, category=Category.FOOD),
        "milk": item_create(officer, name="Sữa hộp", unit=Unit.THUNG, category=Category.FOOD,
                            perishable=True),
        "store": warehouse_create(officer, name="Kho phường Ba Đình", commune=geo["commune"]),
    }


@pytest.fixture
def campaign(officer, geo, fund):
    return campaign_create(officer, area=geo["commune"], name="Tết nghĩa tình 2026",
                           starts_on=date(2026, 1, 1), target_amount=100_000_000, funds=[fund])


def expiry():
    return timezone.localdate() + timedelta(days=200)


def goods_draft(officer, fund, donor, goods, campaign=None, **kw):
    return goods_receipt_create(officer, fund=fund, donor=donor, received_on=DAY, lines=[
        {"item": goods["rice"], "warehouse": goods["store"], "quantity": 500,
         "unit_value": 20_000, "campaign": campaign},
        {"item": goods["milk"], "warehouse": goods["store"], "quantity": 40,
         "unit_value": 350_000, "expiry_date": expiry(), "campaign": campaign},
    ], **kw)


def test_a_goods_receipt_is_numbered_and_puts_the_goods_into_stock(officer, fund, donor,
                                                                   goods):
    receipt = goods_draft(officer, fund, donor, goods)
    assert receipt.total == 500 * 20_000 + 40 * 350_000 and receipt.kind == "goods"
    assert not StockMovement.objects.exists()  # a draft moves nothing
    receipt = receipt_issue(officer, receipt)
    assert receipt.number == "00001/2026/BN-ASXH"
    assert stock_balance(officer, goods["store"], goods["rice"]) == (500, 10_000_000)
    assert stock_balance(officer, goods["store"], goods["milk"]) == (40, 14_000_000)
    lines = {ln.pk for ln in receipt.goods_lines.all()}
    moves = StockMovement.objects.filter(kind=MovementKind.RECEIVE)
    assert set(moves.values_list("source_receipt_line_id", flat=True)) == lines
    assert set(moves.values_list("donor_name", flat=True)) == {donor.name}


def test_goods_and_cash_share_the_fund_numbering(officer, fund, donor, goods, give):
    give(1_000_000)
    receipt = receipt_issue(officer, goods_draft(officer, fund, donor, goods))
    assert receipt.number == "00002/2026/BN-ASXH"


def test_goods_and_services_stay_out_of_the_money_balances(officer, fund, donor, goods,
                                                          campaign, give):
    give(2_000_000, campaign=campaign)
    receipt_issue(officer, goods_draft(officer, fund, donor, goods, campaign))
    receipt_issue(officer, service_receipt_create(
        officer, fund=fund, donor=donor, received_on=DAY, lines=[
            {"service": "Suất học nghề may công nghiệp", "places": 30, "unit_value": 4_000_000,
             "campaign": campaign}]))
    assert balance_of(fund.pk, None).received == 2_000_000
    assert [p["received"] for p in fund_balances(officer)] == [2_000_000]
    assert campaign_progress(officer, campaign)[0]["received"] == 2_000_000
    assert donor_progress(officer, donor)["received"] == 2_000_000
    assert campaign_in_kind(officer, campaign) == [{
        "campaign_id": campaign.pk, "name": campaign.name, "goods_value": 24_000_000,
        "services_value": 120_000_000, "service_places": 30}]
    assert donor_in_kind(officer, donor) == 144_000_000


def test_goods_given_against_a_money_pledge_do_not_settle_it(officer, fund, donor, goods,
                                                              campaign):
    pledge = pledge_create(officer, donor=donor, pledged_on=DAY, amount=5_000_000,
                           campaign=campaign)
    receipt_issue(officer, goods_draft(officer, fund, donor, goods, campaign, pledge=pledge))
    assert donor_progress(officer, donor)["outstanding"] == 5_000_000


def test_service_places_are_listed_per_campaign_without_reversed_receipts(
        officer, fund, donor, campaign):
    def give_places(n):
        return receipt_issue(officer, service_receipt_create(
            officer, fund=fund, donor=donor, received_on=DAY, lines=[
                {"service": "Khám sức khỏe", "unit": "lượt", "places": n, "unit_value": 300_000,
                 "campaign": campaign}]))

    kept = give_places(20)
    receipt_reverse(officer, give_places(5), reason="Nhập trùng")
    service_receipt_create(officer, fund=fund, donor=donor, received_on=DAY, lines=[
        {"service": "Khám sức khỏe", "places": 7, "unit_value": 1, "campaign": campaign}])
    rows = service_places(campaign)
    assert [(r["receipt_id"], r["places"], r["unit"], r["value"]) for r in rows] == [
        (kept.pk, 20, "lượt", 6_000_000)]
    assert rows[0]["receipt_number"] == kept.number and rows[0]["donor_name"] == donor.name


@pytest.mark.parametrize("line, message", [
    ({"quantity": 0}, "Số lượng"),
    ({"quantity": 2.5}, "Số lượng"),
    ({"unit_value": 0}, "Đơn giá"),
    ({"item": None}, "Mặt hàng"),
    ({"warehouse": None}, "Kho nhập"),
    ({"item": "milk", "expiry_date": None}, "Hạn sử dụng: bắt buộc"),
    ({"item": "milk", "expiry_date": date(2020, 1, 1)}, "đã qua"),
])
def test_bad_goods_lines_are_refused_naming_the_line(officer, fund, donor, goods, line,
                                                     message):
    good = {"item": goods["rice"], "warehouse": goods["store"], "quantity": 10,
            "unit_value": 20_000}
    bad = {**good, **line}
    if bad["item"] == "milk":
        bad["item"] = goods["milk"]
    with pytest.raises(ValidationError) as err:
        goods_receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                             lines=[good, bad])
    text = err.value.message_dict["lines"][0]
    assert text.startswith("Dòng 2") and message in text
    assert not Receipt.objects.exists()


def test_bad_service_lines_and_future_dates_are_refused(officer, fund, donor):
    with pytest.raises(ValidationError) as err:
        service_receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                               lines=[{"service": "", "places": 3, "unit_value": 1}])
    assert "Dịch vụ" in err.value.message_dict["lines"][0]
    with pytest.raises(ValidationError):
        service_receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                               lines=[{"service": "Học nghề", "places": 0, "unit_value": 1}])
    with pytest.raises(ValidationError) as err:
        service_receipt_create(officer, fund=fund, donor=donor,
                               received_on=timezone.localdate() + timedelta(days=1),
                               lines=[{"service": "Học nghề", "places": 1, "unit_value": 1}])
    assert "received_on" in err.value.message_dict


def test_a_warehouse_outside_the_officers_area_is_refused(officer, fund_users, geo, fund,
                                                           donor, goods):
    far = warehouse_create(fund_users["foreign_officer"], name="Kho Hải Phòng",
                           province=geo["other_province"])
    with pytest.raises(PermissionDenied):
        goods_receipt_create(officer, fund=fund, donor=donor, received_on=DAY, lines=[
            {"item": goods["rice"], "warehouse": far, "quantity": 1, "unit_value": 1}])


def test_an_officer_of_another_province_cannot_issue_it(officer, fund_users, fund, donor,
                                                        goods):
    receipt = goods_draft(officer, fund, donor, goods)
    with pytest.raises(PermissionDenied):
        receipt_issue(fund_users["foreign_officer"], receipt)
    assert not StockMovement.objects.exists()


def test_a_money_receipt_cannot_claim_the_in_kind_method(officer, fund, donor):
    with pytest.raises(ValidationError) as err:
        receipt_create(officer, fund=fund, donor=donor, received_on=DAY, method="in_kind",
                       total=1, lines=[{"fund": fund, "amount": 1}])
    assert "method" in err.value.message_dict


def test_foreign_goods_need_the_aid_approval_and_enter_no_stock_without_it(officer, geo,
                                                                          fund, goods):
    from ansinh.funds.services import donor_create

    ngo = donor_create(officer, area=geo["commune"], kind="foreign_ngo", name="Hope",
                       country="US")
    receipt = goods_draft(officer, fund, ngo, goods)
    with pytest.raises(ValidationError) as err:
        receipt_issue(officer, receipt)
    assert "aid_approval_ref" in err.value.message_dict
    assert not StockMovement.objects.exists()


def test_reversing_a_goods_receipt_takes_the_goods_back_out(officer, fund, donor, goods):
    receipt = receipt_issue(officer, goods_draft(officer, fund, donor, goods))
    receipt_reverse(officer, receipt, reason="Hàng trả lại nhà tài trợ")
    assert stock_balance(officer, goods["store"], goods["rice"]) == (0, 0)
    assert StockMovement.objects.filter(kind=MovementKind.WRITE_OFF).count() == 2


def test_a_goods_receipt_whose_goods_were_handed_out_cannot_be_reversed(officer, geo, fund,
                                                                        donor, goods):
    from ansinh.registry.models import Person
    from tests.conftest import new_id

    receipt = receipt_issue(officer, goods_draft(officer, fund, donor, goods))
    person = Person(ho="Lê", ten_dem="Văn", ten="Nam", sex="M", id_number=new_id(),
                    commune=geo["commune"], province=geo["province"])
    person.refresh_derived()
    person.save()
    stock_issue(officer, warehouse=goods["store"], item=goods["rice"], quantity=10,
                recipient=person)
    with pytest.raises(ValidationError) as err:
        receipt_reverse(officer, receipt, reason="Nhầm")
    assert "không còn đủ trong kho" in err.value.message_dict["receipt"][0]
    assert not ReceiptReversal.objects.exists()
    assert stock_balance(officer, goods["store"], goods["rice"]) == (490, 9_800_000)


def test_lines_of_an_issued_goods_receipt_are_final(officer, fund, donor, goods):
    receipt = receipt_issue(officer, goods_draft(officer, fund, donor, goods))
    line = receipt.goods_lines.first()
    line.quantity = 1
    with pytest.raises(ImmutableError):
        line.save()
    with pytest.raises(ImmutableError):
        GoodsReceiptLine.objects.filter(receipt=receipt).update(quantity=1)
    with pytest.raises(ImmutableError):
        line.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_the_database_refuses_to_rewrite_an_issued_goods_line(officer, fund, donor, goods):
    receipt = receipt_issue(officer, goods_draft(officer, fund, donor, goods))
    with pytest.raises(Exception, match="final"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE funds_goodsreceiptline SET quantity = 1 WHERE receipt_id = %s",
                       [receipt.pk])
