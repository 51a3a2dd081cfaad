"""The payroll month: draft, approval, freezing, and the adjustments that later facts make.

Hà Nội's standard level is 650,000 đ from 01/2026 (Resolution 63/2025/NQ-HĐND), so a 5.5.a
elderly person under 80 (coefficient 1.5) is owed 975,000 đ a month.
"""

import csv
from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from ansinh.enrolment.services import entitlement_resume, entitlement_stop, entitlement_suspend
from ansinh.payments.models import LedgerLine, PayrollMonth
from ansinh.payments.services import payroll_approve, payroll_rows, payroll_run
from ansinh.policy.services import standard_level_set

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))
ELDERLY = 975_000


def close(users, month):
    payroll_run(users["commune_officer"], month)
    return payroll_approve(users["commune_leader"], month)


def lines(month, **filters):
    return list(LedgerLine.objects.filter(payroll__month=month, **filters)
                .order_by("entitlement_id", "month", "kind"))


def test_a_month_is_priced_from_the_standard_level_and_coefficient(users, enrol):
    enrol("5.5a")
    enrol("5.6", born=date(1990, 1, 1), disability_level="extremely_severe")
    result = payroll_run(users["commune_officer"], JAN)
    assert result.regular_total == ELDERLY + 1_300_000
    assert result.adjustment_total == 0
    assert sorted(line.amount for line in lines(JAN)) == [ELDERLY, 1_300_000]
    assert {line.standard_level for line in lines(JAN)} == {650_000}


def test_running_the_draft_again_gives_the_same_lines(users, enrol):
    enrol("5.5a")
    payroll_run(users["commune_officer"], JAN)
    first = [(x.entitlement_id, x.amount) for x in lines(JAN)]
    payroll_run(users["commune_officer"], JAN)
    assert [(x.entitlement_id, x.amount) for x in lines(JAN)] == first
    assert LedgerLine.objects.count() == 1


def test_a_run_that_fails_half_way_leaves_the_previous_draft(users, enrol):
    enrol("5.5a")
    payroll_run(users["commune_officer"], JAN)
    enrol("5.8", household_poverty="poor")
    with mock.patch("ansinh.payments.services.write_frame", side_effect=RuntimeError("kill")):
        with pytest.raises(RuntimeError):
            payroll_run(users["commune_officer"], JAN)
    assert LedgerLine.objects.count() == 1
    assert PayrollMonth.objects.get(month=JAN).regular_total == ELDERLY


def test_the_preparer_cannot_approve(users, enrol, geo):
    enrol("5.5a")
    payroll_run(users["province_admin"], JAN)
    with pytest.raises(PermissionDenied):
        payroll_approve(users["province_admin"], JAN)


def test_an_approved_month_is_frozen_and_approved_once(users, enrol):
    enrol("5.5a")
    close(users, JAN)
    with pytest.raises(ValidationError, match="đã được phê duyệt"):
        payroll_approve(users["province_admin"], JAN)
    with pytest.raises(ValidationError, match="đã phê duyệt"):
        payroll_run(users["commune_officer"], JAN)
    assert PayrollMonth.objects.get(month=JAN).status == PayrollMonth.Status.APPROVED


def test_months_are_prepared_in_order(users, enrol):
    enrol("5.5a")
    close(users, JAN)
    with pytest.raises(ValidationError, match="02/2026"):
        payroll_run(users["commune_officer"], MAR)


def test_a_draft_changed_after_its_run_must_be_run_again(users, enrol):
    entitlement = enrol("5.5a")
    payroll_run(users["commune_officer"], JAN)
    entitlement.payment_channel = "home"
    entitlement.save()
    with pytest.raises(ValidationError, match="lập lại"):
        payroll_approve(users["commune_leader"], JAN)


def test_a_late_decision_pays_arrears_for_the_approved_months(users, enrol):
    enrol("5.5a")
    close(users, JAN)
    late = enrol("5.6", born=date(1990, 1, 1), disability_level="severe", start=JAN,
                 recalc_from=JAN, recalc_reason="Quyết định 7/QĐ-UBND ký muộn")
    payroll_run(users["commune_officer"], FEB)
    arrears = lines(FEB, entitlement=late, kind="arrears")
    assert [(x.month, x.amount) for x in arrears] == [(JAN, 975_000)]
    assert arrears[0].reason == "Quyết định 7/QĐ-UBND ký muộn"
    assert lines(FEB, entitlement=late, kind="regular")[0].amount == 975_000


