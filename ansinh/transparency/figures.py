"""The figures of a public snapshot, computed from the ledger up to a set of high-water marks.

The same function computes them at publication and again when a snapshot is verified, so a
published snapshot matches the ledger to the đồng as long as the ledger up to its marks is
unchanged (and the ledger is append-only: issued receipts, reversals and stock movements are
final, an allocation's decision is final).

What "up to the marks" means, row by row:
- a receipt line counts when its id is at most the mark, its receipt was issued at or before
  `as_of`, and it was received within the period; it stops counting once a reversal with an
  id at most the reversal mark exists;
- an allocation counts as spent when its id is at most the mark, it was approved at or before
  `as_of` and its date lies in the period, less its returns (hoàn chi) inside the
  `allocation_return` mark, recorded by `as_of` and dated in the period (`spent_returns`);
- a stock movement and a pledge count when their id is at most the mark and their date lies in
  the period; a pledge counts as it stood at `as_of` (an edit since then left the version it
  replaced as a revision, `ansinh.funds.pledge_history`), unless it was cancelled by then.

Only aggregates leave this module: no person, no household, no recipient id.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ansinh.distributions.selectors import public_totals
from ansinh.funds.choices import AllocationStatus, ReceiptStatus
from ansinh.funds.models import (
    Allocation,
    AllocationReturn,
    Campaign,
    Donor,
    Fund,
    GoodsReceiptLine,
    Pledge,
    ReceiptLine,
    ReceiptReversal,
    ServiceReceiptLine,
)
from ansinh.funds.pledge_history import PledgeState, pledges_as_of
from ansinh.funds.selectors import donor_public_name
from ansinh.stock.choices import Category, MovementKind, ReceiptSource
from ansinh.stock.models import StockMovement

from . import in_kind_lines, spent_returns
from .privacy import merge_small_groups

FIGURES_VERSION = 1
WITHOUT_CAMPAIGN = "Không theo chiến dịch"


@dataclass(frozen=True)
class Marks:
    receipt_line: int
    reversal: int
    allocation: int
    stock_movement: int
    pledge: int
    as_of: datetime
    goods_line: int = 0
    service_line: int = 0
    allocation_return: int = 0

    def as_json(self) -> dict:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> Marks:
        values = dict(data)
        values["as_of"] = parse_datetime(values["as_of"])
        values.pop("distributions", None)  # a mark of early snapshots, no longer used
        return cls(**values)


def _now() -> datetime:
    return timezone.now()


def _max_id(model) -> int:
    return model.objects.aggregate(m=Max("id"))["m"] or 0


def current_marks() -> Marks:
    """The ledger's high-water marks now. Callers hold the balance locks of the subject's
    funds, so a receipt being issued or an allocation being approved has either committed
    (and is inside the marks) or not begun."""
    return Marks(
        receipt_line=_max_id(ReceiptLine), reversal=_max_id(ReceiptReversal),
        allocation=_max_id(Allocation), stock_movement=_max_id(StockMovement),
        pledge=_max_id(Pledge), as_of=_now(),
        goods_line=_max_id(GoodsReceiptLine), service_line=_max_id(ServiceReceiptLine),
        allocation_return=_max_id(AllocationReturn))


# ---------------------------------------------------------------------------- the ledger

def subject_lines(subject) -> Q:
    if isinstance(subject, Campaign):
        return Q(campaign=subject) | Q(campaign__isnull=True, restriction__campaign=subject)
    return Q(fund=subject)


def net_lines(marks: Marks, start: date, end: date):
    """Net receipt lines inside the marks and the period (any subject)."""
    return ReceiptLine.objects.filter(
        pk__lte=marks.receipt_line, receipt__status=ReceiptStatus.ISSUED,
        receipt__issued_at__lte=marks.as_of, receipt__received_on__gte=start,
        receipt__received_on__lte=end,
    ).filter(Q(receipt__reversal__isnull=True) | Q(receipt__reversal__pk__gt=marks.reversal))


def _spent(subject, marks: Marks, start: date, end: date):
    if isinstance(subject, Campaign):
        which = Q(campaign=subject) | Q(campaign__isnull=True, restriction__campaign=subject)
    else:
        which = Q(fund=subject)
    return Allocation.objects.filter(
        which, pk__lte=marks.allocation, status=AllocationStatus.APPROVED,
        decided_at__lte=marks.as_of, allocated_on__gte=start, allocated_on__lte=end)


def subject_pledges(subject, marks: Marks, start: date, end: date) -> list[PledgeState]:
    """The subject's pledges as they stood at the snapshot's moment. A pledge withdrawn
    before it is no pledge; one withdrawn later still stood when the snapshot was taken."""
    which = ({"campaign_id": subject.pk} if isinstance(subject, Campaign)
             else {"fund_id": subject.pk})
    return pledges_as_of(marks.as_of, max_id=marks.pledge, start=start, end=end, **which)


def _area(subject) -> Q:
    if subject.commune_id:
        return Q(commune_id=subject.commune_id)
    return Q(province_id=subject.province_id)


def _stock(subject, marks: Marks, start: date, end: date, kind: str):
    """Movements of the subject's area. Goods are not booked to a campaign or a fund in the
    stock ledger, so a subject's goods are those moved in its area during the period."""
    return StockMovement.objects.filter(_area(subject), kind=kind, pk__lte=marks.stock_movement,
                                        occurred_on__gte=start, occurred_on__lte=end)


