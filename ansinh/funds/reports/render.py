"""Any `Report` as an .xlsx workbook (openpyxl write-only, formula-safe) or an A4 .pdf (the
documents' canvas and fonts). Amounts stay numbers in the workbook and are printed with dots
between thousands in the PDF."""

from __future__ import annotations

import io

from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ansinh.core.excel import safe_cell
from ansinh.core.money_words import format_vnd
from ansinh.documents.pdf import NumberedPDF
from ansinh.documents.text import nfc

from .tables import Report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
FORMATS = {"xlsx": XLSX, "pdf": PDF}


def _bold(ws, values) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=safe_cell(value))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def to_xlsx(report: Report) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=report.title[:31].replace("/", "-"))
    ws.append(_bold(ws, [report.unit]))
    ws.append(_bold(ws, [report.title]))
    for line in report.lines:
        ws.append([safe_cell(line)])
    for section in report.sections:
        ws.append([])
        ws.append(_bold(ws, [section.title]))
        ws.append(_bold(ws, section.headers))
        for row in section.rows:
            ws.append([safe_cell(v) for v in row])
        if section.total:
            ws.append(_bold(ws, section.total))
        if section.note:
            ws.append([safe_cell(section.note)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return format_vnd(value, unit="")
    return nfc(str(value))


class _ReportPDF(NumberedPDF):
    footer_offset = 12


def to_pdf(report: Report) -> bytes:
    pdf = _ReportPDF(landscape=report.landscape, margins=(15, 12, 12, 15), title=report.title,
                     dated=report.dated)
    pdf.add_page()
    width = pdf.content_width
    pdf.font("B", 12)
    pdf.multi_cell(width, 6, nfc(report.unit).upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.font("B", 15)
    pdf.multi_cell(width, 7, nfc(report.title).upper(), align="C", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.font("", 11)
    for line in report.lines:
        pdf.multi_cell(width, 5.5, nfc(line), align="C", new_x="LMARGIN", new_y="NEXT")
    bold = FontFace(emphasis="BOLD")
    for section in report.sections:
        pdf.ln(3)
        pdf.font("B", 12)
        pdf.multi_cell(width, 6, nfc(section.title), new_x="LMARGIN", new_y="NEXT")
        pdf.font("", 9.5)
        widths = section.widths or [1] * len(section.headers)
        with pdf.table(col_widths=widths, line_height=4.6, width=width, headings_style=bold,
                       repeat_headings=1, v_align="M") as table:
            heading = table.row()
            for text in section.headers:
                heading.cell(nfc(text), align="C")
            rows = section.rows or [["(không có)"] + [""] * (len(section.headers) - 1)]
            for row in rows:
                cells = table.row()
                for value in row:
                    cells.cell(_text(value), align="R" if isinstance(value, int)
                               and not isinstance(value, bool) else "L")
            if section.total:
                cells = table.row()
                for value in section.total:
                    cells.cell(_text(value), style=bold,
                               align="R" if isinstance(value, int) else "L")
        if section.note:
            pdf.font("I", 9.5)
            pdf.multi_cell(width, 5, nfc(section.note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.font("I", 10)
    pdf.multi_cell(width, 5, f"Lập ngày {report.dated:%d/%m/%Y}.", align="R",
                   new_x="LMARGIN", new_y="NEXT")
    return pdf.to_bytes()


def render(report: Report, fmt: str) -> bytes:
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "pdf":
        return to_pdf(report)
    raise ValueError(f"unknown format {fmt!r}")
