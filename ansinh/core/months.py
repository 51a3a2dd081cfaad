"""Months as values: a month is the date of its first day.

The ledger, the rules and the decisions all speak in months ("paid from 07/2024"). Storing a
month as the date of its first day keeps it a real date in both databases (ordering, ranges,
DateField) while this module keeps the arithmetic in one place.
"""

from __future__ import annotations

import re
from datetime import date

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_MONTH_VN = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


def month_of(day: date) -> date:
    """The month a day falls in."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + (month.month - 1) + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from `first` to `last`, both included (empty when last < first)."""
    first, last = month_of(first), month_of(last)
    count = month_index(last) - month_index(first) + 1
    return [add_months(first, i) for i in range(max(count, 0))]


def month_index(month: date) -> int:
    """A month as a whole number, so that differences are counts of months."""
    return month.year * 12 + (month.month - 1)


def parse_month(text: str) -> date:
    """`2026-01` (and the Vietnamese `01/2026`) → date(2026, 1, 1); ValueError otherwise."""
    match = _MONTH.match(text or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
    else:
        match = _MONTH_VN.match(text or "")
        if not match:
            raise ValueError(f"«{text}» không phải là tháng dạng YYYY-MM / is not a YYYY-MM month")
        month, year = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError(f"«{text}» không phải là tháng hợp lệ / is not a valid month")
    return date(year, month, 1)


def format_month(month: date) -> str:
    """The ISO form used in files and the API: 2026-01."""
    return f"{month.year:04d}-{month.month:02d}"


def format_month_vn(month: date) -> str:
    """The form Vietnamese documents use: 01/2026."""
    return f"{month.month:02d}/{month.year:04d}"
