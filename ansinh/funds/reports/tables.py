"""The shape every fund report takes before it is written out: a title, a few lines saying
what and when, and sections of rows under headers. One writer per format turns any report
into .xlsx or .pdf."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    # Relative widths of the columns in the PDF; equal when empty.
    widths: list[float] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    slug: str  # names the file: bao-cao-nha-tai-tro-12-2026-11-23
    title: str
    unit: str  # the fund's or the centre's name, printed on top
    lines: list[str]
    sections: list[Section]
    dated: date
    landscape: bool = True

    @property
    def filename(self) -> str:
        return f"{self.slug}-{self.dated:%Y%m%d}"
