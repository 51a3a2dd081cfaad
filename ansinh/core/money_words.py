"""Amounts of Vietnamese đồng in words and in figures, as accounting documents write them.

Reading conventions (those of vouchers, payment lists and invoices):
- the number is read in groups of three digits (đơn vị, nghìn, triệu, tỷ; above a thousand
  billion the tỷ repeats: "một nghìn tỷ");
- every group after the first is read in full, hundreds included, so that a reader who hears
  or copies the words cannot drop a zero: 1.005.000 is "một triệu không trăm linh năm nghìn",
  1.080.000 "một triệu không trăm tám mươi nghìn"; a group of three zeros is skipped;
- "linh" (not the southern "lẻ") for a zero tens digit, "mười"/"mươi", "mốt" for 1 and "lăm"
  for 5 after a tens digit, "bốn" (never "tư"), "nghìn" (not "ngàn"), "tỷ";
- the first letter is capitalised and the words end with "đồng".

num2words reads 1–999 by these rules and is used for them. Its own composition of larger
numbers is colloquial and is not used: it skips the zero hundreds of inner groups
(1.005.000 → "một triệu năm nghìn", 1.010 → "một nghìn lẻ mười") and says "lẻ".
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import get_language
from num2words import num2words

_BILLION = 10**9
_GROUPS = ((10**6, "triệu"), (10**3, "nghìn"), (1, ""))
_LE = re.compile(r"\blẻ\b")


def amount_in_words(amount: int | Decimal, currency: str = "đồng") -> str:
    """1_250_000 → "Một triệu hai trăm năm mươi nghìn đồng"; 0 → "Không đồng"."""
    value = _whole(amount)
    words = _spell(value, leading=True) if value else "không"
    text = f"{words} {currency}" if currency else words
    return text[0].upper() + text[1:]


def format_vnd(amount: int | Decimal | None, unit: str = "đ") -> str:
    """1250000 → "1.250.000 đ": dots between thousands, as Vietnamese documents write money."""
    if amount is None:
        return ""
    figures = f"{_whole(amount, allow_negative=True):,}".replace(",", ".")
    return f"{figures} {unit}" if unit else figures


def group_thousands(number: int) -> str:
    """1250000 → "1.250.000" while Vietnamese is active, "1,250,000" in English: figures on
    a page or in a message follow the reader's language (documents keep `format_vnd`)."""
    text = f"{number:,}"
    return text if (get_language() or "vi").startswith("en") else text.replace(",", ".")


def format_money(amount: int | Decimal | None, unit: str = "đ") -> str:
    """`format_vnd` in the reader's language: "1.250.000 đ", in English "1,250,000 đ". For
    the messages the services and pages show; printed documents stay Vietnamese."""
    if amount is None:
        return ""
    figures = group_thousands(_whole(amount, allow_negative=True))
    return f"{figures} {unit}" if unit else figures


def _whole(amount: int | Decimal, *, allow_negative: bool = False) -> int:
    if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)):
        raise TypeError(f"An amount of đồng is an int or a Decimal, not {type(amount).__name__}.")
    if amount != int(amount):
        raise ValueError(f"The đồng has no subunit: {amount} is not a whole amount.")
    if amount < 0 and not allow_negative:
        raise ValueError(f"A negative amount ({amount}) has no reading in words.")
    return int(amount)


def _spell(n: int, *, leading: bool) -> str:
    """Words for n > 0. `leading` is False when digits have already been read before n."""
    if n >= _BILLION:
        billions, rest = divmod(n, _BILLION)
        text = f"{_spell(billions, leading=leading)} tỷ"
        return f"{text} {_spell(rest, leading=False)}" if rest else text
    parts = []
    for size, name in _GROUPS:
        group, n = divmod(n, size)
        if group:
            words = _group(group, full=not leading)
            parts.append(f"{words} {name}" if name else words)
            leading = False
    return " ".join(parts)


def _group(group: int, *, full: bool) -> str:
    """A group of three digits, 1–999; `full` reads its zero hundreds ("không trăm linh năm")."""
    words = num2words(group, lang="vi")
    if full and group < 100:
        words = ("không trăm linh " if group < 10 else "không trăm ") + words
    return _LE.sub("linh", words)
