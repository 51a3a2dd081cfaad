"""The fund's reports: monthly statement reconciliation, the donor's use of a gift, the
campaign report, the foreign-aid report, and their .xlsx / .pdf files."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from ansinh.funds.reports.campaign import campaign_report
from ansinh.funds.reports.donor import donor_report, donor_use
from ansinh.funds.reports.foreign_aid import foreign_aid_report, original_amount
from ansinh.funds.reports.monthly import monthly_report, statement
from ansinh.funds.reports.render import render
from ansinh.funds.selectors import balance_of
from ansinh.funds.services import (
    allocation_approve,
    allocation_prepare,
    campaign_create,
    donor_create,
    pledge_create,
    receipt_create,
    receipt_issue,
    receipt_reverse,
    restriction_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(fund_users):
    return fund_users["manager"]


@pytest.fixture
def scholarship(officer, fund, donor):
    return restriction_create(officer, fund=fund, kind="purpose", description="Học bổng",
                              donor=donor)


@pytest.fixture
def books(officer, manager, fund, donor, geo, scholarship, give):
    """Jan: 50 M unrestricted, 30 M scholarship; Feb: 12 M spent on scholarships, 20 M more
    unrestricted, the January 50 M reversed in March after 5 M unrestricted spending."""
    other = donor_create(officer, area=geo["commune"], kind="individual", name="Ông Lê Văn Tư")
    jan = give(50_000_000, on=date(2026, 1, 10))
    give(30_000_000, restriction=scholarship, on=date(2026, 1, 20))
    give(10_000_000, restriction=scholarship, on=date(2026, 1, 21), from_donor=other)
    spend = allocation_prepare(officer, fund=fund, amount=12_000_000, restriction=scholarship,
                               purpose="Học bổng 4 học sinh", allocated_on=date(2026, 2, 3))
    allocation_approve(manager, spend)
    give(20_000_000, on=date(2026, 2, 14), from_donor=other)
    small = allocation_prepare(officer, fund=fund, amount=5_000_000, purpose="Sửa nhà",
                               allocated_on=date(2026, 2, 20))
    allocation_approve(manager, small)
    receipt_reverse(officer, jan, reason="Nhà tài trợ chuyển nhầm", reversed_on=date(2026, 3, 2))
    return {"other": other}


def _by_label(rows):
    return {r.label: r for r in rows}


def test_the_monthly_statement_reconciles_month_to_month(fund, scholarship, books):
    months = [statement(fund, 2026, m) for m in (1, 2, 3, 4)]
    for rows in months:
        for r in rows:
            assert r.opening + r.receipts - r.reversals - r.allocations == r.closing
    for this, following in zip(months, months[1:], strict=False):
        closing = {r.restriction_id: r.closing for r in this}
        assert closing == {r.restriction_id: r.opening for r in following}
    jan, feb, mar = (_by_label(m) for m in months[:3])
    assert jan["Học bổng"].receipts == 40_000_000 and jan["Học bổng"].closing == 40_000_000
    assert feb["Học bổng"].allocations == 12_000_000 and feb["Học bổng"].closing == 28_000_000
    free = "Không hạn chế (quỹ chung)"
    assert feb[free].opening == 50_000_000 and feb[free].closing == 65_000_000
    assert mar[free].reversals == 50_000_000 and mar[free].closing == 15_000_000
    # The last closing is what the ledger says the pots hold.
    for r in months[-1]:
        b = balance_of(fund.pk, r.restriction_id)
        assert r.closing == b.received - b.spent


def test_a_month_outside_the_calendar_is_refused(officer, fund):
    with pytest.raises(ValidationError):
        monthly_report(officer, fund, 2026, 13)


def test_the_donor_report_shares_spending_by_the_donors_part_of_the_pot(donor, books):
    use = donor_use(donor, date(2026, 12, 31))
    pots = {p["label"]: p for p in use["pots"]}
    grant = pots["Quỹ An sinh xã hội phường Ba Đình – Học bổng"]
    # 30 of the pot's 40 M came from this donor: 3/4 of the 12 M spending.
    assert grant["given"] == 30_000_000 and grant["pot_received"] == 40_000_000
    assert grant["uses"][0]["share"] == 9_000_000
    assert grant["remaining"] == 21_000_000
    # The reversed 50 M is not a gift any more.
    assert "Quỹ An sinh xã hội phường Ba Đình – quỹ chung" not in pots
    assert use["given"] == use["used"] + use["remaining"] == 30_000_000


def test_rounding_stays_in_remaining_so_the_donor_report_adds_up(officer, manager, fund, geo,
                                                                 give):
    a = donor_create(officer, area=geo["commune"], kind="individual", name="A")
    b = donor_create(officer, area=geo["commune"], kind="individual", name="B")
    give(1_000_001, from_donor=a)
    give(2_000_000, from_donor=b)
    spend = allocation_prepare(officer, fund=fund, amount=1_000_000, purpose="Gạo")
    allocation_approve(manager, spend)
    use = donor_use(a, date(2026, 12, 31))
    assert use["used"] == 333_333
    assert use["used"] + use["remaining"] == 1_000_001


def test_reports_are_refused_outside_the_area_or_without_funds(fund_users, geo, fund, donor):
    foreign = fund_users["foreign_officer"]
    with pytest.raises(PermissionDenied):
        donor_report(foreign, donor)
    with pytest.raises(PermissionDenied):
        monthly_report(foreign, fund, 2026, 1)
    from tests.conftest import make_user

    viewer = make_user("xemtinh", "province_officer", geo["province"])
    with pytest.raises(PermissionDenied):
        monthly_report(viewer, fund, 2026, 1)


def test_the_campaign_report_lists_target_pledges_and_donors_by_real_name(officer, fund, geo,
                                                                          donor, give):
    campaign = campaign_create(officer, area=geo["commune"], name="Tết 2026",
                               starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 28),
                               target_amount=300_000_000, funds=[fund])
    shy = donor_create(officer, area=geo["commune"], kind="individual",
                       name="Bà Giấu Tên", display="anonymous")
    pledge_create(officer, donor=donor, pledged_on=date(2026, 1, 2), amount=80_000_000,
                  campaign=campaign, fund=fund)
    give(30_000_000, campaign=campaign)
    give(5_000_000, campaign=campaign, from_donor=shy)
    report = campaign_report(officer, campaign)
    summary = dict((r[0], r[1]) for r in report.sections[0].rows)
    assert summary["Mục tiêu vận động"] == 300_000_000
    assert summary["Đã cam kết (tiền)"] == 80_000_000
    assert summary["Đã nhận (tiền, sau khi trừ biên nhận hủy)"] == 35_000_000
    assert summary["Còn phải nhận theo cam kết"] == 80_000_000
    donors = report.sections[3].rows
    assert donors[0][:4] == ["Công ty TNHH An Phú", "Công khai tên", 80_000_000, 30_000_000]
    assert donors[1][:2] == ["Bà Giấu Tên", "Ẩn danh"]


@pytest.fixture
def ngo(officer, geo):
    return donor_create(officer, area=geo["commune"], kind="foreign_ngo",
                        name="Children First Foundation", country="US", currency="USD")


def test_the_foreign_aid_report_shows_currency_rate_and_approval(officer, fund, ngo):
    receipt = receipt_create(
        officer, fund=fund, donor=ngo, received_on=date(2026, 2, 1), method="bank_transfer",
        total=254_000_000, currency="USD", original_amount_minor=1_000_000,
        exchange_rate=Decimal("25400"), aid_approval_ref="125/QĐ-UBND",
        lines=[{"fund": fund, "amount": 254_000_000}])
    receipt_issue(officer, receipt)
    report = foreign_aid_report(officer, date(2026, 1, 1), date(2026, 6, 30))
    row = report.sections[0].rows[0]
    assert row[4:9] == ["USD", "10.000,00", "25.400", 254_000_000, "125/QĐ-UBND"]
    assert report.sections[1].rows == [["USD", "10.000,00", 254_000_000]]
    assert report.sections[2].rows == [["125/QĐ-UBND", 254_000_000]]
    outside = foreign_aid_report(officer, date(2026, 7, 1), date(2026, 12, 31))
    assert outside.sections[0].rows == []
    with pytest.raises(ValidationError):
        foreign_aid_report(officer, date(2026, 7, 1), date(2026, 1, 1))


def test_the_original_amount_keeps_the_currency_minor_units():
    assert original_amount(123_456, "USD") == "1.234,56"
    assert original_amount(500_000, "JPY") == "500.000"


def test_files_are_xlsx_and_pdf_and_text_cannot_become_a_formula(officer, fund, geo, give):
    evil = donor_create(officer, area=geo["commune"], kind="individual",
                        name='=HYPERLINK("http://x","y")')
    give(1_000_000, from_donor=evil, description="=SUM(1,2)")
    report = donor_report(officer, evil, date(2026, 12, 31))
    data = render(report, "xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert 1_000_000 in values and "'=SUM(1,2)" in values
    pdf = render(report, "pdf")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert render(monthly_report(officer, fund, 2026, 1), "pdf").startswith(b"%PDF")
