"""Editing a draft receipt in place, of each kind: the same id, the head and lines replaced in
one transaction, the rules of its creation, old → new in the audit; an issued receipt is
final."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.funds.in_kind import goods_receipt_create, service_receipt_create
from ansinh.funds.models import (
    GoodsReceiptLine,
    ImmutableError,
    Receipt,
    ReceiptLine,
    ServiceReceiptLine,
)
from ansinh.funds.services import (
    campaign_create,
    donor_create,
    fund_create,
    receipt_create,
    receipt_issue,
    receipt_update,
)
from ansinh.stock.choices import Category, Unit
from ansinh.stock.models import StockMovement
from ansinh.stock.selectors import balance_of as stock_balance
from ansinh.stock.services import item_create, warehouse_create

from .conftest import DAY


@pytest.fixture
def goods(officer, geo):
    return {
        "rice": item_create(officer, name="Gạo", unit=Unit.KG, category=Category.FOOD),
        "milk": item_create(officer, name="Sữa hộp", unit=Unit.THUNG, category=Category.FOOD,
                            perishable=True),
        "store": warehouse_create(officer, name="Kho phường Ba Đình", commune=geo["commune"]),
        "point": warehouse_create(officer, name="Điểm phát Ngọc Hà",
                                  commune=geo["commune"]),
    }


@pytest.fixture
def cash(officer, fund, donor):
    return receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                          method="bank_transfer", total=300_000,
                          lines=[{"fund": fund, "amount": 300_000}])


def expiry():
    return timezone.localdate() + timedelta(days=120)


@pytest.fixture
def rice_draft(officer, fund, donor, goods):
    return goods_receipt_create(officer, fund=fund, donor=donor, received_on=DAY, lines=[
        {"item": goods["rice"], "warehouse": goods["store"], "quantity": 100,
         "unit_value": 20_000}])


@pytest.fixture
def training(officer, fund, donor):
    return service_receipt_create(officer, fund=fund, donor=donor, received_on=DAY, lines=[
        {"service": "Suất học nghề may", "places": 10, "unit_value": 3_000_000}])


def updates(receipt):
    return AuditEvent.objects.filter(object_type="receipt", object_id=receipt.pk,
                                     action=AuditAction.UPDATE)


# ---- cash ----------------------------------------------------------------------------------

def test_a_cash_draft_is_edited_in_place_and_audited_old_to_new(officer, fund, donor, geo,
                                                                cash):
    poor = fund_create(officer, area=geo["commune"], kind="for_the_poor",
                       name="Quỹ Vì người nghèo", code="VNN")
    receipt = receipt_update(officer, cash, total=500_000, description="Ủng hộ Tết",
                             lines=[{"fund": fund, "amount": 200_000},
                                    {"fund": poor, "amount": 300_000}])
    assert receipt.pk == cash.pk and Receipt.objects.count() == 1
    receipt.refresh_from_db()
    assert (receipt.total, receipt.description) == (500_000, "Ủng hộ Tết")
    assert sorted(ReceiptLine.objects.values_list("fund__code", "amount")) == [
        ("ASXH", 200_000), ("VNN", 300_000)]
    changes = updates(receipt).get().changes
    assert changes["total"] == [300_000, 500_000]
    assert changes["description"] == ["", "Ủng hộ Tết"]
    assert changes["lines"] == [[[fund.pk, None, None, 300_000]],
                                [[fund.pk, None, None, 200_000], [poor.pk, None, None, 300_000]]]


def test_a_head_change_keeps_the_lines_and_only_names_what_changed(officer, cash):
    receipt_update(officer, cash, document_ref="FT2601", received_on=DAY - timedelta(days=1))
    assert ReceiptLine.objects.get().amount == 300_000
    changes = updates(cash).get().changes
    assert set(changes) == {"document_ref", "received_on"}
    assert changes["received_on"] == [DAY.isoformat(), (DAY - timedelta(days=1)).isoformat()]


def test_an_edit_changing_nothing_writes_no_audit_row(officer, cash):
    receipt_update(officer, cash, total=300_000)
    assert not updates(cash).exists()


def test_cash_lines_not_adding_up_are_refused_and_nothing_changes(officer, fund, cash):
    with pytest.raises(ValidationError) as exc:
        receipt_update(officer, cash, total=400_000)
    assert "cộng lại 300.000 đ, khác tổng số tiền 400.000 đ" in str(exc.value)
    with pytest.raises(ValidationError):
        receipt_update(officer, cash, lines=[{"fund": fund, "amount": 100_000}])
    cash.refresh_from_db()
    assert cash.total == 300_000 and ReceiptLine.objects.get().amount == 300_000
    assert not updates(cash).exists()


@pytest.mark.parametrize("changes, field", [
    ({"received_on": date.today() + timedelta(days=2)}, "received_on"),
    ({"method": "cash"}, "document_ref"),
    ({"method": "in_kind"}, "method"),
    ({"total": 0, "lines": []}, "total"),
    ({"lines": []}, "lines"),
    ({"currency": "USD"}, "original_amount_minor"),
    ({"kind": "goods"}, "kind"),
    ({"status": "issued"}, "status"),
])
def test_a_cash_edit_keeps_every_rule_of_a_new_receipt(officer, cash, changes, field):
    with pytest.raises(ValidationError) as exc:
        receipt_update(officer, cash, **changes)
    assert field in exc.value.message_dict
    cash.refresh_from_db()
    assert cash.status == "draft" and cash.total == 300_000


def test_a_foreign_money_edit_is_checked_against_the_rate(officer, fund, cash):
    receipt = receipt_update(officer, cash, currency="usd", original_amount_minor=1_000,
                             exchange_rate="300", total=3_000,
                             lines=[{"fund": fund, "amount": 3_000}])
    assert (receipt.currency, str(receipt.exchange_rate)) == ("USD", "300")
    assert updates(cash).get().changes["exchange_rate"] == [None, "300"]
    with pytest.raises(ValidationError) as exc:
        receipt_update(officer, cash, exchange_rate="310")
    assert "không khớp nguyên tệ × tỷ giá" in str(exc.value)


# ---- goods and services --------------------------------------------------------------------

def test_a_goods_draft_gets_new_lines_and_they_reach_the_stock_on_issue(officer, goods,
                                                                       rice_draft):
    old_ids = set(GoodsReceiptLine.objects.values_list("pk", flat=True))
    receipt = receipt_update(officer, rice_draft, total=2_000_000 + 3_500_000, lines=[
        {"item": goods["rice"], "warehouse": goods["store"], "quantity": 100,
         "unit_value": 20_000},
        {"item": goods["milk"], "warehouse": goods["point"], "quantity": 10,
         "unit_value": 350_000, "expiry_date": expiry()}])
    assert receipt.pk == rice_draft.pk and receipt.total == 5_500_000
    assert not old_ids & set(GoodsReceiptLine.objects.values_list("pk", flat=True))
    assert not StockMovement.objects.exists()
    receipt_issue(officer, receipt)
    assert stock_balance(officer, goods["store"], goods["rice"]) == (100, 2_000_000)
    assert stock_balance(officer, goods["point"], goods["milk"]) == (10, 3_500_000)
    changes = updates(receipt).filter(changes__has_key="lines").get().changes
    assert changes["total"] == [2_000_000, 5_500_000] and len(changes["lines"][1]) == 2


def test_goods_lines_not_adding_up_to_the_typed_total_are_refused(officer, goods,
                                                                  rice_draft):
    with pytest.raises(ValidationError) as exc:
        receipt_update(officer, rice_draft, total=1_000_000)
    assert "cộng lại 2.000.000 đ, khác tổng giá trị 1.000.000 đ" in str(exc.value)
    rice_draft.refresh_from_db()
    assert rice_draft.total == 2_000_000


@pytest.mark.parametrize("line, message", [
    ({"quantity": 0}, "Dòng 1 – Số lượng: phải lớn hơn 0."),
    ({"quantity": -5}, "Dòng 1 – Số lượng: phải lớn hơn 0."),
    ({"unit_value": 0}, "Dòng 1 – Đơn giá (đồng): phải lớn hơn 0."),
    ({"item": "milk"}, "Dòng 1 – Hạn sử dụng: bắt buộc với «Sữa hộp»."),
    ({"item": "milk", "expiry_date": date(2020, 1, 1)}, "đã qua, không nhận hàng hết hạn"),
    ({"warehouse": None}, "Dòng 1 – Kho nhập: bắt buộc."),
])
def test_a_bad_goods_line_is_refused_and_the_old_lines_stay(officer, goods, rice_draft, line,
                                                            message):
    new = {"item": goods["rice"], "warehouse": goods["store"], "quantity": 100,
           "unit_value": 20_000}
    new.update({k: goods[v] if k == "item" else v for k, v in line.items()})
    with pytest.raises(ValidationError) as exc:
        receipt_update(officer, rice_draft, lines=[new])
    assert message in str(exc.value)
    assert list(GoodsReceiptLine.objects.values_list("quantity", flat=True)) == [100]


def test_a_goods_draft_cannot_move_to_a_warehouse_of_another_province(
        officer, goods, rice_draft, geo, fund_users):
    far = warehouse_create(fund_users["foreign_officer"], name="Kho Hải Phòng",
                           province=geo["other_province"])
    with pytest.raises(PermissionDenied):
        receipt_update(officer, rice_draft, lines=[
            {"item": goods["rice"], "warehouse": far, "quantity": 1, "unit_value": 1}])


def test_a_services_draft_is_edited(officer, training, fund, geo):
    campaign = campaign_create(officer, area=geo["commune"], name="Học nghề 2026",
                               starts_on=date(2026, 1, 1), funds=[fund])
    receipt = receipt_update(officer, training, total=40_000_000, lines=[
        {"service": "Suất học nghề may", "places": 10, "unit_value": 3_000_000},
        {"service": "Khám sức khỏe", "unit": "lượt", "places": 50, "unit_value": 200_000,
         "campaign": campaign}])
    assert receipt.total == 40_000_000
    assert list(ServiceReceiptLine.objects.order_by("pk").values_list(
        "service", "unit", "campaign")) == [("Suất học nghề may", "suất", None),
                                            ("Khám sức khỏe", "lượt", campaign.pk)]
    with pytest.raises(ValidationError) as exc:
        receipt_update(officer, receipt, lines=[{"service": "", "places": 1,
                                                 "unit_value": 1}])
    assert "Dịch vụ: bắt buộc" in str(exc.value)


def test_an_in_kind_receipt_has_no_method_or_currency_to_edit(officer, training):
    with pytest.raises(ValidationError) as exc:
        receipt_update(officer, training, method="cash", currency="USD")
    assert set(exc.value.message_dict) == {"method", "currency"}


def test_foreign_aid_goods_edited_still_need_the_approval_to_be_issued(officer, geo, goods,
                                                                      rice_draft):
    ngo = donor_create(officer, area=geo["commune"], kind="foreign_ngo",
                       name="Good Neighbors", country="KR", currency="USD")
    receipt = receipt_update(officer, rice_draft, donor=ngo)
    with pytest.raises(ValidationError) as exc:
        receipt_issue(officer, receipt)
    assert "aid_approval_ref" in exc.value.message_dict
    receipt = receipt_update(officer, receipt, aid_approval_ref="12/QĐ-UBND")
    assert receipt_issue(officer, receipt).issued


# ---- issued, area, right -------------------------------------------------------------------

def test_an_issued_receipt_of_any_kind_is_refused(officer, cash, rice_draft, training):
    for draft in (cash, rice_draft, training):
        receipt_issue(officer, draft)
        with pytest.raises(ImmutableError):
            receipt_update(officer, draft, description="Sửa sau khi cấp")
        draft.refresh_from_db()
        assert draft.description == ""


def test_a_stale_copy_of_an_issued_receipt_is_refused_too(officer, cash):
    stale = Receipt.objects.get(pk=cash.pk)
    receipt_issue(officer, cash)
    with pytest.raises(ImmutableError):
        receipt_update(officer, stale, description="x")


def test_staff_of_another_province_or_without_funds_cannot_edit(officer, fund_users, users,
                                                                cash):
    for user in (fund_users["foreign_officer"], users["commune_officer"]):
        with pytest.raises(PermissionDenied):
            receipt_update(user, cash, description="x")
    cash.refresh_from_db()
    assert cash.description == ""


def test_a_fund_of_another_province_cannot_be_named(officer, fund_users, geo, cash):
    far = fund_create(fund_users["foreign_officer"], area=geo["other_province"],
                      kind="social_security", name="Quỹ Hải Phòng", code="HP")
    with pytest.raises(PermissionDenied):
        receipt_update(officer, cash, fund=far, lines=[{"fund": far, "amount": 300_000}])


# ---- concurrency (PostgreSQL) --------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edit_racing_the_issue_never_leaves_stock_and_receipt_apart(officer, fund_users,
                                                                       goods, rice_draft):
    barrier = threading.Barrier(2)
    outcomes = []

    def run(name, call):
        try:
            barrier.wait()
            call()
            outcomes.append(name)
        except ImmutableError:
            outcomes.append(f"{name} refused")
        finally:
            connections.close_all()

    edit = lambda: receipt_update(officer, rice_draft, lines=[  # noqa: E731
        {"item": goods["rice"], "warehouse": goods["store"], "quantity": 300,
         "unit_value": 20_000}])
    issue = lambda: receipt_issue(fund_users["manager"], rice_draft)  # noqa: E731
    threads = [threading.Thread(target=run, args=a) for a in (("edit", edit),
                                                              ("issue", issue))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert "issue" in outcomes and len(outcomes) == 2
    receipt = Receipt.objects.get()
    [line] = receipt.goods_lines.all()
    assert receipt.issued and receipt.total == line.value
    assert stock_balance(officer, goods["store"], goods["rice"]) == (line.quantity, line.value)
    assert line.quantity == (300 if "edit" in outcomes else 100)
