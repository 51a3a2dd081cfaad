"""The provider's return file: all or nothing, idempotent, unpaid carried, three months
uncollected → a suspension proposal; the month reconciles with the ledger to the đồng."""

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from ansinh.payments.models import Payment, Proposal, ReturnLine
from ansinh.payments.returns import reconciliation, return_import
from ansinh.payments.services import payroll_approve, payroll_run

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (date(2026, m, 1) for m in (1, 2, 3))
ELDERLY = 975_000


def close(users, month):
    payroll_run(users["commune_officer"], month)
    payroll_approve(users["commune_leader"], month)


def returns(*rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id_number", "benefit", "month", "amount", "status", "paid_on",
                     "reference"])
    writer.writerows(rows)
    return out.getvalue().encode()


def line(entitlement, month="2026-01", amount=ELDERLY, status="paid", paid_on="2026-01-12",
         reference="VNP-0001"):
    return [entitlement.person.id_number, "monthly_allowance", month, amount, status, paid_on,
            reference]


def test_approval_turns_the_ledger_into_one_payment_per_recipient(users, enrol):
    first, second = enrol("5.5a"), enrol("5.5a")
    close(users, JAN)
    assert sorted(Payment.objects.values_list("recipient_id", "amount")) == sorted(
        [(first.person_id, ELDERLY), (second.person_id, ELDERLY)])


def test_a_return_file_marks_payments_and_importing_it_again_changes_nothing(users, enrol):
    entitlement = enrol("5.5a")
    close(users, JAN)
    content = returns(line(entitlement))
    report = return_import(users["commune_officer"], content, "vnpost.csv", JAN)
    assert (report.paid, report.unchanged) == (1, 0)
    payment = Payment.objects.get()
    assert (payment.status, payment.paid_on, payment.reference) == \
        ("paid", date(2026, 1, 12), "VNP-0001")
    again = return_import(users["commune_officer"], content, "vnpost.csv", JAN)
    assert (again.paid, again.unchanged) == (0, 1)
    assert ReturnLine.objects.count() == 1


def test_a_reused_reference_with_other_content_is_refused(users, enrol):
    first, second = enrol("5.5a"), enrol("5.5a")
    close(users, JAN)
    return_import(users["commune_officer"], returns(line(first)), "a.csv", JAN)
    with pytest.raises(ValidationError, match="VNP-0001 đã dùng cho nội dung khác"):
        return_import(users["commune_officer"], returns(line(second)), "b.csv", JAN)
    assert Payment.objects.get(recipient=second.person).status == "pending"


def test_a_file_for_another_month_or_a_wrong_amount_applies_nothing(users, enrol):
    first, second = enrol("5.5a"), enrol("5.5a")
    close(users, JAN)
    with pytest.raises(ValidationError, match="tệp của tháng 02/2026") as exc:
        return_import(users["commune_officer"],
                      returns(line(first, month="2026-02")), "x.csv", JAN)
    with pytest.raises(ValidationError, match="khác số phải trả") as exc:
        return_import(users["commune_officer"], returns(
            line(first, reference="A1"), line(second, amount=900_000, reference="A2")),
            "x.csv", JAN)
    assert "Dòng 3, amount" in str(exc.value)
    assert set(Payment.objects.values_list("status", flat=True)) == {"pending"}


def test_another_communes_payment_is_not_found(users, enrol, geo):
    entitlement = enrol("5.5a", commune=geo["sibling_commune"])
    payroll_run(users["province_officer"], JAN)
    payroll_approve(users["province_admin"], JAN)
    with pytest.raises(ValidationError, match="không có khoản chi trả"):
        return_import(users["commune_officer"], returns(line(entitlement)), "x.csv", JAN)


def test_unpaid_amounts_are_carried_and_three_months_raise_a_proposal(users, enrol):
    entitlement = enrol("5.5a")
    close(users, JAN)
    return_import(users["commune_officer"], returns(
        line(entitlement, status="unpaid", paid_on="", reference="U1")), "jan.csv", JAN)
    close(users, FEB)
    feb = Payment.objects.get(payroll__month=FEB)
    assert (feb.amount, feb.carried, feb.due) == (ELDERLY, ELDERLY, 2 * ELDERLY)
    return_import(users["commune_officer"], returns(
        line(entitlement, "2026-02", 2 * ELDERLY, "unpaid", "", "U2")), "feb.csv", FEB)
    assert not Proposal.objects.exists()
    close(users, MAR)
    report = return_import(users["commune_officer"], returns(
        line(entitlement, "2026-03", 3 * ELDERLY, "unpaid", "", "U3")), "mar.csv", MAR)
    assert [p.entitlement_id for p in report.proposals] == [entitlement.pk]
    assert Proposal.objects.get().kind == "suspend"


