"""A donor's money in each pot it went into (a fund's unrestricted money, or one
restriction), followed day by day, for the donor report of a period.

Money is fungible inside a pot, so a spending is shared among the money in the pot on the
day it is spent: the donor's part = spending × the donor's money still in the pot ÷ all the
money still in the pot, rounded down (the rounding stays with the donor's money). A return
of part of a spending (hoàn chi) gives the donor back the same fraction of their part.
Walking a pot's receipts, spendings and returns in date order (receipts of a day before its
spendings, spendings before returns) gives, for any period, the donor's money in the pot at
its start (opening), the donor's gifts in it, the donor's part of what was spent in it net of
returns (used) and what is left at its end (closing), with opening + given − used = closing
to the đồng by construction. Gifts after the period change nothing in it: a spending is
shared among the money that was there when it was made.

A receipt reversed by the end of the period is taken as never received, back to its date:
a reversal corrects a mistake, so the money was never there to be spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum

from ansinh.funds.choices import AllocationStatus, ReceiptStatus
from ansinh.funds.models import Allocation, AllocationReturn, Donor, ReceiptLine

# Same-day order: money comes in before it is spent, and is spent before any of it returns.
RECEIPT, SPENDING, RETURN = 0, 1, 2


@dataclass
class PotFlow:
    label: str
    opening: int = 0
    given: int = 0
    used: int = 0
    closing: int = 0
    pot_received: int = 0  # everything the pot received up to the end, from every donor
    # (purpose, campaign) -> [pot amount, donor's part], spendings in the period less returns
    groups: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    @property
    def uses(self) -> list[dict]:
        rows = sorted(self.groups.items(), key=lambda item: (item[0][1], item[0][0]))
        return [{"purpose": purpose, "campaign": campaign, "pot_amount": amount,
                 "share": share} for (purpose, campaign), (amount, share) in rows
                if amount or share]

    def as_dict(self) -> dict:
        return {"label": self.label, "opening": self.opening, "given": self.given,
                "pot_received": self.pot_received, "uses": self.uses, "used": self.used,
                "closing": self.closing, "remaining": self.closing}


def net_lines(end: date):
    """Issued receipt lines received by `end`, less those reversed by `end`."""
    return ReceiptLine.objects.filter(
        receipt__status=ReceiptStatus.ISSUED, receipt__received_on__lte=end,
    ).filter(Q(receipt__reversal__isnull=True) | Q(receipt__reversal__reversed_on__gt=end))


def pot_label(fund_name: str, restriction: str | None) -> str:
    return f"{fund_name} – {restriction}" if restriction else f"{fund_name} – quỹ chung"


def _by_day(qs) -> dict[date, int]:
    return dict(qs.order_by().values("receipt__received_on").annotate(s=Sum("amount"))
                .values_list("receipt__received_on", "s"))


def _events(key: dict, donor: Donor, end: date) -> list[tuple]:
    lines = net_lines(end).filter(**key)
    pot_in, mine_in = _by_day(lines), _by_day(lines.filter(receipt__donor=donor))
    events = [(day, RECEIPT, 0, (amount, mine_in.get(day, 0)))
              for day, amount in pot_in.items()]
    for a in (Allocation.objects.filter(status=AllocationStatus.APPROVED,
                                        allocated_on__lte=end, **key)
              .values("pk", "allocated_on", "amount", "purpose", "campaign__name")):
        events.append((a["allocated_on"], SPENDING, a["pk"],
                       (a["amount"], (a["purpose"], a["campaign__name"] or ""))))
    for r in (AllocationReturn.objects.filter(returned_on__lte=end,
                                              allocation__status=AllocationStatus.APPROVED,
                                              **key)
              .values("pk", "returned_on", "amount", "allocation_id", "allocation__purpose",
                      "allocation__campaign__name")):
        events.append((r["returned_on"], RETURN, r["pk"],
                       (r["amount"], r["allocation_id"],
                        (r["allocation__purpose"], r["allocation__campaign__name"] or ""))))
    events.sort(key=lambda e: e[:3])
    return events


def _walk(flow: PotFlow, events: list[tuple], start: date | None) -> None:
    pot = mine = 0  # all the money in the pot, and the donor's part of it
    parts: dict[int, tuple[int, int]] = {}  # spending id -> (amount, donor's part)
    opened = start is None  # whether the walk has reached the period
    for day, kind, pk, data in events:
        if not opened and day >= start:
            flow.opening, opened = mine, True
        if kind == RECEIPT:
            amount, given = data
            pot += amount
            mine += given
            flow.pot_received += amount
            if opened:
                flow.given += given
            continue
        if kind == SPENDING:
            amount, group = data
            # All that is left goes when the spending takes the pot's whole balance (or more:
            # a spending dated before the receipts that paid for it).
            share = min(mine, amount) if amount >= pot else amount * mine // pot
            parts[pk] = (amount, share)
            pot -= amount
            mine -= share
            sign = 1
        else:
            amount, spending, group = data
            whole, part = parts.get(spending, (amount, 0))
            share = amount * part // whole
            pot += amount
            mine += share
            sign = -1
        if opened:
            row = flow.groups.setdefault(group, [0, 0])
            row[0] += sign * amount
            row[1] += sign * share
            flow.used += sign * share
    if not opened:
        flow.opening = mine
    flow.closing = mine


def donor_flows(donor: Donor, start: date | None, end: date) -> list[PotFlow]:
    """Each pot the donor's money went into by `end`, over [start, end] (from the first gift
    when `start` is None). Pots where nothing of the donor's moved or remained are left out."""
    pots = (net_lines(end).filter(receipt__donor=donor)
            .order_by().values("fund_id", "fund__name", "restriction_id",
                               "restriction__description").distinct())
    flows = []
    for p in pots:
        key = {"fund_id": p["fund_id"], "restriction_id": p["restriction_id"]}
        flow = PotFlow(label=pot_label(p["fund__name"], p["restriction__description"]))
        _walk(flow, _events(key, donor, end), start)
        if flow.opening or flow.given or flow.used or flow.closing or flow.uses:
            flows.append(flow)
    flows.sort(key=lambda f: f.label)
    return flows
