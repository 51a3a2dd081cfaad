"""The signature list (danh sách ký nhận) of an approved recipient list, printed for the
hand-out: each recipient signs or presses a thumb against his line, and the signed sheet is
the proof of receipt.

It shows what any list may show — name, year of birth, household, commune, what is handed
over — and never why a person qualified.
"""

from __future__ import annotations

from fpdf.fonts import FontFace

from ansinh.core.money_words import amount_in_words, format_vnd
from ansinh.documents.pdf import NumberedPDF
from ansinh.documents.text import nfc, place_and_date

from .choices import LineStatus
from .models import RecipientList

HEADERS = ("STT", "Họ và tên", "Năm sinh", "Hộ", "Xã/phường", "Tiền (đồng)", "Hiện vật",
           "Ký nhận", "Ghi chú")
# Landscape A4 less 15 mm left and 10 mm right margins (272 mm).
_WIDTHS = (11, 52, 18, 24, 40, 26, 45, 36, 20)
_ALIGN = ("C", "L", "C", "C", "L", "R", "L", "C", "L")
_ROW_HEIGHT = 12  # mm: room to sign or press a thumb


def _goods_text(rlist: RecipientList) -> str:
    return ", ".join(f"{c.quantity} {c.item.get_unit_display()} {c.item.name}"
                     for c in rlist.cycle.items.select_related("item").order_by("item__name"))


def signature_rows(rlist: RecipientList) -> list[dict]:
    lines = (rlist.lines.exclude(status=LineStatus.CANCELLED)
             .select_related("person", "household", "commune")
             .order_by("commune__name", "person__sort_key", "pk"))
    goods = _goods_text(rlist)
    return [{
        "name": line.person.full_name if line.person else f"Đại diện hộ {line.household.code}",
        "birth_year": str(line.person.birth_date.year)
        if line.person and line.person.birth_date else "",
        "household": line.household.code if line.household else "",
        "commune": line.commune.name if line.commune else "",
        "cash": line.cash, "goods": goods,
        "note": "Đã nhận" if line.status == LineStatus.HANDED_OUT else "",
    } for line in lines]


def render_pdf(rlist: RecipientList) -> bytes:
    cycle = rlist.cycle
    title = f"DANH SÁCH KÝ NHẬN – {nfc(cycle.name).upper()}"
    dated = rlist.decided_at.date() if rlist.decided_at else cycle.starts_on
    pdf = NumberedPDF(landscape=True, margins=(15, 12, 10, 14), title=title, dated=dated)
    pdf.add_page()
    width = pdf.content_width
    place = cycle.commune.name if cycle.commune_id else cycle.province.name
    pdf.font("B", 12)
    pdf.cell(110, 5.5, nfc(str(cycle.fund)).upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.font("B", 14)
    pdf.multi_cell(width, 6.5, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.font("", 12)
    pdf.multi_cell(width, 6, f"Chiến dịch: {nfc(str(cycle.campaign))} – Danh sách số "
                             f"{rlist.number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    rows = signature_rows(rlist)
    bold = FontFace(emphasis="BOLD")
    pdf.font("", 10.5)
    with pdf.table(col_widths=_WIDTHS, text_align=_ALIGN, line_height=4.8,
                   num_heading_rows=1, repeat_headings=1, v_align="M",
                   headings_style=bold, first_row_as_headings=True, width=width) as table:
        heading = table.row()
        for text in HEADERS:
            heading.cell(text, align="C")
        for index, row in enumerate(rows, start=1):
            r = table.row(min_height=_ROW_HEIGHT)
            for text in (str(index), nfc(row["name"]), row["birth_year"], row["household"],
                         nfc(row["commune"]), format_vnd(row["cash"], unit="") if row["cash"]
                         else "", nfc(row["goods"]), "", row["note"]):
                r.cell(text)
        total = sum(r["cash"] for r in rows)
        totals = table.row(min_height=8)
        totals.cell(f"Tổng cộng ({len(rows)} suất)", colspan=5, align="C", style=bold)
        totals.cell(format_vnd(total, unit="") if total else "", align="R", style=bold)
        totals.cell("", colspan=3)
    if total:
        pdf.ln(3)
        pdf.font("B", 12)
        pdf.write(6, "Tổng số tiền bằng chữ: ")
        pdf.font("I", 12)
        pdf.write(6, amount_in_words(total))
    pdf.ln(10)
    if pdf.get_y() + 40 > pdf.h - pdf.b_margin:
        pdf.add_page()
    column = width / 3
    pdf.font("I", 12)
    pdf.set_x(pdf.l_margin + 2 * column - 20)
    pdf.cell(column + 20, 6, place_and_date(place, dated), align="C",
             new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 1
    for i, title in enumerate(("NGƯỜI LẬP DANH SÁCH", "NGƯỜI PHÁT", "LÃNH ĐẠO QUỸ")):
        pdf.set_xy(pdf.l_margin + i * column, top)
        pdf.font("B", 12)
        pdf.cell(column, 6, title, align="C")
        pdf.set_xy(pdf.l_margin + i * column, top + 6)
        pdf.font("I", 11)
        pdf.cell(column, 5, "(Ký, ghi rõ họ tên)", align="C")
    return pdf.to_bytes()
