from datetime import date, datetime

import pytest

from ansinh.core.dates import DAY, MONTH, YEAR, InvalidDate, parse_partial_date

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    "raw, value, precision",
    [
        ("05/03/1945", date(1945, 3, 5), DAY),
        ("5/3/45", date(1945, 3, 5), DAY),
        ("5/3/19", date(2019, 3, 5), DAY),
        ("1-12-2001", date(2001, 12, 1), DAY),
        ("03/2001", date(2001, 3, 1), MONTH),
        ("1950", date(1950, 1, 1), YEAR),
        (1950, date(1950, 1, 1), YEAR),
        ("1990-07-15", date(1990, 7, 15), DAY),
        (datetime(1990, 7, 15, 0, 0), date(1990, 7, 15), DAY),
        (date(1990, 7, 15), date(1990, 7, 15), DAY),
    ],
)
def test_it_reads_dates_as_legacy_lists_hold_them(raw, value, precision):
    parsed = parse_partial_date(raw, today=TODAY)
    assert (parsed.value, parsed.precision) == (value, precision)


@pytest.mark.parametrize("raw", ["31/02/1990", "00/01/1990", "13/2001", "hôm qua", "1.5", 3.7])
def test_it_rejects_impossible_or_unreadable_dates(raw):
    with pytest.raises(InvalidDate):
        parse_partial_date(raw, today=TODAY)


def test_empty_cells_are_no_date():
    assert parse_partial_date("", today=TODAY) is None
    assert parse_partial_date(None, today=TODAY) is None


def test_partial_dates_print_as_typed():
    assert str(parse_partial_date("03/2001", today=TODAY)) == "03/2001"
    assert str(parse_partial_date("1950", today=TODAY)) == "1950"
