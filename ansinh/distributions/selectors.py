"""Reads of the distributions app, always through the area scoping.

Recipients are found set-wise: the criteria of a cycle become one query over the registry
(households' poverty status, persons' active entitlements, commune, age on the cycle's date),
which also names the criterion each recipient meets. What a list shows is a person's name,
year of birth, household and commune; the reason he qualified is shown only when it reveals
nothing protected, or to staff holding `sensitive` on his area.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ansinh.access.scoping import allows, restrict
from ansinh.enrolment.choices import Benefit
from ansinh.enrolment.models import Entitlement
from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import Poverty
from ansinh.registry.models import Household, Person
from ansinh.stock.choices import MovementKind
from ansinh.stock.models import StockLot, StockMovement

from .choices import (
    GROUP_CATEGORIES,
    SENSITIVE_BASES,
    Basis,
    CycleKind,
    LineStatus,
    SponsorshipEnd,
)
from .models import Cycle, PackageItem, Recipient, RecipientList, Sponsorship

# A public row with fewer recipients than this could point at a person.
PUBLIC_MIN_COUNT = 5
OTHER_COMMUNE = "Khác"
MASKED_BASIS = "Theo tiêu chí của đợt"
ACTIVE_LINE = ~Q(status=LineStatus.CANCELLED)


# ---------------------------------------------------------------------------- cycles

def cycle_list(user, action: str = "view") -> QuerySet[Cycle]:
    return restrict(Cycle.objects.select_related("campaign", "fund", "warehouse"), user, action)


def list_list(user, action: str = "view") -> QuerySet[RecipientList]:
    return restrict(RecipientList.objects.select_related("cycle"), user, action)


def cycle_counts(cycle: Cycle) -> dict:
    """Recipients per line status and the cash of the packages not cancelled."""
    rows = (Recipient.objects.filter(cycle=cycle).values("status")
            .annotate(n=Count("id"), cash=Coalesce(Sum("cash"), 0)))
    counts = {s: 0 for s in LineStatus.values}
    cash = 0
    for row in rows:
        counts[row["status"]] = row["n"]
        if row["status"] != LineStatus.CANCELLED:
            cash += row["cash"]
    places_left = None
    if cycle.places is not None:
        places_left = cycle.places - sum(n for s, n in counts.items()
                                         if s != LineStatus.CANCELLED)
    return {"by_status": counts, "cash": cash, "places_left": places_left,
            "active": sum(n for s, n in counts.items() if s != LineStatus.CANCELLED)}


# ---------------------------------------------------------------------------- criteria

def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _group_exists(group: str, person_ref: str = "pk") -> Exists:
    return Exists(Entitlement.objects.filter(
        person_id=OuterRef(person_ref), status=Entitlement.Status.ACTIVE,
        benefit=Benefit.MONTHLY_ALLOWANCE, category__in=GROUP_CATEGORIES[group]))


def _person_filter(criteria: dict, on: date, prefix: str = "") -> Q:
    """Age and group criteria of one person, as a Q (optionally through a relation)."""
    q = Q(**{f"{prefix}deceased_date__isnull": True})
    if criteria.get("age_min") is not None:
        q &= Q(**{f"{prefix}birth_date__lte": _years_before(on, criteria["age_min"])})
    if criteria.get("age_max") is not None:
        q &= Q(**{f"{prefix}birth_date__gt": _years_before(on, criteria["age_max"] + 1)})
    return q


def _area_filter(cycle: Cycle, criteria: dict) -> Q:
    q = Q(commune_id=cycle.commune_id) if cycle.commune_id else Q(province_id=cycle.province_id)
    if criteria.get("communes"):
        q &= Q(commune__code__in=criteria["communes"])
    return q


def _basis(groups: list[str], poverty_field: str) -> Case:
    whens = [When(**{f"g_{g}": True}, then=Value(str(g))) for g in groups]
    whens += [When(**{poverty_field: Poverty.POOR}, then=Value(str(Basis.POOR))),
              When(**{poverty_field: Poverty.NEAR_POOR}, then=Value(str(Basis.NEAR_POOR)))]
    return Case(*whens, default=Value(str(Basis.AREA)))


def person_candidates(user, cycle: Cycle) -> QuerySet[Person]:
    """Everyone in the cycle's area (and the user's) who meets its criteria, annotated with
    `basis`. One query; alive persons only."""
    criteria = cycle.criteria or {}
    groups = list(criteria.get("groups") or [])
    qs = restrict(Person.objects.all(), user, "view").filter(
        _area_filter(cycle, criteria), _person_filter(criteria, cycle.starts_on))
    if criteria.get("poverty"):
        qs = qs.filter(household__poverty_status__in=criteria["poverty"])
    if groups:
        qs = qs.annotate(**{f"g_{g}": _group_exists(g) for g in groups})
        any_group = Q()
        for g in groups:
            any_group |= Q(**{f"g_{g}": True})
        qs = qs.filter(any_group)
    return qs.annotate(basis=_basis(groups, "household__poverty_status"))


def household_candidates(user, cycle: Cycle) -> QuerySet[Household]:
    """Households in the cycle's area meeting its criteria; age and group criteria ask for a
    living member who meets them. Annotated with `basis`."""
    criteria = cycle.criteria or {}
    groups = list(criteria.get("groups") or [])
    qs = restrict(Household.objects.all(), user, "view").filter(_area_filter(cycle, criteria))
    if criteria.get("poverty"):
        qs = qs.filter(poverty_status__in=criteria["poverty"])
    members = Person.objects.filter(_person_filter(criteria, cycle.starts_on),
                                    household_id=OuterRef("pk"))
    if criteria.get("age_min") is not None or criteria.get("age_max") is not None:
        qs = qs.filter(Exists(members))
    if groups:
        qs = qs.annotate(**{f"g_{g}": Exists(members.filter(_group_exists(g)))
                            for g in groups})
        any_group = Q()
        for g in groups:
            any_group |= Q(**{f"g_{g}": True})
        qs = qs.filter(any_group)
    return qs.annotate(basis=_basis(groups, "poverty_status"))


def candidates(user, cycle: Cycle) -> QuerySet:
    return household_candidates(user, cycle) if cycle.per_household \
        else person_candidates(user, cycle)


def basis_of(user, cycle: Cycle, *, person=None, household=None) -> str | None:
    """The criterion this recipient meets, or None when he is outside the cycle's criteria."""
    target = household if cycle.per_household else person
    row = candidates(user, cycle).filter(pk=target.pk).values_list("basis", flat=True).first()
    return row


