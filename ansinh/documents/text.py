"""Wording shared by the documents: dates, months and numbers as administrative texts write them."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal


def nfc(text: str) -> str:
    """Composed Vietnamese letters: a PDF font draws "ệ" as one glyph, not "e" plus two marks."""
    return unicodedata.normalize("NFC", text or "")


def _day_month(day: int, month: int) -> tuple[str, str]:
    # Decree 30/2020, Appendix I, II.4: days below 10 and the months 1 and 2 take a leading
    # zero, so that nobody can turn "tháng 1" into "tháng 11" with a stroke of a pen.
    return f"{day:02d}", (f"{month:02d}" if month < 3 else str(month))


def place_and_date(place: str, day: date) -> str:
    """"Ngọc Hà, ngày 05 tháng 01 năm 2026"."""
    d, m = _day_month(day.day, day.month)
    return f"{nfc(place)}, ngày {d} tháng {m} năm {day.year}"


def blank_place_and_date(place: str, year: int) -> str:
    """The form a document has before it is dated: "Ngọc Hà, ngày     tháng     năm 2026"."""
    return f"{nfc(place)}, ngày      tháng      năm {year}"


def month_phrase(month: date) -> str:
    """"tháng 01 năm 2026", as a decision says from when it applies."""
    _, m = _day_month(1, month.month)
    return f"tháng {m} năm {month.year}"


def month_label(month: date) -> str:
    """"01/2026", as list titles write a month."""
    return f"{month.month:02d}/{month.year}"


def dmy(value: date | str | None) -> str:
    """A date as dd/mm/yyyy; text (a partial birth date such as "1950") is kept as given."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value))


def coefficient(value: Decimal | float | int | str | None) -> str:
    """1.5 → "1,5", 2 → "2,0": a decimal comma and at least one decimal, as decrees print them."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).normalize()
    text = format(number, "f")
    if "." not in text:
        text += ".0"
    return text.replace(".", ",")


def honorific(gender: str | None) -> str:
    """"Ông" or "Bà" from a gender code or word; empty when the gender is not known."""
    key = (gender or "").strip().lower()
    if key in {"m", "male", "nam", "ông", "ong"}:
        return "Ông"
    if key in {"f", "female", "nữ", "nu", "bà", "ba"}:
        return "Bà"
    return ""


def listed(lines: list[str]) -> list[str]:
    """Lines of an enumeration: each ends with ";" and the last with ".", as Decree 30 asks."""
    cleaned = [nfc(line).strip().rstrip(";.").strip() for line in lines]
    cleaned = [line for line in cleaned if line]
    return [line + (";" if i < len(cleaned) - 1 else ".") for i, line in enumerate(cleaned)]
