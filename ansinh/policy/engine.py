"""The pricing engine: entitlement periods in, an amount per entitlement and month out.

    price(periods, first, last, params=None) -> pl.DataFrame

Set-wise from end to end (Polars, no Python loop over rows): 1,000,000 periods are priced for
a month in under a second, and for 12 months in a few seconds, on a 2-core machine
(bench/reprice_bench.py).

Input: one row per payable entitlement period (the caller has already cut suspensions out):

| column           | type    | meaning                                                        |
|------------------|---------|----------------------------------------------------------------|
| entitlement_id   | Int64   |                                                                |
| person_id        | Int64   | the person whose situation is assessed (cared-for / deceased)  |
| recipient_id     | Int64   | who is paid (optional; defaults to person_id)                  |
| benefit          | Utf8    | monthly_allowance, social_pension, care_allowance, funeral     |
| category         | Utf8    | see `categories.py` (Art. 5 clause, "75+"/"70-74", care code,  |
|                  |         | "community"/"facility")                                        |
| disability_level | Utf8    | "severe" / "extremely_severe"; required for 5.6                |
| children_count   | Int32   | children being raised; required (≥ 1) for 5.4                  |
| studying         | Boolean | a 5.1 child still studying at 16 continues as 5.2              |
| birth_year       | Int32   |                                                                |
| birth_month      | Int32   | null = unknown, read as January                                |
| province_code    | Utf8    | 2025 province code                                             |
| from_month       | Date    | first month (any day of it)                                    |
| to_month         | Date    | last month, inclusive; null = open                             |

Output: one row per entitlement × month in [first, last] where the entitlement is payable:
entitlement_id, person_id, recipient_id (Int64), benefit, category (Utf8, the category actually
priced: "5.2" after a studying 5.1 child turns 16; benefit social_pension / "75+" for group
5.5.c from the social pension's start), month (Date), standard_level (Int64; null for the
social pension, which is not a multiple of it), coefficient_x100 (Int64, exact: 2.5 → 250;
5.4 already × children; null for the social pension), coefficient (Utf8, readable: "2.5"),
amount (Int64, đồng), reason (Utf8, why the amount is 0: "highest_only", "no_standard_level",
"no_coefficient", "no_amount"; null when paid). Rows come sorted by entitlement_id, month.

Input that breaks this contract raises `InvalidPeriods` (a ValueError) naming the entitlement
ids: an unknown benefit/category, a 5.6 without disability level, a 5.4 without children, a
province that is not a 2025 code, periods of one entitlement that overlap. A period that ends
before it starts simply pays nothing.

Conventions where the law is silent or needs reading (each is a worked case in
tests/policy/cases.yaml):

- Age in a month = completed years at the end of that month, so a band changes in the month of
  the birthday (Art. 8.1: adjustments apply "from the month the person becomes eligible").
  An unknown birth month is read as January (01/01 of the birth year, the usual reading when
  only the year is known): bands and age limits then change in January of the year.
- Eligibility that ends at an age (5.1 at 16, 5.2 at 22, 5.3 at 16, 5.7 at 3) ends with the
  month of that birthday: Art. 8.2 stops payment "from the month after" the person ceases to
  qualify. A 5.1 child who is `studying` continues as 5.2 (1.5) from the month after the 16th
  birthday up to and including the month of the 22nd.
- 5.5.b is payable from the month of the 75th birthday, 5.5.c from the month of the 80th
  (Art. 8.1 "from the time the person turns 75/80"); social pension "75+" likewise from the
  75th; "70-74" only in months where the person is 70–74 (the caller checks poverty).
- 5.6: a child is under 16 (Law on Children), an elderly person 60 or over (Law on the Elderly).
- Group 5.5.c is priced as the social pension from the first month of the national social
  pension series (07/2025, Decree 176/2025).
- Highest only (Art. 6.2), per person and month, over the monthly allowance and the social
  pension: the person is paid the single highest of their entitlements, except that a 5.4
  single parent who is also in 5.5, 5.6 or 5.8 gets the 5.4 amount plus that one. Put
  set-wise: the lawful packages are each single entitlement, and 5.4 + one 5.5/5.6/5.8
  entitlement; the package with the highest total is paid. So the social pension competes
  with the whole allowance package (5.4 included) and the higher total is paid, never both
  (Decree 176: "the higher one"). Ties go to the package whose main entitlement has the
  lowest entitlement_id. Losers get amount 0, reason "highest_only".
- Care allowance (Art. 20): per cared-for person and month only the highest case is paid
  (Art. 20.2.a says so within its clause; one support "for each" cared-for person reads it
  across cases too). It never competes with the monthly allowance (Art. 20.2.b).
- Funeral: a one-off in from_month, multiple × the level of that month and province; if
  several funeral entitlements exist for one person in a month, only the highest (Art. 11.2).
- Amount = level × coefficient_x100 / 100, rounded to the nearest đồng, halves up. Every
  published level × coefficient is a whole number, so the rounding never acts on real values.
- A month before any value is in force is still returned, with amount 0 and the reason, so a
  gap in the parameters shows up rather than silently dropping a payment. Decree 20's
  coefficients start on 01/07/2021: earlier months read "no_coefficient".
"""

