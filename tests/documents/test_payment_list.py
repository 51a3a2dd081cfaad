import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ansinh.documents.payment_list import PaymentList, PaymentRow, render_pdf, render_xlsx
from tests.documents.readers import pdf_pages, pdf_text

ROWS = [
    PaymentRow("Nguyễn Thị Hoa", "001141000123", "Thôn Đồng Tâm", "Người cao tuổi", 750_000),
    PaymentRow("Đặng Văn Ượng", "001052000456", "Thôn Bản Lướt", "Người khuyết tật đặc biệt nặng",
               1_000_000, adjustment=2_000_000),
    PaymentRow("Lò Thị Lựu", "001310000789", "Thôn Nà Hồng", "Trẻ em mồ côi", 1_250_000,
               adjustment=-250_000),
    PaymentRow("Vi Văn Sáu", "001048000321", "Thôn Nà Hồng", "Người cao tuổi", 750_000,
               carried=1_500_000),
]


def payment_list(rows=ROWS, **changes) -> PaymentList:
    fields = dict(commune_name="Ngọc Hà", province_name="tỉnh Tuyên Quang",
                  month=date(2026, 1, 1), rows=rows,
                  payment_point="Bưu điện văn hóa xã Ngọc Hà", prepared_on=date(2026, 1, 3),
                  prepared_by="Hà Thị Mai", accountant="Nông Văn Tú",
                  payer_name="Sầm Thị Lan", chairman="Trần Văn Thắng")
    fields.update(changes)
    return PaymentList(**fields)


def test_totals_add_regular_amounts_arrears_and_recoveries():
    pl = payment_list()
    assert (pl.total_amount, pl.total_adjustment, pl.total_carried, pl.total) == (
        3_750_000, 1_750_000, 1_500_000, 7_000_000)
    assert pl.total_in_words == "Bảy triệu đồng"
    assert ROWS[2].total == 1_000_000
    assert ROWS[3].total == 2_250_000  # earlier months not collected are paid with this one


def test_the_pdf_lists_everyone_with_totals_in_figures_and_words():
    data = render_pdf(payment_list())
    text = pdf_text(data)
    for expected in [
        "ỦY BAN NHÂN DÂN", "XÃ NGỌC HÀ",
        "DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI THÁNG 01/2026",
        "Xã Ngọc Hà, tỉnh Tuyên Quang – Điểm chi trả: Bưu điện văn hóa xã Ngọc Hà",
        "STT", "Họ và tên", "Số định danh", "Địa chỉ/Thôn", "Nhóm đối tượng", "Số tiền",
        "Tổng cộng", "Ký nhận", "Điểm chỉ",
        "Nguyễn Thị Hoa", "001141000123", "Thôn Đồng Tâm", "750.000",
        "Đặng Văn Ượng", "2.000.000", "3.000.000",
        "Lò Thị Lựu", "-250.000", "Vi Văn Sáu", "1.500.000", "2.250.000",
        "Tổng cộng (4 người)", "7.000.000", "1.750.000",
        "Tổng số tiền bằng chữ: Bảy triệu đồng",
        "Ngọc Hà, ngày 03 tháng 01 năm 2026",
        "NGƯỜI LẬP BIỂU", "KẾ TOÁN", "ĐẠI DIỆN BƯU ĐIỆN", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
        "Hà Thị Mai", "Nông Văn Tú", "Sầm Thị Lan", "Trần Văn Thắng",
    ]:
        assert expected in text, expected


def test_the_pdf_is_landscape_a4():
    page = PdfReader(io.BytesIO(render_pdf(payment_list()))).pages[0]
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in (page.mediabox.width,
                                                         page.mediabox.height))
    assert round(width_mm) == 297 and round(height_mm) == 210


def test_a_long_list_repeats_the_headings_on_every_page():
    rows = [PaymentRow(f"Người số {i}", f"{i:012d}", "Thôn Đồng Tâm", "Người cao tuổi", 500_000)
            for i in range(1, 41)]
    pages = pdf_pages(render_pdf(payment_list(rows=rows)))
    assert len(pages) >= 3
    assert all("Họ và tên" in page and "Ký nhận" in page for page in pages if "Người số" in page)
    assert f"Trang 1/{len(pages)}" in pages[0]
    assert "Tổng cộng (40 người)" in pages[-1] and "20.000.000" in pages[-1]
    assert "Hai mươi triệu đồng" in pages[-1]


def test_an_empty_list_still_prints_with_zero_totals():
    text = pdf_text(render_pdf(payment_list(rows=[])))
    assert "Tổng cộng (0 người)" in text
    assert "Không đồng" in text


def test_an_undated_list_leaves_the_date_to_be_written_in():
    assert payment_list(prepared_on=None).place_date == "Ngọc Hà, ngày      tháng      năm 2026"


def _sheet(pl):
    return load_workbook(io.BytesIO(render_xlsx(pl))).active


def _find(ws, value):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in the sheet")


def test_the_xlsx_has_the_same_list_with_numeric_amounts():
    ws = _sheet(payment_list())
    assert ws.title == "Chi trả 01-2026"
    assert _find(ws, "DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI THÁNG 01/2026")
    header = _find(ws, "STT").row
    assert [c.value for c in ws[header]] == ["STT", "Họ và tên", "Số định danh", "Địa chỉ/Thôn",
                                             "Nhóm đối tượng", "Số tiền", "Truy lĩnh/Truy thu",
                                             "Tháng trước chưa nhận", "Tổng cộng", "Ký nhận",
                                             "Điểm chỉ"]
    first = [c.value for c in ws[header + 1]]
    assert first[:9] == [1, "Nguyễn Thị Hoa", "001141000123", "Thôn Đồng Tâm", "Người cao tuổi",
                         750_000, 0, 0, 750_000]
    assert [c.value for c in ws[header + 3]][5:9] == [1_250_000, -250_000, 0, 1_000_000]
    assert [c.value for c in ws[header + 4]][5:9] == [750_000, 0, 1_500_000, 2_250_000]
    totals = [c.value for c in ws[header + 5]]
    assert totals[0] == "Tổng cộng (4 người)"
    assert totals[5:9] == [3_750_000, 1_750_000, 1_500_000, 7_000_000]
    assert ws.cell(header + 1, 6).number_format.startswith("#,##0")
    assert _find(ws, "Tổng số tiền bằng chữ: Bảy triệu đồng")
    for name in ("Hà Thị Mai", "Nông Văn Tú", "Sầm Thị Lan", "Trần Văn Thắng"):
        assert _find(ws, name)


def test_the_xlsx_prints_landscape_with_the_headings_repeated():
    ws = _sheet(payment_list())
    header = _find(ws, "STT").row
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.row_dimensions[header + 1].height >= 30  # room to sign


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)"])
def test_the_xlsx_never_holds_a_formula_from_typed_text(typed):
    ws = _sheet(payment_list(rows=[PaymentRow(typed, address=typed, amount=500_000)]))
    header = _find(ws, "STT").row
    name, address = ws.cell(header + 1, 2), ws.cell(header + 1, 4)
    assert name.data_type == "s" and name.value == "'" + typed
    assert address.value == "'" + typed
