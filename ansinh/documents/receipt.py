"""The printed receipt (biên nhận) a social-security fund gives a donor for money, goods or
services: the fund's name, the number, the date, the donor, the lines, the total in figures
and in words, and the signatures of the one who hands over and the ones who receive.

A reversed receipt still prints, as the donor's copy may be asked for, but crossed by a large
"ĐÃ HỦY" with the date and reason of the reversal; a draft prints as "BẢN NHÁP" without a
number, so neither can be mistaken for a valid receipt.
"""

from __future__ import annotations

from fpdf.fonts import FontFace

from ansinh.core.money_words import amount_in_words, format_vnd
from ansinh.documents.pdf import DocumentPDF
from ansinh.documents.text import dmy, nfc, place_and_date
from ansinh.funds.choices import MINOR_DIGITS, VND, ReceiptKind, ReceiptStatus

_TITLES = {
    ReceiptKind.CASH: "BIÊN NHẬN TIỀN TÀI TRỢ",
    ReceiptKind.GOODS: "BIÊN NHẬN HÀNG HÓA, HIỆN VẬT TÀI TRỢ",
    ReceiptKind.SERVICES: "BIÊN NHẬN DỊCH VỤ TÀI TRỢ",
}


def _money(amount: int) -> str:
    return format_vnd(amount, unit="")


def _original(receipt) -> str:
    """"1.000,00 USD × 25.400 đ" for a foreign-money receipt."""
    if receipt.currency == VND or receipt.original_amount_minor is None:
        return ""
    places = MINOR_DIGITS.get(receipt.currency, 2)
    whole, minor = divmod(receipt.original_amount_minor, 10 ** places)
    text = _money(whole) + (f",{minor:0{places}d}" if places else "")
    rate = format(receipt.exchange_rate.normalize(), "f").replace(".", ",")
    return f"{text} {receipt.currency}, tỷ giá {rate} đồng/{receipt.currency}"


def _table(receipt) -> tuple[list[str], tuple, tuple, list[list[str]]]:
    """(headings, widths in mm, alignments, rows) of the lines of this kind of receipt."""
    if receipt.kind == ReceiptKind.GOODS:
        rows = [[str(i), nfc(ln.item.name), ln.item.get_unit_display(), _money(ln.quantity),
                 dmy(ln.expiry_date), _money(ln.unit_value), _money(ln.value)]
                for i, ln in enumerate(receipt.goods_lines.select_related("item")
                                       .order_by("id"), start=1)]
        return (["STT", "Tên hàng hóa, hiện vật", "ĐVT", "Số lượng", "Hạn sử dụng",
                 "Đơn giá (đồng)", "Thành tiền (đồng)"], (10, 50, 15, 20, 22, 20, 23),
                ("C", "L", "C", "R", "C", "R", "R"), rows)
    if receipt.kind == ReceiptKind.SERVICES:
        rows = [[str(i), nfc(ln.service), nfc(ln.unit), _money(ln.places),
                 _money(ln.unit_value), _money(ln.value)]
                for i, ln in enumerate(receipt.service_lines.order_by("id"), start=1)]
        return (["STT", "Dịch vụ", "Đơn vị", "Số suất", "Giá trị một suất (đồng)",
                 "Thành tiền (đồng)"], (10, 62, 18, 18, 27, 25),
                ("C", "L", "C", "R", "R", "R"), rows)
    rows = []
    for i, ln in enumerate(receipt.lines.select_related("fund", "restriction", "campaign")
                           .order_by("id"), start=1):
        purpose = (str(ln.restriction) if ln.restriction_id else
                   f"Chiến dịch: {ln.campaign}" if ln.campaign_id else "Không hạn chế")
        rows.append([str(i), nfc(ln.fund.name), nfc(purpose), _money(ln.amount)])
    return (["STT", "Quỹ", "Mục đích sử dụng", "Số tiền (đồng)"], (10, 55, 65, 30),
            ("C", "L", "L", "R"), rows)


