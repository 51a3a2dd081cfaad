"""The strict schema of `parameters/*.yaml`, and reading the files into flat rows.

Two kinds of file, told apart by `unit`:

- `unit: dong` — a dated amount series (`series: standard_level | social_pension`) with a
  `national` list and optional `provinces: {"01": [...]}` lists keyed by the 2025 province code.
- `unit: coefficient` — `benefit:` and `coefficients: {category: {band: [...]}}`, the cells
  named in `categories.BANDS`.

Every list is an OpenFisca-style series: entries with `effective` (a date), `value`, `basis`
(the legal reference) and `source` (a URL), strictly increasing by date, plus an optional
`note`. Anything else — an unknown key, a missing basis, money that is not a whole number of
đồng, a coefficient with more than two decimals, dates out of order or repeated — is an error
that names the file and the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from .categories import BANDS, CATEGORIES, coefficient_keys, province_codes_2025

PARAMETERS_DIR = Path(__file__).parent / "parameters"


class ParameterFileError(ValueError):
    """One or more problems in the parameter files; `problems` lists them, each naming the file
    and the entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _nonblank(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValueError("must not be blank")
    return text


def _url(text: str) -> str:
    text = text.strip()
    if not text.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return text


def _hundredths(value) -> int:
    """A coefficient as a whole number of hundredths, refusing anything that would round."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ValueError("must be a number such as 1.5")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("must be a number such as 1.5") from exc
    if not number.is_finite() or number <= 0:
        raise ValueError("must be a positive number")
    scaled = number * 100
    if scaled != scaled.to_integral_value():
        raise ValueError("must have at most two decimals")
    return int(scaled)


Text = Annotated[str, AfterValidator(_nonblank)]
Url = Annotated[str, AfterValidator(_url)]
Money = Annotated[StrictInt, Field(gt=0)]
Hundredths = Annotated[int, BeforeValidator(_hundredths)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)

    effective: date
    basis: Annotated[Text, Field(max_length=300)]  # the database column's width
    source: Annotated[Url, Field(max_length=500)]
    note: str | None = None

    @field_validator("effective", mode="before")
    @classmethod
    def _a_date_not_a_timestamp(cls, value):
        # YAML reads 2024-07-01 as a date; a timestamp or a bare number is a typing mistake.
        if isinstance(value, str) or (isinstance(value, date) and type(value) is date):
            return value
        raise ValueError("must be a date written YYYY-MM-DD")


class MoneyEntry(_Entry):
    value: Money


class CoefficientEntry(_Entry):
    value: Hundredths


def _increasing(entries: list) -> list:
    for before, after in zip(entries, entries[1:], strict=False):
        if after.effective == before.effective:
            raise ValueError(f"effective date {after.effective} appears twice")
        if after.effective < before.effective:
            raise ValueError(
                f"entries must be sorted by effective date: {after.effective} comes after "
                f"{before.effective}")
    return entries


MoneySeries = Annotated[list[MoneyEntry], Field(min_length=1), AfterValidator(_increasing)]
CoefficientSeries = Annotated[
    list[CoefficientEntry], Field(min_length=1), AfterValidator(_increasing)
]


class AmountFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Text
    unit: Literal["dong"]
    series: Literal["standard_level", "social_pension"]
    national: MoneySeries
    provinces: dict[str, MoneySeries] = {}

    @field_validator("provinces")
    @classmethod
    def _known_provinces(cls, value: dict) -> dict:
        known = province_codes_2025()
        unknown = sorted(code for code in value if code not in known)
        if unknown:
            raise ValueError(f"not a 2025 province code (Decision 19/2025): {', '.join(unknown)}")
        return value


class CoefficientFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Text
    unit: Literal["coefficient"]
    benefit: Literal["monthly_allowance", "care_allowance", "funeral"]
    coefficients: dict[str, dict[str, CoefficientSeries]]

    @field_validator("coefficients")
    @classmethod
    def _known_cells(cls, value: dict, info: ValidationInfo) -> dict:
        benefit = info.data.get("benefit")
        if benefit is None:  # already reported on `benefit`
            return value
        problems = []
        for category, bands in value.items():
            allowed = BANDS.get((benefit, category))
            if allowed is None:
                problems.append(f"unknown category {category!r} for {benefit} "
                                f"(known: {', '.join(CATEGORIES[benefit])})")
                continue
            problems.extend(f"unknown band {band!r} for {category} (known: {', '.join(allowed)})"
                            for band in bands if band not in allowed)
        if problems:
            raise ValueError("; ".join(problems))
        return value


@dataclass(frozen=True)
class AmountRow:
    series: str
    province_code: str | None
    effective: date
    amount: int
    basis: str
    source_url: str


@dataclass(frozen=True)
class CoefficientRow:
    benefit: str
    category: str
    band: str
    effective: date
    hundredths: int
    basis: str
    source_url: str


@dataclass(frozen=True)
class ParameterSet:
    amounts: list[AmountRow]
    coefficients: list[CoefficientRow]


def _where(loc: tuple, raw) -> str:
    """('provinces', '22', 0, 'value') → 'provinces.22[0] (effective 2021-08-01).value'."""
    text, node = "", raw
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and "effective" in node:
                text += f" (effective {node['effective']})"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text or "(file)"


def read_file(path: Path) -> AmountFile | CoefficientFile:
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterFileError([f"{path.name}: not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise ParameterFileError([f"{path.name}: expected a mapping at the top level"])
    kind = {"dong": AmountFile, "coefficient": CoefficientFile}.get(raw.get("unit"))
    if kind is None:
        raise ParameterFileError(
            [f"{path.name}: unit: must be 'dong' or 'coefficient', not {raw.get('unit')!r}"])
    try:
        return kind.model_validate(raw)
    except ValidationError as exc:
        raise ParameterFileError([
            f"{path.name}: {_where(err['loc'], raw)}: {err['msg']}" for err in exc.errors()
        ]) from exc


def read_parameters(directory: Path | str | None = None) -> ParameterSet:
    """Read and validate every `*.yaml` in `directory` (default: the shipped parameters)."""
    directory = Path(directory or PARAMETERS_DIR)
    amounts: list[AmountRow] = []
    coefficients: list[CoefficientRow] = []
    problems: list[str] = []
    seen_series: dict[str, str] = {}
    seen_cells: dict[tuple[str, str, str], str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            parsed = read_file(path)
        except ParameterFileError as exc:
            problems.extend(exc.problems)
            continue
        if isinstance(parsed, AmountFile):
            if parsed.series in seen_series:
                problems.append(f"{path.name}: series {parsed.series} is already defined in "
                                f"{seen_series[parsed.series]}")
                continue
            seen_series[parsed.series] = path.name
            lists = [(None, parsed.national), *sorted(parsed.provinces.items())]
            amounts.extend(
                AmountRow(parsed.series, province, e.effective, e.value, e.basis, e.source)
                for province, entries in lists for e in entries
            )
        else:
            for category, bands in parsed.coefficients.items():
                for band, entries in bands.items():
                    cell = (parsed.benefit, category, band)
                    if cell in seen_cells:
                        problems.append(f"{path.name}: {'/'.join(cell)} is already defined in "
                                        f"{seen_cells[cell]}")
                        continue
                    seen_cells[cell] = path.name
                    coefficients.extend(
                        CoefficientRow(*cell, e.effective, e.value, e.basis, e.source)
                        for e in entries
                    )
    if not problems:
        missing = [" / ".join(cell) for cell in coefficient_keys() if cell not in seen_cells]
        if missing:
            problems.append(f"{directory}: no coefficient for {', '.join(missing)}")
        for series in ("standard_level", "social_pension"):
            if series not in seen_series:
                problems.append(f"{directory}: no file defines the {series} series")
    if problems:
        raise ParameterFileError(problems)
    return ParameterSet(amounts, coefficients)