# ---------------------------------------------------------------------------- stock

def stock_available(warehouse_id: int, item_id: int, on: date | None = None) -> int:
    """Units of the item in the warehouse that may still be handed out (not expired)."""
    on = on or timezone.localdate()
    return (StockLot.objects.filter(warehouse_id=warehouse_id, item_id=item_id)
            .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=on))
            .aggregate(q=Coalesce(Sum("quantity"), 0))["q"])


def stock_reserved(warehouse_id: int, item_id: int) -> int:
    """Units promised to approved recipients not yet handed out, over every cycle drawing
    the item from the warehouse."""
    per_package = PackageItem.objects.filter(cycle_id=OuterRef("cycle_id"), item_id=item_id)
    return (Recipient.objects.filter(status=LineStatus.APPROVED,
                                     cycle__warehouse_id=warehouse_id,
                                     cycle__items__item_id=item_id)
            .annotate(q=Subquery(per_package.values("quantity")[:1],
                                 output_field=IntegerField()))
            .aggregate(total=Coalesce(Sum("q"), 0))["total"])


# ---------------------------------------------------------------------------- recipients

def recipient_list(user, cycle: Cycle | None = None) -> QuerySet[Recipient]:
    qs = restrict(Recipient.objects.select_related(
        "person", "household", "commune", "recipient_list", "cycle"), user, "view")
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.order_by("recipient_list__number", "commune__name", "person__sort_key", "pk")


def basis_label(user, line: Recipient) -> str:
    if line.basis in SENSITIVE_BASES and not allows(user, "sensitive", line):
        return MASKED_BASIS
    return line.get_basis_display()


def recipient_row(user, line: Recipient) -> dict:
    """What a list shows of a recipient: never a sensitive field, and the reason he
    qualified only when it is not sensitive (or the user holds `sensitive` there)."""
    person, household = line.person, line.household
    return {
        "id": line.pk, "list_id": line.recipient_list_id,
        "list_number": line.recipient_list.number,
        "person_id": person.pk if person else None,
        "name": person.full_name if person else "",
        "birth_year": person.birth_date.year if person and person.birth_date else None,
        "household_id": household.pk if household else None,
        "household_code": household.code if household else "",
        "commune_code": line.commune.code if line.commune else "",
        "commune_name": line.commune.name if line.commune else "",
        "basis": basis_label(user, line),
        "exception": bool(line.exception_reason),
        "exception_reason": (line.exception_reason
                             if line.basis not in SENSITIVE_BASES
                             or allows(user, "sensitive", line) else ""),
        "repeat": line.repeat, "cash": line.cash, "status": line.status,
        "status_label": line.get_status_display(),
        "handed_out_on": line.handed_out_on, "proof_kind": line.proof_kind,
        "has_photo": bool(line.proof_file),
    }


def recipient_rows(user, cycle: Cycle) -> list[dict]:
    return [recipient_row(user, line) for line in recipient_list(user, cycle)]