def _total(qs, field: str = "amount") -> int:
    return qs.aggregate(s=Sum(field))["s"] or 0


# ---------------------------------------------------------------------------- the figures

def _cash(subject, lines) -> dict:
    if isinstance(subject, Campaign):
        rows = (lines.values("fund__name").annotate(amount=Sum("amount"))
                .order_by("fund__name"))
        parts = [{"label": r["fund__name"], "amount": r["amount"]} for r in rows]
    else:
        rows = (lines.values("campaign__name", "restriction__campaign__name")
                .annotate(amount=Sum("amount")))
        merged: dict[str, int] = {}
        for r in rows:
            label = r["campaign__name"] or r["restriction__campaign__name"] or WITHOUT_CAMPAIGN
            merged[label] = merged.get(label, 0) + r["amount"]
        parts = [{"label": k, "amount": v} for k, v in
                 sorted(merged.items(), key=lambda i: (i[0] == WITHOUT_CAMPAIGN, i[0]))]
    return {
        "received": _total(lines),
        "restricted": _total(lines.filter(restriction__isnull=False)),
        "unrestricted": _total(lines.filter(restriction__isnull=True)),
        "parts": parts,
    }


def _pledge_figures(pledges: list[PledgeState], all_lines) -> dict:
    money = [(p.pk, p.amount) for p in pledges if p.amount is not None]
    paid = dict(all_lines.filter(receipt__pledge_id__in=[pk for pk, _ in money])
                .values("receipt__pledge_id").annotate(s=Sum("amount"))
                .values_list("receipt__pledge_id", "s"))
    return {
        "pledged": sum(amount for _, amount in money),
        "paid_on_pledges": sum(min(paid.get(pk, 0), amount) for pk, amount in money),
        "outstanding": sum(max(amount - paid.get(pk, 0), 0) for pk, amount in money),
        "in_kind_pledges": sum(1 for p in pledges if p.in_kind),
    }


def pledged_per_donor(pledges: list[PledgeState]) -> dict[int, int]:
    out: dict[int, int] = {}
    for p in pledges:
        if p.amount is not None:
            out[p.donor_id] = out.get(p.donor_id, 0) + p.amount
    return out


def _donors(lines, pledges: list[PledgeState], in_kind: dict[int, int]) -> list[dict]:
    """The donor list, each under the name they chose to be shown with."""
    received = dict(lines.values("receipt__donor_id").annotate(s=Sum("amount"))
                    .values_list("receipt__donor_id", "s"))
    pledged = pledged_per_donor(pledges)
    ids = set(received) | set(pledged) | set(in_kind)
    donors = Donor.objects.filter(pk__in=ids).only("name", "display")
    rows = [{"name": donor_public_name(d), "received": received.get(d.pk, 0),
             "in_kind": in_kind.get(d.pk, 0), "pledged": pledged.get(d.pk, 0)}
            for d in donors]
    rows.sort(key=lambda r: (-(r["received"] + r["in_kind"]), -r["pledged"], r["name"]))
    return rows


def _in_kind(subject, marks, start, end) -> dict:
    """Goods and services received, valued in đồng: the issued goods and service receipt lines
    of the subject, and for a fund also goods taken into its area's stock without a receipt
    (budget goods, older entries). Goods bought with the fund's money are spent cash, not
    gifts, and stay out."""
    labels = dict(Category.choices)
    parts: dict[str, int] = {}
    for row in in_kind_lines.goods_rows(subject, marks, start, end):
        label = labels.get(row["category"], row["category"])
        parts[label] = parts.get(label, 0) + row["value"]
    services = in_kind_lines.services_value(subject, marks, start, end)
    if services:
        parts["Dịch vụ (suất học nghề, khám bệnh…)"] = services
    if isinstance(subject, Fund):
        moves = (_stock(subject, marks, start, end, MovementKind.RECEIVE)
                 .exclude(source=ReceiptSource.PURCHASE)
                 .filter(source_receipt_line_id__isnull=True))
        for row in moves.values("item__category").annotate(value=Sum("value")):
            label = labels.get(row["item__category"], row["item__category"])
            parts[label] = parts.get(label, 0) + (row["value"] or 0)
    rows = [{"label": k, "amount": v} for k, v in sorted(parts.items()) if v]
    return {"value": sum(r["amount"] for r in rows), "parts": rows}


