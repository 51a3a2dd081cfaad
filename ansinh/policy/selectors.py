"""Reads of the parameter tables. Which value is in force is decided in `params.Parameters`
(the one place); these wrap it for callers that work from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from ansinh.core.months import add_months, month_of

from .categories import format_hundredths
from .models import BenefitAmount, Coefficient, Series, StandardLevel
from .params import Parameters


def parameters() -> Parameters:
    return Parameters.load()


def standard_level(province_code: str, month: date) -> int:
    """The standard level in force for a province in a month (đồng)."""
    return Parameters.load().standard_level(province_code, month)


def level_table(first_month: date, last_month: date,
                province_codes=None) -> pl.DataFrame:
    """[province_code Utf8, month Date, standard_level Int64] for every province (default: the
    34 current ones) and month in [first_month, last_month]."""
    return Parameters.load().level_table(first_month, last_month, province_codes)


def changes_since(ts: datetime) -> list[tuple[str | None, date]]:
    """Values added or changed after `ts`, as (province_code, first affected month): None means
    national, i.e. every province. One entry per province, with its earliest month; the payroll
    re-prices from that month on. A coefficient or a national amount is national."""
    earliest: dict[str | None, date] = {}

    def note(province_code, effective):
        month = month_of(effective)
        if province_code not in earliest or month < earliest[province_code]:
            earliest[province_code] = month

    for code, effective in StandardLevel.objects.filter(updated_at__gt=ts).values_list(
            "province_code", "effective"):
        note(code, effective)
    for code, effective in BenefitAmount.objects.filter(updated_at__gt=ts).values_list(
            "province_code", "effective"):
        note(code, effective)
    for effective in Coefficient.objects.filter(updated_at__gt=ts).values_list(
            "effective", flat=True):
        note(None, effective)
    return sorted(earliest.items(), key=lambda item: (item[0] is not None, item[0] or ""))


@dataclass(frozen=True)
class LevelInForce:
    province_code: str | None
    amount: int  # the resolved value: max(national, own)
    national: StandardLevel | BenefitAmount | None
    own: StandardLevel | BenefitAmount | None


@dataclass(frozen=True)
class CoefficientInForce:
    benefit: str
    category: str
    band: str
    hundredths: int
    row: Coefficient

    @property
    def readable(self) -> str:
        return format_hundredths(self.hundredths)


def _row_in_force(qs, month: date):
    """The row whose value is in force in `month`: the latest effective before the next month
    (the rule `Parameters` applies)."""
    return qs.filter(effective__lt=add_months(month, 1)).order_by("-effective").first()


def in_force(month: date, province_code: str | None = None) -> dict:
    """What applies in a month (for `ansinh policy show` and pages): levels with the rows that
    set them, the social pension, and every coefficient."""
    month = month_of(month)
    params = Parameters.load()
    provinces = [province_code] if province_code else None
    levels = params.level_table(month, month, provinces)
    pensions = params.series_table(Series.SOCIAL_PENSION, month, month, provinces)

    def level(model, extra, code, amount):
        national = _row_in_force(model.objects.filter(province_code__isnull=True, **extra), month)
        own = _row_in_force(model.objects.filter(province_code=code, **extra), month) \
            if code else None
        return LevelInForce(code, amount, national, own)

    result = {"month": month, "province_code": province_code}
    if province_code:
        result["standard_level"] = level(StandardLevel, {}, province_code,
                                         levels["standard_level"][0])
        result["social_pension"] = level(
            BenefitAmount, {"series": Series.SOCIAL_PENSION}, province_code, pensions["value"][0])
    else:
        result["standard_level"] = level(StandardLevel, {}, None,
                                         params.national_in_force("standard_level", month))
        result["social_pension"] = level(
            BenefitAmount, {"series": Series.SOCIAL_PENSION}, None,
            params.national_in_force(Series.SOCIAL_PENSION, month))
        national = result["standard_level"].amount
        higher = levels.filter(pl.col("standard_level") > (national or 0))
        result["provinces_above"] = [
            level(StandardLevel, {}, code, amount)
            for code, amount in higher.select("province_code", "standard_level").iter_rows()
        ]
    cells = params.coefficient_table(month, month).filter(pl.col("hundredths").is_not_null())
    coefficients = []
    for benefit, category, band, _month, hundredths in cells.iter_rows():
        row = _row_in_force(Coefficient.objects.filter(benefit=benefit, category=category,
                                                       band=band), month)
        coefficients.append(CoefficientInForce(benefit, category, band, hundredths, row))
    result["coefficients"] = coefficients
    return result
