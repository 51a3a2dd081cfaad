from datetime import date

import holidays
import pytest

from ansinh.core.workdays import add_working_days, is_working_day, working_days_between


@pytest.fixture(autouse=True)
def _no_configured_days(monkeypatch):
    # A developer's shell may announce days of its own; these tests state theirs explicitly.
    monkeypatch.delenv("ANSINH_EXTRA_HOLIDAYS", raising=False)
    monkeypatch.delenv("ANSINH_EXTRA_WORKING_DAYS", raising=False)


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 1, 1),  # Tết Dương lịch
        date(2025, 1, 27), date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30),
        date(2025, 1, 31),  # Tết Ất Tỵ, Monday to Friday
        date(2025, 4, 7),  # Giỗ Tổ Hùng Vương, 10/3 lunar
        date(2025, 4, 30), date(2025, 5, 1),
        date(2025, 5, 2),  # swapped with Saturday 26/04/2025
        date(2025, 9, 1), date(2025, 9, 2),  # Quốc khánh and its adjacent day
        date(2026, 1, 1),
        date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
        date(2026, 2, 20),  # Tết Bính Ngọ
        date(2026, 4, 27),  # Hùng Vương falls on Sunday 26/04: compensatory Monday
        date(2026, 4, 30), date(2026, 5, 1),
        date(2026, 8, 31),  # swapped with Saturday 22/08/2026
        date(2026, 9, 1), date(2026, 9, 2),
    ],
)
def test_public_holidays_are_not_working_days(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 5),  # an ordinary Monday
        date(2026, 2, 13),  # the Friday before Tết
        date(2026, 2, 23),  # the Monday after
        date(2025, 4, 26),  # a Saturday worked to bridge 30/4–1/5 in 2025
        date(2026, 8, 22),  # a Saturday worked to bridge Quốc khánh in 2026
    ],
)
def test_ordinary_and_swapped_days_are_working_days(day):
    assert is_working_day(day)


def test_weekends_are_off():
    assert not is_working_day(date(2026, 1, 10))  # Saturday
    assert not is_working_day(date(2026, 1, 11))  # Sunday


def test_the_library_puts_lunar_new_year_2026_on_17_february():
    calendar = holidays.country_holidays("VN", language="vi", years=2026)
    assert calendar.get(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert calendar.get(date(2026, 2, 16)) == "Giao thừa Tết Nguyên Đán"


def test_a_ten_day_commune_review_runs_over_tet():
    # Received Friday 13/02/2026; 16–20/02 are Tết, 14–15 and 21–22 weekends.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert add_working_days(date(2026, 2, 13), 10) == date(2026, 3, 6)


def test_two_days_of_public_posting_skip_30_april_and_1_may():
    assert add_working_days(date(2026, 4, 29), 2) == date(2026, 5, 5)


def test_the_start_day_is_not_counted_even_on_a_weekend():
    assert add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 12)  # Friday → Monday
    assert add_working_days(date(2026, 1, 10), 1) == date(2026, 1, 12)  # Saturday → Monday


def test_zero_days_is_the_start_or_the_next_working_day():
    assert add_working_days(date(2026, 1, 5), 0) == date(2026, 1, 5)
    assert add_working_days(date(2026, 2, 17), 0) == date(2026, 2, 23)


def test_negative_days_count_backwards():
    assert add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)


def test_working_days_between_counts_after_the_first_day_up_to_the_last():
    assert working_days_between(date(2026, 2, 13), date(2026, 3, 6)) == 10
    assert working_days_between(date(2026, 3, 6), date(2026, 2, 13)) == -10
    assert working_days_between(date(2026, 1, 5), date(2026, 1, 5)) == 0
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 22)) == 0


@pytest.mark.parametrize("start", [date(2025, 12, 31), date(2026, 2, 14), date(2026, 4, 24),
                                   date(2026, 8, 28)])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 30])
def test_working_days_between_inverts_add_working_days(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


def test_announced_days_off_and_swapped_saturdays_can_be_passed_in():
    # Say the government adds Thursday 11/02/2027 to Tết and has Saturday 20/02/2027 worked.
    off, on = [date(2027, 2, 11)], ["2027-02-20"]
    assert is_working_day(date(2027, 2, 11))
    assert not is_working_day(date(2027, 2, 11), extra_holidays=off)
    assert is_working_day(date(2027, 2, 20), extra_working_days=on)
    assert add_working_days(date(2027, 2, 10), 1) == date(2027, 2, 11)
    assert add_working_days(date(2027, 2, 10), 1, extra_holidays=off,
                            extra_working_days=on) == date(2027, 2, 12)
    # 12/02, the week of 15–19/02, Saturday 20/02 and Monday 22/02.
    assert working_days_between(date(2027, 2, 10), date(2027, 2, 22), extra_holidays=off,
                                extra_working_days=on) == 8
    assert working_days_between(date(2027, 2, 10), date(2027, 2, 12), extra_holidays=off,
                                extra_working_days=on) == 1
    assert working_days_between(date(2027, 2, 10), date(2027, 2, 12)) == 2


def test_an_extra_working_day_wins_over_a_library_holiday():
    assert is_working_day(date(2026, 2, 20), extra_working_days=[date(2026, 2, 20)])
    assert not is_working_day(date(2026, 2, 20))


def test_days_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ANSINH_EXTRA_HOLIDAYS", "2026-03-02, 2026-03-03")
    monkeypatch.setenv("ANSINH_EXTRA_WORKING_DAYS", "2026-03-07")
    assert not is_working_day(date(2026, 3, 2))
    assert not is_working_day(date(2026, 3, 3))
    assert is_working_day(date(2026, 3, 7))
    # A parameter replaces the configured list.
    assert is_working_day(date(2026, 3, 2), extra_holidays=())


def test_days_are_read_from_django_settings_first(settings, monkeypatch):
    monkeypatch.setenv("ANSINH_EXTRA_HOLIDAYS", "2026-03-02")
    settings.ANSINH_EXTRA_HOLIDAYS = ["2026-03-04"]
    assert is_working_day(date(2026, 3, 2))
    assert not is_working_day(date(2026, 3, 4))


def test_a_malformed_configured_date_is_named(monkeypatch):
    monkeypatch.setenv("ANSINH_EXTRA_HOLIDAYS", "2026-03-02,02/03/2026")
    with pytest.raises(ValueError, match="02/03/2026"):
        is_working_day(date(2026, 3, 2))
