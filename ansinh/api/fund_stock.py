"""/funds/stock — the fund's in-kind goods: the item catalogue, warehouses and distribution
points, balances, the movement ledger, and the four movements (receive, transfer, hand out,
write off). Stock never goes negative: asking for more than a warehouse holds is 422 on
`quantity` and nothing moves.
"""

from django.http import HttpRequest
from ninja import Query, Router, Status

from ansinh.access.scoping import can
from ansinh.registry.selectors import persons_for
from ansinh.stock import selectors, services
from ansinh.stock.models import Item, StockMovement, Warehouse

from .common import Limit, Offset, PathId, get_in_area, paginate
from .errors import ApiError, error_responses
from .funds import lookup, resolve_area, service_errors
from .schemas.funds import (
    ItemCreate,
    ItemOut,
    ItemPage,
    MovementFilters,
    MovementList,
    MovementOut,
    MovementPage,
    StockBalanceFilters,
    StockBalancePage,
    StockIssueIn,
    StockReceiveIn,
    StockTransferIn,
    StockWriteOffIn,
    WarehouseCreate,
    WarehouseOut,
    WarehousePage,
)

router = Router(tags=["Kho hàng hiện vật"])
ERRORS = error_responses()


def _codes(obj) -> dict:
    return {"commune_code": obj.commune.code if obj.commune_id else None,
            "province_code": obj.province.code}


# ---- items ---------------------------------------------------------------------------------

def item_out(i: Item) -> dict:
    return {"id": i.pk, "name": i.name, "unit": i.unit, "unit_label": i.get_unit_display(),
            "category": i.category, "perishable": i.perishable, "active": i.active}


def _items(request: HttpRequest, active_only: bool = False):
    # The catalogue carries no area; it is shown to anyone who may view records somewhere.
    if not can(request.auth, "view"):
        raise ApiError(403, "Bạn không có quyền xem danh mục hàng hóa.")
    return selectors.item_list(active_only=active_only)


@router.get("/items", response={200: ItemPage, **ERRORS}, summary="Danh mục mặt hàng")
def list_items(request: HttpRequest, active_only: bool = True, limit: Limit = 50,
               offset: Offset = 0):
    qs = _items(request, active_only).order_by("name", "unit", "id")
    return paginate(request, qs, limit, offset, lambda rows: [item_out(i) for i in rows])


@router.get("/items/{item_id}", response={200: ItemOut, **ERRORS}, summary="Xem mặt hàng")
def get_item(request: HttpRequest, item_id: PathId):
    return item_out(get_in_area(_items(request), item_id, "mặt hàng"))


@router.post("/items", response={201: ItemOut, **ERRORS}, summary="Thêm mặt hàng")
def create_item(request: HttpRequest, payload: ItemCreate):
    """Fund staff only (403). The same name and unit twice is 422 on `name`."""
    with service_errors():
        item = services.item_create(request.auth, **payload.model_dump())
    return Status(201, item_out(item))


# ---- warehouses ----------------------------------------------------------------------------

def _warehouses(user):
    return selectors.warehouse_list(user)


def warehouse_out(w: Warehouse) -> dict:
    return {"id": w.pk, "name": w.name, "kind": w.kind, "address": w.address,
            "active": w.active, **_codes(w)}


@router.get("/warehouses", response={200: WarehousePage, **ERRORS},
            summary="Kho và điểm phát")
def list_warehouses(request: HttpRequest, limit: Limit = 50, offset: Offset = 0):
    qs = _warehouses(request.auth).order_by("name", "id")
    return paginate(request, qs, limit, offset, lambda rows: [warehouse_out(w) for w in rows])


@router.get("/warehouses/{warehouse_id}", response={200: WarehouseOut, **ERRORS},
            summary="Xem kho/điểm phát")
def get_warehouse(request: HttpRequest, warehouse_id: PathId):
    return warehouse_out(get_in_area(_warehouses(request.auth), warehouse_id, "kho"))


@router.post("/warehouses", response={201: WarehouseOut, **ERRORS},
             summary="Lập kho hoặc điểm phát")
def create_warehouse(request: HttpRequest, payload: WarehouseCreate):
    """In a commune (`commune_code`) or at province level (`province_code` only)."""
    area = resolve_area(payload)
    is_commune = area.level == "commune"
    with service_errors():
        warehouse = services.warehouse_create(
            request.auth, name=payload.name, kind=payload.kind, address=payload.address,
            commune=area if is_commune else None, province=area.province if is_commune else area)
    return Status(201, warehouse_out(_warehouses(request.auth).get(pk=warehouse.pk)))


# ---- balances and movements ----------------------------------------------------------------

def balance_out(row: dict) -> dict:
    return {"warehouse_id": row["warehouse_id"], "warehouse_name": row["warehouse__name"],
            "item_id": row["item_id"], "item_name": row["item__name"],
            "unit": row["item__unit"], "quantity": row["quantity"], "value": row["value"]}


@router.get("/balances", response={200: StockBalancePage, **ERRORS},
            summary="Tồn kho theo kho và mặt hàng")
def balances(request: HttpRequest, filters: Query[StockBalanceFilters], limit: Limit = 50,
             offset: Offset = 0):
    """Quantity and book value (đồng) of each item in each warehouse of the caller's area."""
    user = request.auth
    warehouse = (get_in_area(_warehouses(user), filters.warehouse_id, "kho")
                 if filters.warehouse_id else None)
    item = (get_in_area(_items(request), filters.item_id, "mặt hàng")
            if filters.item_id else None)
    qs = selectors.balance_list(user, warehouse=warehouse, item=item)
    return paginate(request, qs, limit, offset, lambda rows: [balance_out(r) for r in rows])