from __future__ import annotations

from datetime import date

import polars as pl

from ansinh.core.months import month_index, month_of, months_between

from .categories import (
    BANDS,
    CARE_ALLOWANCE,
    DISABILITY_LEVELS,
    FUNERAL,
    MONTHLY_ALLOWANCE,
    SOCIAL_PENSION,
    coefficient_keys,
    format_hundredths,
    province_codes_2025,
)
from .params import Parameters

__all__ = ["InvalidPeriods", "OUTPUT_SCHEMA", "PERIOD_SCHEMA", "Parameters", "price"]

PERIOD_SCHEMA = {
    "entitlement_id": pl.Int64, "person_id": pl.Int64, "recipient_id": pl.Int64,
    "benefit": pl.Utf8, "category": pl.Utf8, "disability_level": pl.Utf8,
    "children_count": pl.Int32, "studying": pl.Boolean, "birth_year": pl.Int32,
    "birth_month": pl.Int32, "province_code": pl.Utf8, "from_month": pl.Date,
    "to_month": pl.Date,
}
REQUIRED = ("entitlement_id", "person_id", "benefit", "category", "birth_year",
            "province_code", "from_month")

OUTPUT_SCHEMA = {
    "entitlement_id": pl.Int64, "person_id": pl.Int64, "recipient_id": pl.Int64,
    "benefit": pl.Utf8, "category": pl.Utf8, "month": pl.Date, "standard_level": pl.Int64,
    "coefficient_x100": pl.Int64, "coefficient": pl.Utf8, "amount": pl.Int64,
    "reason": pl.Utf8,
}

# --- codes --------------------------------------------------------------------------------------
# Every (benefit, category) the engine can output gets a small integer, and every coefficient
# cell an index, so the per-month work is integer arithmetic and array lookups, not string joins.

_CATS: list[tuple[str, str]] = [*BANDS, (SOCIAL_PENSION, "75+"), (SOCIAL_PENSION, "70-74")]
_CODE = {cat: i for i, cat in enumerate(_CATS)}
_CELLS = coefficient_keys()
_CELL_BASE = [
    _CELLS.index((b, c, BANDS[(b, c)][0])) if (b, c) in BANDS else None for b, c in _CATS
]

C51, C52, C53, C54 = (_CODE[(MONTHLY_ALLOWANCE, c)] for c in ("5.1", "5.2", "5.3", "5.4"))
C55A, C55B, C55C, C55D = (_CODE[(MONTHLY_ALLOWANCE, c)] for c in ("5.5a", "5.5b", "5.5c", "5.5d"))
C56, C57, C58 = (_CODE[(MONTHLY_ALLOWANCE, c)] for c in ("5.6", "5.7", "5.8"))
SP75, SP70 = _CODE[(SOCIAL_PENSION, "75+")], _CODE[(SOCIAL_PENSION, "70-74")]
FOSTER_CHILD = _CODE[(CARE_ALLOWANCE, "foster_child")]
FOSTER_DISABLED = _CODE[(CARE_ALLOWANCE, "foster_disabled")]
FUNERALS = [_CODE[(FUNERAL, c)] for c in ("community", "facility")]
SOCIAL_PENSIONS = [SP75, SP70]

