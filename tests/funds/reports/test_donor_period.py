"""The donor report of a period: opening + received − used = closing, to the đồng."""

# The API client fixture is imported by name, so pytest finds it; a parameter reuses the name.
# ruff: noqa: F811

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.funds.donor_reports import donor_report_record
from ansinh.funds.reports.donor import donor_report, donor_use
from ansinh.funds.returns import allocation_return
from ansinh.funds.services import (
    allocation_approve,
    allocation_prepare,
    donor_create,
    pledge_create,
    receipt_reverse,
    restriction_create,
)
from tests.api.conftest import api_as  # noqa: F401

pytestmark = pytest.mark.django_db

FEB = (date(2026, 2, 1), date(2026, 2, 28))
SCHOLARSHIP = "Quỹ An sinh xã hội phường Ba Đình – Học bổng"
COMMON = "Quỹ An sinh xã hội phường Ba Đình – quỹ chung"


@pytest.fixture
def manager(fund_users):
    return fund_users["manager"]


@pytest.fixture
def books(officer, manager, fund, donor, geo, give):
    """Two pots the donor gave to, with gifts and spending before, inside and after February.

    Scholarships: the donor 30 M (10/1) and another donor 10 M (12/1); 8 M spent 20/1; the
    donor 6,000,001 đ more on 5/2; 10 M spent 10/2, 1 M of it returned 20/2; the donor 50 M on
    3/3 and 5 M spent 5/3. Common money: the other donor 10 M (2/1), 4 M spent 3/1 — before
    the donor gave anything —, the donor 1 M (5/1), and 3 M on 14/2 reversed on 16/2."""
    other = donor_create(officer, area=geo["commune"], kind="individual", name="Ông Lê Văn Tư")
    grants = restriction_create(officer, fund=fund, kind="purpose", description="Học bổng")
    give(10_000_000, on=date(2026, 1, 2), from_donor=other)
    give(30_000_000, restriction=grants, on=date(2026, 1, 10))
    give(10_000_000, restriction=grants, on=date(2026, 1, 12), from_donor=other)
    give(1_000_000, on=date(2026, 1, 5))
    give(6_000_001, restriction=grants, on=date(2026, 2, 5))
    mistaken = give(3_000_000, on=date(2026, 2, 14))
    give(50_000_000, restriction=grants, on=date(2026, 3, 3))
    receipt_reverse(officer, mistaken, reason="Chuyển nhầm", reversed_on=date(2026, 2, 16))

    def spend(amount, on, purpose, restriction=None):
        allocation = allocation_prepare(officer, fund=fund, amount=amount, purpose=purpose,
                                        restriction=restriction, allocated_on=on)
        return allocation_approve(manager, allocation)

    spend(4_000_000, date(2026, 1, 3), "Sửa nhà bà Năm")
    spend(8_000_000, date(2026, 1, 20), "Học bổng học kỳ 1", grants)
    february = spend(10_000_000, date(2026, 2, 10), "Học bổng học kỳ 2", grants)
    allocation_return(officer, february, amount=1_000_000, reason="Một em chuyển trường",
                      returned_on=date(2026, 2, 20))
    spend(5_000_000, date(2026, 3, 5), "Học bổng hè", grants)
    return {"other": other}


def _pots(use):
    return {p["label"]: p for p in use["pots"]}


def test_february_opens_with_januarys_rest_and_closes_to_the_dong(donor, books):
    use = donor_use(donor, FEB[1], FEB[0])
    pots = _pots(use)
    grants = pots[SCHOLARSHIP]
    # 20/1: the donor held 30 of the pot's 40 M, so 6 M of the 8 M spent were theirs.
    assert grants["opening"] == 24_000_000
    assert grants["given"] == 6_000_001
    # 10/2: 10 M × 30,000,001 / 38,000,001 = 7,894,736 đ (rounded down); 20/2 a tenth of that
    # spending came back: 789,473 đ of the donor's part.
    assert grants["uses"] == [{"purpose": "Học bổng học kỳ 2", "campaign": "",
                               "pot_amount": 9_000_000, "share": 7_894_736 - 789_473}]
    assert grants["used"] == 7_105_263
    assert grants["closing"] == 22_894_738
    # The spending of 3/1 came before the donor's gift: none of it was theirs. The reversed
    # 3 M was never received.
    common = pots[COMMON]
    assert (common["opening"], common["given"], common["used"], common["closing"]) == (
        1_000_000, 0, 0, 1_000_000)
    for pot in use["pots"]:
        assert pot["opening"] + pot["given"] - pot["used"] == pot["closing"]
    assert (use["opening"], use["given"], use["used"], use["closing"]) == (
        25_000_000, 6_000_001, 7_105_263, 23_894_738)


