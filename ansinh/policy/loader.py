"""Mirror `parameters/*.yaml` into the database.

Idempotent: rows are matched on their key (series or cell, province, effective date). A missing
row is created with origin "law"; a "law" row whose value, basis or source differs from the
file is brought in line; a row an officer set is never touched, even on the same key. Loading
twice changes nothing. Values are never deleted here: a value dropped from the files stays
until someone decides what replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from .models import BenefitAmount, Coefficient, Origin, StandardLevel
from .schema import read_parameters


@dataclass
class LoadResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)  # (row, {"field": [old, new]})
    unchanged: int = 0
    kept: int = 0  # officer values on a key the files also define

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _sync(model, key_fields, rows, result: LoadResult) -> None:
    existing = {tuple(getattr(o, f) for f in key_fields): o for o in model.objects.all()}
    for values in rows:
        key = tuple(values[f] for f in key_fields)
        row = existing.get(key)
        if row is None:
            result.created.append(model.objects.create(**values, origin=Origin.LAW))
            continue
        if row.origin != Origin.LAW:
            result.kept += 1
            continue
        changes = {f: [getattr(row, f), v] for f, v in values.items() if getattr(row, f) != v}
        if not changes:
            result.unchanged += 1
            continue
        for name, (_old, new) in changes.items():
            setattr(row, name, new)
        row.save()
        result.updated.append((row, changes))


@transaction.atomic
def load_parameters(directory=None, *, models=None) -> LoadResult:
    """`models` lets a data migration pass its historical models:
    {"StandardLevel": …, "BenefitAmount": …, "Coefficient": …}."""
    models = models or {"StandardLevel": StandardLevel, "BenefitAmount": BenefitAmount,
                        "Coefficient": Coefficient}
    params = read_parameters(directory)
    result = LoadResult()
    levels, amounts = [], []
    for r in params.amounts:
        values = {"province_code": r.province_code, "effective": r.effective,
                  "amount": r.amount, "basis": r.basis, "source_url": r.source_url}
        if r.series == "standard_level":
            levels.append(values)
        else:
            amounts.append({"series": r.series, **values})
    _sync(models["StandardLevel"], ("province_code", "effective"), levels, result)
    _sync(models["BenefitAmount"], ("series", "province_code", "effective"), amounts, result)
    _sync(models["Coefficient"], ("benefit", "category", "band", "effective"), [
        {"benefit": r.benefit, "category": r.category, "band": r.band,
         "effective": r.effective, "hundredths": r.hundredths, "basis": r.basis,
         "source_url": r.source_url}
        for r in params.coefficients
    ], result)
    return result
