"""Helpers the enrolment pages share: matching a search to persons, category labels
for who may read them, and service errors onto form fields."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ansinh.access.scoping import allows
from ansinh.registry.selectors import person_search, persons_for

from ..forms import (
    category_label,
    public_category_label,
)


def person_matcher(user):
    """`q` → the ids of the persons it finds (name without diacritics, or ID number), as a
    subquery the list filters on."""
    def match(q: str):
        return person_search(persons_for(user, "view"), q=q).order_by().values("pk")
    return match


def label_categories(user, rows) -> list:
    """Each row gets `category_text`: the clause for staff who may read sensitive data on it,
    the public group for everyone else."""
    rows = list(rows)
    for row in rows:
        if allows(user, "sensitive", row):
            row.category_text = category_label(row.benefit, row.category)
        else:
            row.category_text = public_category_label(row.benefit, row.category)
    return rows


def put_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form's fields (or above the form)."""
    mapping = getattr(form, "error_field_map", {})
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        target = mapping.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


# ---- beneficiaries -------------------------------------------------------------------------
