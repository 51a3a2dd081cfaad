"""The engine's contract: columns and types, input checks, what-ifs, exactness."""

from datetime import date

import polars as pl
import pytest

from ansinh.policy.engine import OUTPUT_SCHEMA, InvalidPeriods, price
from ansinh.policy.params import Parameters

PARAMS = Parameters.from_yaml()


def period(**overrides) -> dict:
    row = {"entitlement_id": 1, "person_id": 1, "recipient_id": 1,
           "benefit": "monthly_allowance", "category": "5.8", "disability_level": None,
           "children_count": None, "studying": False, "birth_year": 1980, "birth_month": 5,
           "province_code": "40", "from_month": date(2025, 1, 1), "to_month": None}
    row.update(overrides)
    return row


def frame(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema={
        "entitlement_id": pl.Int64, "person_id": pl.Int64, "recipient_id": pl.Int64,
        "benefit": pl.Utf8, "category": pl.Utf8, "disability_level": pl.Utf8,
        "children_count": pl.Int32, "studying": pl.Boolean, "birth_year": pl.Int32,
        "birth_month": pl.Int32, "province_code": pl.Utf8, "from_month": pl.Date,
        "to_month": pl.Date,
    })


def test_the_output_has_the_documented_columns_types_and_order():
    result = price(frame(period(entitlement_id=2, person_id=2), period()),
                   date(2025, 1, 1), date(2025, 3, 1), PARAMS)
    assert result.schema == pl.Schema(OUTPUT_SCHEMA)
    assert result.select("entitlement_id", "month").rows() == [
        (1, date(2025, 1, 1)), (1, date(2025, 2, 1)), (1, date(2025, 3, 1)),
        (2, date(2025, 1, 1)), (2, date(2025, 2, 1)), (2, date(2025, 3, 1)),
    ]
    row = result.row(0, named=True)
    assert row["coefficient_x100"] == 150
    assert row["coefficient"] == "1.5"
    assert row["amount"] == row["standard_level"] * row["coefficient_x100"] // 100


def test_months_can_be_given_as_any_day_of_the_month():
    result = price(frame(period()), date(2025, 1, 15), date(2025, 1, 31), PARAMS)
    assert result["month"].to_list() == [date(2025, 1, 1)]


def test_an_empty_input_gives_an_empty_frame_with_the_schema():
    result = price(frame(), date(2025, 1, 1), date(2025, 1, 1), PARAMS)
    assert result.is_empty()
    assert result.schema == pl.Schema(OUTPUT_SCHEMA)


def test_optional_columns_may_be_left_out():
    minimal = pl.DataFrame({
        "entitlement_id": [1], "person_id": [7], "benefit": ["monthly_allowance"],
        "category": ["5.1"], "birth_year": [2021], "province_code": ["40"],
        "from_month": [date(2025, 1, 1)],
    })
    result = price(minimal, date(2025, 1, 1), date(2025, 1, 1), PARAMS)
    assert result.row(0, named=True) | {} == {
        "entitlement_id": 1, "person_id": 7, "recipient_id": 7,
        "benefit": "monthly_allowance", "category": "5.1", "month": date(2025, 1, 1),
        "standard_level": 500_000, "coefficient_x100": 150, "coefficient": "1.5",
        "amount": 750_000, "reason": None,
    }


def test_a_period_ending_before_it_starts_pays_nothing():
    result = price(frame(period(to_month=date(2024, 12, 1))), date(2025, 1, 1),
                   date(2025, 3, 1), PARAMS)
    assert result.is_empty()


def test_the_last_month_must_not_be_before_the_first():
    with pytest.raises(ValueError):
        price(frame(period()), date(2025, 3, 1), date(2025, 1, 1), PARAMS)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"category": "5.9"}, "unknown benefit/category"),
    ({"benefit": "pension", "category": "75+"}, "unknown benefit/category"),
    ({"category": "5.6"}, "5.6 needs disability_level"),
    ({"category": "5.6", "disability_level": "mild"}, "5.6 needs disability_level"),
    ({"category": "5.4"}, "5.4 needs children_count"),
    ({"category": "5.4", "children_count": 0}, "5.4 needs children_count"),
    ({"province_code": "30"}, "not a 2025 province code"),
    ({"birth_month": 13}, "birth_month"),
    ({"birth_year": None}, "birth_year is empty"),
    ({"from_month": None}, "from_month is empty"),
])
def test_bad_periods_are_refused_naming_the_entitlements(overrides, message):
    good = period(entitlement_id=1)
    bad = period(entitlement_id=42, person_id=2, **overrides)
    with pytest.raises(InvalidPeriods, match=message) as exc:
        price(frame(good, bad), date(2025, 1, 1), date(2025, 1, 1), PARAMS)
    assert "42" in str(exc.value)
    assert "entitlement_id 1," not in str(exc.value)


