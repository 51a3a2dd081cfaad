"""Spreadsheet output that is safe to open: no cell is ever interpreted as a formula.

A value a user typed (a name, an address) can start with `=`, `+`, `-`, `@`, a tab or a
carriage return; Excel and LibreOffice would evaluate `=HYPERLINK(...)`. Such text is
prefixed with an apostrophe-like guard (a leading single quote) before writing.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        # Negative numbers typed as text stay readable; anything else is neutralised.
        return "'" + value
    return value


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Dữ liệu",
               preamble: Sequence[str] = ()) -> bytes:
    """A write-only workbook: constant memory whatever the number of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for line in preamble:
        ws.append([safe_cell(line)])
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=safe_cell(h))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with BOM so Excel opens Vietnamese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