def test_consecutive_periods_chain_and_later_gifts_change_nothing_before(donor, books):
    january = donor_use(donor, date(2026, 1, 31), date(2026, 1, 1))
    february = donor_use(donor, *reversed(FEB))
    march = donor_use(donor, date(2026, 3, 31), date(2026, 3, 1))
    assert (january["opening"], january["given"], january["used"], january["closing"]) == (
        0, 31_000_000, 6_000_000, 25_000_000)
    assert february["opening"] == january["closing"]
    assert march["opening"] == february["closing"] == 23_894_738
    # 5/3: 5 M × the donor's 72,894,738 of the pot's 79,000,001 đ.
    assert march["given"] == 50_000_000
    assert march["used"] == 5_000_000 * 72_894_738 // 79_000_001
    for use in (january, february, march):
        assert use["opening"] + use["given"] - use["used"] == use["closing"]
    # The whole history adds up the same way.
    whole = donor_use(donor, date(2026, 3, 31))
    assert whole["opening"] == 0 and whole["given"] == 87_000_001
    assert whole["given"] - whole["used"] == whole["closing"] == march["closing"]


def test_a_period_without_movements_shows_the_balance_unchanged(donor, books):
    use = donor_use(donor, date(2026, 6, 30), date(2026, 4, 1))
    assert use["given"] == use["used"] == 0
    assert use["opening"] == use["closing"] > 0


def test_the_report_shows_the_period_its_gifts_and_balances(officer, donor, fund, books):
    pledge_create(officer, donor=donor, pledged_on=date(2026, 1, 3), amount=20_000_000,
                  fund=fund)
    pledge_create(officer, donor=donor, pledged_on=date(2026, 2, 3), amount=9_000_000,
                  fund=fund)
    report = donor_report(officer, donor, FEB[1], FEB[0])
    assert "Kỳ báo cáo: từ ngày 01/02/2026 đến ngày 28/02/2026" in report.lines
    gifts, balances, usage, summary = report.sections
    assert [r[1] for r in gifts.rows] == ["05/02/2026", "14/02/2026"]
    assert gifts.rows[1][5] == "Đã hủy ngày 16/02/2026"
    assert gifts.total[4] == 6_000_001
    assert balances.total == ["Cộng", 25_000_000, 6_000_001, 7_105_263, 23_894_738]
    assert usage.total[4] == 7_105_263
    totals = dict((r[0], r[1]) for r in summary.rows)
    assert totals["Đã cam kết trong kỳ"] == 9_000_000
    assert totals["Số dư đầu kỳ"] + totals["Đã nhận trong kỳ"] \
        - totals["Đã sử dụng trong kỳ"] == totals["Còn lại cuối kỳ"] == 23_894_738


def test_a_period_starting_after_its_end_is_refused(officer, donor):
    with pytest.raises(ValidationError) as err:
        donor_report(officer, donor, date(2026, 2, 1), date(2026, 3, 1))
    assert "since" in err.value.message_dict


def test_the_report_sent_to_the_donor_honours_its_period(settings, tmp_path, officer, donor,
                                                         books):
    settings.MEDIA_ROOT = tmp_path
    row = donor_report_record(officer, donor, sent_on=date(2026, 3, 10), channel="email",
                              period_start=FEB[0], period_end=FEB[1], fmt="xlsx")
    assert row.file_name.startswith("bao-cao-cong-ty-tnhh-an-phu-tu-20260201-den-20260228")
    ws = load_workbook(io.BytesIO(row.file.open("rb").read())).active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert ["Số dư đầu kỳ", 25_000_000] in [v[:2] for v in values]
    assert ["Còn lại cuối kỳ", 23_894_738] in [v[:2] for v in values]


def test_the_api_page_and_command_take_the_period_and_audit_it(api_as, client, tmp_path,
                                                               officer, donor, books):
    api = api_as(officer)
    base = f"/api/v1/funds/reports/donors/{donor.pk}"
    body = api.get(f"{base}?since=2026-02-01&until=2026-02-28").json()
    assert body["sections"][1]["total"] == ["Cộng", 25_000_000, 6_000_001, 7_105_263,
                                            23_894_738]
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert event.changes["since"] == "2026-02-01" and event.changes["until"] == "2026-02-28"
    refused = api.get(f"{base}?since=2026-03-01&until=2026-02-28")
    assert refused.status_code == 422 and "since" in str(refused.json())

    client.force_login(officer)
    response = client.get(reverse("fund_reports:download", args=["donor"]), {
        "donor": donor.pk, "since": "01/02/2026", "until": "28/02/2026", "format": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert "Kỳ báo cáo: từ ngày 01/02/2026 đến ngày 28/02/2026" in [
        c.value for r in ws.iter_rows() for c in r]

    out = tmp_path / "bao-cao.xlsx"
    call_command("fund_report", "donor", str(donor.pk), "--since", "2026-02-01",
                 "--until", "2026-02-28", "--format", "xlsx", "--output", str(out),
                 "--as", officer.username)
    ws = load_workbook(out).active
    assert ["Số dư đầu kỳ", 25_000_000] in [[c.value for c in r][:2] for r in ws.iter_rows()]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT,
                                     changes__since="2026-02-01").count() == 3