def _direct_hand_outs(subject, marks, start, end) -> list[dict]:
    """Goods handed from the fund's stock straight to a person, outside any distribution
    cycle (a cycle's goods are in its packages' figures already)."""
    labels = dict(Category.choices)
    rows = (_stock(subject, marks, start, end, MovementKind.ISSUE)
            .filter(distribution_line_id__isnull=True)
            .values("commune__code", "commune__name", "item__category")
            .annotate(recipients=Count("recipient", distinct=True), value=Sum("value")))
    return [{"commune_code": r["commune__code"] or "",
             "commune_name": r["commune__name"] or "Kho cấp tỉnh/thành phố",
             "category": labels.get(r["item__category"], ""), "recipients": r["recipients"],
             "cash": 0, "goods_value": r["value"] or 0} for r in rows]


def _distributed(subject, marks, start, end) -> dict:
    # Packages of distribution cycles dated in the period and recorded before the snapshot's
    # moment; for a fund also goods handed straight from its area's stock. A campaign's goods
    # reach people only through its cycles: the stock ledger does not know campaigns.
    which = {"campaign": subject} if isinstance(subject, Campaign) else {"fund": subject}
    raw = public_totals(until=end, recorded_by=marks.as_of, **which)
    if isinstance(subject, Fund):
        raw += _direct_hand_outs(subject, marks, start, end)
    rows = merge_small_groups(raw)
    return {
        "until": end.isoformat(),
        "rows": rows,
        "cash": sum(r["cash"] for r in rows),
        "goods_value": sum(r["goods_value"] for r in rows),
        "recipients": sum(r["recipients"] or 0 for r in rows),
    }


def _subject(subject) -> dict:
    if isinstance(subject, Campaign):
        return {"kind": "campaign", "id": subject.pk, "name": subject.name,
                "target": subject.target_amount, "starts_on": subject.starts_on.isoformat(),
                "ends_on": subject.ends_on.isoformat() if subject.ends_on else None,
                "responsible_unit": subject.responsible_unit}
    return {"kind": "fund", "id": subject.pk, "name": subject.name,
            "fund_kind": subject.get_kind_display()}


def compute(subject: Campaign | Fund, marks: Marks, start: date, end: date) -> dict:
    """Every figure the public page shows for `subject`, as plain JSON values."""
    all_lines = net_lines(marks, start, end)
    lines = all_lines.filter(subject_lines(subject))
    pledges = subject_pledges(subject, marks, start, end)
    spent = _spent(subject, marks, start, end)
    cash = _cash(subject, lines)
    if isinstance(subject, Campaign):
        spent_parts = (spent.values("fund__name").annotate(amount=Sum("amount"))
                       .order_by("fund__name"))
        spent_rows = [{"label": r["fund__name"], "amount": r["amount"]} for r in spent_parts]
    else:
        merged: dict[str, int] = {}
        for r in (spent.values("campaign__name", "restriction__campaign__name")
                  .annotate(amount=Sum("amount"))):
            label = r["campaign__name"] or r["restriction__campaign__name"] or WITHOUT_CAMPAIGN
            merged[label] = merged.get(label, 0) + r["amount"]
        spent_rows = [{"label": k, "amount": v} for k, v in sorted(merged.items())]
    spent_rows, spent_total = spent_returns.less_returns(
        subject, marks, start, end, spent_rows, _total(spent), WITHOUT_CAMPAIGN)
    donors = _donors(lines, pledges, in_kind_lines.per_donor(subject, marks, start, end))
    return {
        "version": FIGURES_VERSION,
        "subject": _subject(subject),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "cash": cash,
        "pledges": _pledge_figures(pledges, all_lines),
        "in_kind": _in_kind(subject, marks, start, end),
        "spent": {"total": spent_total, "parts": spent_rows},
        "remaining": cash["received"] - spent_total,
        "distributed": _distributed(subject, marks, start, end),
        "donors": donors,
        "donor_count": len(donors),
    }
