"""The payroll page: run, approve (another user), export, cash payment lists, denials.

Hà Nội's standard level is 650.000 đ from 01/2026, so a 5.5.a person under 80 (coefficient
1.5) is owed 975.000 đ a month.
"""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from ansinh.enrolment.models import Entitlement
from ansinh.enrolment.services import entitlement_stop
from ansinh.payments.models import LedgerLine, PayrollMonth
from ansinh.payments.services import EXPORT_COLUMNS, payroll_approve, payroll_run
from ansinh.registry.models import Person
from tests.conftest import make_user, new_id

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
ELDERLY = 975_000


@pytest.fixture
def enrol(geo):
    """An entitlement made directly: these tests are about the payroll page."""
    def make(ten="An", category="5.5a", *, born=date(1950, 3, 10), commune=None, **terms):
        commune = commune or geo["commune"]
        person = Person(ho="Nguyễn", ten_dem="Văn", ten=ten, birth_date=born, sex="M",
                        id_number=new_id("M", born.year), commune=commune,
                        province=commune.province)
        person.refresh_derived()
        person.save()
        terms.setdefault("start_month", JAN)
        return Entitlement.objects.create(person=person, recipient=person,
                                          benefit="monthly_allowance", category=category,
                                          commune=commune, province=commune.province, **terms)
    return make


def page(client, month=JAN, headers=None, **params):
    return client.get(reverse("payments:payroll_month"),
                      {"month": f"{month:%m/%Y}", **params}, headers=headers)


def run(client, month=JAN):
    return client.post(reverse("payments:payroll_run"), {"month": month.strftime("%Y-%m")},
                       follow=True)


def approve(client, month=JAN):
    return client.post(reverse("payments:payroll_approve"), {"month": month.strftime("%Y-%m")},
                       follow=True)


def test_an_empty_month_invites_the_officer_to_run_it(login, users):
    response = page(login(users["commune_officer"]))
    assert response.status_code == 200
    assert "Chưa lập bảng chi trả tháng này." in response.text
    assert 'id="run-payroll"' in response.text


def test_the_month_defaults_to_the_current_one_and_bad_input_is_ignored(login, users):
    client = login(users["commune_officer"])
    assert client.get(reverse("payments:payroll_month")).status_code == 200
    assert client.get(reverse("payments:payroll_month"), {"month": "13/2026"}).status_code == 200


def test_the_officer_runs_and_the_page_shows_totals_and_amounts(login, users, enrol):
    enrol("An")
    enrol("Bình", category="5.6", born=date(1990, 1, 1), disability_level="extremely_severe",
          payment_channel="bank", account_number="0123456789")
    client = login(users["commune_officer"])
    response = run(client)
    assert "Đã lập bảng chi trả tháng 01/2026" in response.text
    response = page(client)
    assert "975.000" in response.text and "1.300.000" in response.text
    assert "2.275.000" in response.text  # the commune's total
    categories = {row["label"]: row["total"] for row in response.context["by_category"]}
    assert categories == {
        "5.5.a Người cao tuổi hộ nghèo không có người phụng dưỡng": ELDERLY,
        "5.6 Người khuyết tật nặng, đặc biệt nặng": 1_300_000}
    channels = {row["payment_channel"]: row["total"] for row in response.context["by_channel"]}
    assert channels == {"cash": ELDERLY, "bank": 1_300_000}
    names = [line.recipient.full_name for line in response.context["page"].object_list]
    assert names == ["Nguyễn Văn An", "Nguyễn Văn Bình"]
    searched = page(client, q="binh", headers={"HX-Request": "true"})
    assert "<html" not in searched.text and "Nguyễn Văn Bình" in searched.text
    assert "Nguyễn Văn An" not in searched.text


def test_another_user_approves_and_the_month_is_frozen(login, users, enrol):
    enrol()
    run(login(users["commune_officer"]))
    leader = login(users["commune_leader"])
    assert page(leader).context["can_approve"]
    response = approve(leader)
    assert "Đã phê duyệt bảng chi trả tháng 01/2026" in response.text
    assert PayrollMonth.objects.get().status == "approved"
    again = run(login(users["commune_officer"]))
    assert "đã phê duyệt" in again.text


def test_the_preparer_cannot_approve(login, users, enrol):
    enrol()
    client = login(users["province_admin"])
    run(client)
    assert page(client).context["approve_blocked"]
    response = approve(client)
    assert "không được là người lập" in response.text
    assert PayrollMonth.objects.get().status == "draft"