def _place(receipt) -> str:
    unit = receipt.commune or receipt.province
    name = nfc(unit.name) if unit is not None else ""
    for prefix in ("Phường ", "Xã ", "Đặc khu ", "Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _header(pdf: DocumentPDF, receipt) -> None:
    x, width = pdf.l_margin, pdf.content_width
    left = width * 0.45
    top = pdf.get_y()
    area = receipt.commune or receipt.province
    pdf.font("", 11)
    pdf.set_xy(x, top)
    pdf.multi_cell(left, 5, nfc(area.name).upper() if area else "", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.font("B", 11)
    pdf.set_x(x)
    pdf.multi_cell(left, 5, nfc(receipt.fund.name).upper(), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    bottom_left = pdf.get_y()
    pdf.centred_rule(x, left, bottom_left + 0.5, 25)
    pdf.font("B", 11)
    pdf.set_xy(x + left, top)
    pdf.cell(width - left, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.font("B", 12)
    pdf.set_xy(x + left, top + 5)
    pdf.cell(width - left, 5.5, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.centred_rule(x + left, width - left, top + 11, 55)
    pdf.font("I", 12)
    pdf.set_xy(x + left, top + 13)
    pdf.cell(width - left, 6, place_and_date(_place(receipt), receipt.received_on),
             align="C")
    pdf.set_y(max(bottom_left, top + 19) + 5)


def _label(pdf: DocumentPDF, label: str, value: str) -> None:
    if not value:
        return
    pdf.font("", 12.5)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(pdf.content_width, 6.5, f"**{label}:** {nfc(value)}", markdown=True,
                   new_x="LMARGIN", new_y="NEXT")


def _void_mark(pdf: DocumentPDF, text: str) -> None:
    """A large red mark across the middle of the page."""
    pdf.set_text_color(200, 0, 0)
    pdf.set_draw_color(200, 0, 0)
    pdf.font("B", 60)
    centre_x, centre_y = pdf.w / 2, pdf.h / 2 - 20
    with pdf.rotation(30, centre_x, centre_y):
        w = pdf.get_string_width(text) + 16
        pdf.set_line_width(1.2)
        pdf.rect(centre_x - w / 2, centre_y - 14, w, 28)
        pdf.set_xy(centre_x - w / 2, centre_y - 12)
        pdf.cell(w, 24, text, align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)


def render_pdf(receipt) -> bytes:
    """The biên nhận of a cash, goods or services receipt, as A4 PDF bytes."""
    reversal = getattr(receipt, "reversal", None) if receipt.pk else None
    issued = receipt.status == ReceiptStatus.ISSUED
    title = _TITLES.get(receipt.kind, _TITLES[ReceiptKind.CASH])
    pdf = DocumentPDF(margins=(25, 15, 15, 15), title=f"{title} {receipt.number}".strip(),
                      dated=receipt.received_on)
    pdf.add_page()
    _header(pdf, receipt)
    pdf.font("B", 15)
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.font("", 12.5)
    number = receipt.number if issued else "BẢN NHÁP – CHƯA CÓ SỐ"
    pdf.cell(0, 6.5, f"Số: {number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    donor = receipt.donor
    _label(pdf, "Đơn vị nhận", receipt.fund.name)
    _label(pdf, "Nhà tài trợ", donor.name)
    _label(pdf, "Loại nhà tài trợ", donor.get_kind_display())
    _label(pdf, "Mã số thuế", donor.tax_code)
    _label(pdf, "Người liên hệ", donor.contact_persons.replace("\n", "; "))
    _label(pdf, "Hình thức", receipt.get_method_display())
    _label(pdf, "Số chứng từ", receipt.document_ref)
    _label(pdf, "Ngày nhận", dmy(receipt.received_on))
    _label(pdf, "Nội dung", receipt.description)
    if receipt.pledge_id:
        _label(pdf, "Thực hiện cam kết", f"số {receipt.pledge_id} ngày "
                                         f"{dmy(receipt.pledge.pledged_on)}")
    _label(pdf, "Nguyên tệ", _original(receipt))
    _label(pdf, "Quyết định phê duyệt viện trợ", receipt.aid_approval_ref)
    pdf.ln(2)

    headings, widths, aligns, rows = _table(receipt)
    bold = FontFace(emphasis="BOLD")
    pdf.font("", 11)
    with pdf.table(col_widths=widths, text_align=aligns, line_height=5.5,
                   headings_style=bold, first_row_as_headings=True,
                   width=pdf.content_width, v_align="M") as table:
        heading = table.row()
        for text in headings:
            heading.cell(text, align="C")
        for cells in rows:
            row = table.row()
            for text in cells:
                row.cell(text)
        total = table.row()
        total.cell("Tổng cộng", colspan=len(headings) - 1, align="C", style=bold)
        total.cell(_money(receipt.total), align="R", style=bold)
    pdf.ln(3)
    pdf.font("B", 12.5)
    label = "Số tiền bằng chữ: " if receipt.kind == ReceiptKind.CASH else \
        "Tổng giá trị bằng chữ: "
    pdf.write(6.5, label)
    pdf.font("I", 12.5)
    pdf.write(6.5, amount_in_words(receipt.total))
    pdf.ln(8)
    if reversal is not None:
        pdf.font("B", 12.5)
        pdf.set_text_color(200, 0, 0)
        pdf.multi_cell(0, 6.5, f"ĐÃ HỦY ngày {dmy(reversal.reversed_on)}. Lý do: "
                               f"{nfc(reversal.reason)}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)
    _signatures(pdf, receipt)
    if reversal is not None:
        _void_mark(pdf, "ĐÃ HỦY")
    elif not issued:
        _void_mark(pdf, "BẢN NHÁP")
    return pdf.to_bytes()


def _signatures(pdf: DocumentPDF, receipt) -> None:
    blocks = [
        ("ĐẠI DIỆN NHÀ TÀI TRỢ", "(Ký, ghi rõ họ tên)", ""),
        ("NGƯỜI LẬP BIÊN NHẬN", "(Ký, ghi rõ họ tên)",
         _full_name(receipt.issued_by or receipt.created_by)),
        ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)", ""),
    ]
    if pdf.get_y() + 45 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    column = pdf.content_width / len(blocks)
    for i, (title, hint, name) in enumerate(blocks):
        left = pdf.l_margin + i * column
        pdf.font("B", 11.5)
        pdf.set_xy(left, top)
        pdf.cell(column, 6, title, align="C")
        pdf.font("I", 10.5)
        pdf.set_xy(left, top + 6)
        pdf.cell(column, 5, hint, align="C")
        if name:
            pdf.font("B", 11.5)
            pdf.set_xy(left, top + 32)
            pdf.cell(column, 6, nfc(name), align="C")
    pdf.set_y(top + 40)


def _full_name(user) -> str:
    if user is None:
        return ""
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return name or user.get_username()
