"""The PDF canvas shared by the documents: A4, the embedded serif fonts, mm units."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "LiberationSerif"
_FONT_FILES = {
    "": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
    "I": "LiberationSerif-Italic.ttf",
    "BI": "LiberationSerif-BoldItalic.ttf",
}


class DocumentPDF(FPDF):
    """An FPDF with the fonts registered and the margins of Decree 30/2020, Appendix I."""

    def __init__(self, *, landscape: bool = False, margins: tuple[float, float, float, float]
                 = (30, 20, 20, 20), title: str = "", dated: date | None = None):
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        left, top, right, bottom = margins
        self.set_margins(left, top, right)
        self.set_auto_page_break(True, margin=bottom)
        for style, filename in _FONT_FILES.items():
            self.add_font(FAMILY, style, FONT_DIR / filename)
        self.set_font(FAMILY, size=14)
        self.set_creator("ansinh")
        if title:
            self.set_title(title)
        self.set_lang("vi")
        # Dated by the document, not by the clock, so the same input gives the same file.
        self.set_creation_date(datetime.combine(dated or date(2000, 1, 1), time(),
                                                tzinfo=UTC))

    def font(self, style: str = "", size: float | None = None) -> None:
        self.set_font(FAMILY, style, size if size is not None else self.font_size_pt)

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def lines_height(self, width: float, text: str, line_height: float) -> float:
        """Height that `text` takes in a column of `width` with the current font."""
        return self.multi_cell(width, line_height, text, dry_run=True, output="HEIGHT")

    def centred_rule(self, x: float, width: float, y: float, length: float) -> None:
        """A short solid line centred in the column [x, x + width] (under a name or a title)."""
        start = x + (width - length) / 2
        self.set_line_width(0.3)
        self.line(start, y, start + length, y)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


class NumberedPDF(DocumentPDF):
    """A document whose pages say "Trang n/N" at the bottom right: lists and reports that run
    over several pages."""

    footer_offset = 10  # mm from the bottom edge

    def footer(self):
        self.set_y(-self.footer_offset)
        self.font("I", 9)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="R")