def test_an_auditor_cannot_run_approve_or_see_the_buttons(login, users, enrol):
    enrol()
    payroll_run(users["commune_officer"], JAN)
    client = login(users["auditor"])
    response = page(client)
    assert response.status_code == 200 and "975.000" in response.text
    assert 'id="run-payroll"' not in response.text and 'id="approve-payroll"' not in response.text
    assert run(client).status_code == 403
    assert approve(client).status_code == 403
    assert PayrollMonth.objects.get().status == "draft"


def test_a_leader_cannot_run(login, users, enrol):
    enrol()
    assert run(login(users["commune_leader"])).status_code == 403
    assert not PayrollMonth.objects.exists()


def test_another_communes_officer_sees_nothing_of_it(login, users, enrol, geo):
    enrol()
    close(users)
    payroll = PayrollMonth.objects.get()
    other = make_user("canbo_ngocha", "commune_officer", geo["sibling_commune"])
    client = login(other)
    response = page(client)
    assert response.context["payrolls"] == [] and "975.000" not in response.text
    assert client.get(reverse("payments:payment_list_pdf", args=[payroll.pk])).status_code == 404
    # Running in his own commune does not touch this one.
    run(client)
    assert PayrollMonth.objects.count() == 1


def close(users, month=JAN):
    payroll_run(users["commune_officer"], month)
    payroll_approve(users["commune_leader"], month)


