"""The payable periods of entitlements, as the frame the pricing engine takes.

One row per entitlement, with suspensions (pauses without back pay) cut out: a suspended
entitlement becomes the stretches around its pauses. Pauses are rare, so the cutting is done
in Python on those rows only; everything else stays a frame.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from ansinh.core.frames import read_frame
from ansinh.core.months import add_months

PERIOD_SCHEMA = {
    "entitlement_id": pl.Int64, "person_id": pl.Int64, "recipient_id": pl.Int64,
    "benefit": pl.Utf8, "category": pl.Utf8, "disability_level": pl.Utf8,
    "children_count": pl.Int32, "studying": pl.Boolean, "birth_date": pl.Date,
    "birth_date_precision": pl.Utf8, "province_code": pl.Utf8, "from_month": pl.Date,
    "to_month": pl.Date, "commune_id": pl.Int64, "province_id": pl.Int64,
    "payment_channel": pl.Utf8, "recalc_reason": pl.Utf8,
}

ENGINE_COLUMNS = ["entitlement_id", "person_id", "recipient_id", "benefit", "category",
                  "disability_level", "children_count", "studying", "birth_year",
                  "birth_month", "province_code", "from_month", "to_month"]


def _in(column: str, ids: list[int] | None) -> tuple[str, list]:
    if ids is None:
        return "", []
    if not ids:
        return " AND FALSE", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def load_periods(first: date, last: date, commune_ids: list[int] | None) -> pl.DataFrame:
    """Entitlements of the communes (None: all) payable at some month in [first, last]."""
    where, params = _in("e.commune_id", commune_ids)
    sql = f"""
        SELECT e.id AS entitlement_id, e.person_id, e.recipient_id, e.benefit, e.category,
               e.disability_level, e.children_count, e.studying, p.birth_date,
               p.birth_date_precision, pr.code AS province_code, e.start_month AS from_month,
               e.end_month AS to_month, e.commune_id, e.province_id, e.payment_channel,
               e.recalc_reason
        FROM enrolment_entitlement e
        JOIN registry_person p ON p.id = e.person_id
        JOIN geo_adminunit pr ON pr.id = e.province_id
        WHERE e.start_month <= %s AND (e.end_month IS NULL OR e.end_month >= %s)
          AND (e.end_month IS NULL OR e.end_month >= e.start_month){where}
    """
    frame = read_frame(sql, [last, first, *params], schema=PERIOD_SCHEMA)
    frame = frame.with_columns(
        pl.col("disability_level").fill_null(""),
        pl.col("studying").fill_null(False),
        pl.col("birth_date").dt.year().cast(pl.Int32).alias("birth_year"),
        pl.when(pl.col("birth_date_precision") == "Y").then(None)
        .otherwise(pl.col("birth_date").dt.month()).cast(pl.Int32).alias("birth_month"),
    )
    return _cut_pauses(frame, first, last)


def _cut_pauses(frame: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    if frame.is_empty():
        return frame
    pauses = read_frame(
        """SELECT x.entitlement_id, x.from_month, x.to_month FROM enrolment_pause x
           WHERE x.back_pay = %s AND x.from_month <= %s
             AND (x.to_month IS NULL OR x.to_month >= %s)""",
        [False, last, first],
        schema={"entitlement_id": pl.Int64, "from_month": pl.Date, "to_month": pl.Date},
    )
    if pauses.is_empty():
        return frame
    paused = pauses["entitlement_id"].unique().implode()
    keep = frame.filter(~pl.col("entitlement_id").is_in(paused))
    cut = frame.filter(pl.col("entitlement_id").is_in(paused))
    gaps: dict[int, list[tuple[date, date | None]]] = {}
    for row in pauses.sort("from_month").iter_rows(named=True):
        gaps.setdefault(row["entitlement_id"], []).append((row["from_month"], row["to_month"]))
    pieces = []
    for row in cut.iter_rows(named=True):
        start, end = row["from_month"], row["to_month"]
        for gap_from, gap_to in gaps[row["entitlement_id"]]:
            if gap_from > start:
                piece_end = add_months(gap_from, -1)
                pieces.append({**row, "from_month": start,
                               "to_month": piece_end if end is None else min(end, piece_end)})
            if gap_to is None:
                start = None
                break
            start = max(start, add_months(gap_to, 1))
        if start is not None and (end is None or start <= end):
            pieces.append({**row, "from_month": start, "to_month": end})
    if not pieces:
        return keep
    pieces = pl.DataFrame(pieces, schema=keep.schema).filter(
        pl.col("to_month").is_null() | (pl.col("from_month") <= pl.col("to_month")))
    return pl.concat([keep, pieces])
