"""Working days in Vietnam, for deadlines the law counts in working days.

Saturdays and Sundays are off, and so are the public holidays of the Labour Code 2019
(Art. 112) with their compensatory days, as the `holidays` package knows them: Tết Dương lịch,
the lunar Tết, Giỗ Tổ Hùng Vương (10/3 lunar), 30/4, 1/5, Quốc khánh with its adjacent day and
the swaps the government has already announced (a weekday off paid back by a Saturday).

Each year the government announces the exact days off for Tết and any new swap. Until the
library knows them, a deployment lists them in two settings (comma-separated ISO dates, read
from the environment of the same name):

    ANSINH_EXTRA_HOLIDAYS=2027-02-11
    ANSINH_EXTRA_WORKING_DAYS=2027-02-20

An extra working day wins over any holiday or weekend; an extra holiday wins over the library.
Every function also takes both lists as parameters, which replace the configured ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays

ONE_DAY = timedelta(days=1)

EXTRA_HOLIDAYS_SETTING = "ANSINH_EXTRA_HOLIDAYS"
EXTRA_WORKING_DAYS_SETTING = "ANSINH_EXTRA_WORKING_DAYS"

Dates = Iterable[date | str] | str | None


def is_working_day(day: date, *, extra_holidays: Dates = None,
                   extra_working_days: Dates = None) -> bool:
    return _calendar(*_extras(extra_holidays, extra_working_days)).is_working_day(day)


def add_working_days(start: date, n: int, *, extra_holidays: Dates = None,
                     extra_working_days: Dates = None) -> date:
    """The date `n` working days after `start`, `start` itself not counted.

    This is the last day of a deadline of n working days that runs from `start` (the day a
    dossier was received, a list was posted): a dossier received on Friday 13/02/2026 with
    10 working days to decide must be decided by 06/03/2026, Tết falling in between. A
    negative n counts backwards; n = 0 gives `start` if it is a working day, else the next one.
    """
    return _calendar(*_extras(extra_holidays, extra_working_days)).get_nth_working_day(start, n)


def working_days_between(a: date, b: date, *, extra_holidays: Dates = None,
                         extra_working_days: Dates = None) -> int:
    """Working days after `a` up to and including `b`: how far into a deadline `b` is.

    The inverse of add_working_days: working_days_between(a, add_working_days(a, n)) == n.
    Negative when b is before a; 0 when they are the same day.
    """
    if a == b:
        return 0
    if b < a:
        return -working_days_between(b, a, extra_holidays=extra_holidays,
                                     extra_working_days=extra_working_days)
    calendar = _calendar(*_extras(extra_holidays, extra_working_days))
    return calendar.get_working_days_count(a + ONE_DAY, b)


def parse_dates(value: Dates) -> frozenset[date]:
    """ISO dates from a comma-separated string or an iterable of dates/strings."""
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    result = set()
    for item in items:
        if isinstance(item, date):
            result.add(item)
        elif item and item.strip():
            try:
                result.add(date.fromisoformat(item.strip()))
            except ValueError as exc:
                raise ValueError(f"«{item.strip()}» is not an ISO date (YYYY-MM-DD).") from exc
    return frozenset(result)


def _configured(name: str) -> frozenset[date]:
    """A Django setting when settings are loaded, else the environment variable of that name."""
    value = None
    try:
        from django.conf import settings

        if settings.configured:
            value = getattr(settings, name, None)
    except ImportError:  # pragma: no cover - Django is a dependency; kept usable without it
        pass
    if value is None:
        value = os.environ.get(name, "")
    return parse_dates(value)


def _extras(extra_holidays: Dates, extra_working_days: Dates) -> tuple[frozenset, frozenset]:
    off = (parse_dates(extra_holidays) if extra_holidays is not None
           else _configured(EXTRA_HOLIDAYS_SETTING))
    on = (parse_dates(extra_working_days) if extra_working_days is not None
          else _configured(EXTRA_WORKING_DAYS_SETTING))
    return off, on


@lru_cache(maxsize=16)
def _calendar(extra_holidays: frozenset[date],
              extra_working_days: frozenset[date]) -> holidays.HolidayBase:
    """The library's Vietnamese calendar with this deployment's announced days applied.

    Cached per set of extras. The years around today are filled in up front, so that requests
    served by several threads read a calendar nobody is writing to; the library fills in any
    other year the first time one of its dates is asked for.
    """
    this_year = date.today().year
    calendar = holidays.country_holidays("VN", language="vi",
                                         years=range(this_year - 20, this_year + 11))
    for day in sorted(extra_holidays - extra_working_days):
        calendar[day] = "Ngày nghỉ theo thông báo của Chính phủ"
    for day in extra_working_days:
        # Asking about the date first fills its year in, so the removal is not undone later.
        if day in calendar:
            calendar.pop(day)
        calendar.weekend_workdays.add(day)
    return calendar
