"""The cash payment list a commune hands to its payment point (usually the Vietnam Post office).

Each beneficiary signs ("Ký nhận") or leaves a thumbprint ("Điểm chỉ") against their line
when paid; the signed list comes back to the commune as proof of payment (Decree 20/2021,
Art. 34.5), so both columns and each row are big enough to sign in. Arrears (truy lĩnh) and
recoveries (truy thu) of the month sit in their own column, positive and negative, beside the
regular amount, and the total of each line is what is handed over.

Two outputs from the same data: a landscape A4 PDF to print and an .xlsx for the accountant.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ansinh.core.excel import safe_cell
from ansinh.core.money_words import amount_in_words, format_vnd
from ansinh.documents.pdf import NumberedPDF
from ansinh.documents.text import blank_place_and_date, month_label, nfc, place_and_date


@dataclass(frozen=True)
class PaymentRow:
    full_name: str
    id_number: str = ""
    address: str = ""
    category: str = ""
    amount: int = 0
    adjustment: int = 0  # arrears (truy lĩnh) positive, recovery (truy thu) negative
    carried: int = 0  # earlier months not collected, paid with this one (Art. 34.4)

    @property
    def total(self) -> int:
        return self.amount + self.adjustment + self.carried


@dataclass(frozen=True)
class PaymentList:
    commune_name: str
    month: date
    rows: Sequence[PaymentRow]
    province_name: str = ""
    commune_kind: str = "xã"
    body_name: str = "Ủy ban nhân dân"
    benefit_label: str = "trợ cấp xã hội"
    payment_point: str = ""
    prepared_on: date | None = None
    prepared_by: str = ""
    accountant: str = ""
    payer_title: str = "Đại diện Bưu điện"
    payer_name: str = ""
    chairman: str = ""

    @property
    def unit(self) -> str:
        return f"{nfc(self.commune_kind)} {nfc(self.commune_name)}".strip()

    @property
    def title(self) -> str:
        """"DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI THÁNG 01/2026"."""
        return f"DANH SÁCH CHI TRẢ {nfc(self.benefit_label).upper()} THÁNG {month_label(self.month)}"

    @property
    def subtitle(self) -> str:
        """"Xã Ngọc Hà, tỉnh Tuyên Quang – Điểm chi trả: Bưu điện văn hóa xã Ngọc Hà"."""
        text = self.unit[:1].upper() + self.unit[1:]
        if self.province_name:
            text += f", {nfc(self.province_name)}"
        if self.payment_point:
            text += f" – Điểm chi trả: {nfc(self.payment_point)}"
        return text

    @property
    def place_date(self) -> str:
        if self.prepared_on:
            return place_and_date(self.commune_name, self.prepared_on)
        return blank_place_and_date(self.commune_name, self.month.year)

    @property
    def total_amount(self) -> int:
        return sum(row.amount for row in self.rows)

    @property
    def total_adjustment(self) -> int:
        return sum(row.adjustment for row in self.rows)

    @property
    def total_carried(self) -> int:
        return sum(row.carried for row in self.rows)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def total_in_words(self) -> str:
        return amount_in_words(self.total)

    def signatures(self) -> list[tuple[list[str], str, str]]:
        """(title lines, hint, name) of each signature block, left to right."""
        return [
            (["NGƯỜI LẬP BIỂU"], "(Ký, ghi rõ họ tên)", nfc(self.prepared_by)),
            (["KẾ TOÁN"], "(Ký, ghi rõ họ tên)", nfc(self.accountant)),
            ([nfc(self.payer_title).upper()], "(Ký, ghi rõ họ tên)", nfc(self.payer_name)),
            (["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "(Ký tên, đóng dấu)", nfc(self.chairman)),
        ]


HEADERS = ("STT", "Họ và tên", "Số định danh", "Địa chỉ/Thôn", "Nhóm đối tượng", "Số tiền",
           "Truy lĩnh/Truy thu", "Tháng trước chưa nhận", "Tổng cộng", "Ký nhận", "Điểm chỉ")


def _figures(amount: int, *, blank_zero: bool = False) -> str:
    if blank_zero and amount == 0:
        return ""
    return format_vnd(amount, unit="")


def _cells(index: int, row: PaymentRow) -> list[str]:
    return [str(index), nfc(row.full_name), nfc(row.id_number), nfc(row.address),
            nfc(row.category), _figures(row.amount), _figures(row.adjustment, blank_zero=True),
            _figures(row.carried, blank_zero=True), _figures(row.total), "", ""]


# --- PDF -----------------------------------------------------------------------------------

# Millimetres across a landscape A4 page less 15 mm left and 10 mm right margins (272 mm):
# the signature and thumbprint columns get the room a signature needs.
_WIDTHS = (11, 38, 25, 30, 34, 22, 22, 20, 24, 26, 20)
_ALIGN = ("C", "L", "C", "L", "L", "R", "R", "R", "R", "C", "C")
_ROW_HEIGHT = 12  # mm: enough height to sign or press a thumb


def render_pdf(payment_list: PaymentList) -> bytes:
    pl = payment_list
    pdf = NumberedPDF(landscape=True, margins=(15, 12, 10, 14), title=pl.title,
                   dated=pl.prepared_on or pl.month)
    pdf.add_page()
    x, width = pdf.l_margin, pdf.content_width

    pdf.font("B", 12)
    for line in (nfc(pl.body_name).upper(), pl.unit.upper()):
        pdf.set_x(x)
        pdf.cell(80, 5.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.font("B", 14)
    pdf.multi_cell(width, 6.5, pl.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.font("", 12)
    pdf.multi_cell(width, 6, pl.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    pdf.font("", 10.5)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(col_widths=_WIDTHS, text_align=_ALIGN, line_height=4.8,
                   num_heading_rows=1, repeat_headings=1, v_align="M",
                   headings_style=bold, first_row_as_headings=True, width=width) as table:
        heading = table.row()
        for text in HEADERS:
            heading.cell(text, align="C")
        for index, row in enumerate(pl.rows, start=1):
            table_row = table.row(min_height=_ROW_HEIGHT)
            for text in _cells(index, row):
                table_row.cell(text)
        totals = table.row(min_height=8)
        totals.cell(f"Tổng cộng ({len(pl.rows)} người)", colspan=5, align="C", style=bold)
        for amount in (pl.total_amount, pl.total_adjustment, pl.total_carried, pl.total):
            totals.cell(_figures(amount), align="R", style=bold)
        totals.cell("", colspan=2)

    pdf.ln(3)
    pdf.font("B", 12)
    pdf.write(6, "Tổng số tiền bằng chữ: ")
    pdf.font("I", 12)
    pdf.write(6, pl.total_in_words)
    pdf.ln(8)
    _draw_signatures(pdf, pl)
    return pdf.to_bytes()


def _draw_signatures(pdf: NumberedPDF, pl: PaymentList) -> None:
    x, width = pdf.l_margin, pdf.content_width
    blocks = pl.signatures()
    needed = 6 + 2 * 5.5 + 5 + 22 + 6
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        # Signatures are never split from each other across pages.
        pdf.add_page()
    top = pdf.get_y()
    pdf.font("I", 12)
    column = width / len(blocks)
    pdf.set_xy(x + column * (len(blocks) - 1) - 20, top)
    pdf.cell(column + 20, 6, pl.place_date, align="C")
    top += 7
    for i, (titles, hint, name) in enumerate(blocks):
        left = x + i * column
        y = top
        pdf.font("B", 12)
        for title in titles:
            pdf.set_xy(left, y)
            pdf.cell(column, 5.5, title, align="C")
            y += 5.5
        pdf.font("I", 10.5)
        pdf.set_xy(left, y)
        pdf.cell(column, 5, hint, align="C")
        if name:
            pdf.font("B", 12)
            pdf.set_xy(left, top + 2 * 5.5 + 5 + 22)
            pdf.cell(column, 6, name, align="C")


# --- XLSX ----------------------------------------------------------------------------------

_XLSX_WIDTHS = (6, 26, 16, 22, 22, 14, 14, 14, 14, 16, 12)  # characters
_MONEY = '#,##0;-#,##0;""'  # zero shows blank: most rows have no arrears
_FONT = "Times New Roman"
# Four signature blocks over the ten columns: A–B, C–D, E–G, H–J.
_SIGNATURE_SPANS = ((1, 2), (3, 4), (5, 8), (9, 11))


class _Sheet:
    """Rows appended in order to a write-only sheet, with their heights and merged ranges."""

    def __init__(self, ws):
        self.ws = ws
        self.row = 0

    def cell(self, value, *, bold=False, italic=False, size=12, align=None, border=None,
             number_format=None):
        c = WriteOnlyCell(self.ws, value=safe_cell(value))
        c.font = Font(name=_FONT, bold=bold, italic=italic, size=size)
        if align:
            c.alignment = align
        if border:
            c.border = border
        if number_format:
            c.number_format = number_format
        return c

    def append(self, cells, *, height=None, merges=()):
        """`merges`: (first, last) column numbers, 1-based, merged on this row."""
        self.row += 1
        if height:
            self.ws.row_dimensions[self.row].height = height
        for first, last in merges:
            if last > first:
                self.ws.merged_cells.add(
                    f"{get_column_letter(first)}{self.row}:{get_column_letter(last)}{self.row}")
        self.ws.append(cells)

    def spread(self, texts, spans, **style):
        """One text per span of columns, each centred over its merged span."""
        cells = [None] * spans[-1][1]
        for text, (first, _last) in zip(texts, spans, strict=True):
            cells[first - 1] = self.cell(text, align=_CENTRE, **style)
        self.append(cells, merges=spans)


_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def render_xlsx(payment_list: PaymentList) -> bytes:
    """One sheet, set up to print like the PDF (landscape A4, headings repeated on each page).

    Written in openpyxl's write-only mode, so memory stays flat for a large commune.
    core.excel.write_xlsx is not used as is, since this sheet needs merged titles, widths,
    number formats and print settings; its formula guard, safe_cell, is applied to every cell.
    Amounts are numbers (shown with the reader's thousands separator), not text.
    """
    pl = payment_list
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=f"Chi trả {pl.month.month:02d}-{pl.month.year}")
    ncols = len(HEADERS)
    for i, chars in enumerate(_XLSX_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = chars
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    sheet = _Sheet(ws)
    sheet.append([sheet.cell(nfc(pl.body_name).upper(), bold=True)])
    sheet.append([sheet.cell(pl.unit.upper(), bold=True)])
    sheet.append([])
    sheet.append([sheet.cell(pl.title, bold=True, size=14, align=_CENTRE)], height=22,
                 merges=[(1, ncols)])
    sheet.append([sheet.cell(pl.subtitle, align=_CENTRE)], merges=[(1, ncols)])
    sheet.append([])
    sheet.append([sheet.cell(h, bold=True, align=_CENTRE, border=_BOX) for h in HEADERS],
                 height=32)
    ws.print_title_rows = f"{sheet.row}:{sheet.row}"
    for index, row in enumerate(pl.rows, start=1):
        texts = [(index, _CENTRE), (nfc(row.full_name), _LEFT), (nfc(row.id_number), _CENTRE),
                 (nfc(row.address), _LEFT), (nfc(row.category), _LEFT)]
        cells = [sheet.cell(value, align=align, border=_BOX) for value, align in texts]
        cells += [sheet.cell(value, align=_RIGHT, border=_BOX, number_format=_MONEY)
                  for value in (row.amount, row.adjustment, row.carried, row.total)]
        cells += [sheet.cell(None, border=_BOX), sheet.cell(None, border=_BOX)]
        sheet.append(cells, height=36)  # points: room to sign or press a thumb

    totals = [sheet.cell(f"Tổng cộng ({len(pl.rows)} người)", bold=True, align=_CENTRE,
                         border=_BOX)]
    totals += [sheet.cell(None, border=_BOX) for _ in range(4)]
    totals += [sheet.cell(value, bold=True, align=_RIGHT, border=_BOX, number_format=_MONEY)
               for value in (pl.total_amount, pl.total_adjustment, pl.total_carried, pl.total)]
    totals += [sheet.cell(None, border=_BOX), sheet.cell(None, border=_BOX)]
    sheet.append(totals, height=22, merges=[(1, 5)])
    sheet.append([])
    sheet.append([sheet.cell(f"Tổng số tiền bằng chữ: {pl.total_in_words}", italic=True)],
                 merges=[(1, ncols)])
    sheet.append([])
    sheet.spread([pl.place_date], [(8, ncols)], italic=True)
    blocks = pl.signatures()
    for line in range(max(len(titles) for titles, _, _ in blocks)):
        sheet.spread([titles[line] if line < len(titles) else "" for titles, _, _ in blocks],
                     _SIGNATURE_SPANS, bold=True)
    sheet.spread([hint for _, hint, _ in blocks], _SIGNATURE_SPANS, italic=True)
    for _ in range(4):
        sheet.append([])
    sheet.spread([name for _, _, name in blocks], _SIGNATURE_SPANS, bold=True)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