def test_the_csv_export_has_the_payroll_rows_columns_once_approved(login, users, enrol):
    entitlement = enrol()
    payroll_run(users["commune_officer"], JAN)
    client = login(users["commune_officer"])
    early = client.get(reverse("payments:payroll_export"), {"month": "2026-01"}, follow=True)
    assert "Chưa có bảng chi trả đã phê duyệt" in early.text
    payroll_approve(users["commune_leader"], JAN)
    response = client.get(reverse("payments:payroll_export"), {"month": "2026-01"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == EXPORT_COLUMNS
    assert rows[0]["id_number"] == entitlement.person.id_number
    assert rows[0]["total_amount"] == str(ELDERLY) and rows[0]["month"] == "2026-01"


def test_a_national_viewer_cannot_export(login, users, enrol):
    enrol()
    close(users)
    response = login(users["national_viewer"]).get(reverse("payments:payroll_export"),
                                                   {"month": "2026-01"})
    assert response.status_code == 403


def test_the_cash_payment_list_of_an_approved_commune(login, users, enrol):
    enrol("An")
    enrol("Bình", category="5.8", born=date(1980, 1, 1), household_poverty="poor")
    enrol("Cường", payment_channel="bank", account_number="0123456789")
    client = login(users["commune_officer"])
    payroll_run(users["commune_officer"], JAN)
    payroll = PayrollMonth.objects.get()
    draft = client.get(reverse("payments:payment_list_pdf", args=[payroll.pk]), follow=True)
    assert "Chỉ in danh sách chi trả của bảng đã phê duyệt" in draft.text
    payroll_approve(users["commune_leader"], JAN)
    assert page(client).context["payrolls"][0].can_list
    pdf = client.get(reverse("payments:payment_list_pdf", args=[payroll.pk]))
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    xlsx = client.get(reverse("payments:payment_list_xlsx", args=[payroll.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    # Cash only (the bank transfer is not on it), and no HIV wording at the pay point.
    assert "Nguyễn Văn An" in text and "Nguyễn Văn Bình" in text
    assert "Nguyễn Văn Cường" not in text
    assert "HIV" not in text and "5.8" not in text


def test_the_cash_list_adds_what_earlier_months_left_uncollected(login, users, enrol):
    from openpyxl import load_workbook

    from ansinh.payments.returns import return_import

    entitlement = enrol("An")
    payroll_run(users["commune_officer"], JAN)
    payroll_approve(users["commune_leader"], JAN)
    unpaid = ("id_number,benefit,month,amount,status,paid_on,reference\n"
              f"{entitlement.person.id_number},monthly_allowance,2026-01,{ELDERLY},unpaid,,U1\n")
    return_import(users["commune_officer"], unpaid.encode(), "jan.csv", JAN)
    payroll_run(users["commune_officer"], FEB)
    payroll_approve(users["commune_leader"], FEB)
    february = PayrollMonth.objects.get(month=FEB)
    client = login(users["commune_officer"])
    xlsx = client.get(reverse("payments:payment_list_xlsx", args=[february.pk]))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    line = next(r for r in rows if r[1] == "Nguyễn Văn An")
    assert list(line[5:9]) == [ELDERLY, 0, ELDERLY, 2 * ELDERLY]


def test_an_auditor_may_not_print_the_payment_list(login, users, enrol):
    enrol()
    close(users)
    payroll = PayrollMonth.objects.get()
    response = login(users["national_viewer"]).get(
        reverse("payments:payment_list_pdf", args=[payroll.pk]))
    assert response.status_code == 403


def test_a_late_death_shows_as_a_recovery_with_its_reason(login, users, enrol):
    entitlement = enrol()
    close(users, JAN)
    entitlement_stop(users["commune_officer"], entitlement.person, "death", date(2025, 12, 20))
    client = login(users["commune_officer"])
    run(client, FEB)
    response = page(client, FEB)
    adjustments = response.context["adjustments"]
    assert [(line.kind, line.month, line.amount) for line in adjustments] == [
        ("recovery", JAN, -ELDERLY)]
    assert "Truy thu" in response.text and "Thôi hưởng từ 01/2026" in response.text
    assert "-975.000" in response.text
    lines = page(client, FEB, kind="recovery").context["page"].object_list
    assert len(lines) == 1 and LedgerLine.objects.filter(kind="recovery").count() == 1


def test_an_auditor_sees_category_totals_only_as_public_groups(login, users, enrol):
    enrol("An", category="5.8", born=date(1980, 1, 1), household_poverty="poor")
    payroll_run(users["commune_officer"], JAN)
    response = page(login(users["auditor"]))
    labels = [row["label"] for row in response.context["by_category"]]
    assert labels == ["Người thuộc hộ nghèo, hộ cận nghèo có hoàn cảnh khó khăn"]
    assert "HIV" not in response.text


def test_the_bank_file_downloads_for_an_approved_month(login, users, enrol):
    banked = enrol("An", payment_channel="bank", account_number="0123456789")
    payroll_run(users["commune_officer"], JAN)
    payroll_approve(users["commune_leader"], JAN)
    client = login(users["commune_officer"])
    response = client.get(reverse("payments:provider_file", args=["bank"]), {"month": "01/2026"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["account_number"] == "0123456789"
    assert rows[0]["id_number"] == banked.person.id_number
    assert client.get(reverse("payments:provider_file", args=["cash"]),
                      {"month": "01/2026"}).status_code == 404
    assert login(users["national_viewer"]).get(reverse("payments:provider_file", args=["bank"]),
                                               {"month": "01/2026"}).status_code == 403


def test_with_tasks_the_run_is_queued_and_the_page_polls_it_until_done(login, users, enrol,
                                                                          settings):
    from ansinh.payments.models import PayrollRun
    from ansinh.payments.tasks import run_payroll

    settings.PAYROLL_USE_TASKS = True
    enrol("An")
    client = login(users["commune_officer"])
    queued = run(client)
    assert "Đã bắt đầu lập bảng chi trả tháng 01/2026" in queued.text
    assert not PayrollMonth.objects.exists()  # nothing prepared inside the request
    job = PayrollRun.objects.get()
    assert job.status == "queued" and job.requested_by == users["commune_officer"]
    assert 'hx-trigger="every 2s"' in queued.text

    again = run(client)  # pressing the button twice queues one run
    assert "đang được lập" in again.text
    assert PayrollRun.objects.count() == 1

    run_payroll.call(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.beneficiaries == 1 and job.regular_total == ELDERLY
    assert PayrollMonth.objects.get().regular_total == ELDERLY
    poll = client.get(reverse("payments:payroll_run_status", args=[job.pk]), {"polling": 1})
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"
    assert "Lần lập gần nhất xong lúc" in page(client).text

    run_payroll.call(job.pk)  # a retried task does not prepare the month twice
    job.refresh_from_db()
    assert job.status == "done"


def test_a_failed_run_shows_its_error_and_another_officer_cannot_poll_it(login, users, enrol,
                                                                         settings):
    from ansinh.payments.models import PayrollRun
    from ansinh.payments.tasks import run_payroll

    settings.PAYROLL_USE_TASKS = True
    enrol("An")
    client = login(users["commune_officer"])
    payroll_run(users["commune_officer"], JAN)
    payroll_approve(users["commune_leader"], JAN)
    run(client, FEB)
    run(client, JAN)  # January is approved: the service refuses to prepare it again
    failed = PayrollRun.objects.get(month=JAN)
    run_payroll.call(failed.pk)
    failed.refresh_from_db()
    assert failed.status == "failed" and failed.error
    assert failed.error in page(client).text

    other = login(users["province_officer"])
    assert other.get(reverse("payments:payroll_run_status", args=[failed.pk])).status_code == 404
