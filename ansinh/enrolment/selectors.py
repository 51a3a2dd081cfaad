"""Reads of the enrolment side that more than one place needs."""

from __future__ import annotations

from datetime import date

import polars as pl

from .models import Entitlement


def priced_month(entitlement: Entitlement, month: date) -> tuple[int | None, str]:
    """The amount and coefficient of one entitlement for one month, from the policy engine
    (alone, without the highest-only comparison with the person's other entitlements)."""
    from ansinh.policy.engine import price

    person = entitlement.person
    if person.birth_date is None:
        return None, ""
    frame = pl.DataFrame([{
        "entitlement_id": entitlement.pk, "person_id": entitlement.person_id,
        "recipient_id": entitlement.recipient_id, "benefit": entitlement.benefit,
        "category": entitlement.category, "disability_level": entitlement.disability_level,
        "children_count": entitlement.children_count, "studying": entitlement.studying,
        "birth_year": person.birth_date.year,
        "birth_month": None if person.birth_date_precision == "Y" else person.birth_date.month,
        "province_code": entitlement.province.code, "from_month": month, "to_month": month,
    }], schema={
        "entitlement_id": pl.Int64, "person_id": pl.Int64, "recipient_id": pl.Int64,
        "benefit": pl.Utf8, "category": pl.Utf8, "disability_level": pl.Utf8,
        "children_count": pl.Int32, "studying": pl.Boolean, "birth_year": pl.Int32,
        "birth_month": pl.Int32, "province_code": pl.Utf8, "from_month": pl.Date,
        "to_month": pl.Date,
    })
    priced = price(frame, month, month)
    if priced.is_empty() or not priced["amount"][0]:
        return None, ""
    return int(priced["amount"][0]), str(priced["coefficient"][0] or "")
