"""Shortcuts shared by the distribution tests."""

from ansinh.distributions.services import cycle_create
from tests.distributions.conftest import STARTS


def gift_cycle(officer, campaign, fund, *, cash=500_000, components=(), warehouse=None,
               criteria=None, unit="person", restriction=None, places=None, kind="gift",
               name="Quà Tết 2026", donor=None):
    return cycle_create(officer, name=name, kind=kind, unit=unit, campaign=campaign, fund=fund,
                        restriction=restriction, cash_per_recipient=cash,
                        components=components, warehouse=warehouse, places=places,
                        criteria=criteria if criteria is not None else {"poverty": ["poor"]},
                        starts_on=STARTS, donor=donor)
