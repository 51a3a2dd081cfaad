"""Picking and downloading fund reports in the browser, and the fund_report command."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ansinh.audit.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def gifts(give):
    give(40_000_000, on=date(2026, 1, 12))


def test_the_report_page_lists_what_the_officer_may_report_on(client, officer, fund, donor,
                                                              fund_users, geo):
    client.force_login(officer)
    html = client.get(reverse("fund_reports:report_index")).content.decode()
    assert "Công ty TNHH An Phú" in html and fund.name in html
    client.force_login(make_user("canboxa", "commune_officer", geo["commune"]))
    assert client.get(reverse("fund_reports:report_index")).status_code == 403
    client.logout()
    assert client.get(reverse("fund_reports:report_index")).status_code == 302


def test_an_officer_downloads_the_monthly_statement(client, officer, fund, gifts):
    client.force_login(officer)
    url = reverse("fund_reports:download", args=["monthly"])
    response = client.get(url, {"fund": fund.pk, "month": "01/2026", "format": "xlsx"})
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    pdf = client.get(url, {"fund": fund.pk, "month": "01/2026", "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    event = AuditEvent.objects.filter(action="export", object_type="fund_report").first()
    assert event.changes["month"] == "2026-01" and event.commune_id == fund.commune_id


def test_bad_parameters_go_back_with_a_message(client, officer, fund):
    client.force_login(officer)
    url = reverse("fund_reports:download", args=["monthly"])
    response = client.get(url, {"fund": fund.pk, "month": "2026", "format": "xlsx"}, follow=True)
    assert "Tháng: nhập dạng mm/yyyy." in response.content.decode()
    response = client.get(url, {"fund": fund.pk, "month": "13/2026", "format": "xlsx"},
                          follow=True)
    assert "Tháng: phải là tháng 1–12" in response.content.decode()
    assert client.get(reverse("fund_reports:download", args=["x"])).status_code == 404


def test_a_donor_of_another_province_is_404(client, fund_users, donor):
    client.force_login(fund_users["foreign_officer"])
    url = reverse("fund_reports:download", args=["donor"])
    assert client.get(url, {"donor": donor.pk, "format": "pdf"}).status_code == 404


def test_the_command_writes_each_report(tmp_path, officer, fund, donor, gifts):
    out = tmp_path / "sao-ke.xlsx"
    call_command("fund_report", "monthly", str(fund.pk), "--month", "2026-01",
                 "--output", str(out), "--as", officer.username)
    assert out.read_bytes()[:2] == b"PK"
    pdf = tmp_path / "nha-tai-tro.pdf"
    call_command("fund_report", "donor", str(donor.pk), "--format", "pdf",
                 "--output", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    aid = tmp_path / "vien-tro.xlsx"
    call_command("fund_report", "foreign-aid", "--from", "2026-01-01", "--to", "2026-06-30",
                 "--output", str(aid))
    assert aid.exists()


def test_the_command_refuses_a_user_outside_the_area_and_bad_input(tmp_path, fund_users, fund):
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match="Không có quyền"):
        call_command("fund_report", "monthly", str(fund.pk), "--month", "2026-01",
                     "--output", str(out), "--as", fund_users["foreign_officer"].username)
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("fund_report", "monthly", str(fund.pk), "--month", "jan",
                     "--output", str(out))
    with pytest.raises(CommandError, match="Không có quỹ"):
        call_command("fund_report", "monthly", "999999", "--month", "2026-01",
                     "--output", str(out))
    assert not out.exists()