def test_overlapping_periods_of_one_entitlement_are_refused():
    first = period(entitlement_id=5, to_month=date(2025, 3, 1))
    second = period(entitlement_id=5, from_month=date(2025, 3, 1))
    with pytest.raises(InvalidPeriods, match="overlap: entitlement_id 5"):
        price(frame(first, second), date(2025, 1, 1), date(2025, 6, 1), PARAMS)
    open_ended = period(entitlement_id=5, to_month=None)
    later = period(entitlement_id=5, from_month=date(2025, 6, 1))
    with pytest.raises(InvalidPeriods, match="overlap"):
        price(frame(open_ended, later), date(2025, 1, 1), date(2025, 6, 1), PARAMS)


def test_missing_columns_are_named():
    with pytest.raises(InvalidPeriods, match="birth_year"):
        price(frame(period()).drop("birth_year"), date(2025, 1, 1), date(2025, 1, 1), PARAMS)


def test_a_column_of_the_wrong_type_is_refused():
    bad = frame(period()).with_columns(pl.lit("x").alias("birth_year"))
    with pytest.raises(InvalidPeriods, match="type"):
        price(bad, date(2025, 1, 1), date(2025, 1, 1), PARAMS)


def test_a_what_if_reprices_the_caseload_without_touching_the_parameters():
    caseload = frame(period(entitlement_id=1, person_id=1, province_code="40"),
                     period(entitlement_id=2, person_id=2, province_code="01"),
                     period(entitlement_id=3, person_id=3, province_code="31"))
    july = date(2026, 7, 1)
    now = price(caseload, july, july, PARAMS)
    what_if = price(caseload, july, july, PARAMS.with_standard_level(600_000, july))
    assert now["amount"].to_list() == [750_000, 975_000, 1_050_000]
    assert what_if["amount"].to_list() == [900_000, 975_000, 1_050_000]
    assert price(caseload, july, july, PARAMS)["amount"].to_list() == now["amount"].to_list()


def test_amounts_are_exact_integers_rounded_half_up():
    odd = PARAMS.with_standard_level(333_333, date(2027, 1, 1))
    result = price(frame(period()), date(2027, 1, 1), date(2027, 1, 1), odd)
    assert result["amount"].to_list() == [500_000]  # 333,333 × 1.5 = 499,999.5
    big = PARAMS.with_standard_level(9_999_999_999, date(2027, 1, 1))
    result = price(frame(period(category="5.5d")), date(2027, 1, 1), date(2027, 1, 1), big)
    assert result["amount"].to_list() == [29_999_999_997]


def test_recipient_and_person_are_carried_through():
    care = period(benefit="care_allowance", category="household_care", person_id=54,
                  recipient_id=902)
    result = price(frame(care), date(2025, 1, 1), date(2025, 1, 1), PARAMS)
    assert result.select("person_id", "recipient_id").row(0) == (54, 902)


@pytest.mark.django_db
def test_without_parameters_it_prices_from_the_database():
    result = price(frame(period(province_code="01")), date(2026, 1, 1), date(2026, 1, 1))
    assert result["amount"].to_list() == [975_000]


def test_highest_only_works_for_any_person_id():
    big = 1 << 62
    rows = frame(period(entitlement_id=1, person_id=big, category="5.8"),
                 period(entitlement_id=2, person_id=big, category="5.6",
                        disability_level="extremely_severe"))
    result = price(rows, date(2025, 1, 1), date(2025, 1, 1), PARAMS)
    assert result.select("entitlement_id", "amount", "reason").rows() == [
        (1, 0, "highest_only"), (2, 1_000_000, None)]


def test_periods_may_come_in_any_order():
    later = period(entitlement_id=3, from_month=date(2025, 3, 1))
    earlier = period(entitlement_id=3, to_month=date(2025, 1, 1))
    result = price(frame(later, period(entitlement_id=1), earlier), date(2025, 1, 1),
                   date(2025, 3, 1), PARAMS)
    assert result.select("entitlement_id", "month").rows() == [
        (1, date(2025, 1, 1)), (1, date(2025, 2, 1)), (1, date(2025, 3, 1)),
        (3, date(2025, 1, 1)), (3, date(2025, 3, 1))]
