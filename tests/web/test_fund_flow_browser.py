"""The social-security fund at work, in a real Chromium: a fund officer records a donor and
a cash receipt, opens a Tết cycle of cash and rice for the poor households of one commune,
builds and submits its list; the fund manager approves it; the officer hands one package out
with a photo; the money spent and the stock taken show on the staff pages; a published
snapshot shows the totals to a visitor, and nobody's name or ID number."""

from datetime import date
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from ansinh.distributions.models import Recipient
from ansinh.distributions.services import cycle_create, list_submit, recipients_build
from ansinh.funds.models import Receipt
from ansinh.funds.services import campaign_create, fund_create
from ansinh.stock.choices import Category, Unit
from ansinh.stock.models import StockLot
from ansinh.stock.services import item_create, stock_receive, warehouse_create
from tests.browser import BROWSER, log_in, log_out
from tests.conftest import make_user
from tests.distributions.conftest import make_household

pytestmark = BROWSER

# A 1×1 PNG: the photo taken at the hand-out.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360"
    "000002000154a24f5d0000000049454e44ae426082")
CASH = 500_000
RICE = 10


@pytest.fixture
def centre(transactional_db, geo):
    """A provincial fund with its Tết campaign and 100 kg of rice in its warehouse; a poor
    and a near-poor household in Ba Đình, a poor one in Ngọc Hà."""
    province, commune = geo["province"], geo["commune"]
    officer = make_user("quy", "fund_officer", province)
    manager = make_user("giamdocquy", "fund_manager", province)
    fund = fund_create(officer, area=province, kind="social_security",
                       name="Quỹ An sinh xã hội Hà Nội", code="ASXH")
    today = timezone.localdate()
    campaign = campaign_create(officer, area=province, name="Xuân ấm áp 2027",
                               starts_on=date(today.year, 1, 1), funds=[fund],
                               responsible_unit="Trung tâm An sinh xã hội thành phố")
    warehouse = warehouse_create(officer, name="Kho Trung tâm An sinh", province=province)
    rice = item_create(officer, name="Gạo tẻ", unit=Unit.KG, category=Category.FOOD)
    stock_receive(officer, warehouse=warehouse, item=rice, quantity=100, unit_value=18_000,
                  received_on=today, donor_name="Hội Doanh nhân trẻ Hà Nội")
    poor = [make_household(commune, "BD-101", "poor", "Bình"),
            make_household(commune, "BD-102", "poor", "Chi", sex="F", ho="Đinh")]
    others = [make_household(commune, "BD-103", "near_poor", "Dũng"),
              make_household(geo["sibling_commune"], "NH-101", "poor", "Minh")]
    return {"officer": officer, "manager": manager, "fund": fund, "campaign": campaign,
            "warehouse": warehouse, "rice": rice, "poor": poor, "others": others,
            "commune": commune}


