"""The fund section in the browser's terms: the dashboard, donors, funds, campaigns, pledges,
receipts and allocations; the access denials (no `funds` right → 403, another province → 404,
bank details masked without `donor_bank`), the final issued receipt and maker ≠ checker."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.funds import in_kind, services
from ansinh.funds.charts import campaign_progress_svg
from ansinh.funds.models import (
    Allocation,
    Campaign,
    Donor,
    Fund,
    Pledge,
    Receipt,
    ReceiptReversal,
    Restriction,
)
from ansinh.stock.choices import Category, Unit
from ansinh.stock.models import StockMovement
from ansinh.stock.selectors import balance_of as stock_balance
from ansinh.stock.services import item_create, stock_receive, warehouse_create
from tests.conftest import make_user
from tests.documents.readers import pdf_text

TODAY = timezone.localdate()
DAY = TODAY - timedelta(days=3)


@pytest.fixture
def staff(geo):
    return {
        "officer": make_user("canboquy", "fund_officer", geo["commune"]),
        "manager": make_user("giamdocquy", "fund_manager", geo["commune"]),
        "manager2": make_user("phogiamdocquy", "fund_manager", geo["commune"]),
        "foreign": make_user("canboquyhp", "fund_officer", geo["other_province"]),
        "commune_officer": make_user("canboxa", "commune_officer", geo["commune"]),
    }


@pytest.fixture
def officer(staff):
    return staff["officer"]


@pytest.fixture
def fund(geo, officer):
    return services.fund_create(officer, area=geo["commune"], kind="social_security",
                                name="Quỹ An sinh xã hội phường Ba Đình", code="ASXH")


@pytest.fixture
def donor(geo, officer):
    return services.donor_create(officer, area=geo["commune"], kind="business",
                                 name="Công ty TNHH Đức Phú", tax_code="0101234567",
                                 bank_account="0011002233445", bank_name="Vietcombank")


@pytest.fixture
def campaign(geo, officer, fund):
    return services.campaign_create(officer, area=geo["commune"], name="Tết nghĩa tình 2027",
                                    starts_on=TODAY - timedelta(days=30),
                                    target_amount=10_000_000, funds=[fund])


@pytest.fixture
def give(officer, donor, fund):
    def make(amount, *, on=DAY, restriction=None, campaign=None, **kw):
        receipt = services.receipt_create(
            officer, fund=fund, donor=donor, received_on=on, method="bank_transfer",
            total=amount, lines=[{"fund": fund, "amount": amount, "restriction": restriction,
                                  "campaign": campaign}], **kw)
        return services.receipt_issue(officer, receipt)
    return make


def receipt_post(fund, donor, total, lines, **head):
    data = {"fund": fund.pk, "donor": donor.pk, "method": "bank_transfer",
            "received_on": DAY.strftime("%d/%m/%Y"), "total": total, "currency": "VND",
            "lines-TOTAL_FORMS": len(lines), "lines-INITIAL_FORMS": len(lines),
            "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 50}
    for i, (line_fund, amount) in enumerate(lines):
        data[f"lines-{i}-fund"] = line_fund.pk if line_fund else ""
        data[f"lines-{i}-amount"] = amount
    data.update(head)
    return data


# ---- access --------------------------------------------------------------------------------

PAGES = ["funds:dashboard", "funds:donor_list", "funds:donor_create", "funds:fund_list",
         "funds:campaign_list", "funds:restriction_list", "funds:pledge_list",
         "funds:receipt_list", "funds:receipt_create", "funds:allocation_list",
         "funds:allocation_queue", "funds:allocation_prepare"]


@pytest.mark.parametrize("name", PAGES)
def test_it_refuses_a_commune_officer_without_the_funds_right(login, staff, name):
    assert login(staff["commune_officer"]).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_fund_staff_open_every_page(login, officer, fund, donor, campaign, name):
    response = login(officer).get(reverse(name))
    assert response.status_code == 200
    assert 'class="subnav"' in response.text


def test_the_main_nav_links_the_fund_section_only_for_fund_staff(login, staff):
    link = f'href="{reverse("funds:dashboard")}"'
    assert link in login(staff["officer"]).get(reverse("dashboard")).text
    page = login(staff["commune_officer"]).get(reverse("dashboard")).text
    assert link not in page and "Quỹ an sinh" not in page


def test_it_refuses_anonymous_users_with_a_login_redirect(client):
    response = client.get(reverse("funds:dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_records_of_another_province_are_404(login, staff, geo, fund, donor, campaign, give):
    receipt = give(1_000_000)
    allocation = services.allocation_prepare(staff["officer"], fund=fund, amount=100_000,
                                             purpose="Quà Tết")
    client = login(staff["foreign"])
    for name, pk in [("funds:donor_detail", donor.pk), ("funds:donor_edit", donor.pk),
                     ("funds:fund_detail", fund.pk), ("funds:campaign_detail", campaign.pk),
                     ("funds:receipt_detail", receipt.pk), ("funds:receipt_edit", receipt.pk),
                     ("funds:allocation_detail", allocation.pk)]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("funds:receipt_reverse", args=[receipt.pk]),
                       {"reverse-reason": "x"}).status_code == 404
    listed = client.get(reverse("funds:donor_list")).text
    assert donor.name not in listed
    foreign_manager = make_user("giamdochp", "fund_manager", geo["other_province"])
    assert login(foreign_manager).post(reverse("funds:allocation_approve",
                                               args=[allocation.pk])).status_code == 404


def test_lists_show_only_the_users_area(login, staff, geo, donor):
    services.donor_create(staff["foreign"], area=geo["other_province"], kind="individual",
                          name="Bà Trần Thị Hải Phòng")
    page = login(staff["officer"]).get(reverse("funds:donor_list")).text
    assert donor.name in page and "Hải Phòng" not in page


# ---- donors --------------------------------------------------------------------------------

def test_bank_details_are_shown_to_users_holding_donor_bank(login, officer, donor):
    page = login(officer).get(reverse("funds:donor_detail", args=[donor.pk])).text
    assert "0011002233445" in page and "Vietcombank" in page


def test_bank_details_are_masked_without_donor_bank(login, geo, donor):
    # Fund staff of the neighbouring ward who also audit the province: may read the donor,
    # may not see his account nor edit him.
    user = make_user("kiemtra_quy", "fund_officer", geo["sibling_commune"])
    user.role_assignments.create(role="auditor", area=geo["province"])
    client = login(user)
    page = client.get(reverse("funds:donor_detail", args=[donor.pk])).text
    assert "0011002233445" not in page and "Vietcombank" not in page
    assert "••••••••••445" in page
    assert reverse("funds:donor_edit", args=[donor.pk]) not in page
    assert client.get(reverse("funds:donor_edit", args=[donor.pk])).status_code == 403


def test_the_donor_search_ignores_diacritics(login, officer, donor, geo):
    services.donor_create(officer, area=geo["commune"], kind="individual", name="Ông Lê Văn Tám")
    client = login(officer)
    page = client.get(reverse("funds:donor_list"), {"q": "duc phu"}).text
    assert donor.name in page and "Lê Văn Tám" not in page
    assert donor.name in client.get(reverse("funds:donor_list"), {"q": "0101234567"}).text


def test_the_donor_list_answers_htmx_with_the_table_only(login, officer, donor):
    response = login(officer).get(reverse("funds:donor_list"), {"q": "phu"},
                                  HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="donor-table"' in response.text and "<html" not in response.text


def test_a_donor_is_created_from_the_form(login, officer, geo):
    response = login(officer).post(reverse("funds:donor_create"), {
        "area": geo["commune"].pk, "kind": "foreign_ngo", "name": "Good Neighbors",
        "country": "kr", "currency": "usd", "display": "named"})
    donor = Donor.objects.get(name="Good Neighbors")
    assert response.status_code == 302
    assert response["Location"] == reverse("funds:donor_detail", args=[donor.pk])
    assert (donor.country, donor.currency, donor.commune) == ("KR", "USD", geo["commune"])


def test_a_foreign_ngo_without_country_is_refused_on_its_field(login, officer, geo):
    response = login(officer).post(reverse("funds:donor_create"), {
        "area": geo["commune"].pk, "kind": "foreign_ngo", "name": "Good Neighbors",
        "currency": "USD", "display": "named"})
    assert response.status_code == 200
    assert "Quốc gia: bắt buộc với tổ chức nước ngoài" in response.text
    assert not Donor.objects.filter(name="Good Neighbors").exists()


def test_a_donor_cannot_be_created_in_another_province(login, officer, geo):
    response = login(officer).post(reverse("funds:donor_create"), {
        "area": geo["other_province"].pk, "kind": "individual", "name": "Ông A",
        "currency": "VND", "display": "named"})
    assert response.status_code == 200
    assert "Đơn vị ngoài địa bàn của bạn." in response.text
    assert not Donor.objects.filter(name="Ông A").exists()


def test_a_donor_is_edited(login, officer, donor):
    response = login(officer).post(reverse("funds:donor_edit", args=[donor.pk]), {
        "kind": "business", "name": "Công ty CP Đức Phú", "currency": "VND",
        "display": "anonymous", "tax_code": donor.tax_code,
        "bank_account": donor.bank_account, "bank_name": "BIDV"})
    assert response.status_code == 302
    donor.refresh_from_db()
    assert (donor.name, donor.display, donor.bank_name) == ("Công ty CP Đức Phú", "anonymous",
                                                            "BIDV")


def test_the_donor_page_shows_pledges_receipts_and_progress(login, officer, donor, campaign,
                                                            give):
    services.pledge_create(officer, donor=donor, pledged_on=DAY, amount=5_000_000,
                           campaign=campaign)
    receipt = give(2_000_000, campaign=campaign)
    page = login(officer).get(reverse("funds:donor_detail", args=[donor.pk])).text
    assert receipt.number in page
    assert "5.000.000" in page and "2.000.000" in page
    assert "3.000.000" not in page  # the pledge is not linked to the receipt: still owed 5M


# ---- funds, campaigns, restrictions, pledges -----------------------------------------------

def test_a_fund_and_a_campaign_are_created(login, officer, geo):
    client = login(officer)
    response = client.post(reverse("funds:fund_create"), {
        "area": geo["commune"].pk, "kind": "for_the_poor", "name": "Quỹ Vì người nghèo",
        "code": "vnn"})
    assert response.status_code == 302
    fund = Fund.objects.get(code="VNN")
    response = client.post(reverse("funds:campaign_create"), {
        "area": geo["commune"].pk, "name": "Thủ Đức nghĩa tình",
        "target_amount": "5.200.000.000", "starts_on": "01/01/2026", "ends_on": "31/12/2026",
        "funds": [fund.pk]})
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="Thủ Đức nghĩa tình")
    assert campaign.target_amount == 5_200_000_000
    assert list(campaign.funds.all()) == [fund]


def test_a_campaign_ending_before_it_starts_is_refused(login, officer, geo):
    response = login(officer).post(reverse("funds:campaign_create"), {
        "area": geo["commune"].pk, "name": "Sai ngày", "starts_on": "10/01/2026",
        "ends_on": "01/01/2026"})
    assert response.status_code == 200
    assert "Ngày kết thúc: không được trước ngày bắt đầu." in response.text


def test_the_campaign_page_charts_received_pledged_and_target(login, officer, geo, donor,
                                                              campaign, give):
    other = services.donor_create(officer, area=geo["commune"], kind="individual",
                                  name="Bà Nguyễn Thị Ẩn", display="anonymous")
    services.pledge_create(officer, donor=donor, pledged_on=DAY, amount=4_000_000,
                           campaign=campaign)
    services.pledge_create(officer, donor=other, pledged_on=DAY, amount=1_000_000,
                           campaign=campaign)
    give(1_500_000, campaign=campaign)
    page = login(officer).get(reverse("funds:campaign_detail", args=[campaign.pk])).text
    assert "<svg" in page and 'class="bar-received"' in page and 'class="bar-target"' in page
    assert "Đã nhận: 1.500.000 đ" in page and "Mục tiêu: 10.000.000 đ" in page
    assert 'id="stat-pledged">5.000.000 đ' in page
    assert 'id="stat-received">1.500.000 đ' in page
    assert "Nhà hảo tâm ẩn danh" in page  # how the anonymous donor appears in public lists


def test_the_dashboard_shows_balances_progress_month_pending_and_expiring(
        login, staff, geo, fund, campaign, give):
    officer = staff["officer"]
    give(3_000_000, on=TODAY, campaign=campaign)
    services.allocation_prepare(officer, fund=fund, amount=1_000_000, purpose="Quà Tết 2027")
    item = item_create(officer, name="Sữa hộp", unit=Unit.THUNG, category=Category.FOOD,
                       perishable=True)
    house = warehouse_create(officer, name="Điểm phát Ba Đình", commune=geo["commune"])
    stock_receive(officer, warehouse=house, item=item, quantity=12, donor_name="Vinamilk",
                  expiry_date=TODAY + timedelta(days=10))
    page = login(officer).get(reverse("funds:dashboard")).text
    assert 'id="stat-received">3.000.000 đ' in page
    assert 'id="stat-month">3.000.000 đ' in page
    assert 'id="stat-available">2.000.000 đ' in page
    assert "Quà Tết 2027" in page
    assert "<svg" in page and "Tết nghĩa tình 2027" in page
    assert "Sữa hộp" in page and "Điểm phát Ba Đình" in page


def test_the_dashboard_counts_nothing_of_another_province(login, staff, give):
    give(3_000_000, on=TODAY)
    page = login(staff["foreign"]).get(reverse("funds:dashboard")).text
    assert 'id="stat-received">0 đ' in page and "Quỹ An sinh xã hội phường" not in page


def test_a_pledge_is_recorded_but_never_counted_as_received(login, officer, donor, campaign):
    client = login(officer)
    response = client.post(reverse("funds:pledge_create"), {
        "donor": donor.pk, "campaign": campaign.pk, "amount": "2.500.000",
        "pledged_on": DAY.strftime("%d/%m/%Y")})
    assert response.status_code == 302
    assert Pledge.objects.get().amount == 2_500_000
    page = client.get(reverse("funds:campaign_detail", args=[campaign.pk])).text
    assert 'id="stat-pledged">2.500.000 đ' in page and 'id="stat-received">0 đ' in page


def test_a_pledge_in_the_future_is_refused(login, officer, donor, campaign):
    response = login(officer).post(reverse("funds:pledge_create"), {
        "donor": donor.pk, "campaign": campaign.pk, "amount": "100000",
        "pledged_on": (TODAY + timedelta(days=2)).strftime("%d/%m/%Y")})
    assert "Ngày cam kết: không được sau ngày hôm nay." in response.text
    assert not Pledge.objects.exists()


def test_a_restriction_is_created_and_listed_with_its_balance(login, officer, fund, campaign,
                                                              give):
    client = login(officer)
    response = client.post(reverse("funds:restriction_create"), {
        "fund": fund.pk, "kind": "campaign", "campaign": campaign.pk})
    assert response.status_code == 302
    restriction = Restriction.objects.get()
    give(700_000, restriction=restriction)
    page = client.get(reverse("funds:restriction_list")).text
    assert "Tết nghĩa tình 2027" in page and "700.000" in page


def test_the_fund_page_shows_each_pot_and_the_receipts_into_it(login, officer, fund, campaign,
                                                              give):
    restriction = services.restriction_create(officer, fund=fund, kind="purpose",
                                              description="Sửa nhà cho hộ nghèo")
    give(900_000)
    into_pot = give(400_000, restriction=restriction)
    services.allocation_prepare(officer, fund=fund, restriction=restriction, amount=150_000,
                                purpose="Sửa mái nhà")
    page = login(officer).get(reverse("funds:fund_detail", args=[fund.pk])).text
    assert "Sửa nhà cho hộ nghèo" in page and into_pot.number in page
    assert "<strong>250.000</strong>" in page and "<strong>900.000</strong>" in page
    listed = login(officer).get(reverse("funds:fund_list")).text
    assert "<strong>1.150.000</strong>" in listed


def test_a_campaign_restriction_without_campaign_is_refused(login, officer, fund):
    response = login(officer).post(reverse("funds:restriction_create"), {
        "fund": fund.pk, "kind": "campaign"})
    assert "Chiến dịch: bắt buộc với hạn chế theo chiến dịch." in response.text


# ---- receipts ------------------------------------------------------------------------------

def test_a_receipt_whose_lines_do_not_add_up_is_refused_and_nothing_is_written(
        login, officer, fund, donor):
    response = login(officer).post(reverse("funds:receipt_create"), receipt_post(
        fund, donor, "1.000.000", [(fund, "600.000"), (fund, "300.000")]))
    assert response.status_code == 200
    assert "cộng lại 900.000 đ, khác tổng số tiền 1.000.000 đ" in response.text
    assert not Receipt.objects.exists()


def test_a_receipt_with_lines_is_drafted_then_issued(login, officer, fund, donor, geo):
    poor = services.fund_create(officer, area=geo["commune"], kind="for_the_poor",
                                name="Quỹ Vì người nghèo", code="VNN")
    client = login(officer)
    response = client.post(reverse("funds:receipt_create"), receipt_post(
        fund, donor, "1.000.000", [(fund, "600.000"), (poor, "400.000"), (None, "")]))
    receipt = Receipt.objects.get()
    assert response["Location"] == reverse("funds:receipt_detail", args=[receipt.pk])
    assert sorted(receipt.lines.values_list("amount", flat=True)) == [400_000, 600_000]
    page = client.get(response["Location"]).text
    assert 'id="edit-receipt"' in page and 'id="issue-form"' in page
    response = client.post(reverse("funds:receipt_issue", args=[receipt.pk]), follow=True)
    receipt.refresh_from_db()
    assert receipt.issued and receipt.number == f"00001/{DAY.year}/BN-ASXH"
    assert f"Đã cấp biên nhận số {receipt.number}" in response.text


def test_an_issued_receipt_has_no_edit_button_and_its_edit_url_refuses(login, officer, give,
                                                                       fund, donor):
    receipt = give(500_000)
    client = login(officer)
    page = client.get(reverse("funds:receipt_detail", args=[receipt.pk])).text
    assert 'id="edit-receipt"' not in page and 'id="issue-form"' not in page
    edit = reverse("funds:receipt_edit", args=[receipt.pk])
    assert client.get(edit).status_code == 403
    response = client.post(edit, receipt_post(fund, donor, "1", [(fund, "1")]))
    assert response.status_code == 403
    receipt.refresh_from_db()
    assert receipt.total == 500_000 and receipt.lines.get().amount == 500_000


def test_a_draft_is_edited_in_place_and_audited_old_to_new(login, officer, fund, donor):
    draft = services.receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                                    method="bank_transfer", total=300_000,
                                    lines=[{"fund": fund, "amount": 300_000}])
    client = login(officer)
    form = client.get(reverse("funds:receipt_edit", args=[draft.pk])).text
    assert 'value="300.000"' in form
    response = client.post(reverse("funds:receipt_edit", args=[draft.pk]), receipt_post(
        fund, donor, "350.000", [(fund, "350.000")]))
    receipt = Receipt.objects.get()
    assert response["Location"] == reverse("funds:receipt_detail", args=[draft.pk])
    assert receipt.pk == draft.pk and receipt.total == 350_000
    assert receipt.lines.get().amount == 350_000
    event = AuditEvent.objects.get(object_type="receipt", object_id=draft.pk, action="update")
    assert event.changes["total"] == [300_000, 350_000]
    assert not AuditEvent.objects.filter(object_type="receipt", action="delete").exists()


def test_a_refused_draft_edit_keeps_the_old_draft(login, officer, fund, donor):
    draft = services.receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                                    method="bank_transfer", total=300_000,
                                    lines=[{"fund": fund, "amount": 300_000}])
    response = login(officer).post(reverse("funds:receipt_edit", args=[draft.pk]),
                                   receipt_post(fund, donor, "350.000", [(fund, "300.000")]))
    assert response.status_code == 200 and "khác tổng số tiền" in response.text
    assert list(Receipt.objects.values_list("pk", "total")) == [(draft.pk, 300_000)]


def test_add_line_shows_one_more_line_keeping_what_was_typed(login, officer, fund, donor):
    data = receipt_post(fund, donor, "1.000.000", [(fund, "600.000"), (fund, "")])
    data["add_line"] = "1"
    response = login(officer).post(reverse("funds:receipt_create"), data)
    assert response.status_code == 200
    assert 'name="lines-TOTAL_FORMS" value="3"' in response.text
    assert 'value="600.000"' in response.text and 'value="1.000.000"' in response.text
    assert 'class="errorlist' not in response.text
    assert not Receipt.objects.exists()


def test_cash_needs_its_receipt_document_number(login, officer, fund, donor):
    response = login(officer).post(reverse("funds:receipt_create"), receipt_post(
        fund, donor, "200000", [(fund, "200000")], method="cash"))
    assert "Số phiếu thu: bắt buộc khi nhận tiền mặt." in response.text


def test_a_future_date_and_a_bad_amount_are_refused_on_their_fields(login, officer, fund,
                                                                    donor):
    response = login(officer).post(reverse("funds:receipt_create"), receipt_post(
        fund, donor, "hai triệu", [(fund, "1")],
        received_on=(TODAY + timedelta(days=1)).strftime("%d/%m/%Y")))
    assert "Nhập số nguyên đồng, ví dụ 1.250.000." in response.text
    response = login(officer).post(reverse("funds:receipt_create"), receipt_post(
        fund, donor, "1", [(fund, "1")],
        received_on=(TODAY + timedelta(days=1)).strftime("%d/%m/%Y")))
    assert "Ngày nhận: không được sau ngày hôm nay." in response.text
    assert not Receipt.objects.exists()


def test_foreign_aid_is_not_issued_without_its_approval_decision(login, officer, fund, geo):
    ngo = services.donor_create(officer, area=geo["commune"], kind="foreign_ngo",
                                name="Good Neighbors", country="KR", currency="USD")
    client = login(officer)
    response = client.post(reverse("funds:receipt_create"), receipt_post(
        fund, ngo, "25.350.000", [(fund, "25.350.000")], currency="usd",
        original_amount="1000.00", exchange_rate="25350"))
    receipt = Receipt.objects.get()
    assert response.status_code == 302
    assert (receipt.currency, receipt.original_amount_minor) == ("USD", 100_000)
    page = client.get(reverse("funds:receipt_detail", args=[receipt.pk])).text
    assert "cần số quyết định phê duyệt viện trợ" in page and "1000,00 USD · tỷ giá 25350 đ" in page
    response = client.post(reverse("funds:receipt_issue", args=[receipt.pk]), follow=True)
    assert "Số quyết định phê duyệt viện trợ: bắt buộc" in response.text
    receipt.refresh_from_db()
    assert not receipt.issued


def test_a_foreign_amount_that_does_not_match_the_rate_is_refused(login, officer, fund, geo):
    ngo = services.donor_create(officer, area=geo["commune"], kind="foreign_ngo",
                                name="Good Neighbors", country="KR", currency="USD")
    response = login(officer).post(reverse("funds:receipt_create"), receipt_post(
        fund, ngo, "25.000.000", [(fund, "25.000.000")], currency="USD",
        original_amount="1000", exchange_rate="25350", aid_approval_ref="123/QĐ-BNG"))
    assert "không khớp nguyên tệ × tỷ giá = 25.350.000 đ" in response.text
    assert not Receipt.objects.exists()


def test_a_receipt_is_reversed_with_a_reason(login, officer, give):
    receipt = give(800_000)
    client = login(officer)
    url = reverse("funds:receipt_reverse", args=[receipt.pk])
    response = client.post(url, {"reverse-reason": ""})
    assert response.status_code == 400 and "Lý do hủy: bắt buộc." in response.text
    response = client.post(url, {"reverse-reason": "Chuyển nhầm tài khoản"})
    assert response.status_code == 302
    assert ReceiptReversal.objects.get(receipt=receipt).reason == "Chuyển nhầm tài khoản"
    page = client.get(reverse("funds:receipt_detail", args=[receipt.pk])).text
    assert 'id="reversal"' in page and 'id="reverse-form"' not in page
    dashboard = client.get(reverse("funds:dashboard")).text
    assert 'id="stat-received">0 đ' in dashboard


def test_a_receipt_whose_money_was_allocated_cannot_be_reversed(login, officer, fund, give):
    receipt = give(800_000)
    services.allocation_prepare(officer, fund=fund, amount=500_000, purpose="Học bổng")
    response = login(officer).post(reverse("funds:receipt_reverse", args=[receipt.pk]),
                                   {"reverse-reason": "Nhầm"})
    assert response.status_code == 400 and "không đủ số dư để hủy" in response.text
    assert not ReceiptReversal.objects.exists()


def test_the_receipt_list_filters_by_status_and_number(login, officer, give):
    kept = give(100_000)
    gone = give(200_000)
    services.receipt_reverse(officer, gone, reason="Nhầm")
    client = login(officer)
    page = client.get(reverse("funds:receipt_list"), {"status": "reversed"}).text
    assert gone.number in page and kept.number not in page
    page = client.get(reverse("funds:receipt_list"), {"q": kept.number}).text
    assert kept.number in page and gone.number not in page
    page = client.get(reverse("funds:receipt_list"), {"since": "hôm qua"}).text
    assert "Nhập ngày dạng dd/mm/yyyy" in page


# ---- goods and services receipts -----------------------------------------------------------

@pytest.fixture
def goods(officer, geo):
    return {
        "rice": item_create(officer, name="Gạo", unit=Unit.KG, category=Category.FOOD),
        "milk": item_create(officer, name="Sữa hộp", unit=Unit.THUNG, category=Category.FOOD,
                            perishable=True),
        "store": warehouse_create(officer, name="Kho phường Ba Đình", commune=geo["commune"]),
        "point": warehouse_create(officer, name="Điểm phát Quán Thánh",
                                  commune=geo["commune"]),
    }


def in_kind_post(fund, donor, total, lines, *, warehouse=None, campaign=None, **head):
    """The form of a goods receipt (lines of item, quantity, unit value, expiry) or, without
    a warehouse, of a services receipt (lines of service, unit, places, value)."""
    data = {"fund": fund.pk, "donor": donor.pk, "received_on": DAY.strftime("%d/%m/%Y"),
            "total": total, "campaign": campaign.pk if campaign else "",
            "lines-TOTAL_FORMS": len(lines), "lines-INITIAL_FORMS": len(lines),
            "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 50}
    if warehouse is not None:
        data["warehouse"] = warehouse.pk
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{i}-{key}"] = getattr(value, "pk", value)
    data.update(head)
    return data


def later(days=200):
    return (TODAY + timedelta(days=days)).strftime("%d/%m/%Y")


def test_a_goods_receipt_is_drafted_from_the_form_and_its_goods_reach_the_stock_on_issue(
        login, officer, fund, donor, goods, campaign):
    client = login(officer)
    assert client.get(reverse("funds:receipt_create_goods")).status_code == 200
    response = client.post(reverse("funds:receipt_create_goods"), in_kind_post(
        fund, donor, "24.000.000", [
            {"item": goods["rice"], "quantity": "500", "unit_value": "20.000"},
            {"item": goods["milk"], "quantity": "40", "unit_value": "350.000",
             "expiry_date": later(), "warehouse": goods["point"]},
            {"item": "", "quantity": "", "unit_value": ""}],
        warehouse=goods["store"], campaign=campaign, document_ref="BBGN-01"))
    receipt = Receipt.objects.get()
    assert response["Location"] == reverse("funds:receipt_detail", args=[receipt.pk])
    assert (receipt.kind, receipt.method, receipt.total) == ("goods", "in_kind", 24_000_000)
    assert list(receipt.goods_lines.order_by("pk").values_list(
        "item__name", "warehouse__name", "campaign")) == [
        ("Gạo", "Kho phường Ba Đình", campaign.pk),
        ("Sữa hộp", "Điểm phát Quán Thánh", campaign.pk)]
    page = client.get(response["Location"]).text
    assert "Các dòng hàng hóa" in page and "Sữa hộp" in page and "14.000.000" in page
    assert "In biên nhận (PDF)" in page and 'id="issue-form"' in page
    client.post(reverse("funds:receipt_issue", args=[receipt.pk]))
    assert stock_balance(officer, goods["store"], goods["rice"]) == (500, 10_000_000)
    assert stock_balance(officer, goods["point"], goods["milk"]) == (40, 14_000_000)


def test_goods_lines_not_adding_up_to_the_total_are_refused(login, officer, fund, donor,
                                                            goods):
    response = login(officer).post(reverse("funds:receipt_create_goods"), in_kind_post(
        fund, donor, "11.000.000", [{"item": goods["rice"], "quantity": "500",
                                     "unit_value": "20.000"}], warehouse=goods["store"]))
    assert response.status_code == 200
    assert "cộng lại 10.000.000 đ, khác tổng giá trị 11.000.000 đ" in response.text
    assert not Receipt.objects.exists()


@pytest.mark.parametrize("line, message", [
    ({"quantity": "0"}, "Dòng 1 – Số lượng: phải lớn hơn 0."),
    ({"quantity": "-3"}, "Dòng 1 – Số lượng: phải lớn hơn 0."),
    ({"item": "milk"}, "Dòng 1 – Hạn sử dụng: bắt buộc với «Sữa hộp»."),
])
def test_a_bad_goods_line_is_refused_naming_the_line(login, officer, fund, donor, goods,
                                                     line, message):
    row = {"item": goods["rice"], "quantity": "10", "unit_value": "20.000"}
    row.update({k: goods[v] if k == "item" else v for k, v in line.items()})
    response = login(officer).post(reverse("funds:receipt_create_goods"), in_kind_post(
        fund, donor, "200.000", [row], warehouse=goods["store"]))
    assert response.status_code == 200 and message in response.text
    assert not Receipt.objects.exists()


def test_a_goods_receipt_dated_tomorrow_is_refused_on_its_field(login, officer, fund, donor,
                                                                goods):
    response = login(officer).post(reverse("funds:receipt_create_goods"), in_kind_post(
        fund, donor, "200.000", [{"item": goods["rice"], "quantity": "10",
                                  "unit_value": "20.000"}], warehouse=goods["store"],
        received_on=(TODAY + timedelta(days=1)).strftime("%d/%m/%Y")))
    assert "Ngày nhận: không được sau ngày hôm nay." in response.text
    assert not Receipt.objects.exists()


def test_a_services_receipt_is_drafted_and_shows_its_lines(login, officer, fund, donor):
    client = login(officer)
    response = client.post(reverse("funds:receipt_create_services"), in_kind_post(
        fund, donor, "130.000.000", [
            {"service": "Suất học nghề may công nghiệp", "places": "30",
             "unit_value": "4.000.000"},
            {"service": "Khám sức khỏe", "unit": "lượt", "places": "50",
             "unit_value": "200.000"}]))
    receipt = Receipt.objects.get()
    assert response.status_code == 302 and receipt.kind == "services"
    assert receipt.total == 130_000_000
    page = client.get(reverse("funds:receipt_detail", args=[receipt.pk])).text
    assert "Các dòng dịch vụ" in page and "Suất học nghề may công nghiệp" in page
    assert "50 lượt" in page


def test_add_line_on_the_goods_form_keeps_what_was_typed(login, officer, fund, donor, goods):
    data = in_kind_post(fund, donor, "1.000.000", [
        {"item": goods["rice"], "quantity": "50", "unit_value": "20.000"}],
        warehouse=goods["store"])
    data["add_line"] = "1"
    response = login(officer).post(reverse("funds:receipt_create_goods"), data)
    assert 'name="lines-TOTAL_FORMS" value="2"' in response.text
    assert 'name="lines-0-quantity" value="50"' in response.text
    assert 'class="errorlist' not in response.text and not Receipt.objects.exists()


def test_a_goods_draft_is_edited_in_place_from_its_form(login, officer, fund, donor, goods):
    draft = in_kind.goods_receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                                         lines=[{"item": goods["rice"], "quantity": 100,
                                                 "warehouse": goods["store"],
                                                 "unit_value": 20_000}])
    client = login(officer)
    url = reverse("funds:receipt_edit", args=[draft.pk])
    form = client.get(url).text
    assert "Các dòng hàng hóa" in form and 'value="2.000.000"' in form
    assert 'name="lines-0-quantity" value="100"' in form
    response = client.post(url, in_kind_post(fund, donor, "3.000.000", [
        {"item": goods["rice"], "quantity": "150", "unit_value": "20.000"}],
        warehouse=goods["store"]))
    assert response["Location"] == reverse("funds:receipt_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.total == 3_000_000 and draft.goods_lines.get().quantity == 150
    assert AuditEvent.objects.get(object_id=draft.pk, object_type="receipt",
                                  action="update").changes["total"] == [2_000_000, 3_000_000]


def test_an_issued_goods_receipt_cannot_be_edited(login, officer, fund, donor, goods):
    receipt = services.receipt_issue(officer, in_kind.goods_receipt_create(
        officer, fund=fund, donor=donor, received_on=DAY, lines=[
            {"item": goods["rice"], "quantity": 100, "warehouse": goods["store"],
             "unit_value": 20_000}]))
    client = login(officer)
    url = reverse("funds:receipt_edit", args=[receipt.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, in_kind_post(fund, donor, "20", [
        {"item": goods["rice"], "quantity": "1", "unit_value": "20"}],
        warehouse=goods["store"])).status_code == 403
    assert receipt.goods_lines.get().quantity == 100


def test_foreign_aid_goods_are_not_issued_without_the_approval_decision(login, officer, fund,
                                                                       geo, goods):
    ngo = services.donor_create(officer, area=geo["commune"], kind="foreign_ngo",
                                name="Good Neighbors", country="KR", currency="USD")
    client = login(officer)
    client.post(reverse("funds:receipt_create_goods"), in_kind_post(
        fund, ngo, "200.000", [{"item": goods["rice"], "quantity": "10",
                                "unit_value": "20.000"}], warehouse=goods["store"]))
    receipt = Receipt.objects.get()
    response = client.post(reverse("funds:receipt_issue", args=[receipt.pk]), follow=True)
    assert "Số quyết định phê duyệt viện trợ: bắt buộc" in response.text
    receipt.refresh_from_db()
    assert not receipt.issued and not StockMovement.objects.exists()


def test_a_draft_prints_with_its_pdf_link(login, officer, fund, donor, goods):
    draft = in_kind.service_receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                                           lines=[{"service": "Suất học nghề", "places": 2,
                                                   "unit_value": 1_000_000}])
    client = login(officer)
    page = client.get(reverse("funds:receipt_detail", args=[draft.pk])).text
    pdf_url = reverse("fund_statements:receipt_pdf", args=[draft.pk])
    assert f'href="{pdf_url}"' in page and "In biên nhận (PDF)" in page
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "BẢN NHÁP" in pdf_text(response.content)


def test_the_receipt_list_filters_by_kind(login, officer, fund, donor, goods, give):
    cash = give(100_000)
    stuff = in_kind.goods_receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                                         lines=[{"item": goods["rice"], "quantity": 7,
                                                 "warehouse": goods["store"],
                                                 "unit_value": 1_000}])
    client = login(officer)
    page = client.get(reverse("funds:receipt_list"), {"kind": "goods"}).text
    assert f"Biên nhận nháp #{stuff.pk}" in page and cash.number not in page
    page = client.get(reverse("funds:receipt_list"), {"kind": "cash"}).text
    assert f"Biên nhận nháp #{stuff.pk}" not in page and cash.number in page


def test_in_kind_forms_refuse_staff_without_funds_and_hide_other_provinces(
        login, staff, fund, donor, goods):
    draft = in_kind.goods_receipt_create(staff["officer"], fund=fund, donor=donor,
                                         received_on=DAY, lines=[
                                             {"item": goods["rice"], "quantity": 1,
                                              "warehouse": goods["store"], "unit_value": 1}])
    client = login(staff["commune_officer"])
    for name in ("funds:receipt_create_goods", "funds:receipt_create_services"):
        assert client.get(reverse(name)).status_code == 403
    client = login(staff["foreign"])
    assert client.get(reverse("funds:receipt_edit", args=[draft.pk])).status_code == 404
    assert client.get(reverse("funds:receipt_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("fund_statements:receipt_pdf",
                              args=[draft.pk])).status_code == 404
    response = client.post(reverse("funds:receipt_create_goods"), in_kind_post(
        fund, donor, "1", [{"item": goods["rice"], "quantity": "1", "unit_value": "1"}],
        warehouse=goods["store"]))
    assert response.status_code == 200 and "không có trong địa bàn của bạn" in response.text
    assert Receipt.objects.count() == 1


# ---- allocations ---------------------------------------------------------------------------

def test_an_allocation_larger_than_the_balance_is_refused(login, officer, fund, give):
    give(1_000_000)
    response = login(officer).post(reverse("funds:allocation_prepare"), {
        "fund": fund.pk, "amount": "1.000.001", "purpose": "Học bổng"})
    assert response.status_code == 200
    assert "Số tiền: vượt số dư khả dụng 1.000.000 đ." in response.text
    assert not Allocation.objects.exists()


def test_an_allocation_is_prepared_and_waits_in_the_queue(login, staff, fund, give):
    give(1_000_000)
    response = login(staff["officer"]).post(reverse("funds:allocation_prepare"), {
        "fund": fund.pk, "amount": "400.000", "purpose": "50 suất học bổng"})
    allocation = Allocation.objects.get()
    assert response["Location"] == reverse("funds:allocation_detail", args=[allocation.pk])
    assert allocation.status == "pending" and allocation.prepared_by == staff["officer"]
    page = login(staff["manager"]).get(reverse("funds:allocation_queue")).text
    assert "50 suất học bổng" in page and "Quyết định »" in page


def test_the_preparer_cannot_approve_his_own_allocation(login, staff, fund, give):
    give(1_000_000)
    manager = staff["manager"]
    allocation = services.allocation_prepare(manager, fund=fund, amount=300_000,
                                             purpose="Quà Tết")
    client = login(manager)
    page = client.get(reverse("funds:allocation_detail", args=[allocation.pk])).text
    assert 'id="decide"' not in page and 'id="own-allocation"' in page
    response = client.post(reverse("funds:allocation_approve", args=[allocation.pk]))
    assert response.status_code == 403
    allocation.refresh_from_db()
    assert allocation.status == "pending"


def test_an_officer_without_fund_approve_cannot_decide(login, staff, fund, give):
    give(1_000_000)
    allocation = services.allocation_prepare(staff["manager"], fund=fund, amount=300_000,
                                             purpose="Quà Tết")
    client = login(staff["officer"])
    page = client.get(reverse("funds:allocation_detail", args=[allocation.pk])).text
    assert 'id="decide"' not in page
    assert client.post(reverse("funds:allocation_approve",
                               args=[allocation.pk])).status_code == 403
    assert client.post(reverse("funds:allocation_reject", args=[allocation.pk]),
                       {"note": "Không"}).status_code == 403
    allocation.refresh_from_db()
    assert allocation.status == "pending"


def test_another_manager_approves_and_a_rejection_needs_a_reason(login, staff, fund, give):
    give(1_000_000)
    first = services.allocation_prepare(staff["officer"], fund=fund, amount=300_000,
                                        purpose="Quà Tết")
    second = services.allocation_prepare(staff["officer"], fund=fund, amount=200_000,
                                         purpose="Sửa nhà")
    client = login(staff["manager"])
    page = client.get(reverse("funds:allocation_detail", args=[first.pk])).text
    assert 'id="decide"' in page
    response = client.post(reverse("funds:allocation_approve", args=[first.pk]),
                           {"note": "Đồng ý"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.decided_by) == ("approved", staff["manager"])
    response = client.post(reverse("funds:allocation_reject", args=[second.pk]), {"note": ""})
    assert response.status_code == 400 and "Lý do từ chối: bắt buộc." in response.text
    client.post(reverse("funds:allocation_reject", args=[second.pk]), {"note": "Trùng"})
    second.refresh_from_db()
    assert second.status == "rejected"
    response = client.post(reverse("funds:allocation_approve", args=[second.pk]))
    assert response.status_code == 400 and "đã được quyết định" in response.text


def test_the_allocation_list_filters_by_status(login, staff, fund, give):
    give(1_000_000)
    services.allocation_prepare(staff["officer"], fund=fund, amount=100_000, purpose="Chờ")
    done = services.allocation_prepare(staff["officer"], fund=fund, amount=100_000,
                                       purpose="Xong rồi")
    services.allocation_approve(staff["manager"], done)
    page = login(staff["officer"]).get(reverse("funds:allocation_list"),
                                       {"status": "approved"}).text
    assert "Xong rồi" in page and ">Chờ<" not in page


# ---- chart ---------------------------------------------------------------------------------

def test_the_chart_escapes_names_and_draws_nothing_for_no_rows():
    svg = campaign_progress_svg([{"name": "<script>alert(1)</script>", "received": 5,
                                  "pledged": 10, "target": None}])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Mục tiêu: không đặt" in svg
    assert campaign_progress_svg([]) == ""


def test_the_chart_scales_bars_to_the_largest_amount():
    svg = campaign_progress_svg([{"name": "A", "received": 50, "pledged": 100, "target": 200}])
    assert 'class="bar-target" x="0" y="78" width="570"' in svg
    assert 'class="bar-pledged" x="0" y="61" width="285"' in svg
    assert 'class="bar-received" x="0" y="44" width="142"' in svg
    assert "25% mục tiêu" in svg


# ---- donor search, reports sent, corrections -----------------------------------------------

def test_the_donor_list_finds_a_name_typed_without_diacritics(client, officer, donor):
    client.force_login(officer)
    body = client.get(reverse("funds:donor_list"), {"q": "cong ty duc"}).content.decode()
    assert "Công ty TNHH Đức Phú" in body
    body = client.get(reverse("funds:donor_list"), {"q": "cong ty an"}).content.decode()
    assert "Công ty TNHH Đức Phú" not in body


def test_a_donor_report_is_recorded_from_the_donor_page_and_downloaded(client, settings,
                                                                      tmp_path, officer,
                                                                      donor):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer)
    detail = client.get(reverse("funds:donor_detail", args=[donor.pk])).content.decode()
    assert "Lập và ghi nhận báo cáo gửi nhà tài trợ" in detail
    response = client.post(reverse("funds:donor_report_create", args=[donor.pk]), {
        "kind": "donor", "fmt": "pdf", "sent_on": TODAY.strftime("%d/%m/%Y"),
        "channel": "email", "note": "Báo cáo 6 tháng"})
    assert response.status_code == 302
    report = donor.reports.get()
    detail = client.get(reverse("funds:donor_detail", args=[donor.pk])).content.decode()
    assert "Báo cáo 6 tháng" in detail and report.file_name in detail
    file = client.get(reverse("funds:donor_report_file", args=[donor.pk, report.pk]))
    assert file.status_code == 200 and file.content.startswith(b"%PDF")


def test_a_foreign_officer_gets_404_for_another_areas_donor_report(client, settings, tmp_path,
                                                                   staff, officer, donor):
    from ansinh.funds.donor_reports import donor_report_record
    settings.MEDIA_ROOT = tmp_path
    report = donor_report_record(officer, donor, sent_on=TODAY, channel="post")
    client.force_login(staff["foreign"])
    assert client.get(reverse("funds:donor_report_file",
                              args=[donor.pk, report.pk])).status_code == 404
    assert client.get(reverse("funds:donor_report_create",
                              args=[donor.pk])).status_code == 404


def test_the_report_form_shows_the_services_refusal_on_the_field(client, officer, donor):
    client.force_login(officer)
    response = client.post(reverse("funds:donor_report_create", args=[donor.pk]), {
        "kind": "thanks", "fmt": "pdf", "sent_on": TODAY.strftime("%d/%m/%Y"),
        "channel": "email"})
    assert response.status_code == 200
    assert "Tệp đã gửi: bắt buộc" in response.content.decode()


def test_fund_campaign_and_pledge_are_edited_through_their_pages(client, officer, fund,
                                                                 campaign, donor):
    pledge = services.pledge_create(officer, donor=donor, campaign=campaign, amount=1_000_000,
                                    pledged_on=DAY)
    client.force_login(officer)
    assert client.get(reverse("funds:fund_edit", args=[fund.pk])).status_code == 200
    r = client.post(reverse("funds:fund_edit", args=[fund.pk]),
                    {"kind": "social_security", "name": "Quỹ mới", "code": "ASXH"})
    assert r.status_code == 302
    fund.refresh_from_db()
    assert fund.name == "Quỹ mới"
    r = client.post(reverse("funds:pledge_edit", args=[pledge.pk]), {
        "campaign": campaign.pk, "amount": "2.000.000", "pledged_on": DAY.strftime("%d/%m/%Y")})
    assert r.status_code == 302
    r = client.post(reverse("funds:pledge_cancel", args=[pledge.pk]), {"reason": ""})
    assert r.status_code == 200 and "Lý do hủy cam kết: bắt buộc" in r.content.decode()
    r = client.post(reverse("funds:pledge_cancel", args=[pledge.pk]), {"reason": "Rút lại"})
    assert r.status_code == 302
    pledge.refresh_from_db()
    assert pledge.amount == 2_000_000 and pledge.cancelled
    r = client.post(reverse("funds:campaign_edit", args=[campaign.pk]), {
        "name": campaign.name, "starts_on": "01/01/2099", "ends_on": "01/01/2000"})
    assert r.status_code == 200 and "không được trước ngày bắt đầu" in r.content.decode()


def test_a_commune_officer_without_funds_may_not_open_edit_pages(client, staff, fund):
    client.force_login(staff["commune_officer"])
    assert client.get(reverse("funds:fund_edit", args=[fund.pk])).status_code == 403
