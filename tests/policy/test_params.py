"""Resolution of the value in force: one national series, provincial series, the max rule."""

from datetime import date

import polars as pl
import pytest

from ansinh.policy.params import Parameters

PARAMS = Parameters.from_yaml()


def level(params, province, year, month):
    return params.standard_level(province, date(year, month, 1))


def test_the_national_series_steps_on_its_effective_months():
    assert level(PARAMS, "40", 2021, 6) == 270_000
    assert level(PARAMS, "40", 2021, 7) == 360_000
    assert level(PARAMS, "40", 2024, 6) == 360_000
    assert level(PARAMS, "40", 2024, 7) == 500_000
    assert level(PARAMS, "40", 2026, 11) == 500_000


def test_a_province_gets_the_higher_of_its_own_and_the_national_level():
    assert level(PARAMS, "22", 2021, 7) == 360_000
    assert level(PARAMS, "22", 2021, 8) == 450_000
    assert level(PARAMS, "22", 2023, 1) == 500_000
    assert level(PARAMS, "22", 2024, 10) == 700_000
    assert level(PARAMS, "01", 2025, 12) == 500_000
    assert level(PARAMS, "01", 2026, 1) == 650_000
    assert level(PARAMS, "31", 2026, 1) == 700_000


def test_the_central_level_applies_when_it_overtakes_a_province():
    what_if = PARAMS.with_standard_level(700_000, date(2027, 1, 1))
    assert level(what_if, "01", 2026, 12) == 650_000
    assert level(what_if, "01", 2027, 1) == 700_000


def test_a_value_applies_from_the_month_containing_its_effective_date():
    what_if = PARAMS.with_standard_level(520_000, date(2026, 7, 31))
    assert level(what_if, "40", 2026, 6) == 500_000
    assert level(what_if, "40", 2026, 7) == 520_000


def test_of_two_values_in_one_month_the_later_date_wins():
    what_if = (PARAMS.with_standard_level(530_000, date(2026, 7, 20))
               .with_standard_level(520_000, date(2026, 7, 1)))
    assert level(what_if, "40", 2026, 7) == 530_000


def test_a_what_if_is_a_copy():
    what_if = PARAMS.with_standard_level(520_000, date(2026, 7, 1))
    assert level(PARAMS, "40", 2026, 7) == 500_000
    assert level(what_if, "40", 2026, 7) == 520_000
    assert "what-if" in what_if.origin


def test_a_what_if_replaces_a_value_on_the_same_key():
    what_if = PARAMS.with_standard_level(600_000, date(2026, 1, 1), "01")
    assert level(what_if, "01", 2026, 1) == 600_000


def test_the_level_table_covers_every_current_province_by_default():
    table = PARAMS.level_table(date(2026, 1, 1), date(2026, 3, 1))
    assert table.schema == pl.Schema({"province_code": pl.Utf8, "month": pl.Date,
                                      "standard_level": pl.Int64})
    assert table.height == 34 * 3
    hanoi = table.filter(pl.col("province_code") == "01")["standard_level"].to_list()
    assert hanoi == [650_000] * 3


def test_an_unknown_province_is_refused():
    with pytest.raises(ValueError, match="99"):
        PARAMS.level_table(date(2026, 1, 1), date(2026, 1, 1), ["99"])
    with pytest.raises(ValueError):
        PARAMS.with_standard_level(600_000, date(2026, 1, 1), "99")


def test_a_month_before_any_value_has_no_level():
    with pytest.raises(LookupError):
        level(PARAMS, "40", 2013, 12)
    table = PARAMS.level_table(date(2013, 12, 1), date(2014, 1, 1), ["40"])
    assert table["standard_level"].to_list() == [None, 270_000]


def test_what_ifs_refuse_amounts_that_are_not_whole_dong():
    for bad in (0, -5, 500_000.5, "500000", True):
        with pytest.raises(ValueError):
            PARAMS.with_standard_level(bad, date(2026, 7, 1))


def test_coefficients_in_force():
    table = PARAMS.coefficient_table(date(2021, 6, 1), date(2021, 7, 1))
    cell = table.filter((pl.col("category") == "5.6") & (pl.col("band") == "severe_adult"))
    assert cell["hundredths"].to_list() == [None, 150]
    doubled = PARAMS.with_coefficient("monthly_allowance", "5.8", "all", "2", date(2027, 1, 1))
    cell = doubled.coefficient_table(date(2027, 1, 1), date(2027, 1, 1)).filter(
        pl.col("category") == "5.8")
    assert cell["hundredths"].to_list() == [200]


def test_the_social_pension_series():
    assert PARAMS.series_start("social_pension") == date(2025, 7, 1)
    table = PARAMS.series_table("social_pension", date(2025, 6, 1), date(2026, 1, 1),
                                ["01", "40"])
    hanoi = table.filter(pl.col("province_code") == "01")["value"].to_list()
    assert hanoi == [None, *[500_000] * 6, 650_000]
