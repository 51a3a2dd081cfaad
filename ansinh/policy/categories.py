"""The shape of the benefit tables: benefits, categories and bands.

The numbers (standard levels, coefficients, amounts) are data: `parameters/*.yaml`, mirrored in
the database, editable by an authorised officer. This module only names the cells those numbers
go into, so that the YAML schema, the services and the pricing engine agree on them.

Care-allowance case codes (Decree 20/2021, Art. 20). `person_id` is always the person being
cared for (whose age decides the band); `recipient_id` is whoever is paid:

| code                  | Art. 20    | who is cared for / paid                                  | bands             |
|-----------------------|------------|----------------------------------------------------------|-------------------|
| foster_child          | 1.a, 1.b   | a 5.1 child taken in by a household or person            | under_4, from_4   |
| foster_elderly        | 1.b        | a 5.5.d elderly person taken in                          | all               |
| disabled_parent_one   | 2.a (1st)  | a (extremely) severely disabled person, pregnant or      | all               |
|                       |            | raising one child under 36 months; paid to that person   |                   |
| disabled_parent_two   | 2.a (2nd)  | the same, pregnant and raising one child under 36        | all               |
|                       |            | months, or raising two or more children under 36 months  |                   |
| household_care        | 2.c        | an extremely severely disabled person cared for directly | all               |
|                       |            | by their own household                                   |                   |
| foster_disabled       | 2.d        | an extremely severely disabled person taken in by        | adult, child      |
|                       |            | another household or person (child = under 16)          |                   |
"""

from __future__ import annotations

from functools import cache

MONTHLY_ALLOWANCE = "monthly_allowance"
SOCIAL_PENSION = "social_pension"
CARE_ALLOWANCE = "care_allowance"
FUNERAL = "funeral"

BENEFITS = (MONTHLY_ALLOWANCE, SOCIAL_PENSION, CARE_ALLOWANCE, FUNERAL)

# Benefits whose amount is the standard level × a coefficient, and the bands of each category,
# in the order the engine numbers them (band 0, 1, …). "all" marks a category with one band.
BANDS: dict[tuple[str, str], tuple[str, ...]] = {
    # Decree 20/2021, Art. 6.1
    (MONTHLY_ALLOWANCE, "5.1"): ("under_4", "from_4"),
    (MONTHLY_ALLOWANCE, "5.2"): ("all",),
    (MONTHLY_ALLOWANCE, "5.3"): ("under_4", "from_4"),
    (MONTHLY_ALLOWANCE, "5.4"): ("per_child",),
    (MONTHLY_ALLOWANCE, "5.5a"): ("under_80", "from_80"),
    (MONTHLY_ALLOWANCE, "5.5b"): ("all",),
    (MONTHLY_ALLOWANCE, "5.5c"): ("all",),
    (MONTHLY_ALLOWANCE, "5.5d"): ("all",),
    (MONTHLY_ALLOWANCE, "5.6"): (
        "severe_adult", "severe_child_or_elderly",
        "extremely_severe_adult", "extremely_severe_child_or_elderly",
    ),
    (MONTHLY_ALLOWANCE, "5.7"): ("all",),
    (MONTHLY_ALLOWANCE, "5.8"): ("all",),
    # Decree 20/2021, Art. 20 (case codes in the module docstring)
    (CARE_ALLOWANCE, "foster_child"): ("under_4", "from_4"),
    (CARE_ALLOWANCE, "foster_elderly"): ("all",),
    (CARE_ALLOWANCE, "disabled_parent_one"): ("all",),
    (CARE_ALLOWANCE, "disabled_parent_two"): ("all",),
    (CARE_ALLOWANCE, "household_care"): ("all",),
    (CARE_ALLOWANCE, "foster_disabled"): ("adult", "child"),
    # Funeral support as a multiple of the standard level: Art. 11.2 (in the community),
    # Art. 25.3 (in a social assistance facility)
    (FUNERAL, "community"): ("all",),
    (FUNERAL, "facility"): ("all",),
}

# The social pension is a fixed amount (its own dated series), not a multiple of the level.
SOCIAL_PENSION_CATEGORIES = ("75+", "70-74")

# Benefits priced from a dated amount series rather than level × coefficient.
AMOUNT_SERIES = ("standard_level", SOCIAL_PENSION)

DISABILITY_LEVELS = ("severe", "extremely_severe")

CATEGORIES: dict[str, tuple[str, ...]] = {
    benefit: tuple(c for (b, c) in BANDS if b == benefit)
    for benefit in (MONTHLY_ALLOWANCE, CARE_ALLOWANCE, FUNERAL)
}
CATEGORIES[SOCIAL_PENSION] = SOCIAL_PENSION_CATEGORIES


def coefficient_keys() -> list[tuple[str, str, str]]:
    """Every (benefit, category, band) cell the coefficient tables must fill."""
    return [(b, c, band) for (b, c), bands in BANDS.items() for band in bands]


@cache
def province_codes_2025() -> frozenset[str]:
    """The 34 province codes of Decision 19/2025/QĐ-TTg, without needing the database."""
    from vietnam_provinces import ProvinceCode

    return frozenset(f"{code.value:02d}" for code in ProvinceCode)


def format_hundredths(hundredths: int) -> str:
    """A coefficient in hundredths, readable: 250 → '2.5', 300 → '3.0', 2000 → '20.0'."""
    whole, cents = divmod(int(hundredths), 100)
    decimals = f"{cents:02d}".rstrip("0") or "0"
    return f"{whole}.{decimals}"