def _text(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def test_a_gift_cycle_goes_from_receipt_to_hand_out_to_the_public_page(page, centre, tmp_path):
    commune, rice = centre["commune"], centre["rice"]

    # The officer records the donor, then the money it gave, and issues the receipt.
    log_in(page, "quy")
    page.click("nav >> text=Quỹ an sinh")
    page.wait_for_url("**/funds/")
    page.click("nav.subnav >> text=Nhà tài trợ")
    page.get_by_role("link", name="Thêm nhà tài trợ").click()
    page.wait_for_url("**/funds/donors/new/")
    page.select_option("#id_area", str(centre["fund"].province_id))
    page.select_option("#id_kind", "business")
    page.fill("#id_name", "Công ty Cổ phần Sông Hồng")
    page.fill("#id_tax_code", "0101112223")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/funds/donors/*/")
    assert page.locator("h1").inner_text().startswith("Công ty Cổ phần Sông Hồng")

    page.click("nav.subnav >> text=Tổng quan quỹ")
    page.locator(".heading").get_by_role("link", name="Lập biên nhận").click()
    page.wait_for_url("**/funds/receipts/new/")
    page.select_option("#id_fund", str(centre["fund"].pk))
    page.select_option("#id_donor", label="Công ty Cổ phần Sông Hồng")
    page.select_option("#id_method", "bank_transfer")
    page.fill("#id_document_ref", "FT27010112345")
    page.fill("#id_total", "20000000")
    page.select_option("#id_lines-0-fund", str(centre["fund"].pk))
    page.select_option("#id_lines-0-campaign", str(centre["campaign"].pk))
    page.fill("#id_lines-0-amount", "20000000")
    page.locator("#receipt-form p.actions button[type=submit]").click()
    page.wait_for_url("**/funds/receipts/*/")
    page.get_by_role("button", name="Cấp biên nhận").click()
    page.wait_for_selector("#receipt-facts")
    receipt = Receipt.objects.get(document_ref="FT27010112345")
    assert receipt.status == "issued" and receipt.number
    assert f"Biên nhận số {receipt.number}" in _text(page, "h1")

    # A cycle of cash and rice for the poor households of Ba Đình, its list from the registry.
    page.click("nav >> text=Phân phối hỗ trợ")
    page.wait_for_url("**/distributions/")
    form = page.locator("#cycle-form")
    form.locator("#id_name").fill("Quà Tết hộ nghèo phường Ba Đình")
    form.locator("#id_kind").select_option("gift")
    form.locator("#id_unit").select_option("household")
    form.locator("#id_campaign").select_option(str(centre["campaign"].pk))
    form.locator("#id_fund").select_option(str(centre["fund"].pk))
    form.locator("#id_cash_per_recipient").fill(str(CASH))
    form.locator("#id_warehouse").select_option(str(centre["warehouse"].pk))
    form.locator("#id_item_0").select_option(str(rice.pk))
    form.locator("#id_quantity_0").fill(str(RICE))
    form.get_by_label("Hộ nghèo", exact=True).check()
    form.locator("#id_communes").fill(commune.code)
    form.locator("#id_starts_on").fill(timezone.localdate().isoformat())
    form.get_by_role("button", name="Mở đợt").click()
    page.wait_for_url("**/distributions/cycles/*/")
    cycle_url = page.url
    assert "hộ nghèo" in _text(page, "#cycle-facts")

    page.get_by_role("button", name="Lập danh sách theo tiêu chí").click()
    page.wait_for_selector("text=Đã thêm 2 người nhận vào danh sách số 1.")
    rows = page.locator("#recipients tbody tr")
    assert rows.count() == 2
    assert {"BD-101", "BD-102"} == {rows.nth(i).locator("td").nth(3).inner_text()
                                    for i in range(2)}
    page.get_by_role("button", name="Gửi duyệt").click()
    page.wait_for_selector("text=Đã gửi duyệt danh sách.")
    assert page.get_by_role("button", name="Phê duyệt").count() == 0  # the maker cannot approve
    log_out(page)

    # The manager approves: the cash of both packages is spent, the rice is reserved.
    log_in(page, "giamdocquy")
    page.goto(cycle_url)
    page.get_by_label("Ghi chú phê duyệt").fill("Đúng tiêu chí")
    page.get_by_role("button", name="Phê duyệt").click()
    page.wait_for_selector("text=Đã phê duyệt danh sách.")
    assert "Đã phê duyệt – Đúng tiêu chí" in _text(page, "#lists")
    log_out(page)

    # The officer hands out the package of household BD-101, with a photo as proof.
    log_in(page, "quy")
    page.goto(cycle_url)
    row = page.locator("#recipients tbody tr", has_text="BD-101")
    row.get_by_label("Minh chứng", exact=True).select_option("photo")
    row.get_by_role("button", name="Đã phát").click()  # no photo attached: refused
    page.wait_for_selector("text=Ảnh minh chứng: bắt buộc khi minh chứng bằng ảnh.")
    row = page.locator("#recipients tbody tr", has_text="BD-101")
    assert "Chờ phát" in row.inner_text()
    row.get_by_label("Minh chứng", exact=True).select_option("photo")
    photo = tmp_path / "phat-qua.png"
    photo.write_bytes(PNG)
    row.get_by_label("Ảnh minh chứng").set_input_files(str(photo))
    row.get_by_role("button", name="Đã phát").click()
    page.wait_for_selector("text=Đã ghi nhận phát quà.")
    row = page.locator("#recipients tbody tr", has_text="BD-101")
    assert "Đã nhận" in row.inner_text()
    handed = Recipient.objects.get(household=centre["poor"][0])
    assert handed.status == "handed_out" and handed.proof_file.name.endswith(".png")

    # The dashboard shows the money spent; the stock shows the rice taken.
    page.click("nav >> text=Quỹ an sinh")
    page.wait_for_url("**/funds/")
    assert _text(page, "#stat-received") == "20.000.000 đ"
    assert _text(page, "#stat-spent") == "1.000.000 đ"
    assert _text(page, "#stat-available") == "19.000.000 đ"
    page.click("nav.subnav >> text=Tồn kho")
    page.wait_for_url("**/funds/stock/balances/")
    balance = page.locator("tr", has_text="Gạo tẻ").first.inner_text()
    assert "90" in balance
    assert sum(StockLot.objects.filter(item=rice).values_list("quantity", flat=True)) == 90

    # The officer publishes the campaign's figures.
    page.click("nav >> text=Phân phối hỗ trợ")
    page.get_by_role("link", name="Công khai minh bạch").click()
    page.wait_for_url("**/cong-khai/quan-ly/")
    page.locator("tr", has_text="Xuân ấm áp 2027").get_by_role(
        "link", name="Xem trước và công bố").click()
    page.wait_for_selector("text=XEM TRƯỚC")
    page.get_by_role("button", name="Công bố").click()
    page.wait_for_selector("#verification")
    assert "Khớp sổ sách" in _text(page, "#verification")
    log_out(page)

    # A visitor, not logged in, sees the totals and no recipient.
    page.goto("/cong-khai/")
    page.get_by_role("link", name="Xuân ấm áp 2027").click()
    page.wait_for_url("**/cong-khai/*/")
    assert _text(page, "#received") == "20.000.000 đ"
    assert _text(page, "#spent") == "1.000.000 đ"
    assert _text(page, "#distributed") == f"{CASH + RICE * 18_000:,} đ".replace(",", ".")
    assert "Công ty Cổ phần Sông Hồng" in _text(page, "#donors")
    html = page.content()
    for household in centre["poor"] + centre["others"]:
        head = household.head
        assert head.full_name not in html and head.id_number not in html
        assert household.code not in html
    assert page.get_by_role("button", name="Đăng xuất").count() == 0


def test_a_manager_cannot_approve_his_own_list_and_strangers_cannot_open_it(page, centre,
                                                                          geo):
    manager = centre["manager"]
    make_user("phogiamdocquy", "fund_manager", geo["province"])
    make_user("giamdochp", "fund_manager", geo["other_province"])
    make_user("canboxa", "commune_officer", geo["commune"])
    cycle = cycle_create(manager, name="Gạo cứu đói", kind="gift", unit="household",
                         campaign=centre["campaign"], fund=centre["fund"],
                         components=[(centre["rice"], RICE)], warehouse=centre["warehouse"],
                         criteria={"poverty": ["poor"]}, starts_on=timezone.localdate())
    rlist, added = recipients_build(manager, cycle)
    list_submit(manager, rlist)
    assert added == 3
    url = f"/distributions/cycles/{cycle.pk}/"

    # Nobody logged in: the login page, for the cycle and for the publishing page alike.
    for path in (url, "/cong-khai/quan-ly/"):
        page.goto(path)
        assert urlparse(page.url).path == "/login/"

    # The manager who built the list is offered no approval, only the reason why.
    log_in(page, "giamdocquy")
    page.goto(url)
    assert page.get_by_role("button", name="Phê duyệt").count() == 0
    assert "không được tự phê duyệt" in _text(page, f"#own-list-{rlist.pk}")
    log_out(page)

    # A manager of another province does not find it, nor does a commune officer.
    log_in(page, "giamdochp")
    assert page.goto(url).status == 404
    log_out(page)
    log_in(page, "canboxa")
    assert page.locator("nav >> text=Phân phối hỗ trợ").count() == 0
    # Distribution pages need the fund right, which a commune officer does not hold.
    assert page.goto("/distributions/").status == 403
    assert "Gạo cứu đói" not in page.content()
    assert page.goto(url).status == 403
    log_out(page)

    # Another manager of the province approves; 30 kg of rice are reserved, none issued yet.
    log_in(page, "phogiamdocquy")
    page.goto(url)
    page.get_by_role("button", name="Phê duyệt").click()
    page.wait_for_selector("text=Đã phê duyệt danh sách.")
    assert page.locator("#recipients tbody tr", has_text="Chờ phát").count() == 3
    assert sum(StockLot.objects.filter(item=centre["rice"]).values_list(
        "quantity", flat=True)) == 100
