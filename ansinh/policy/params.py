"""Parameters in memory, and the one place where "the value in force" is resolved.

`Parameters` holds every dated value as two small Polars frames: amount series (the standard
level and the social pension, national and per province) and coefficients. It comes from the
database (`Parameters.load()`), from the YAML files (`Parameters.from_yaml()`, for tests and
benchmarks), or from another `Parameters` with one value added (`with_standard_level`, a
what-if used to re-price the caseload before a new level is adopted).

Resolution rules (Decree 20/2021, Art. 4; Decree 76/2024; Hà Nội Resolution 63/2025):

- A value applies from the month containing its effective date (a level effective on the 15th
  applies to that whole month: benefits are monthly and the ledger has no part-months). If two
  values of one series fall in the same month, the later date wins.
- The national value in force in month M is the last national value with month ≤ M; likewise a
  province's own value.
- A province's level in M is max(national in force, province's own in force): provinces may
  only go higher than the central level, and when the central level overtakes a provincial one
  the central level applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from ansinh.core.months import month_of, months_between

from .categories import province_codes_2025
from .schema import _hundredths, read_parameters

AMOUNT_SCHEMA = {"series": pl.Utf8, "province_code": pl.Utf8, "effective": pl.Date,
                 "amount": pl.Int64}
COEFFICIENT_SCHEMA = {"benefit": pl.Utf8, "category": pl.Utf8, "band": pl.Utf8,
                      "effective": pl.Date, "hundredths": pl.Int64}

STANDARD_LEVEL = "standard_level"
SOCIAL_PENSION = "social_pension"


@dataclass(frozen=True)
class Parameters:
    amounts: pl.DataFrame  # AMOUNT_SCHEMA; province_code null = national
    coefficients: pl.DataFrame  # COEFFICIENT_SCHEMA
    origin: str = ""  # where these came from, for messages: "database", "yaml", "… + what-if"

    # --- construction ------------------------------------------------------------------------

    @classmethod
    def from_rows(cls, amounts: Iterable[tuple], coefficients: Iterable[tuple],
                  origin: str = "") -> Parameters:
        return cls(
            pl.DataFrame(list(amounts), schema=AMOUNT_SCHEMA, orient="row"),
            pl.DataFrame(list(coefficients), schema=COEFFICIENT_SCHEMA, orient="row"),
            origin,
        )

    @classmethod
    def from_yaml(cls, directory: Path | str | None = None) -> Parameters:
        params = read_parameters(directory)
        return cls.from_rows(
            [(r.series, r.province_code, r.effective, r.amount) for r in params.amounts],
            [(r.benefit, r.category, r.band, r.effective, r.hundredths)
             for r in params.coefficients],
            "yaml",
        )

    @classmethod
    def load(cls) -> Parameters:
        """The values in the database: the shipped law values plus what officers added."""
        from .models import BenefitAmount, Coefficient, StandardLevel

        amounts = [(STANDARD_LEVEL, *row) for row in StandardLevel.objects.values_list(
            "province_code", "effective", "amount")]
        amounts += list(BenefitAmount.objects.values_list(
            "series", "province_code", "effective", "amount"))
        coefficients = Coefficient.objects.values_list(
            "benefit", "category", "band", "effective", "hundredths")
        return cls.from_rows(amounts, coefficients, "database")

    def with_amount(self, series: str, amount: int, effective: date,
                    province_code: str | None = None) -> Parameters:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError("amount must be a positive whole number of đồng")
        if province_code is not None and province_code not in province_codes_2025():
            raise ValueError(f"{province_code!r} is not a 2025 province code")
        same_key = ((pl.col("series") == series) & (pl.col("effective") == effective)
                    & (pl.col("province_code").eq_missing(province_code)))
        row = pl.DataFrame([(series, province_code, effective, amount)], schema=AMOUNT_SCHEMA,
                           orient="row")
        amounts = pl.concat([self.amounts.filter(~same_key), row])
        return replace(self, amounts=amounts, origin=f"{self.origin} + what-if")

    def with_standard_level(self, amount: int, effective: date,
                            province_code: str | None = None) -> Parameters:
        """A copy with one more standard-level value (replacing one on the same key)."""
        return self.with_amount(STANDARD_LEVEL, amount, effective, province_code)

    def with_coefficient(self, benefit: str, category: str, band: str,
                         value: Decimal | str | float, effective: date) -> Parameters:
        hundredths = _hundredths(value)
        same_key = ((pl.col("benefit") == benefit) & (pl.col("category") == category)
                    & (pl.col("band") == band) & (pl.col("effective") == effective))
        row = pl.DataFrame([(benefit, category, band, effective, hundredths)],
                           schema=COEFFICIENT_SCHEMA, orient="row")
        coefficients = pl.concat([self.coefficients.filter(~same_key), row])
        return replace(self, coefficients=coefficients, origin=f"{self.origin} + what-if")

    # --- resolution: the only place that decides which value is in force ----------------------

    def _dated(self, series: str) -> pl.DataFrame:
        # A value applies from the month containing its effective date; within one month the
        # later date wins.
        return (
            self.amounts.filter(pl.col("series") == series)
            .with_columns(month=pl.col("effective").dt.month_start())
            .sort("effective")
            .unique(["province_code", "month"], keep="last")
        )

    def _national(self, series: str, months: pl.DataFrame) -> pl.DataFrame:
        """[month, national]: the national value in force in each month."""
        national = (self._dated(series).filter(pl.col("province_code").is_null())
                    .select("month", national=pl.col("amount")).sort("month"))
        return months.sort("month").join_asof(national, on="month", strategy="backward")

    def series_table(self, series: str, first_month: date, last_month: date,
                     province_codes: Iterable[str] | None = None) -> pl.DataFrame:
        """[province_code Utf8, month Date, value Int64] for every province × month: the higher
        of the national value and the province's own value in force (null before any)."""
        provinces = _provinces(province_codes)
        months = pl.DataFrame({"month": months_between(first_month, last_month)},
                              schema={"month": pl.Date})
        own = (self._dated(series).filter(pl.col("province_code").is_not_null())
               .select("province_code", "month", own=pl.col("amount")).sort("month"))
        grid = (
            pl.DataFrame({"province_code": provinces}, schema={"province_code": pl.Utf8})
            .join(self._national(series, months), how="cross")
            .sort("month")
            .join_asof(own, on="month", by="province_code", strategy="backward",
                       check_sortedness=False)  # both sides sorted by month just above
        )
        return (
            grid.select("province_code", "month",
                        value=pl.max_horizontal("national", "own").cast(pl.Int64))
            .sort("province_code", "month")
        )

    def national_in_force(self, series: str, month: date) -> int | None:
        """The national value of `series` in force in the month of `month` (None if none)."""
        months = pl.DataFrame({"month": [month_of(month)]}, schema={"month": pl.Date})
        value = self._national(series, months)["national"][0]
        return None if value is None else int(value)

    def level_table(self, first_month: date, last_month: date,
                    province_codes: Iterable[str] | None = None) -> pl.DataFrame:
        """[province_code Utf8, month Date, standard_level Int64] (null where none in force)."""
        return self.series_table(STANDARD_LEVEL, first_month, last_month,
                                 province_codes).rename({"value": "standard_level"})

    def standard_level(self, province_code: str, month: date) -> int:
        table = self.level_table(month_of(month), month_of(month), [province_code])
        level = table["standard_level"][0]
        if level is None:
            raise LookupError(f"Chưa có mức chuẩn cho tháng {month:%m/%Y} / no standard level "
                              f"in force in {month:%Y-%m}")
        return int(level)

    def series_start(self, series: str) -> date | None:
        """The first month a national value of `series` is in force (None if never)."""
        national = self.amounts.filter((pl.col("series") == series)
                                       & pl.col("province_code").is_null())
        if national.is_empty():
            return None
        return month_of(national["effective"].min())

    def coefficient_table(self, first_month: date, last_month: date) -> pl.DataFrame:
        """[benefit, category, band, month, hundredths] for every cell × month (null where no
        value is in force)."""
        months = pl.DataFrame({"month": months_between(first_month, last_month)},
                              schema={"month": pl.Date})
        values = (
            self.coefficients.with_columns(month=pl.col("effective").dt.month_start())
            .sort("effective")
            .unique(["benefit", "category", "band", "month"], keep="last")
            .select("benefit", "category", "band", "month", "hundredths")
            .sort("month")
        )
        cells = values.select("benefit", "category", "band").unique()
        return (
            cells.join(months, how="cross").sort("month")
            .join_asof(values, on="month", by=["benefit", "category", "band"],
                       strategy="backward", check_sortedness=False)  # sorted above
            .sort("benefit", "category", "band", "month")
        )


def _provinces(province_codes: Iterable[str] | None) -> list[str]:
    known = province_codes_2025()
    if province_codes is None:
        return sorted(known)
    codes = sorted(set(province_codes))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"Mã tỉnh không có / not a 2025 province code: {', '.join(unknown)}")
    return codes