def test_the_month_reconciles_with_the_ledger(users, enrol):
    enrol("5.5a", payment_channel="bank", account_number="1")
    enrol("5.6", born=date(1990, 1, 1), disability_level="severe")
    close(users, JAN)
    rows = reconciliation(users["commune_officer"], JAN)
    assert {r["channel"]: r["ledger"] for r in rows} == {"bank": ELDERLY, "cash": ELDERLY}
    assert all(r["difference"] == 0 for r in rows)


def test_the_cli_imports_a_return_file(users, enrol, tmp_path, capsys):
    entitlement = enrol("5.5a")
    close(users, JAN)
    path = tmp_path / "ret.csv"
    path.write_bytes(returns(line(entitlement)))
    call_command("payroll", "returns", str(path), "--month", "2026-01", "--as", "canbo")
    assert "paid 1" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(returns(line(entitlement, month="2026-02")))
    with pytest.raises(CommandError) as exc:
        call_command("payroll", "returns", str(bad), "--month", "2026-01")
    assert exc.value.returncode == 1


def test_the_bank_file_lists_the_accounts_and_amounts_due(users, enrol, tmp_path):
    banked = enrol("5.5a", payment_channel="bank", account_number="0123456789")
    enrol("5.5a")  # cash: not in the bank's file
    payroll_run(users["commune_officer"], JAN)
    out = tmp_path / "bank.csv"
    with pytest.raises(CommandError):  # cash goes on the printed list, not to a provider
        call_command("payroll", "provider-file", "--month", "2026-01", "--channel", "cash",
                     "--out", str(out))
    call_command("payroll", "provider-file", "--month", "2026-01", "--channel", "bank",
                 "--out", str(out))
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 0  # a draft is not sent
    payroll_approve(users["commune_leader"], JAN)
    call_command("payroll", "provider-file", "--month", "2026-01", "--channel", "bank",
                 "--out", str(out), "--as", "canbo")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["id_number"], r["account_number"], r["amount"]) for r in rows] == [
        (banked.person.id_number, "0123456789", str(ELDERLY))]


def test_a_recovery_larger_than_the_month_is_owed_and_deducted_until_settled(users, enrol):
    """5.6 extremely severe (coefficient 2.0 → 1,300,000 đ) corrected late to severe (1.5 →
    975,000 đ) from February: four months of 325,000 đ are recovered at once in June."""
    from ansinh.enrolment.services import entitlement_adjust

    entitlement = enrol("5.6", born=date(1990, 1, 1), disability_level="extremely_severe")
    months = [date(2026, m, 1) for m in range(1, 10)]
    for month in months[:5]:
        close(users, month)
    entitlement_adjust(users["commune_officer"], entitlement, FEB,
                       disability_level="severe")
    close(users, months[5])
    june = Payment.objects.get(payroll__month=months[5])
    assert (june.amount, june.status) == (ELDERLY - 4 * 325_000, "debt")  # -325,000 owed
    [row] = reconciliation(users["commune_officer"], months[5])
    assert (row["difference"], row["debt"]) == (0, 325_000)

    close(users, months[6])
    july = Payment.objects.get(payroll__month=months[6])
    assert (july.amount, july.carried, july.due, july.status) == (
        ELDERLY, -325_000, 650_000, "pending")
    june.refresh_from_db()
    assert (june.status, june.carried_to) == ("carried", july)
    [row] = reconciliation(users["commune_officer"], months[6])
    assert (row["debt"], row["difference"]) == (0, 0)
    # Nothing is carried twice: August pays its own month only.
    close(users, months[7])
    august = Payment.objects.get(payroll__month=months[7])
    assert (august.carried, august.due) == (0, ELDERLY)


def test_a_debt_with_nothing_left_to_pay_stays_owed_month_after_month(users, enrol):
    from ansinh.enrolment.services import entitlement_stop

    entitlement = enrol("5.5a")
    close(users, JAN)
    close(users, FEB)
    entitlement_stop(users["commune_officer"], entitlement.person, "death", date(2026, 1, 20))
    close(users, MAR)  # February is recovered; nothing is paid any more
    march = Payment.objects.get(payroll__month=MAR)
    assert (march.due, march.status) == (-ELDERLY, "debt")
    close(users, date(2026, 4, 1))
    april = Payment.objects.get(payroll__month=date(2026, 4, 1))
    assert (april.amount, april.carried, april.status) == (0, -ELDERLY, "debt")
