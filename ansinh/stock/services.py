"""Writes of the stock app. Every movement is checked for area and role, validated with a
message naming the field, written in one transaction together with the lot it changes, and
audited.

Stock never goes negative. Outgoing movements lock the item's lots in the warehouse
(`select_for_update`) before reading them, and then take from each lot with a conditional
`UPDATE … WHERE quantity >= n`: the lock makes two concurrent hand-outs queue on PostgreSQL,
and the condition is the last word on any database (on SQLite, whose writers are serialised
by `BEGIN IMMEDIATE`, it is the only one needed).

Perishable goods leave first-expiry-first-out, and an expired lot is never handed out or
transferred: it can only be written off.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ansinh.access.scoping import allows, require, scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record

from .choices import Category, MovementKind, PointKind, ReceiptSource, Unit, WriteOffReason
from .models import Item, StockLot, StockMovement, Warehouse

ACTION = "funds"


# --- catalogue ------------------------------------------------------------------------------


def item_create(user, *, name: str, unit: str, category: str, perishable: bool = False) -> Item:
    """Add an item to the shared catalogue (any fund staff may; items carry no area)."""
    if scope_for(user, ACTION).empty:
        raise PermissionDenied("Bạn không có quyền quản lý hàng hóa của quỹ.")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Tên mặt hàng không được để trống."
    if unit not in Unit.values:
        errors["unit"] = "Đơn vị tính không hợp lệ."
    if category not in Category.values:
        errors["category"] = "Nhóm hàng không hợp lệ."
    if not errors and Item.objects.filter(name__iexact=name, unit=unit).exists():
        errors["name"] = "Mặt hàng này (cùng tên và đơn vị tính) đã có."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = Item.objects.create(name=name, unit=unit, category=category,
                                   perishable=bool(perishable))
        audit_record(AuditAction.CREATE, item, changes={
            "name": name, "unit": unit, "category": category, "perishable": item.perishable})
    return item


def warehouse_create(user, *, name: str, commune=None, province=None,
                     kind: str = PointKind.WAREHOUSE, address: str = "") -> Warehouse:
    """A warehouse or distribution point in a commune, or (commune=None) at province level."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Tên kho/điểm phát không được để trống."
    if kind not in PointKind.values:
        errors["kind"] = "Loại kho/điểm phát không hợp lệ."
    if commune is not None:
        if province is not None and commune.province_id != province.pk:
            errors["commune"] = "Xã/phường không thuộc tỉnh/thành phố đã chọn."
        province_id = commune.province_id
    elif province is not None:
        province_id = province.pk
    else:
        errors["province"] = "Phải chọn xã/phường hoặc tỉnh/thành phố của kho."
        province_id = None
    if errors:
        raise ValidationError(errors)
    if not scope_for(user, ACTION).covers(getattr(commune, "pk", None), province_id):
        raise PermissionDenied("Bạn không có quyền lập kho trên địa bàn này.")
    with transaction.atomic():
        warehouse = Warehouse.objects.create(
            name=name, kind=kind, address=(address or "").strip(), commune=commune,
            province_id=province_id)
        audit_record(AuditAction.CREATE, warehouse, changes={
            "name": name, "kind": kind, "commune": getattr(commune, "pk", None),
            "province": province_id})
    return warehouse


# --- validation helpers -----------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _check_quantity(quantity, errors: dict, field: str = "quantity") -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        errors[field] = "Số lượng phải là số nguyên."
    elif quantity <= 0:
        errors[field] = "Số lượng phải lớn hơn 0."


def _check_day(day, errors: dict, field: str) -> None:
    if not isinstance(day, date):
        errors[field] = "Ngày không hợp lệ."
    elif day > _today():
        errors[field] = "Ngày không được sau ngày hôm nay."


def _check_warehouse(user, warehouse: Warehouse, errors: dict, field: str = "warehouse") -> None:
    require(user, ACTION, warehouse)
    if not warehouse.active:
        errors[field] = "Kho/điểm phát đã ngừng hoạt động."


def _movement(kind, warehouse: Warehouse, item: Item, user, **fields) -> StockMovement:
    movement = StockMovement.objects.create(
        kind=kind, warehouse=warehouse, item=item, commune_id=warehouse.commune_id,
        province_id=warehouse.province_id, created_by=user if user.is_authenticated else None,
        **fields)
    audit_record(AuditAction.CREATE, movement, changes={
        "kind": kind, "warehouse": warehouse.pk, "item": item.pk,
        "quantity": movement.quantity, "value": movement.value,
        "expiry_date": movement.expiry_date, "occurred_on": movement.occurred_on,
        **{k: str(v) if k == "transfer_key" else v for k, v in fields.items()
           if k in ("source", "donor_name", "source_receipt_line_id", "counterpart",
                    "transfer_key", "distribution_line_id", "write_off_reason", "note")
           and v not in (None, "")},
        **({"recipient": fields["recipient"].pk} if fields.get("recipient") else {}),
    })
    return movement


