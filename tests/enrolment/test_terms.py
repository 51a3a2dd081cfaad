from datetime import date

import pytest

from ansinh.enrolment.terms import Terms, age_in_month, check_terms


def fields(terms: Terms) -> set[str]:
    return {f for f, _ in check_terms(terms)}


def test_the_birthday_month_already_counts_the_new_age():
    assert age_in_month(date(2022, 3, 31), "D", date(2026, 2, 1)) == 3
    assert age_in_month(date(2022, 3, 31), "D", date(2026, 3, 1)) == 4


def test_a_birth_known_by_year_only_counts_from_january():
    assert age_in_month(date(1946, 7, 1), "Y", date(2026, 1, 1)) == 80


@pytest.mark.parametrize("category, born, ok", [
    ("5.1", date(2015, 1, 1), True),
    ("5.1", date(2005, 1, 1), False),  # 21 years old: not a child
    ("5.5a", date(1970, 1, 1), False),  # 56: not elderly
    ("5.5a", date(1960, 1, 1), True),
    ("5.5b", date(1953, 6, 1), False),  # 72 at the start month
    ("5.7", date(2022, 1, 1), False),  # 4 years old
    ("5.7", date(2024, 6, 1), True),
])
def test_it_refuses_a_category_inconsistent_with_age(category, born, ok):
    terms = Terms(benefit="monthly_allowance", category=category, start_month=date(2026, 1, 1),
                  birth_date=born, household_poverty="poor")
    assert ("category" not in fields(terms)) is ok


def test_a_disability_category_needs_a_level():
    terms = Terms(benefit="monthly_allowance", category="5.6", start_month=date(2026, 1, 1),
                  birth_date=date(1990, 1, 1))
    assert "disability_level" in fields(terms)
    terms.disability_level = "severe"
    assert fields(terms) == set()


def test_a_start_month_before_birth_is_refused():
    terms = Terms(benefit="monthly_allowance", category="5.1", start_month=date(2020, 1, 1),
                  birth_date=date(2021, 5, 2))
    messages = dict(check_terms(terms))
    assert "trước tháng sinh" in messages["start_month"]


def test_unknown_benefit_category_and_channel_are_named():
    assert fields(Terms(benefit="pension", category="x", start_month=date(2026, 1, 1),
                        birth_date=date(1950, 1, 1))) == {"benefit"}
    terms = Terms(benefit="monthly_allowance", category="5.9", start_month=date(2026, 1, 1),
                  birth_date=date(1950, 1, 1), payment_channel="bank")
    assert fields(terms) == {"category", "account_number"}


def test_the_70_74_social_pension_needs_a_poor_or_near_poor_household():
    terms = Terms(benefit="social_pension", category="70-74", start_month=date(2026, 1, 1),
                  birth_date=date(1954, 1, 1))
    assert "household_poverty" in fields(terms)
    terms.household_poverty = "near_poor"
    assert fields(terms) == set()


def test_a_single_parent_needs_children():
    terms = Terms(benefit="monthly_allowance", category="5.4", start_month=date(2026, 1, 1),
                  birth_date=date(1990, 1, 1))
    assert "children_count" in fields(terms)
