"""Dates as legacy lists hold them: full dates, month/year, or the year alone.

A partial date is stored as the first day of its period plus a precision, so it sorts and
filters like a date and still prints as the officer typed it.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

DAY, MONTH, YEAR = "D", "M", "Y"
PRECISIONS = [(DAY, "Ngày/tháng/năm"), (MONTH, "Tháng/năm"), (YEAR, "Chỉ năm")]

_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/\-.](\d{4})$")
_Y = re.compile(r"^(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")


class InvalidDate(ValueError):
    pass


@dataclass(frozen=True)
class PartialDate:
    value: date
    precision: str = DAY

    def __str__(self) -> str:
        return format_partial(self.value, self.precision)


def format_partial(value: date | None, precision: str = DAY) -> str:
    if value is None:
        return ""
    if precision == YEAR:
        return f"{value.year}"
    if precision == MONTH:
        return f"{value.month:02d}/{value.year}"
    return value.strftime("%d/%m/%Y")


def _two_digit_year(yy: int, today: date) -> int:
    # d/m/yy in a registry is a birth date: a year that would lie in the future is last century.
    year = 2000 + yy
    return year if year <= today.year else year - 100


def parse_partial_date(raw: object, *, today: date | None = None) -> PartialDate | None:
    """Accept real Excel dates, dd/mm/yyyy, d/m/yy, mm/yyyy, yyyy and ISO text.

    Returns None for an empty cell; raises InvalidDate (Vietnamese message) otherwise.
    """
    today = today or date.today()
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return PartialDate(raw.date())
    if isinstance(raw, date):
        return PartialDate(raw)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if float(raw).is_integer() and 1800 <= int(raw) <= today.year:
            return PartialDate(date(int(raw), 1, 1), YEAR)
        raise InvalidDate(f"«{raw}» không phải là ngày hợp lệ.")
    text = str(raw).strip()
    if not text:
        return None
    try:
        if m := _ISO.match(text):
            return PartialDate(date(int(m[1]), int(m[2]), int(m[3])))
        if m := _DMY.match(text):
            year = int(m[3])
            if len(m[3]) == 2:
                year = _two_digit_year(year, today)
            return PartialDate(date(year, int(m[2]), int(m[1])))
        if m := _MY.match(text):
            return PartialDate(date(int(m[2]), int(m[1]), 1), MONTH)
        if m := _Y.match(text):
            return PartialDate(date(int(m[1]), 1, 1), YEAR)
    except ValueError as exc:
        raise InvalidDate(f"Ngày «{text}» không tồn tại.") from exc
    raise InvalidDate(
        f"Không đọc được ngày «{text}»: dùng dd/mm/yyyy, d/m/yy, mm/yyyy hoặc yyyy."
    )
