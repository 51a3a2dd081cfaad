"""Reads of the fund ledger, always through the area scoping.

Viewing donors, funds and campaigns needs `view` on their area (commune staff may see who
gives to their commune); a donor's bank details also need `donor_bank` there, and are masked
otherwise. Balances are computed from the ledger rows, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, Sum

from ansinh.access.scoping import allows, restrict
from ansinh.core.text import fold

from .choices import AllocationStatus, Display, ReceiptKind, ReceiptStatus
from .models import (
    Allocation,
    AllocationReturn,
    Campaign,
    Donor,
    Fund,
    GoodsReceiptLine,
    Pledge,
    Receipt,
    ReceiptLine,
    ServiceReceiptLine,
)

ANONYMOUS_NAME = "Nhà hảo tâm ẩn danh"
BANK_FIELDS = ("bank_account", "bank_name")


def donor_list(user, action: str = "view"):
    return restrict(Donor.objects.all(), user, action)


def donor_name_q(q: str) -> Q | None:
    """Donors whose folded name has a word starting with each folded word of `q`, in any
    order: `cong ty an phu` finds «Công ty TNHH An Phú» (and not «… Cổ phần Phú Mỹ», whose
    `phan` merely contains `an`), `dang` finds «Đặng Văn Bình». None for an empty query.
    On PostgreSQL a trigram index serves the `LIKE '% word%'`."""
    words = list(dict.fromkeys(fold(q or "").split()))
    if not words:
        return None
    cond = Q()
    for w in words:
        cond &= Q(name_folded__startswith=w) | Q(name_folded__contains=f" {w}")
    return cond


def fund_list(user, action: str = "view"):
    return restrict(Fund.objects.all(), user, action)


def campaign_list(user, action: str = "view"):
    return restrict(Campaign.objects.all(), user, action)


def receipt_list(user, action: str = "view"):
    return restrict(Receipt.objects.all(), user, action)


def mask(value: str) -> str:
    """Keep the last three characters so an officer can still tell two accounts apart."""
    if not value:
        return ""
    return "•" * max(len(value) - 3, 3) + value[-3:]


def donor_detail(user, donor: Donor) -> dict:
    """A donor as a plain dict for pages, exports and the API: bank details only for users
    holding `donor_bank` on the donor's area."""
    fields = ("id", "kind", "name", "country", "currency", "contact_persons", "tax_code",
              "phone", "email", "display", "commune_id", "province_id")
    data = {f: getattr(donor, f) for f in fields}
    show_bank = allows(user, "donor_bank", donor)
    for f in BANK_FIELDS:
        data[f] = getattr(donor, f) if show_bank else mask(getattr(donor, f))
    data["bank_masked"] = not show_bank
    return data


def donor_public_name(donor: Donor) -> str:
    """The name printed in public donor lists, honouring the donor's wish to stay anonymous."""
    return ANONYMOUS_NAME if donor.display == Display.ANONYMOUS else donor.name


def _net_receipt_lines():
    """Lines of issued receipts that have not been reversed."""
    return ReceiptLine.objects.filter(receipt__status=ReceiptStatus.ISSUED,
                                      receipt__reversal__isnull=True)


def _sum(qs, field: str = "amount") -> int:
    return qs.aggregate(s=Sum(field))["s"] or 0


@dataclass(frozen=True)
class Balance:
    received: int  # issued receipt lines, reversals taken out
    spent: int  # approved allocations, less what came back of them (hoàn chi)
    reserved: int  # allocations waiting for approval

    @property
    def available(self) -> int:
        return self.received - self.spent - self.reserved


def balance_of(fund_id: int, restriction_id: int | None, *,
               exclude_allocation: int | None = None) -> Balance:
    """The balance of one pot. Writers call it while holding the pot's `BalanceLock`."""
    lines = _net_receipt_lines().filter(fund_id=fund_id, restriction_id=restriction_id)
    allocations = Allocation.objects.filter(fund_id=fund_id, restriction_id=restriction_id)
    returns = AllocationReturn.objects.filter(fund_id=fund_id, restriction_id=restriction_id)
    if exclude_allocation is not None:
        allocations = allocations.exclude(pk=exclude_allocation)
        returns = returns.exclude(allocation_id=exclude_allocation)
    return Balance(
        received=_sum(lines),
        spent=_sum(allocations.filter(status=AllocationStatus.APPROVED)) - _sum(returns),
        reserved=_sum(allocations.filter(status=AllocationStatus.PENDING)),
    )


def fund_balances(user, fund: Fund | None = None) -> list[dict]:
    """Per fund and restriction in the user's area: received, spent, reserved, available."""
    funds = fund_list(user)
    if fund is not None:
        funds = funds.filter(pk=fund.pk)
    fund_ids = list(funds.values_list("pk", flat=True))
    pots: dict[tuple, dict] = {}

    def pot(fund_id, restriction_id):
        return pots.setdefault((fund_id, restriction_id), {
            "fund_id": fund_id, "restriction_id": restriction_id,
            "received": 0, "spent": 0, "reserved": 0})

    for row in (_net_receipt_lines().filter(fund_id__in=fund_ids)
                .values("fund_id", "restriction_id").annotate(s=Sum("amount"))):
        pot(row["fund_id"], row["restriction_id"])["received"] = row["s"]
    for row in (Allocation.objects.filter(fund_id__in=fund_ids)
                .exclude(status=AllocationStatus.REJECTED)
                .values("fund_id", "restriction_id", "status").annotate(s=Sum("amount"))):
        key = "spent" if row["status"] == AllocationStatus.APPROVED else "reserved"
        pot(row["fund_id"], row["restriction_id"])[key] += row["s"]
    for row in (AllocationReturn.objects.filter(fund_id__in=fund_ids)
                .values("fund_id", "restriction_id").annotate(s=Sum("amount"))):
        pot(row["fund_id"], row["restriction_id"])["spent"] -= row["s"]
    for p in pots.values():
        p["available"] = p["received"] - p["spent"] - p["reserved"]
    return sorted(pots.values(), key=lambda p: (p["fund_id"], p["restriction_id"] or 0))


