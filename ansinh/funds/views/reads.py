"""Reads the fund pages need beyond `ansinh.funds.selectors`: the lists of pledges,
restrictions and allocations, a donor search, a donor's history and the per-donor progress of
a campaign. All of them go through the area scoping, and count only issued, unreversed
receipts as money received."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, Sum

from ansinh.access.scoping import restrict

from ..choices import AllocationStatus, ReceiptStatus
from ..models import (
    Allocation,
    Campaign,
    Donor,
    Fund,
    Pledge,
    Receipt,
    ReceiptLine,
    Restriction,
)
from ..selectors import donor_name_q


def pledge_list(user, action: str = "view"):
    return restrict(Pledge.objects.select_related("donor", "campaign", "fund"), user, action)


def restriction_list(user, action: str = "view"):
    return restrict(Restriction.objects.select_related("fund", "campaign", "donor"), user,
                    action)


def allocation_list(user, action: str = "view"):
    return restrict(Allocation.objects.select_related(
        "fund", "restriction", "campaign", "prepared_by", "decided_by"), user, action)


def donor_search(qs, q: str):
    """Donors whose folded name has every folded word of `q` (so `cong ty an phu` finds
    `Công ty TNHH An Phú`), or whose tax code or phone is `q`; all of it in SQL."""
    q = (q or "").strip()
    if not q:
        return qs
    exact = Q(tax_code=q) | Q(phone=q)
    by_name = donor_name_q(q)
    return qs.filter(exact if by_name is None else by_name | exact)


def net_receipts():
    return Receipt.objects.filter(status=ReceiptStatus.ISSUED, reversal__isnull=True)


def received_between(user, since: date, until: date) -> int:
    """Money received (issued, not reversed) in [since, until] in the user's area."""
    qs = restrict(net_receipts(), user, "view").filter(received_on__gte=since,
                                                       received_on__lte=until)
    return qs.aggregate(s=Sum("total"))["s"] or 0


def pending_allocations(user):
    return allocation_list(user).filter(status=AllocationStatus.PENDING).order_by(
        "allocated_on", "pk")


def named_balances(rows: list[dict]) -> list[dict]:
    """`selectors.fund_balances` rows with the fund and restriction they belong to."""
    funds = Fund.objects.in_bulk({r["fund_id"] for r in rows})
    restrictions = Restriction.objects.in_bulk(
        {r["restriction_id"] for r in rows if r["restriction_id"]})
    for row in rows:
        row["fund"] = funds.get(row["fund_id"])
        row["restriction"] = restrictions.get(row["restriction_id"])
    return rows


def donor_history(user, donor: Donor) -> dict:
    """A donor's pledges and receipts inside the user's area, newest first."""
    pledges = pledge_list(user).filter(donor=donor).order_by("-pledged_on", "-pk")
    receipts = (restrict(Receipt.objects.select_related("fund", "reversal"), user, "view")
                .filter(donor=donor).order_by("-received_on", "-pk"))
    return {"pledges": pledges, "receipts": receipts}


def campaign_donors(campaign: Campaign) -> list[dict]:
    """Per donor of a campaign: pledged (money), received for the campaign (net lines) and
    outstanding (pledge by pledge, what each money pledge still lacks)."""
    rows: dict[int, dict] = {}

    def row(donor_id):
        return rows.setdefault(donor_id, {"donor_id": donor_id, "pledged": 0, "received": 0,
                                          "outstanding": 0, "in_kind": []})

    pledges = list(Pledge.objects.filter(campaign=campaign).values(
        "pk", "donor_id", "amount", "in_kind", "cancelled_on"))
    paid = dict(net_receipts().filter(pledge_id__in=[p["pk"] for p in pledges])
                .values("pledge_id").annotate(s=Sum("total")).values_list("pledge_id", "s"))
    for p in pledges:
        r = row(p["donor_id"])
        if p["amount"]:
            r["pledged"] += p["amount"]
            if p["cancelled_on"] is None:
                r["outstanding"] += max(p["amount"] - paid.get(p["pk"], 0), 0)
        if p["in_kind"]:
            r["in_kind"].append(p["in_kind"])
    lines = (ReceiptLine.objects.filter(receipt__status=ReceiptStatus.ISSUED,
                                        receipt__reversal__isnull=True)
             .filter(Q(campaign=campaign) | Q(campaign__isnull=True,
                                              restriction__campaign=campaign))
             .values("receipt__donor_id").annotate(s=Sum("amount")))
    for line in lines:
        row(line["receipt__donor_id"])["received"] += line["s"]
    donors = Donor.objects.in_bulk(list(rows))
    result = []
    for donor_id, r in rows.items():
        r["donor"] = donors[donor_id]
        result.append(r)
    return sorted(result, key=lambda r: (-r["received"], -r["pledged"], r["donor"].name))
