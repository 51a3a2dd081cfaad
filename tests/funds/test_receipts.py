from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ansinh.funds.models import ImmutableError, Receipt, ReceiptLine, ReceiptReversal
from ansinh.funds.selectors import fund_balances, receipt_list
from ansinh.funds.services import (
    donor_create,
    fund_create,
    receipt_create,
    receipt_issue,
    receipt_reverse,
    restriction_create,
)

from .conftest import DAY


def draft(officer, fund, donor, total=1_000_000, lines=None, **kw):
    kw.setdefault("received_on", DAY)
    kw.setdefault("method", "bank_transfer")
    return receipt_create(officer, fund=fund, donor=donor, total=total,
                          lines=lines or [{"fund": fund, "amount": total}], **kw)


def test_the_lines_must_add_up_to_the_total(officer, fund, donor, geo):
    poor = fund_create(officer, area=geo["commune"], kind="for_the_poor",
                       name="Quỹ Vì người nghèo", code="VNN")
    with pytest.raises(ValidationError) as err:
        draft(officer, fund, donor, 1_000_000, [{"fund": fund, "amount": 600_000},
                                                {"fund": poor, "amount": 300_000}])
    assert "Các dòng phân bổ" in err.value.message_dict["lines"][0]
    receipt = draft(officer, fund, donor, 1_000_000, [{"fund": fund, "amount": 600_000},
                                                      {"fund": poor, "amount": 400_000}])
    assert receipt.lines.count() == 2


def test_nothing_is_written_when_a_line_is_bad(officer, fund, donor):
    with pytest.raises(ValidationError):
        draft(officer, fund, donor, 500_000, [{"fund": fund, "amount": 500_000},
                                              {"fund": fund, "amount": 0}])
    assert not Receipt.objects.exists() and not ReceiptLine.objects.exists()


@pytest.mark.parametrize("total", [0, -5_000, 1.5])
def test_zero_negative_and_fractional_totals_are_refused(officer, fund, donor, total):
    with pytest.raises(ValidationError) as err:
        draft(officer, fund, donor, total, [{"fund": fund, "amount": 1}])
    assert "Tổng số tiền" in err.value.message_dict["total"][0]


def test_a_receipt_cannot_be_dated_in_the_future(officer, fund, donor):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        draft(officer, fund, donor, received_on=tomorrow)
    assert "Ngày nhận" in err.value.message_dict["received_on"][0]


def test_cash_needs_its_receipt_document(officer, fund, donor):
    with pytest.raises(ValidationError) as err:
        draft(officer, fund, donor, method="cash")
    assert "phiếu thu" in err.value.message_dict["document_ref"][0]
    assert draft(officer, fund, donor, method="cash", document_ref="PT-0012").pk


def test_a_restriction_of_another_fund_is_refused(officer, fund, donor, geo):
    other = fund_create(officer, area=geo["commune"], kind="other", name="Quỹ khác", code="QK")
    r = restriction_create(officer, fund=other, kind="purpose", description="Học bổng")
    with pytest.raises(ValidationError):
        draft(officer, fund, donor, lines=[{"fund": fund, "amount": 1_000_000,
                                            "restriction": r}])


@pytest.fixture
def ngo(officer, geo):
    return donor_create(officer, area=geo["commune"], kind="foreign_ngo", name="Hope Org",
                        country="US", currency="USD")


def test_foreign_money_keeps_currency_original_amount_and_rate(officer, fund, ngo):
    receipt = draft(officer, fund, ngo, total=25_400_000, currency="USD",
                    original_amount_minor=100_000, exchange_rate="25400")
    receipt.refresh_from_db()
    assert (receipt.currency, receipt.original_amount_minor, receipt.total) == (
        "USD", 100_000, 25_400_000)


def test_foreign_money_must_match_amount_times_rate(officer, fund, ngo):
    with pytest.raises(ValidationError) as err:
        draft(officer, fund, ngo, total=25_000_000, currency="USD",
              original_amount_minor=100_000, exchange_rate="25400")
    assert "không khớp" in err.value.message_dict["total"][0]
    with pytest.raises(ValidationError) as err:
        draft(officer, fund, ngo, total=25_400_000, currency="USD")
    assert "original_amount_minor" in err.value.message_dict