def _net_receipts(kind: str | None = ReceiptKind.CASH):
    """Issued receipts that have not been reversed; money only unless asked otherwise."""
    qs = Receipt.objects.filter(status=ReceiptStatus.ISSUED, reversal__isnull=True)
    return qs if kind is None else qs.filter(kind=kind)


def _in_kind_value(model, **filters) -> int:
    """Value in đồng of goods or services lines received (issued, not reversed)."""
    return _sum(model.objects.filter(receipt__status=ReceiptStatus.ISSUED,
                                     receipt__reversal__isnull=True, **filters), "value")


def _received_per_pledge(pledge_ids) -> dict[int, int]:
    # A money pledge is paid by money; goods given against it do not settle it.
    rows = (_net_receipts().filter(pledge_id__in=pledge_ids)
            .values("pledge_id").annotate(s=Sum("total")))
    return {r["pledge_id"]: r["s"] for r in rows}


def _outstanding(pledges) -> int:
    """What donors promised in money and have not yet paid, pledge by pledge (paying more
    than one pledge asked does not cancel another pledge's debt). A cancelled pledge is owed
    no more."""
    money = list(pledges.filter(amount__isnull=False, cancelled_on__isnull=True)
                 .values_list("pk", "amount"))
    paid = _received_per_pledge([pk for pk, _ in money])
    return sum(max(amount - paid.get(pk, 0), 0) for pk, amount in money)


def campaign_progress(user, campaign: Campaign | None = None) -> list[dict]:
    """Per campaign: target, pledged (money pledges), received (net of reversals, pledged
    or not) and outstanding pledges. A pledge is never counted as received."""
    campaigns = campaign_list(user)
    if campaign is not None:
        campaigns = campaigns.filter(pk=campaign.pk)
    rows = []
    for c in campaigns:
        pledges = Pledge.objects.filter(campaign=c)
        received = _sum(_net_receipt_lines().filter(
            Q(campaign=c) | Q(campaign__isnull=True, restriction__campaign=c)))
        rows.append({"campaign_id": c.pk, "name": c.name, "target": c.target_amount,
                     "pledged": _sum(pledges), "received": received,
                     "outstanding": _outstanding(pledges),
                     "in_kind_pledges": pledges.exclude(in_kind="").count()})
    return rows


def donor_progress(user, donor: Donor) -> dict:
    """One donor's pledged, received (net) and outstanding amounts, in the user's area."""
    if not restrict(Donor.objects.filter(pk=donor.pk), user, "view").exists():
        return {"donor_id": donor.pk, "pledged": 0, "received": 0, "outstanding": 0}
    pledges = Pledge.objects.filter(donor=donor)
    received = _sum(_net_receipts().filter(donor=donor), "total")
    return {"donor_id": donor.pk, "pledged": _sum(pledges), "received": received,
            "outstanding": _outstanding(pledges)}


def campaign_in_kind(user, campaign: Campaign | None = None) -> list[dict]:
    """Per campaign, beside `campaign_progress` (which counts money only): the value in đồng
    of goods and of services received, and the number of service places."""
    campaigns = campaign_list(user)
    if campaign is not None:
        campaigns = campaigns.filter(pk=campaign.pk)
    rows = []
    for c in campaigns:
        services = ServiceReceiptLine.objects.filter(
            campaign=c, receipt__status=ReceiptStatus.ISSUED, receipt__reversal__isnull=True)
        rows.append({"campaign_id": c.pk, "name": c.name,
                     "goods_value": _in_kind_value(GoodsReceiptLine, campaign=c),
                     "services_value": _sum(services, "value"),
                     "service_places": _sum(services, "places")})
    return rows


def donor_in_kind(user, donor: Donor) -> int:
    """Value in đồng of the goods and services one donor gave (net of reversals)."""
    if not restrict(Donor.objects.filter(pk=donor.pk), user, "view").exists():
        return 0
    return _sum(_net_receipts(kind=None).filter(donor=donor).exclude(kind=ReceiptKind.CASH),
                "total")


def service_places(campaign: Campaign) -> list[dict]:
    """The service places received for a campaign (issued, not reversed receipts), one row
    per receipt line, oldest first: what the distributions module may give out. The caller
    has already checked that the user may see the campaign."""
    rows = (ServiceReceiptLine.objects
            .filter(campaign=campaign, receipt__status=ReceiptStatus.ISSUED,
                    receipt__reversal__isnull=True)
            .select_related("receipt", "receipt__donor")
            .order_by("receipt__received_on", "id"))
    return [{"line_id": ln.pk, "receipt_id": ln.receipt_id, "receipt_number": ln.receipt.number,
             "donor_id": ln.receipt.donor_id, "donor_name": donor_public_name(ln.receipt.donor),
             "received_on": ln.receipt.received_on, "service": ln.service, "unit": ln.unit,
             "places": ln.places, "unit_value": ln.unit_value, "value": ln.value}
            for ln in rows]