def test_a_death_reported_late_is_recovered(users, enrol):
    entitlement = enrol("5.5a")
    close(users, JAN)
    close(users, FEB)
    entitlement_stop(users["commune_officer"], entitlement.person, "death", date(2026, 1, 20))
    payroll_run(users["commune_officer"], MAR)
    recovery = lines(MAR, entitlement=entitlement)
    assert [(x.kind, x.month, x.amount) for x in recovery] == [("recovery", FEB, -ELDERLY)]
    assert "Thôi hưởng từ 02/2026" in recovery[0].reason


def test_a_new_standard_level_with_a_past_date_pays_the_difference(users, enrol):
    entitlement = enrol("5.5a")
    close(users, JAN)
    close(users, FEB)
    standard_level_set(700_000, date(2026, 1, 1), province_code="01", basis="Nghị quyết thử",
                       user=users["province_admin"])
    payroll_run(users["commune_officer"], MAR)
    got = [(x.kind, x.month, x.amount) for x in lines(MAR, entitlement=entitlement)]
    assert got == [("arrears", JAN, 75_000), ("arrears", FEB, 75_000),
                   ("regular", MAR, 1_050_000)]
    assert lines(MAR, kind="arrears")[0].reason == "Mức chuẩn mới áp dụng từ 01/2026"


def test_suspended_months_are_not_paid_and_back_pay_restores_them(users, enrol):
    entitlement = enrol("5.5a")
    close(users, JAN)
    entitlement_suspend(users["commune_officer"], entitlement, "uncollected", FEB)
    close(users, FEB)
    assert lines(FEB, entitlement=entitlement, amount__gt=0) == []
    entitlement_resume(users["commune_officer"], entitlement, MAR, back_pay=True)
    payroll_run(users["commune_officer"], MAR)
    got = [(x.kind, x.month, x.amount) for x in lines(MAR, entitlement=entitlement)]
    assert got == [("arrears", FEB, ELDERLY), ("regular", MAR, ELDERLY)]


def test_only_the_highest_amount_is_paid(users, enrol):
    elderly = enrol("5.5a", born=date(1950, 1, 1))
    disabled = enrol("5.6", person=elderly.person, disability_level="extremely_severe")
    payroll_run(users["commune_officer"], JAN)
    amounts = {x.entitlement_id: x.amount for x in lines(JAN)}
    # Elderly with extremely severe disability: 2.5 × 650,000 beats 1.5 × 650,000.
    assert amounts == {elderly.pk: 0, disabled.pk: 1_625_000}


def test_no_month_is_paid_twice_when_moving(users, enrol, geo):
    from ansinh.enrolment.services import entitlement_move

    entitlement = enrol("5.5a")
    new = entitlement_move(users["province_admin"], entitlement, geo["sibling_commune"], JAN)
    payroll_run(users["province_officer"], JAN)
    payroll_approve(users["province_admin"], JAN)
    payroll_run(users["province_officer"], FEB)
    assert [x.amount for x in lines(JAN)] == [ELDERLY]
    assert [(x.entitlement_id, x.amount) for x in lines(FEB)] == [(new.pk, ELDERLY)]


def test_the_commune_officer_prepares_only_her_commune(users, enrol, geo):
    enrol("5.5a")
    enrol("5.5a", commune=geo["sibling_commune"])
    payroll_run(users["commune_officer"], JAN)
    assert list(PayrollMonth.objects.values_list("commune", flat=True)) == [geo["commune"].pk]


def test_viewers_and_auditors_cannot_run_or_approve(users, enrol):
    enrol("5.5a")
    for role in ("national_viewer", "auditor", "no_role"):
        with pytest.raises(PermissionDenied):
            payroll_run(users[role], JAN)
    payroll_run(users["commune_officer"], JAN)
    with pytest.raises(PermissionDenied):
        payroll_approve(users["national_viewer"], JAN)
    with pytest.raises(ValidationError, match="Chưa có bảng"):
        payroll_approve(users["province_admin"], FEB)  # approver, but nothing to approve