# ---------------------------------------------------------------------------- public totals

def public_totals(*, campaign=None, fund=None, until: date | None = None,
                  recorded_by: datetime | None = None) -> list[dict]:
    """What was handed out, per commune and kind of support: `{commune_code, commune_name,
    category, recipients, cash, goods_value}`, with no identities. `until` is the last day of
    hand-out counted; `recorded_by` leaves out hand-outs recorded after that moment, whatever
    day they carry (a published snapshot's figures stay reproducible).

    A commune with fewer than PUBLIC_MIN_COUNT recipients of a kind is merged into a
    "Khác" row of that kind; if even that row stays small, its `recipients` is None
    (suppressed) while its money stays in, so the totals still add up to the ledger."""
    lines = Recipient.objects.filter(status=LineStatus.HANDED_OUT)
    if campaign is not None:
        lines = lines.filter(cycle__campaign=campaign)
    if fund is not None:
        lines = lines.filter(cycle__fund=fund)
    if until is not None:
        lines = lines.filter(handed_out_on__lte=until)
    if recorded_by is not None:
        lines = lines.filter(handed_out_at__lte=recorded_by)
    goods = (StockMovement.objects.filter(kind=MovementKind.ISSUE,
                                          distribution_line_id=OuterRef("pk"))
             .values("distribution_line_id").annotate(v=Sum("value")).values("v"))
    rows = (lines.annotate(goods=Coalesce(Subquery(goods), 0))
            .values("commune_id", "cycle__kind")
            .annotate(recipients=Count("id"), cash=Coalesce(Sum("cash"), 0),
                      goods_value=Coalesce(Sum("goods"), 0))
            .order_by("commune_id", "cycle__kind"))
    names = dict(CycleKind.choices)
    units = {u.pk: u for u in AdminUnit.objects.filter(
        pk__in={r["commune_id"] for r in rows if r["commune_id"]})}
    shown, other = [], {}
    for r in rows:
        category = names.get(r["cycle__kind"], r["cycle__kind"])
        if r["recipients"] < PUBLIC_MIN_COUNT or r["commune_id"] not in units:
            o = other.setdefault(category, {"commune_code": "", "commune_name": OTHER_COMMUNE,
                                            "category": category, "recipients": 0, "cash": 0,
                                            "goods_value": 0})
            for k in ("recipients", "cash", "goods_value"):
                o[k] += r[k]
            continue
        unit = units[r["commune_id"]]
        shown.append({"commune_code": unit.code, "commune_name": unit.name,
                      "category": category, "recipients": r["recipients"], "cash": r["cash"],
                      "goods_value": r["goods_value"]})
    shown.sort(key=lambda r: (r["commune_name"], r["category"]))
    for o in sorted(other.values(), key=lambda r: r["category"]):
        if o["recipients"] < PUBLIC_MIN_COUNT:
            o["recipients"] = None
        shown.append(o)
    return shown


# ---------------------------------------------------------------------------- sponsorships

SPONSORSHIP_ACTIVE = "active"
SPONSORSHIP_STATES = {
    SPONSORSHIP_ACTIVE: "Đang đỡ đầu",
    SponsorshipEnd.GRADUATED: SponsorshipEnd.GRADUATED.label,
    SponsorshipEnd.STOPPED: SponsorshipEnd.STOPPED.label,
}
POOR_STATUSES = (Poverty.POOR, Poverty.NEAR_POOR)


def sponsorship_list(user, *, donor=None, household=None) -> QuerySet[Sponsorship]:
    """Sponsorships in the user's area, each with `state`: running while the household is
    still poor or near-poor in the registry; graduated as soon as it is not (even before
    `sponsorships_follow_up` stamps the end date); stopped when the donor stopped."""
    qs = restrict(Sponsorship.objects.select_related("donor", "household", "commune"),
                  user, "view")
    if donor is not None:
        qs = qs.filter(donor=donor)
    if household is not None:
        qs = qs.filter(household=household)
    return qs.annotate(state=Case(
        When(ended_on__isnull=False, then=F("end_reason")),
        When(household__poverty_status__in=POOR_STATUSES, then=Value(SPONSORSHIP_ACTIVE)),
        default=Value(str(SponsorshipEnd.GRADUATED))))


def sponsorships_by_donor(user) -> list[dict]:
    """Per donor: running, graduated and stopped sponsorships."""
    rows = (sponsorship_list(user).values("donor_id", "donor__name")
            .annotate(running=Count("id", filter=Q(state=SPONSORSHIP_ACTIVE)),
                      graduated=Count("id", filter=Q(state=SponsorshipEnd.GRADUATED)),
                      stopped=Count("id", filter=Q(state=SponsorshipEnd.STOPPED)))
            .order_by("donor__name", "donor_id"))
    return list(rows)
