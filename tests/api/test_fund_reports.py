"""Fund reports over the API: JSON by default, .xlsx and .pdf on request, scoped and
audited."""

# The fund fixtures are imported by name, so pytest finds them; parameters reuse the names.
# ruff: noqa: F811

from datetime import date

import pytest

from ansinh.audit.models import AuditEvent
from ansinh.funds.services import campaign_create
from tests.funds.conftest import donor, fund, fund_users, give, officer  # noqa: F401

pytestmark = pytest.mark.django_db

BASE = "/api/v1/funds/reports"


@pytest.fixture
def gifts(give):
    give(40_000_000, on=date(2026, 1, 12))
    give(2_000_000, on=date(2026, 2, 3))


def test_the_monthly_statement_comes_as_json_and_is_audited(api_as, officer, fund, gifts):
    api = api_as(officer)
    response = api.get(f"{BASE}/funds/{fund.pk}/monthly?month=2026-02")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Báo cáo thu chi tháng 02/2026"
    row = body["sections"][0]["rows"][0]
    assert row == ["Không hạn chế (quỹ chung)", 40_000_000, 2_000_000, 0, 0, 42_000_000]
    assert AuditEvent.objects.filter(action="export", object_type="fund_report").exists()


def test_reports_download_as_xlsx_and_pdf(api_as, officer, fund, donor, gifts):
    api = api_as(officer)
    xlsx = api.get(f"{BASE}/donors/{donor.pk}?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
    pdf = api.get(f"{BASE}/funds/{fund.pk}/monthly?month=2026-01&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="sao-ke-quy-asxh-2026-01' in pdf["Content-Disposition"]


def test_a_campaign_report_and_the_foreign_aid_report_answer(api_as, officer, geo, fund):
    campaign = campaign_create(officer, area=geo["commune"], name="Tết 2026",
                               starts_on=date(2026, 1, 1), target_amount=10_000_000,
                               funds=[fund])
    api = api_as(officer)
    assert api.get(f"{BASE}/campaigns/{campaign.pk}").json()["sections"][0]["rows"][0] == [
        "Mục tiêu vận động", 10_000_000]
    aid = api.get(f"{BASE}/foreign-aid?date_from=2026-01-01&date_to=2026-06-30")
    assert aid.status_code == 200 and aid.json()["sections"][0]["rows"] == []


def test_out_of_area_is_404_and_no_funds_right_is_403(api_as, fund_users, users, fund, donor):
    foreign = api_as(fund_users["foreign_officer"])
    assert foreign.get(f"{BASE}/donors/{donor.pk}").status_code == 404
    assert foreign.get(f"{BASE}/funds/{fund.pk}/monthly?month=2026-01").status_code == 404
    viewer = api_as("province_officer")  # sees the area, holds no `funds`
    response = viewer.get(f"{BASE}/funds/{fund.pk}/monthly?month=2026-01")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert viewer.get(f"{BASE}/foreign-aid?date_from=2026-01-01&date_to=2026-06-30"
                      ).status_code == 403


def test_bad_input_is_422_with_the_field(api_as, officer, fund):
    api = api_as(officer)
    bad = api.get(f"{BASE}/funds/{fund.pk}/monthly?month=2026-13")
    assert bad.status_code == 422 and "month" in bad.json()["error"]["fields"]
    bad = api.get(f"{BASE}/funds/{fund.pk}/monthly?month=feb")
    assert bad.status_code == 422 and "month" in bad.json()["error"]["fields"]
    bad = api.get(f"{BASE}/foreign-aid?date_from=2026-07-01&date_to=2026-01-01")
    assert bad.status_code == 422 and "date_from" in bad.json()["error"]["fields"]
    assert api.get(f"{BASE}/donors/1?format=doc").status_code == 422


def test_it_needs_a_token(fund):
    from django.test import Client

    assert Client().get(f"{BASE}/funds/{fund.pk}/monthly?month=2026-01").status_code == 401
