"""Where the "distributed" figures come from.

The distributions module publishes aggregated rows through
`ansinh.distributions.selectors.public_totals`; this page never reads its recipients. Until a
server has that module's selector, hand-outs are read from the stock ledger, aggregated. A
snapshot records which source it used, so verifying it later asks the same source.
"""

from __future__ import annotations

from datetime import date, datetime
from importlib import import_module

DISTRIBUTIONS = "distributions"
STOCK = "stock"


def _public_totals():
    try:
        module = import_module("ansinh.distributions.selectors")
    except ImportError:
        return None
    return getattr(module, "public_totals", None)


def name() -> str:
    return DISTRIBUTIONS if _public_totals() is not None else STOCK


def public_rows(subject, *, until: date, recorded_by: datetime) -> list[dict]:
    """Aggregated rows {commune_code, commune_name, category, recipients, cash, goods_value}
    for a campaign or a fund: hand-outs dated up to `until` and recorded by `recorded_by`."""
    from ansinh.funds.models import Campaign

    public_totals = _public_totals()
    if public_totals is None:
        raise RuntimeError("ansinh.distributions.selectors.public_totals is not available")
    kwargs = {"campaign": subject} if isinstance(subject, Campaign) else {"fund": subject}
    return list(public_totals(until=until, recorded_by=recorded_by, **kwargs))
