"""Pledges as they stood at a past moment.

An edit of a pledge (amount, goods, date, campaign or fund) keeps the version it replaces as
a `PledgeRevision` stamped with the moment it stopped being in force, so a figure frozen
before the edit (a published snapshot) can be recomputed from the ledger afterwards. The
version in force at moment T is the earliest revision superseded after T, or the pledge row
itself when no revision was superseded after T.

The writers of pledges and the publisher of a snapshot lock the campaign and fund rows the
pledge belongs to (`lock_targets`), so an edit is either committed before a snapshot reads
its moment or stamped after it: the moment and the revisions cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from .models import Campaign, Fund, Pledge, PledgeRevision

VERSIONED = ("donor_id", "campaign_id", "fund_id", "amount", "in_kind", "pledged_on")


@dataclass(frozen=True)
class PledgeState:
    pk: int
    donor_id: int
    campaign_id: int | None
    fund_id: int | None
    amount: int | None
    in_kind: str
    pledged_on: date


def lock_targets(*targets) -> None:
    """Lock the rows of the campaigns and funds given (None skipped), campaigns first, each
    kind in id order, so two lockers never wait on each other in a circle. `no_key`: the
    lock must not stop receipts and allocations from referring to the fund meanwhile."""
    campaigns = sorted({t.pk for t in targets if isinstance(t, Campaign)})
    funds = sorted({t.pk for t in targets if isinstance(t, Fund)})
    if campaigns:
        list(Campaign.objects.select_for_update(no_key=True).filter(pk__in=campaigns)
             .order_by("pk").values_list("pk", flat=True))
    if funds:
        list(Fund.objects.select_for_update(no_key=True).filter(pk__in=funds)
             .order_by("pk").values_list("pk", flat=True))


def pledge_revise(user, pledge: Pledge) -> PledgeRevision:
    """Keep `pledge` as it stands in the database (before the caller saves its edit)."""
    stored = Pledge.objects.filter(pk=pledge.pk).values(*VERSIONED).get()
    return PledgeRevision.objects.create(
        pledge_id=pledge.pk, superseded_at=timezone.now(),
        superseded_by=user if getattr(user, "pk", None) else None, **stored)


def _state(pk: int, row: dict) -> PledgeState:
    return PledgeState(pk=pk, **{f: row[f] for f in VERSIONED})


def pledges_as_of(moment: datetime, *, max_id: int, start: date, end: date,
                  campaign_id: int | None = None,
                  fund_id: int | None = None) -> list[PledgeState]:
    """The pledges of a campaign or a fund as they stood at `moment`: created within the
    mark (`max_id`), not cancelled by then, pledged within [start, end]."""
    which = {"campaign_id": campaign_id} if campaign_id is not None else {"fund_id": fund_id}
    later = PledgeRevision.objects.filter(superseded_at__gt=moment, pledge_id__lte=max_id)
    # The version in force is the row or a later revision, so a pledge belongs here only if
    # one of those does: the row now, or a revision superseded since.
    candidates = (Pledge.objects.filter(pk__lte=max_id)
                  .filter(Q(**which, pledged_on__gte=start, pledged_on__lte=end)
                          | Q(pk__in=later.filter(**which).values("pledge_id")))
                  .exclude(cancelled_at__lte=moment))
    states = {row["pk"]: _state(row["pk"], row) for row in candidates.values("pk", *VERSIONED)}
    seen: set[int] = set()
    for row in (later.filter(pledge_id__in=list(states))
                .order_by("pledge_id", "superseded_at", "pk")
                .values("pledge_id", *VERSIONED)):
        if row["pledge_id"] not in seen:
            seen.add(row["pledge_id"])
            states[row["pledge_id"]] = _state(row["pledge_id"], row)
    key, wanted = next(iter(which.items()))
    return sorted((s for s in states.values()
                   if getattr(s, key) == wanted and start <= s.pledged_on <= end),
                  key=lambda s: s.pk)