def test_the_export_has_one_row_per_person_and_benefit(users, enrol, tmp_path):
    entitlement = enrol("5.5a", payment_channel="bank", account_number="123")
    close(users, JAN)
    out = tmp_path / "jan.csv"
    call_command("payroll", "export", "--month", "2026-01", "--out", str(out))
    with open(out, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["id_number", "benefit", "month", "regular_amount",
                             "adjustment_amount", "total_amount", "payment_channel"]
    assert rows == [{"id_number": entitlement.person.id_number, "benefit": "monthly_allowance",
                     "month": "2026-01", "regular_amount": "975000", "adjustment_amount": "0",
                     "total_amount": "975000", "payment_channel": "bank"}]


def test_the_cli_runs_and_approves_as_named_users(users, enrol, capsys):
    enrol("5.5a")
    call_command("payroll", "run", "--month", "2026-01", "--as", "canbo")
    with pytest.raises(CommandError) as exc:
        call_command("payroll", "approve", "--month", "2026-01", "--as", "canbo")
    assert exc.value.returncode == 1
    call_command("payroll", "approve", "--month", "2026-01", "--as", "chutich")
    assert PayrollMonth.objects.get().status == PayrollMonth.Status.APPROVED
    assert "975.000" in capsys.readouterr().out


def test_the_cli_refuses_a_bad_month(db):
    with pytest.raises(CommandError) as exc:
        call_command("payroll", "run", "--month", "2026-13")
    assert exc.value.returncode == 1


def test_export_rows_are_scoped_to_the_area(users, enrol, geo):
    enrol("5.5a")
    enrol("5.5a", commune=geo["sibling_commune"])
    payroll_run(users["province_officer"], JAN)
    assert payroll_rows(users["commune_officer"], JAN).height == 1
    assert payroll_rows(users["province_officer"], JAN).height == 2
    assert payroll_rows(users["no_role"], JAN).height == 0


def test_funeral_support_is_paid_once_to_the_organiser(users, enrol):
    from ansinh.enrolment.services import decision_sign, funeral_prepare

    entitlement = enrol("5.5a")
    deceased = entitlement.person
    organiser = enrol("5.5a", born=date(1955, 1, 1)).person
    entitlement_stop(users["commune_officer"], deceased, "death", date(2026, 1, 5))
    deceased.refresh_from_db()
    decision = funeral_prepare(users["commune_officer"], deceased, organiser)
    decision_sign(users["commune_leader"], decision, signed_on=date(2026, 1, 20))
    payroll_run(users["commune_officer"], JAN)
    funeral = lines(JAN, benefit="funeral")
    assert [(x.recipient_id, x.amount) for x in funeral] == [(organiser.pk, 20 * 650_000)]
    close(users, JAN)
    payroll_run(users["commune_officer"], FEB)
    assert lines(FEB, benefit="funeral") == []


def test_a_care_allowance_is_paid_to_the_carer(users, enrol):
    child = enrol("5.1", born=date(2023, 6, 1))
    carer = enrol("5.5a").person
    care = enrol("foster_child", benefit="care_allowance", person=child.person)
    care.recipient = carer
    care.save()
    payroll_run(users["commune_officer"], JAN)
    got = {(x.benefit, x.recipient_id): x.amount for x in lines(JAN)}
    # A 5.1 child under 4: 2.5 × 650,000 to the child, and 2.5 × 650,000 to the carer.
    assert got[("care_allowance", carer.pk)] == 1_625_000
    assert got[("monthly_allowance", child.person_id)] == 1_625_000


def test_the_health_insurance_list_names_everyone_entitled(users, enrol, tmp_path):
    from openpyxl import load_workbook

    elderly = enrol("5.5a", born=date(1950, 1, 1))
    enrol("5.6", person=elderly.person, disability_level="extremely_severe")
    enrol("75+", benefit="social_pension", born=date(1945, 1, 1))
    payroll_run(users["commune_officer"], JAN)
    out = tmp_path / "bhyt.xlsx"
    call_command("payroll", "insurance", "--month", "2026-01", "--out", str(out),
                 "--as", "canbo")
    sheet = load_workbook(out).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    data = [r for r in values if r[0] == 1 or r[0] == 2]
    # One card per person (two entitlements, one person); the social pension is another list.
    assert len(data) == 1
    assert data[0][1] == elderly.person.id_number and data[0][7] == "BT"
