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


def approved_gift(officer, manager, campaign, fund, items, warehouse, *, printed=True):
    """The 3 poor persons (2 in Ba Đình, 1 in Ngọc Hà), each approved for 500,000 đ, a gift
    and 10 kg of rice; the list's signature sheet printed unless asked otherwise."""
    from ansinh.distributions.services import (
        list_approve,
        list_mark_printed,
        list_submit,
        recipients_build,
    )

    cycle = gift_cycle(officer, campaign, fund, components=[(items["gift"], 1),
                                                           (items["rice"], 10)],
                       warehouse=warehouse)
    rlist = list_approve(manager, list_submit(officer, recipients_build(officer, cycle)[0]))
    if printed:
        list_mark_printed(officer, rlist)
    return cycle
