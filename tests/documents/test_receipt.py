"""The printed biên nhận: what a donor reads on it, for money and for goods."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ansinh.documents.receipt import render_pdf
from ansinh.funds.in_kind import goods_receipt_create, service_receipt_create
from ansinh.funds.services import receipt_create, receipt_issue, receipt_reverse
from ansinh.stock.choices import Category, Unit
from ansinh.stock.services import item_create, warehouse_create
from tests.documents.readers import pdf_pages, pdf_text
from tests.funds.conftest import DAY, donor, fund, fund_users, officer  # noqa: F401


def test_a_cash_receipt_shows_fund_number_donor_lines_total_in_words_and_signatures(
        officer, fund, donor):  # noqa: F811
    receipt = receipt_issue(officer, receipt_create(
        officer, fund=fund, donor=donor, received_on=DAY, method="bank_transfer",
        total=1_250_000, lines=[{"fund": fund, "amount": 1_250_000}],
        document_ref="FT26015001", description="Ủng hộ Tết 2026"))
    text = pdf_text(render_pdf(receipt))
    for expected in [
        "PHƯỜNG BA ĐÌNH", "QUỸ AN SINH XÃ HỘI PHƯỜNG BA ĐÌNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Ba Đình, ngày 15 tháng 01 năm 2026", "BIÊN NHẬN TIỀN TÀI TRỢ",
        "Số: 00001/2026/BN-ASXH", "Công ty TNHH An Phú", "0101234567", "Chuyển khoản",
        "FT26015001", "15/01/2026", "Ủng hộ Tết 2026", "Không hạn chế", "1.250.000",
        "Tổng cộng", "Số tiền bằng chữ:", "Một triệu hai trăm năm mươi nghìn đồng",
        "ĐẠI DIỆN NHÀ TÀI TRỢ", "NGƯỜI LẬP BIÊN NHẬN", "THỦ TRƯỞNG ĐƠN VỊ", "canboquy",
    ]:
        assert expected in text, expected
    assert "ĐÃ HỦY" not in text and "BẢN NHÁP" not in text
    assert len(pdf_pages(render_pdf(receipt))) == 1


def test_the_same_receipt_gives_the_same_file(officer, fund, donor):  # noqa: F811
    receipt = receipt_issue(officer, receipt_create(
        officer, fund=fund, donor=donor, received_on=DAY, method="bank_transfer",
        total=100_000, lines=[{"fund": fund, "amount": 100_000}]))
    assert render_pdf(receipt) == render_pdf(receipt)


def test_a_reversed_receipt_prints_with_a_clear_cancelled_mark(officer, fund, donor):  # noqa: F811
    receipt = receipt_issue(officer, receipt_create(
        officer, fund=fund, donor=donor, received_on=DAY, method="bank_transfer",
        total=500_000, lines=[{"fund": fund, "amount": 500_000}]))
    receipt_reverse(officer, receipt, reason="Chuyển nhầm tài khoản")
    receipt.refresh_from_db()
    text = pdf_text(render_pdf(receipt))
    assert "ĐÃ HỦY" in text and "Lý do: Chuyển nhầm tài khoản" in text
    assert "Số: 00001/2026/BN-ASXH" in text


def test_a_draft_prints_without_a_number_and_marked_as_draft(officer, fund, donor):  # noqa: F811
    receipt = receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                             method="cash", document_ref="PT-12", total=200_000,
                             lines=[{"fund": fund, "amount": 200_000}])
    text = pdf_text(render_pdf(receipt))
    assert "BẢN NHÁP" in text and "BN-ASXH" not in text


@pytest.fixture
def goods_receipt(officer, fund, donor, geo):  # noqa: F811
    rice = item_create(officer, name="Gạo ST25", unit=Unit.KG, category=Category.FOOD)
    milk = item_create(officer, name="Sữa bột", unit=Unit.HOP, category=Category.FOOD,
                       perishable=True)
    store = warehouse_create(officer, name="Kho Ba Đình", commune=geo["commune"])
    expiry = timezone.localdate() + timedelta(days=300)
    receipt = goods_receipt_create(officer, fund=fund, donor=donor, received_on=DAY, lines=[
        {"item": rice, "warehouse": store, "quantity": 1_000, "unit_value": 25_000},
        {"item": milk, "warehouse": store, "quantity": 120, "unit_value": 450_000,
         "expiry_date": expiry}])
    return receipt_issue(officer, receipt), expiry


def test_a_goods_receipt_lists_items_quantities_expiry_and_value(goods_receipt):
    receipt, expiry = goods_receipt
    text = pdf_text(render_pdf(receipt))
    for expected in [
        "BIÊN NHẬN HÀNG HÓA, HIỆN VẬT TÀI TRỢ", "Hiện vật, dịch vụ", "Tên hàng hóa, hiện vật",
        "Gạo ST25", "kg", "1.000", "25.000", "25.000.000", "Sữa bột", "hộp", "120",
        expiry.strftime("%d/%m/%Y"), "54.000.000", "79.000.000",
        "Tổng giá trị bằng chữ:", "Bảy mươi chín triệu đồng",
    ]:
        assert expected in text, expected


def test_a_reversed_goods_receipt_is_marked_cancelled(officer, goods_receipt):  # noqa: F811
    receipt, _ = goods_receipt
    receipt_reverse(officer, receipt, reason="Hàng trả lại")
    receipt.refresh_from_db()
    assert "ĐÃ HỦY" in pdf_text(render_pdf(receipt))


def test_a_services_receipt_lists_the_places(officer, fund, donor):  # noqa: F811
    receipt = receipt_issue(officer, service_receipt_create(
        officer, fund=fund, donor=donor, received_on=DAY, lines=[
            {"service": "Suất học nghề may công nghiệp", "places": 30,
             "unit_value": 4_000_000}]))
    text = pdf_text(render_pdf(receipt))
    for expected in ["BIÊN NHẬN DỊCH VỤ TÀI TRỢ", "Suất học nghề may công nghiệp", "suất",
                     "30", "4.000.000", "120.000.000", "Một trăm hai mươi triệu đồng"]:
        assert expected in text, expected