def _add(warehouse: Warehouse, item: Item, expiry_date, quantity: int, value: int) -> None:
    lot, _ = StockLot.objects.get_or_create(
        warehouse=warehouse, item=item, expiry_date=expiry_date,
        defaults={"commune_id": warehouse.commune_id, "province_id": warehouse.province_id})
    StockLot.objects.filter(pk=lot.pk).update(quantity=F("quantity") + quantity,
                                              value=F("value") + value)


def _lock(warehouse_ids: list[int], item: Item) -> None:
    """Lock the item's lots in these warehouses, always in the same order, so that two
    transfers in opposite directions queue instead of deadlocking."""
    list(StockLot.objects.select_for_update()
         .filter(warehouse_id__in=sorted(warehouse_ids), item=item)
         .order_by("warehouse_id", "id").values_list("id", flat=True))


@dataclass(frozen=True)
class Take:
    expiry_date: date | None
    quantity: int
    value: int


def _take(warehouse: Warehouse, item: Item, quantity: int, *, on: date, expiry_date=None,
          allow_expired: bool = False, field: str = "quantity") -> list[Take]:
    """Take `quantity` from the warehouse's lots of `item` (already locked): one lot if
    `expiry_date` is given, otherwise the earliest expiry first and undated goods last. The
    value leaves in proportion, and all of it with the last unit, so no đồng is stranded."""
    lots = StockLot.objects.filter(warehouse=warehouse, item=item, quantity__gt=0)
    if expiry_date is not None:
        lots = lots.filter(expiry_date=expiry_date)
    if not allow_expired:
        lots = lots.filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=on))
    lots = list(lots.order_by(F("expiry_date").asc(nulls_last=True), "id"))
    available = sum(lot.quantity for lot in lots)
    if available < quantity:
        raise ValidationError({field: (
            f"Không đủ hàng trong kho: còn {available} {item.get_unit_display()} "
            f"{item.name} có thể xuất, yêu cầu {quantity}.")})
    takes, left = [], quantity
    for lot in lots:
        if left == 0:
            break
        n = min(left, lot.quantity)
        value = lot.value if n == lot.quantity else lot.value * n // lot.quantity
        updated = StockLot.objects.filter(pk=lot.pk, quantity__gte=n, value__gte=value).update(
            quantity=F("quantity") - n, value=F("value") - value)
        if updated != 1:  # someone else took it between our read and our write
            raise ValidationError({field: "Hàng trong kho vừa thay đổi; hãy thử lại."})
        takes.append(Take(lot.expiry_date, n, value))
        left -= n
    return takes


# --- movements -------------------------------------------------------------------------------


def stock_receive(user, *, warehouse: Warehouse, item: Item, quantity: int, unit_value: int = 0,
                  received_on: date | None = None, expiry_date: date | None = None,
                  source: str = ReceiptSource.DONATION, donor_name: str = "",
                  source_receipt_line_id: int | None = None, note: str = "") -> StockMovement:
    """Goods come into a warehouse: a donor's in-kind gift, a purchase, a budget allocation."""
    received_on = received_on or _today()
    errors: dict = {}
    _check_warehouse(user, warehouse, errors)
    _check_quantity(quantity, errors)
    _check_day(received_on, errors, "received_on")
    if isinstance(unit_value, bool) or not isinstance(unit_value, int) or unit_value < 0:
        errors["unit_value"] = "Đơn giá phải là số nguyên đồng, không âm."
    if source not in ReceiptSource.values:
        errors["source"] = "Nguồn hàng không hợp lệ."
    if item.perishable and expiry_date is None:
        errors["expiry_date"] = "Mặt hàng có hạn sử dụng: phải nhập hạn sử dụng."
    elif expiry_date is not None and expiry_date < _today():
        errors["expiry_date"] = "Hạn sử dụng đã qua: không nhập kho hàng hết hạn."
    donor_name = (donor_name or "").strip()
    if source == ReceiptSource.DONATION and not donor_name and source_receipt_line_id is None:
        errors["donor_name"] = "Hàng tài trợ phải ghi tên nhà tài trợ."
    if errors:
        raise ValidationError(errors)
    value = quantity * unit_value
    with transaction.atomic():
        _add(warehouse, item, expiry_date, quantity, value)
        return _movement(
            MovementKind.RECEIVE, warehouse, item, user, quantity=quantity,
            unit_value=unit_value, value=value, expiry_date=expiry_date,
            occurred_on=received_on, source=source, donor_name=donor_name,
            source_receipt_line_id=source_receipt_line_id, note=(note or "").strip())