def movement_out(m: StockMovement) -> dict:
    return {"id": m.pk, "kind": m.kind, "warehouse_id": m.warehouse_id, "item_id": m.item_id,
            "item_name": m.item.name, "quantity": m.quantity, "unit_value": m.unit_value,
            "value": m.value, "expiry_date": m.expiry_date, "occurred_on": m.occurred_on,
            "note": m.note, "source": m.source, "donor_name": m.donor_name,
            "counterpart_id": m.counterpart_id,
            "transfer_key": str(m.transfer_key) if m.transfer_key else None,
            "recipient_id": m.recipient_id, "write_off_reason": m.write_off_reason,
            "created_by": m.created_by.get_username() if m.created_by_id else None,
            "created_at": m.created_at}


def _movements(user):
    return selectors.movement_list(user).select_related("created_by")


@router.get("/movements", response={200: MovementPage, **ERRORS},
            summary="Sổ nhập – xuất kho")
def list_movements(request: HttpRequest, filters: Query[MovementFilters], limit: Limit = 50,
                   offset: Offset = 0):
    """Newest first. `kind`: receive | transfer_out | transfer_in | issue | write_off."""
    f = filters
    qs = _movements(request.auth)
    if f.warehouse_id:
        qs = qs.filter(warehouse_id=f.warehouse_id)
    if f.item_id:
        qs = qs.filter(item_id=f.item_id)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.since:
        qs = qs.filter(occurred_on__gte=f.since)
    if f.until:
        qs = qs.filter(occurred_on__lte=f.until)
    return paginate(request, qs.order_by("-occurred_on", "-id"), limit, offset,
                    lambda rows: [movement_out(m) for m in rows])


@router.get("/movements/{movement_id}", response={200: MovementOut, **ERRORS},
            summary="Xem một phiếu nhập/xuất")
def get_movement(request: HttpRequest, movement_id: PathId):
    return movement_out(get_in_area(_movements(request.auth), movement_id, "phiếu nhập/xuất"))


def _created(user, movements: list[StockMovement]) -> Status:
    rows = _movements(user).filter(pk__in=[m.pk for m in movements]).order_by("id")
    return Status(201, {"items": [movement_out(m) for m in rows]})


def _warehouse(user, pk: int, field: str) -> Warehouse:
    return lookup(_warehouses(user), pk, field, "kho/điểm phát")


def _item(request, pk: int) -> Item:
    return lookup(_items(request), pk, "item_id", "mặt hàng")


@router.post("/receive", response={201: MovementList, **ERRORS}, summary="Nhập kho")
def receive(request: HttpRequest, payload: StockReceiveIn):
    """A donor's gift in kind (`donor_name` required for `source: donation`), a purchase or a
    budget allocation. A perishable item needs `expiry_date`, which may not be past."""
    user = request.auth
    with service_errors():
        movement = services.stock_receive(
            user, warehouse=_warehouse(user, payload.warehouse_id, "warehouse_id"),
            item=_item(request, payload.item_id), quantity=payload.quantity,
            unit_value=payload.unit_value, received_on=payload.received_on,
            expiry_date=payload.expiry_date, source=payload.source,
            donor_name=payload.donor_name, note=payload.note)
    return _created(user, [movement])


@router.post("/transfer", response={201: MovementList, **ERRORS},
             summary="Điều chuyển giữa các kho")
def transfer(request: HttpRequest, payload: StockTransferIn):
    """Needs *funds* on both warehouses (403). One movement out and one in per lot taken,
    sharing a `transfer_key`; expired lots never move (write them off)."""
    user = request.auth
    with service_errors(rename={"source": "source_id", "destination": "destination_id"}):
        movements = services.stock_transfer(
            user, source=_warehouse(user, payload.source_id, "source_id"),
            destination=_warehouse(user, payload.destination_id, "destination_id"),
            item=_item(request, payload.item_id), quantity=payload.quantity,
            transferred_on=payload.transferred_on, expiry_date=payload.expiry_date,
            note=payload.note)
    return _created(user, movements)


@router.post("/issue", response={201: MovementList, **ERRORS},
             summary="Phát hàng cho người nhận")
def issue(request: HttpRequest, payload: StockIssueIn):
    """To a person of the registry in the caller's area (422 on `person_id` otherwise),
    earliest expiry first."""
    user = request.auth
    person = lookup(persons_for(user, "view"), payload.person_id, "person_id", "người")
    with service_errors():
        movements = services.stock_issue(
            user, warehouse=_warehouse(user, payload.warehouse_id, "warehouse_id"),
            item=_item(request, payload.item_id), quantity=payload.quantity, recipient=person,
            issued_on=payload.issued_on, expiry_date=payload.expiry_date, note=payload.note)
    return _created(user, movements)


@router.post("/write-off", response={201: MovementList, **ERRORS}, summary="Xuất hủy")
def write_off(request: HttpRequest, payload: StockWriteOffIn):
    """Expired, damaged or lost goods; `reason: other` needs a `note`."""
    user = request.auth
    with service_errors():
        movements = services.stock_write_off(
            user, warehouse=_warehouse(user, payload.warehouse_id, "warehouse_id"),
            item=_item(request, payload.item_id), quantity=payload.quantity,
            reason=payload.reason, written_off_on=payload.written_off_on,
            expiry_date=payload.expiry_date, note=payload.note)
    return _created(user, movements)