def test_foreign_aid_is_not_validated_without_its_approval_decision(officer, fund, ngo):
    receipt = draft(officer, fund, ngo, total=25_400_000, currency="USD",
                    original_amount_minor=100_000, exchange_rate="25400")
    with pytest.raises(ValidationError) as err:
        receipt_issue(officer, receipt)
    assert "313/2025" in err.value.message_dict["aid_approval_ref"][0]
    Receipt.objects.filter(pk=receipt.pk).update(aid_approval_ref="123/QĐ-UBND")
    assert receipt_issue(officer, receipt).number


def test_receipt_numbers_run_per_fund_and_year(officer, fund, donor, geo, give):
    poor = fund_create(officer, area=geo["commune"], kind="for_the_poor",
                       name="Quỹ Vì người nghèo", code="VNN")
    numbers = [give(100_000).number, give(100_000).number, give(100_000, to=poor).number,
               give(100_000, on=date(2025, 12, 31)).number, give(100_000).number]
    assert numbers == ["00001/2026/BN-ASXH", "00002/2026/BN-ASXH", "00001/2026/BN-VNN",
                       "00001/2025/BN-ASXH", "00003/2026/BN-ASXH"]


def test_a_receipt_is_issued_once(officer, give):
    receipt = give(100_000)
    with pytest.raises(ValidationError):
        receipt_issue(officer, receipt)


def test_an_issued_receipt_cannot_be_edited_or_deleted(give):
    receipt = give(100_000)
    receipt = Receipt.objects.get(pk=receipt.pk)
    receipt.total = 1
    with pytest.raises(ImmutableError):
        receipt.save()
    with pytest.raises(ImmutableError):
        receipt.delete()
    with pytest.raises(ImmutableError):
        Receipt.objects.filter(pk=receipt.pk).update(total=1)
    with pytest.raises(ImmutableError):
        Receipt.objects.filter(pk=receipt.pk).delete()
    line = receipt.lines.get()
    line.amount = 1
    with pytest.raises(ImmutableError):
        line.save()
    with pytest.raises(ImmutableError):
        line.delete()
    with pytest.raises(ImmutableError):
        ReceiptLine.objects.filter(pk=line.pk).update(amount=1)
    assert Receipt.objects.get(pk=receipt.pk).total == 100_000


def test_a_draft_can_still_be_corrected_and_discarded(officer, fund, donor):
    receipt = draft(officer, fund, donor)
    receipt.description = "Ủng hộ Tết"
    receipt.save()
    receipt.delete()
    assert not Receipt.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_raw_changes_to_an_issued_receipt(give):
    from django.db import DatabaseError

    receipt = give(100_000)
    for sql in ("UPDATE funds_receipt SET total = 1 WHERE id = %s",
                "DELETE FROM funds_receipt WHERE id = %s",
                "UPDATE funds_receiptline SET amount = 1 WHERE receipt_id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [receipt.pk])
    assert Receipt.objects.get(pk=receipt.pk).total == 100_000


def test_a_reversal_restores_the_balance(officer, fund, give):
    give(300_000)
    receipt = give(200_000)
    assert fund_balances(officer)[0]["available"] == 500_000
    reversal = receipt_reverse(officer, receipt, reason="Chuyển nhầm tài khoản")
    assert fund_balances(officer)[0]["available"] == 300_000
    assert Receipt.objects.get(pk=receipt.pk).reversal == reversal
    with pytest.raises(ValidationError):
        receipt_reverse(officer, receipt, reason="lần hai")
    with pytest.raises(ImmutableError):
        reversal.delete()
    assert ReceiptReversal.objects.count() == 1


def test_a_draft_cannot_be_reversed(officer, fund, donor):
    with pytest.raises(ValidationError):
        receipt_reverse(officer, draft(officer, fund, donor), reason="x")


def test_a_fund_officer_of_another_province_cannot_see_or_touch_receipts(fund_users, give):
    receipt = give(100_000)
    other = fund_users["foreign_officer"]
    assert not receipt_list(other).exists()
    assert fund_balances(other) == []
    with pytest.raises(PermissionDenied):
        receipt_reverse(other, receipt, reason="x")


def test_a_commune_officer_cannot_record_receipts(users, fund, donor):
    with pytest.raises(PermissionDenied):
        draft(users["commune_officer"], fund, donor)
