"""Runs the worked cases of cases.yaml against the engine with the shipped parameter files."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml

from ansinh.core.months import parse_month
from ansinh.policy.engine import price
from ansinh.policy.params import Parameters

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text("utf-8"))
PARAMS = Parameters.from_yaml()


def _born(value) -> tuple[int, int | None]:
    text = str(value)
    if "-" in text:
        year, month = text.split("-")
        return int(year), int(month)
    return int(text), None


def _periods(case) -> pl.DataFrame:
    rows = []
    for p in case["periods"]:
        year, month = _born(p["born"])
        rows.append({
            "entitlement_id": p["id"], "person_id": p.get("person", p["id"]),
            "recipient_id": p.get("recipient", p.get("person", p["id"])),
            "benefit": p.get("benefit", "monthly_allowance"), "category": p["category"],
            "disability_level": p.get("disability_level"),
            "children_count": p.get("children_count"), "studying": p.get("studying", False),
            "birth_year": year, "birth_month": month,
            "province_code": p.get("province", "40"),
            "from_month": parse_month(str(p["from"])),
            "to_month": parse_month(str(p["to"])) if p.get("to") else None,
        })
    return pl.DataFrame(rows, schema={
        "entitlement_id": pl.Int64, "person_id": pl.Int64, "recipient_id": pl.Int64,
        "benefit": pl.Utf8, "category": pl.Utf8, "disability_level": pl.Utf8,
        "children_count": pl.Int32, "studying": pl.Boolean, "birth_year": pl.Int32,
        "birth_month": pl.Int32, "province_code": pl.Utf8, "from_month": pl.Date,
        "to_month": pl.Date,
    })


def _params(case) -> Parameters:
    params = PARAMS
    for change in case.get("what_if", []):
        effective = change["effective"]
        assert isinstance(effective, date)
        params = params.with_standard_level(change["amount"], effective, change.get("province"))
    return params


def _expected(case) -> dict[tuple[int, date], dict]:
    expected = {}
    for eid, months in case["expect"].items():
        for month, value in months.items():
            check = value if isinstance(value, dict) else {"amount": value, "reason": None}
            expected[(int(eid), parse_month(str(month)))] = check
    return expected


@pytest.mark.parametrize("case", CASES, ids=[c["case"][:70] for c in CASES])
def test_worked_case(case):
    first, last = (parse_month(str(m)) for m in case["window"])
    result = price(_periods(case), first, last, _params(case))
    got = {(row["entitlement_id"], row["month"]): row for row in result.iter_rows(named=True)}
    expected = _expected(case)
    assert sorted(got) == sorted(expected), f"{case['case']}: payable months differ"
    columns = {"amount": "amount", "reason": "reason", "category": "category",
               "benefit": "benefit", "level": "standard_level", "coefficient": "coefficient"}
    for key, check in expected.items():
        for name, value in check.items():
            assert got[key][columns[name]] == value, (
                f"{case['case']}: entitlement {key[0]} in {key[1]:%m/%Y}: {name} is "
                f"{got[key][columns[name]]!r}, the law says {value!r}")


def test_every_category_has_a_worked_case():
    from ansinh.policy.categories import BANDS, SOCIAL_PENSION_CATEGORIES

    priced = pl.concat([
        price(_periods(c), *(parse_month(str(m)) for m in c["window"]), _params(c))
        .select("benefit", "category")
        for c in CASES
    ])
    seen = set(priced.unique().iter_rows())
    assert set(BANDS) <= seen
    assert {("social_pension", c) for c in SOCIAL_PENSION_CATEGORIES} <= seen
