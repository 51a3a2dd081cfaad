"""Reads of the transparency page. The public reads touch only published snapshots and the
funds' "how to give" text; the staff reads go through the area scoping."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max, Q

from ansinh.access.scoping import restrict
from ansinh.funds.models import Campaign, Fund

from . import figures
from .models import GivingInfo, Snapshot, SubjectKind


def public_snapshots():
    return Snapshot.objects.filter(withdrawn_at__isnull=True)


def latest_public(*, province_id: int | None = None) -> list[Snapshot]:
    """The newest published snapshot of every campaign and fund, campaigns first."""
    qs = public_snapshots()
    if province_id:
        qs = qs.filter(province_id=province_id)
    newest = (qs.values("kind", "campaign_id", "fund_id").annotate(last=Max("id"))
              .values_list("last", flat=True))
    rows = list(Snapshot.objects.filter(pk__in=list(newest))
                .select_related("province", "commune"))
    rows.sort(key=lambda s: (s.kind != SubjectKind.CAMPAIGN, -s.published_at.timestamp()))
    return rows


def history(snapshot: Snapshot) -> list[Snapshot]:
    """The other published snapshots of the same campaign or fund, newest first."""
    same = (Q(campaign_id=snapshot.campaign_id) if snapshot.kind == SubjectKind.CAMPAIGN
            else Q(fund_id=snapshot.fund_id))
    return list(public_snapshots().filter(same, kind=snapshot.kind).exclude(pk=snapshot.pk)
                .only("title", "period_start", "period_end", "published_at")[:50])


def giving_infos(snapshot: Snapshot) -> list[GivingInfo]:
    if snapshot.kind == SubjectKind.FUND:
        return list(GivingInfo.objects.filter(fund_id=snapshot.fund_id).select_related("fund"))
    return list(GivingInfo.objects.filter(fund__campaigns=snapshot.campaign_id)
                .select_related("fund").order_by("fund__name"))


def public_json(snapshot: Snapshot) -> dict:
    """What the public JSON of a snapshot holds: the frozen figures and how to recompute
    them, nothing else."""
    return {"id": snapshot.pk, "title": snapshot.title,
            "published_at": snapshot.published_at.isoformat(),
            "period": {"start": snapshot.period_start.isoformat(),
                       "end": snapshot.period_end.isoformat()},
            "figures": snapshot.figures, "marks": snapshot.marks}


# ---------------------------------------------------------------------------- staff

def campaigns_for(user, action: str = "funds"):
    return restrict(Campaign.objects.all(), user, action)


def funds_for(user, action: str = "funds"):
    return restrict(Fund.objects.all(), user, action)


def snapshots_for(user, action: str = "funds"):
    return restrict(Snapshot.objects.select_related("campaign", "fund", "published_by",
                                                    "withdrawn_by"), user, action)


def preview(subject, start: date, end: date) -> dict:
    """The figures a snapshot published now would freeze (nothing is written)."""
    return figures.compute(subject, figures.current_marks(), start, end)


# ---------------------------------------------------------------------------- verification

@dataclass
class Verification:
    ok: bool
    differences: list[str] = field(default_factory=list)
    recomputed: dict | None = None


def _comparable(data: dict) -> dict:
    """The numbers of a snapshot: names and labels a later edit may change (a donor who asks
    to become anonymous, a renamed campaign) are not figures."""
    data = {k: v for k, v in data.items() if k != "subject"}
    data["donors"] = sorted((d["received"], d.get("in_kind", 0), d["pledged"])
                            for d in data.get("donors", []))
    return data


def _diff(path: str, published, recomputed, out: list[str]) -> None:
    if isinstance(published, dict) and isinstance(recomputed, dict):
        for key in sorted(set(published) | set(recomputed)):
            _diff(f"{path}.{key}" if path else key, published.get(key), recomputed.get(key),
                  out)
    elif (isinstance(published, list) and isinstance(recomputed, list)
          and len(published) == len(recomputed)):
        for i, (a, b) in enumerate(zip(published, recomputed, strict=True)):
            _diff(f"{path}[{i}]", a, b, out)
    elif published != recomputed:
        out.append(f"{path}: công bố {published!r}, tính lại {recomputed!r}")


def snapshot_verify(snapshot: Snapshot) -> Verification:
    """Recompute the snapshot's figures from the ledger up to its marks; they must match the
    published ones to the đồng."""
    marks = figures.Marks.from_json(snapshot.marks)
    recomputed = figures.compute(snapshot.subject, marks, snapshot.period_start,
                                 snapshot.period_end)
    # Through JSON and back, as the published figures were stored.
    recomputed = json.loads(json.dumps(recomputed))
    differences: list[str] = []
    _diff("", _comparable(snapshot.figures), _comparable(recomputed), differences)
    return Verification(ok=not differences, differences=differences, recomputed=recomputed)
