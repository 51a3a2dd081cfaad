"""Reads of the stock app. Everything a user sees passes through `restrict`; the totals for
the public transparency page are aggregates by item and area and never carry a recipient."""

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ansinh.access.scoping import restrict

from .choices import MovementKind
from .models import Item, StockLot, StockMovement, Warehouse


def item_list(*, active_only: bool = True) -> QuerySet[Item]:
    qs = Item.objects.all()
    return qs.filter(active=True) if active_only else qs


def warehouse_list(user, action: str = "view") -> QuerySet[Warehouse]:
    return restrict(Warehouse.objects.select_related("commune", "province"), user, action)


def balance_list(user, *, warehouse: Warehouse | None = None, item: Item | None = None,
                 include_empty: bool = False) -> QuerySet:
    """Per warehouse and item: quantity and value (đồng), summed over the lots. Rows are dicts
    with warehouse_id, warehouse__name, item_id, item__name, item__unit, quantity, value."""
    qs = restrict(StockLot.objects.all(), user, "view")
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if item is not None:
        qs = qs.filter(item=item)
    qs = (qs.values("warehouse_id", "warehouse__name", "item_id", "item__name", "item__unit")
          .annotate(quantity=Sum("quantity"), value=Sum("value"))
          .order_by("warehouse__name", "item__name", "item_id"))
    return qs if include_empty else qs.filter(quantity__gt=0)


def balance_of(user, warehouse: Warehouse, item: Item) -> tuple[int, int]:
    """(quantity, value) of one item in one warehouse the user may see; (0, 0) otherwise."""
    row = (restrict(StockLot.objects.filter(warehouse=warehouse, item=item), user, "view")
           .aggregate(quantity=Coalesce(Sum("quantity"), 0), value=Coalesce(Sum("value"), 0)))
    return row["quantity"], row["value"]


def movement_list(user, *, warehouse: Warehouse | None = None, item: Item | None = None,
                  kind: str | None = None, since: date | None = None,
                  until: date | None = None) -> QuerySet[StockMovement]:
    """The stock ledger, newest first."""
    qs = restrict(StockMovement.objects.select_related("warehouse", "item", "counterpart"),
                  user, "view")
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if item is not None:
        qs = qs.filter(item=item)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if since is not None:
        qs = qs.filter(occurred_on__gte=since)
    if until is not None:
        qs = qs.filter(occurred_on__lte=until)
    return qs


def lots_expiring(user, *, days: int = 30, today: date | None = None) -> QuerySet[StockLot]:
    """Lots still in stock whose expiry date falls within `days` days, soonest first. Lots
    already past their date are included: they are waiting to be written off."""
    today = today or timezone.localdate()
    return (restrict(StockLot.objects.select_related("warehouse", "item"), user, "view")
            .filter(quantity__gt=0, expiry_date__isnull=False,
                    expiry_date__lte=today + timedelta(days=days))
            .order_by("expiry_date", "warehouse__name", "item__name"))


def _period_totals(start: date, end: date, province=None, commune=None) -> QuerySet:
    qs = StockMovement.objects.filter(
        occurred_on__gte=start, occurred_on__lte=end,
        kind__in=[MovementKind.RECEIVE, MovementKind.ISSUE, MovementKind.WRITE_OFF])
    if province is not None:
        qs = qs.filter(province=province)
    if commune is not None:
        qs = qs.filter(commune=commune)
    return qs


_TOTALS = {
    "received_quantity": Coalesce(Sum("quantity", filter=Q(kind=MovementKind.RECEIVE)), 0),
    "received_value": Coalesce(Sum("value", filter=Q(kind=MovementKind.RECEIVE)), 0),
    "issued_quantity": Coalesce(Sum("quantity", filter=Q(kind=MovementKind.ISSUE)), 0),
    "issued_value": Coalesce(Sum("value", filter=Q(kind=MovementKind.ISSUE)), 0),
    "hand_outs": Count("id", filter=Q(kind=MovementKind.ISSUE)),
    "written_off_quantity": Coalesce(Sum("quantity", filter=Q(kind=MovementKind.WRITE_OFF)), 0),
}


def totals_per_item(*, start: date, end: date, province=None, commune=None) -> list[dict]:
    """Received, handed out and written off per item over [start, end], for the public
    transparency page. Transfers are internal and left out. Only aggregates leave here."""
    return list(_period_totals(start, end, province, commune)
                .values("item_id", "item__name", "item__unit")
                .annotate(**_TOTALS).order_by("item__name", "item_id"))


def totals_per_commune(*, start: date, end: date, province=None) -> list[dict]:
    """The same totals per commune of the warehouse and item; goods moved at a province-level
    warehouse appear with commune_id None."""
    return list(_period_totals(start, end, province)
                .values("province_id", "commune_id", "commune__name", "item_id", "item__name",
                        "item__unit")
                .annotate(**_TOTALS).order_by("province_id", "commune__name", "item__name"))