# Who competes with whom under highest-only: group 0 = monthly allowance and social pension,
# 1 = care allowance, 2 = funeral. Within group 0, class F is 5.4 (added on top of an E), class
# E the groups Art. 6.2 lets 5.4 combine with (5.5, 5.6, 5.8), class O everything else.
CLASS_O, CLASS_F, CLASS_E = 0, 1, 2
_GROUP = [0 if b in (MONTHLY_ALLOWANCE, SOCIAL_PENSION) else 1 if b == CARE_ALLOWANCE else 2
          for b, _c in _CATS]
_CLASS = [CLASS_F if code == C54 else CLASS_E if code in (C55A, C55B, C55C, C55D, C56, C58)
          else CLASS_O for code in range(len(_CATS))]

# Ages as month offsets from the month of birth: the month of the Nth birthday is birth + 12N.
AGE_3, AGE_4, AGE_16, AGE_22 = 36, 48, 192, 264
AGE_60, AGE_70, AGE_75, AGE_80 = 720, 840, 900, 960

REASON_HIGHEST_ONLY = "highest_only"
REASON_NO_LEVEL = "no_standard_level"
REASON_NO_COEFFICIENT = "no_coefficient"
REASON_NO_AMOUNT = "no_amount"

SHOWN_IDS = 10