def stock_transfer(user, *, source: Warehouse, destination: Warehouse, item: Item,
                   quantity: int, transferred_on: date | None = None,
                   expiry_date: date | None = None, note: str = "") -> list[StockMovement]:
    """Move goods between warehouses. Each lot taken gives one movement out and one in,
    sharing a `transfer_key`; returns them as [out, in, out, in, …]. The user needs the
    `funds` right on both ends: goods must not appear in a warehouse its staff cannot see
    coming."""
    transferred_on = transferred_on or _today()
    errors: dict = {}
    _check_warehouse(user, source, errors, "source")
    _check_warehouse(user, destination, errors, "destination")
    _check_quantity(quantity, errors)
    _check_day(transferred_on, errors, "transferred_on")
    if source.pk == destination.pk:
        errors["destination"] = "Kho nhận phải khác kho xuất."
    if errors:
        raise ValidationError(errors)
    key = uuid.uuid4()
    note = (note or "").strip()
    movements = []
    with transaction.atomic():
        _lock([source.pk, destination.pk], item)
        for take in _take(source, item, quantity, on=transferred_on, expiry_date=expiry_date):
            _add(destination, item, take.expiry_date, take.quantity, take.value)
            common = {"quantity": take.quantity, "value": take.value,
                      "unit_value": take.value // take.quantity,
                      "expiry_date": take.expiry_date, "occurred_on": transferred_on,
                      "transfer_key": key, "note": note}
            movements.append(_movement(MovementKind.TRANSFER_OUT, source, item, user,
                                       counterpart=destination, **common))
            movements.append(_movement(MovementKind.TRANSFER_IN, destination, item, user,
                                       counterpart=source, **common))
    return movements


def stock_issue(user, *, warehouse: Warehouse, item: Item, quantity: int, recipient=None,
                issued_on: date | None = None, distribution_line_id: int | None = None,
                expiry_date: date | None = None, note: str = "") -> list[StockMovement]:
    """Hand goods out to a person of the registry (one movement per lot drawn, usually one).
    A hand-out recorded by the future distributions module may name its line instead of the
    person."""
    issued_on = issued_on or _today()
    errors: dict = {}
    _check_warehouse(user, warehouse, errors)
    _check_quantity(quantity, errors)
    _check_day(issued_on, errors, "issued_on")
    if recipient is None and distribution_line_id is None:
        errors["recipient"] = "Phải chọn người nhận."
    elif recipient is not None and not allows(user, "view", recipient):
        # Fund staff pick recipients only from the registry of their own area.
        raise PermissionDenied("Người nhận ở ngoài địa bàn của bạn.")
    if errors:
        raise ValidationError(errors)
    note = (note or "").strip()
    with transaction.atomic():
        _lock([warehouse.pk], item)
        return [
            _movement(MovementKind.ISSUE, warehouse, item, user, quantity=take.quantity,
                      value=take.value, unit_value=take.value // take.quantity,
                      expiry_date=take.expiry_date, occurred_on=issued_on,
                      recipient=recipient, distribution_line_id=distribution_line_id,
                      note=note)
            for take in _take(warehouse, item, quantity, on=issued_on, expiry_date=expiry_date)
        ]


def stock_write_off(user, *, warehouse: Warehouse, item: Item, quantity: int, reason: str,
                    written_off_on: date | None = None, expiry_date: date | None = None,
                    note: str = "") -> list[StockMovement]:
    """Take expired, damaged or missing goods off the books. Expired lots can only leave this
    way; without `expiry_date` the earliest-expiring goods go first."""
    written_off_on = written_off_on or _today()
    errors: dict = {}
    _check_warehouse(user, warehouse, errors)
    _check_quantity(quantity, errors)
    _check_day(written_off_on, errors, "written_off_on")
    if reason not in WriteOffReason.values:
        errors["reason"] = "Phải chọn lý do xuất hủy."
    note = (note or "").strip()
    if reason == WriteOffReason.OTHER and not note:
        errors["note"] = "Lý do khác: phải ghi rõ lý do xuất hủy."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock([warehouse.pk], item)
        return [
            _movement(MovementKind.WRITE_OFF, warehouse, item, user, quantity=take.quantity,
                      value=take.value, unit_value=take.value // take.quantity,
                      expiry_date=take.expiry_date, occurred_on=written_off_on,
                      write_off_reason=reason, note=note)
            for take in _take(warehouse, item, quantity, on=written_off_on,
                              expiry_date=expiry_date, allow_expired=True)
        ]