class InvalidPeriods(ValueError):
    """The periods frame does not satisfy the input contract; `problems` says which rows."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


# --- input --------------------------------------------------------------------------------------

def _ids(frame: pl.DataFrame) -> str:
    ids = frame["entitlement_id"].head(SHOWN_IDS).to_list()
    more = f" … (+{frame.height - SHOWN_IDS})" if frame.height > SHOWN_IDS else ""
    return ", ".join(str(i) for i in ids) + more


def _prepare(periods: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in REQUIRED if c not in periods.columns]
    if missing:
        raise InvalidPeriods([f"missing columns: {', '.join(missing)}"])
    columns = []
    for name in PERIOD_SCHEMA:
        if name in periods.columns:
            columns.append(pl.col(name))
        elif name == "recipient_id":
            columns.append(pl.col("person_id").alias(name))
        else:
            columns.append(pl.lit(False if name == "studying" else None).alias(name))
    try:
        frame = periods.select(columns).cast(PERIOD_SCHEMA, strict=True)
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise InvalidPeriods([f"a column has the wrong type: {exc}"]) from exc
    frame = frame.with_columns(pl.col("studying").fill_null(False),
                               pl.col("recipient_id").fill_null(pl.col("person_id")))

    codes = pl.DataFrame(
        {"benefit": [b for b, _ in _CATS], "category": [c for _, c in _CATS],
         "cat": list(range(len(_CATS)))},
        schema={"benefit": pl.Utf8, "category": pl.Utf8, "cat": pl.Int16},
    )
    frame = frame.join(codes, on=["benefit", "category"], how="left", maintain_order="left")
    checks = [(pl.col(name).is_null(), f"{name} is empty") for name in REQUIRED] + [
        (pl.col("cat").is_null() & pl.col("benefit").is_not_null(),
         "unknown benefit/category"),
        (~pl.col("province_code").is_in(sorted(province_codes_2025())).fill_null(True),
         "province_code is not a 2025 province code"),
        ((pl.col("cat") == C56)
         & ~pl.col("disability_level").is_in(DISABILITY_LEVELS).fill_null(False),
         "5.6 needs disability_level severe or extremely_severe"),
        ((pl.col("cat") == C54) & ~(pl.col("children_count") >= 1).fill_null(False),
         "5.4 needs children_count of at least 1"),
        (~pl.col("birth_month").is_between(1, 12) & pl.col("birth_month").is_not_null(),
         "birth_month must be 1–12"),
    ]
    # All checks in one pass; rows are pulled out only for a check that failed.
    flags = frame.select([bad.fill_null(False).alias(str(i))
                          for i, (bad, _m) in enumerate(checks)])
    problems = [
        f"{message}: entitlement_id {_ids(frame.filter(flags[str(i)]))}"
        for i, ((_bad, message), failed) in enumerate(
            zip(checks, flags.select(pl.all().any()).row(0), strict=True))
        if failed
    ]
    if problems:
        raise InvalidPeriods(problems)
    # Sorted once here: the output keeps this order, and periods of one entitlement become
    # neighbours, so an overlap is a comparison with the previous row (no hashing).
    frame = frame.sort("entitlement_id", "from_month")
    same = pl.col("entitlement_id") == pl.col("entitlement_id").shift(1)
    previous_end = pl.col("to_month").shift(1).dt.month_start()
    overlapping = frame.filter(
        same & (previous_end.is_null() | (pl.col("from_month").dt.month_start() <= previous_end)))
    if overlapping.height:
        raise InvalidPeriods([
            f"periods of one entitlement overlap: entitlement_id "
            f"{_ids(overlapping.unique('entitlement_id', maintain_order=True))}"])
    return frame


def _month_idx(column: str) -> pl.Expr:
    return pl.col(column).dt.year().cast(pl.Int32) * 12 + pl.col(column).dt.month().cast(
        pl.Int32) - 1


# --- pricing ------------------------------------------------------------------------------------
#
# How it stays fast: everything that depends only on the period (category codes, the months a
# band or category switches, the province slot) is computed once per period; the per-month
# rows then need only integer comparisons and lookups into small arrays:
#
#   values[(value_slot × width) + month]       level per province × month, then social pension
#   coefficients[(cell × width) + month]       hundredths per coefficient cell × month
#
# A band is cell0 + d1·[m ≥ t1] + d2·[m ≥ t2]; a category switch (5.1 → 5.2, 5.5.c → social
# pension) replaces cell, value slot and category from month ts on. The social pension is a
# "unit" cell of 100 hundredths applied to the pension series, so every row is priced by the
# same formula. Rows stay in (entitlement_id, month) order from the period sort onwards.

REASONS = pl.Series([None, REASON_NO_LEVEL, REASON_NO_COEFFICIENT, REASON_NO_AMOUNT,
                     REASON_HIGHEST_ONLY], dtype=pl.Utf8)
R_NONE, R_NO_LEVEL, R_NO_COEFFICIENT, R_NO_AMOUNT, R_HIGHEST_ONLY = range(5)
UNIT_CELL = len(_CELLS)


def _cell(benefit: str, category: str, band: str) -> int:
    return _CELLS.index((benefit, category, band))


def _band_rules(birth: pl.Expr, cat: pl.Expr, dis: pl.Expr, never: int) -> dict[str, pl.Expr]:
    """Per period: cell0, and up to two age thresholds t1, t2 with the cell steps d1, d2."""
    ma, care = MONTHLY_ALLOWANCE, CARE_ALLOWANCE
    cell0 = pl.lit(pl.Series([
        UNIT_CELL if base is None else base for base in _CELL_BASE], dtype=pl.Int32)).gather(cat)
    # 5.6 starts from the child band (severe 1, extremely severe 3), steps down at 16 and
    # back up at 60; a foster_disabled child (band "child") steps down to "adult" at 16.
    cell0 = (pl.when(cat == C56).then(_cell(ma, "5.6", "severe_child_or_elderly") + dis)
             .when(cat == FOSTER_DISABLED).then(_cell(care, "foster_disabled", "child"))
             .otherwise(cell0))
    t1 = (pl.when(cat.is_in([C51, C53, FOSTER_CHILD])).then(birth + AGE_4)
          .when(cat == C55A).then(birth + AGE_80)
          .when(cat.is_in([C56, FOSTER_DISABLED])).then(birth + AGE_16)
          .otherwise(never))
    d1 = pl.when(cat.is_in([C56, FOSTER_DISABLED])).then(-1).otherwise(1)
    t2 = pl.when(cat == C56).then(birth + AGE_60).otherwise(never)
    return {"cell0": cell0.cast(pl.Int32), "t1": t1.cast(pl.Int32), "d1": d1.cast(pl.Int32),
            "t2": t2.cast(pl.Int32), "d2": pl.lit(1, dtype=pl.Int32)}


def price(periods: pl.DataFrame, first: date, last: date,
          params: Parameters | None = None) -> pl.DataFrame:
    """Price every payable entitlement × month in [first, last] (see the module docstring)."""
    first, last = month_of(first), month_of(last)
    if last < first:
        raise ValueError("last month is before first month")
    params = params if params is not None else Parameters.load()
    frame = _prepare(periods)
    if frame.is_empty():
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    lo_idx, hi_idx = month_index(first), month_index(last)
    width = hi_idx - lo_idx + 1
    never = hi_idx + 1  # a threshold that no month in the window reaches
    months = pl.Series("month", months_between(first, last), dtype=pl.Date)

    provinces = sorted(frame["province_code"].unique().to_list())
    n_slots = len(provinces)
    slot_of = [None] * 100
    for i, code in enumerate(provinces):
        slot_of[int(code)] = i
    values = pl.concat([
        params.series_table("standard_level", first, last, provinces)["value"],
        params.series_table(SOCIAL_PENSION, first, last, provinces)["value"],
    ])
    cell_frame = pl.DataFrame(
        {"benefit": [c[0] for c in _CELLS], "category": [c[1] for c in _CELLS],
         "band": [c[2] for c in _CELLS], "cell": list(range(len(_CELLS)))})
    coefficients = pl.concat([
        cell_frame.join(months.to_frame(), how="cross")
        .join(params.coefficient_table(first, last),
              on=["benefit", "category", "band", "month"], how="left")
        .sort("cell", "month")["hundredths"],
        pl.Series([100] * width, dtype=pl.Int64),  # the unit cell for the social pension
    ])
    sp_start = params.series_start(SOCIAL_PENSION)
    sp_start_idx = month_index(sp_start) if sp_start else never

    cat, birth = pl.col("cat"), pl.col("birth")
    funeral = cat.is_in(FUNERALS)
    is_sp = cat.is_in(SOCIAL_PENSIONS)
    # The one category switch a period can have, at month ts.
    switch_at = (pl.when((cat == C51) & pl.col("studying")).then(birth + AGE_16 + 1)
                 .when(cat == C55C).then(pl.lit(sp_start_idx))
                 .otherwise(never))
    per_period = (
        frame.lazy()  # sorted by entitlement_id, from_month in _prepare
        .with_columns(
            birth=(pl.col("birth_year") * 12 + pl.col("birth_month").fill_null(1) - 1)
            .cast(pl.Int32),
            start=_month_idx("from_month"),
            end=_month_idx("to_month").fill_null(hi_idx),
            slot=pl.lit(pl.Series(slot_of, dtype=pl.Int32)).gather(
                pl.col("province_code").cast(pl.Int32)),
            grp=pl.lit(pl.Series(_GROUP, dtype=pl.Int8)).gather(cat),
            cls=pl.lit(pl.Series(_CLASS, dtype=pl.Int8)).gather(cat),
            dis=pl.when(pl.col("disability_level") == "extremely_severe").then(2).otherwise(0),
            mult=pl.when(cat == C54).then(pl.col("children_count")).otherwise(1)
            .cast(pl.Int64),
        )
        .with_columns(
            # Age limits of eligibility, as the last / first payable month.
            last_by_age=birth + pl.when(cat == C51).then(
                pl.when(pl.col("studying")).then(AGE_22).otherwise(AGE_16))
            .when(cat == C52).then(AGE_22)
            .when(cat.is_in([C53, FOSTER_CHILD])).then(AGE_16)
            .when(cat == C57).then(AGE_3)
            .when(cat == SP70).then(AGE_75 - 1),
            first_by_age=birth + pl.when(cat.is_in([C55B, SP75])).then(AGE_75)
            .when(cat == C55C).then(AGE_80)
            .when(cat == SP70).then(AGE_70),
            ts=switch_at.cast(pl.Int32),
            **_band_rules(birth, cat, pl.col("dis"), never),
        )
        .with_columns(
            lo=pl.when(funeral).then(pl.col("start"))
            .otherwise(pl.max_horizontal(pl.col("start"), lo_idx, pl.col("first_by_age"))),
            hi=pl.when(funeral).then(pl.col("start"))
            .otherwise(pl.min_horizontal(pl.col("end"), hi_idx, pl.col("last_by_age"))),
            vslot=pl.col("slot") + pl.when(is_sp).then(n_slots).otherwise(0),
            # After the switch: 5.1 → 5.2 (same province level), 5.5.c → social pension.
            cat_s=pl.when(cat == C51).then(C52).otherwise(SP75).cast(pl.Int16),
            cell_s=pl.when(cat == C51).then(_cell(MONTHLY_ALLOWANCE, "5.2", "all"))
            .otherwise(UNIT_CELL).cast(pl.Int32),
            vslot_s=pl.col("slot") + pl.when(cat == C51).then(0).otherwise(n_slots),
        )
        .filter((pl.col("lo") <= pl.col("hi")) & (pl.col("lo") >= lo_idx)
                & (pl.col("hi") <= hi_idx))
        .with_columns(contested=_contested(frame["person_id"]))
        .select("entitlement_id", "person_id", "recipient_id", "cat", "grp", "cls", "mult",
                "vslot", "cell0", "t1", "d1", "t2", "d2", "ts", "cat_s", "cell_s", "vslot_s",
                "contested", "lo", "hi")
        .collect()
    )
    if width == 1:
        rows = per_period.lazy().with_columns(m=pl.col("lo"))
    else:
        rows = (per_period.lazy()
                .with_columns(m=pl.int_ranges("lo", pl.col("hi") + 1, dtype=pl.Int32))
                .explode("m"))

    m = pl.col("m")
    switched = m >= pl.col("ts")
    rows = (
        rows.with_columns(
            cat=pl.when(switched).then(pl.col("cat_s")).otherwise(cat),
            cell=pl.when(switched).then(pl.col("cell_s")).otherwise(
                pl.col("cell0") + pl.col("d1") * (m >= pl.col("t1")).cast(pl.Int32)
                + pl.col("d2") * (m >= pl.col("t2")).cast(pl.Int32)),
            vslot=pl.when(switched).then(pl.col("vslot_s")).otherwise(pl.col("vslot")),
            w=m - lo_idx,
        )
        .with_columns(
            value=pl.lit(values).gather(pl.col("vslot") * width + pl.col("w")),
            coefficient_x100=pl.lit(coefficients).gather(pl.col("cell") * width + pl.col("w"))
            * pl.col("mult"),
        )
        .with_columns(
            amount=((pl.col("value") * pl.col("coefficient_x100") + 50) // 100).fill_null(0),
            reason=pl.when(pl.col("value").is_null()).then(
                pl.when(pl.col("vslot") >= n_slots).then(R_NO_AMOUNT).otherwise(R_NO_LEVEL))
            .when(pl.col("coefficient_x100").is_null()).then(R_NO_COEFFICIENT)
            .otherwise(R_NONE).cast(pl.Int8),
        )
        .select("entitlement_id", "person_id", "recipient_id", "cat", "grp", "cls", "m", "w",
                "value", "coefficient_x100", "amount", "reason", "contested")
        .collect()
    )
    if rows["contested"].any():
        rows = _highest_only(rows, width)
    return _finish(rows, months)


def _contested(person_ids: pl.Series) -> pl.Expr:
    """Only people with two or more competing periods (same person, same group) in the window
    need the highest-only pass. One combined integer key hashes much faster than two columns;
    person ids too large to combine fall back to the two-column window."""
    if int(person_ids.min()) >= 0 and int(person_ids.max()) < (1 << 61):
        return (pl.col("person_id") * 3 + pl.col("grp")).is_duplicated()
    return pl.len().over("person_id", "grp") > 1


def _highest_only(rows: pl.DataFrame, width: int) -> pl.DataFrame:
    """Art. 6.2 (and Art. 20, Art. 11.2) per person, group and month; see the module docstring.
    Computed on the contested rows only and written back in place."""
    contested = rows.with_row_index("row").filter(pl.col("contested"))
    person = contested["person_id"]
    if int(person.max()) < (1 << 62) // (3 * width) and int(person.min()) >= 0:
        # One integer key instead of three columns: the window functions hash it much faster.
        contested = contested.with_columns(
            key=(pl.col("person_id") * 3 + pl.col("grp")) * width + pl.col("w"))
        group = "key"
    else:
        group = ["person_id", "grp", "w"]
    eid, amount, cls = pl.col("entitlement_id"), pl.col("amount"), pl.col("cls")
    is_f, is_e = cls == CLASS_F, cls == CLASS_E
    decided = (
        contested.lazy()
        .with_columns(f_best=pl.when(is_f).then(amount).max().over(group))
        .with_columns(
            f_id=pl.when(is_f & (amount == pl.col("f_best"))).then(eid).min().over(group),
            total=pl.when(is_e).then(amount + pl.col("f_best").fill_null(0)).otherwise(amount),
        )
        .with_columns(best=pl.col("total").max().over(group))
        .with_columns(win_id=pl.when(pl.col("total") == pl.col("best")).then(eid).min()
                      .over(group))
        .with_columns(win_e=(is_e & (eid == pl.col("win_id"))).any().over(group))
        .with_columns(paid=(eid == pl.col("win_id"))
                      | (is_f & (eid == pl.col("f_id")) & pl.col("win_e")))
        .select(
            "row",
            amount=pl.when(pl.col("paid")).then(amount).otherwise(0),
            reason=pl.when(pl.col("paid") | (pl.col("reason") != R_NONE))
            .then(pl.col("reason")).otherwise(R_HIGHEST_ONLY).cast(pl.Int8),
        )
        .collect()
    )
    index = decided["row"]
    return rows.with_columns(
        rows["amount"].scatter(index, decided["amount"]),
        rows["reason"].scatter(index, decided["reason"]),
    )


def _finish(rows: pl.DataFrame, months: pl.Series) -> pl.DataFrame:
    is_sp = pl.col("cat") >= SP75  # the social pension categories are the last codes
    top = int(rows["coefficient_x100"].max() or 0)
    readable = pl.Series([format_hundredths(v) for v in range(top + 1)], dtype=pl.Utf8)
    return rows.lazy().select(
        "entitlement_id", "person_id", "recipient_id",
        benefit=pl.lit(pl.Series([b for b, _ in _CATS], dtype=pl.Utf8)).gather(pl.col("cat")),
        category=pl.lit(pl.Series([c for _, c in _CATS], dtype=pl.Utf8)).gather(pl.col("cat")),
        month=pl.lit(months).gather(pl.col("w")),
        standard_level=pl.when(is_sp).then(None).otherwise(pl.col("value")).cast(pl.Int64),
        coefficient_x100=pl.when(is_sp).then(None).otherwise(pl.col("coefficient_x100"))
        .cast(pl.Int64),
        coefficient=pl.when(is_sp).then(None).otherwise(
            pl.lit(readable).gather(pl.col("coefficient_x100"))),
        amount=pl.col("amount").cast(pl.Int64),
        reason=pl.lit(REASONS).gather(pl.col("reason")),
    ).collect()
