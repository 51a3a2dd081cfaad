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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.access.scoping import allows, require, scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_bulk, audit_record, audit_row

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
        errors["name"] = _("Tên mặt hàng không được để trống.")
    if unit not in Unit.values:
        errors["unit"] = _("Đơn vị tính không hợp lệ.")
    if category not in Category.values:
        errors["category"] = _("Nhóm hàng không hợp lệ.")
    if not errors and Item.objects.filter(name__iexact=name, unit=unit).exists():
        errors["name"] = _("Mặt hàng này (cùng tên và đơn vị tính) đã có.")
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
        errors["name"] = _("Tên kho/điểm phát không được để trống.")
    if kind not in PointKind.values:
        errors["kind"] = _("Loại kho/điểm phát không hợp lệ.")
    if commune is not None:
        if province is not None and commune.province_id != province.pk:
            errors["commune"] = _("Xã/phường không thuộc tỉnh/thành phố đã chọn.")
        province_id = commune.province_id
    elif province is not None:
        province_id = province.pk
    else:
        errors["province"] = _("Phải chọn xã/phường hoặc tỉnh/thành phố của kho.")
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
        errors[field] = _("Số lượng phải là số nguyên.")
    elif quantity <= 0:
        errors[field] = _("Số lượng phải lớn hơn 0.")


def _check_day(day, errors: dict, field: str) -> None:
    if not isinstance(day, date):
        errors[field] = _("Ngày không hợp lệ.")
    elif day > _today():
        errors[field] = _("Ngày không được sau ngày hôm nay.")


def _check_warehouse(user, warehouse: Warehouse, errors: dict, field: str = "warehouse") -> None:
    require(user, ACTION, warehouse)
    if not warehouse.active:
        errors[field] = _("Kho/điểm phát đã ngừng hoạt động.")


def _check_issue(user, quantity, recipient, distribution_line_id, errors: dict) -> None:
    _check_quantity(quantity, errors)
    if recipient is None and distribution_line_id is None:
        errors["recipient"] = _("Phải chọn người nhận.")
    elif recipient is not None and not allows(user, "view", recipient):
        # Fund staff pick recipients only from the registry of their own area.
        raise PermissionDenied("Người nhận ở ngoài địa bàn của bạn.")


def _issue_fields(take, issued_on: date, recipient, distribution_line_id, note: str) -> dict:
    """The fields of the issue movement of one lot drawn (`Take`)."""
    return {"quantity": take.quantity, "value": take.value,
            "unit_value": take.value // take.quantity, "expiry_date": take.expiry_date,
            "occurred_on": issued_on, "recipient": recipient,
            "distribution_line_id": distribution_line_id, "note": note}


def _unsaved_movement(kind, warehouse: Warehouse, item: Item, user,
                      **fields) -> StockMovement:
    return StockMovement(
        kind=kind, warehouse=warehouse, item=item, commune_id=warehouse.commune_id,
        province_id=warehouse.province_id, created_by=user if user.is_authenticated else None,
        **fields)


def _movement_audit(movement: StockMovement, fields: dict):
    """The creation audit row of a saved movement (unsaved itself), `fields` being the
    keyword arguments it was built with."""
    return audit_row(AuditAction.CREATE, movement, changes={
        "kind": movement.kind, "warehouse": movement.warehouse_id, "item": movement.item_id,
        "quantity": movement.quantity, "value": movement.value,
        "expiry_date": movement.expiry_date, "occurred_on": movement.occurred_on,
        **{k: str(v) if k == "transfer_key" else v for k, v in fields.items()
           if k in ("source", "donor_name", "source_receipt_line_id", "counterpart",
                    "transfer_key", "distribution_line_id", "write_off_reason", "note")
           and v not in (None, "")},
        **({"recipient": fields["recipient"].pk} if fields.get("recipient") else {}),
    })


def _movement(kind, warehouse: Warehouse, item: Item, user, **fields) -> StockMovement:
    movement = _unsaved_movement(kind, warehouse, item, user, **fields)
    movement.save()
    _movement_audit(movement, fields).save()
    return movement


def _add(warehouse: Warehouse, item: Item, expiry_date, quantity: int, value: int) -> None:
    lot, _created = StockLot.objects.get_or_create(
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


def _outgoing_lots(warehouse: Warehouse, item: Item, *, on: date, expiry_date=None,
                   allow_expired: bool = False) -> list[StockLot]:
    """The lots of `item` in the warehouse (already locked) that goods may leave from, in the
    order they leave: one lot if `expiry_date` is given, otherwise the earliest expiry first
    and undated goods last; expired lots only when `allow_expired` (write-offs)."""
    lots = StockLot.objects.filter(warehouse=warehouse, item=item, quantity__gt=0)
    if expiry_date is not None:
        lots = lots.filter(expiry_date=expiry_date)
    if not allow_expired:
        lots = lots.filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=on))
    return list(lots.order_by(F("expiry_date").asc(nulls_last=True), "id"))


def _draw(lots: list[StockLot], quantity: int) -> list[tuple[StockLot, Take]]:
    """Take `quantity` (no more than the lots hold) from `lots` in their order. The value
    leaves in proportion, and all of it with the last unit, so no đồng is stranded.

    Works on the lot objects in memory, lowering their quantity and value by what it takes:
    drawing again from the same list for the next issue gives what reading the lots afresh
    after writing the first issue would."""
    takes, left = [], quantity
    for lot in lots:
        if left == 0:
            break
        if lot.quantity <= 0:  # emptied by an earlier issue of the same set
            continue
        n = min(left, lot.quantity)
        value = lot.value if n == lot.quantity else lot.value * n // lot.quantity
        lot.quantity, lot.value = lot.quantity - n, lot.value - value
        takes.append((lot, Take(lot.expiry_date, n, value)))
        left -= n
    return takes


def _take_many(warehouse: Warehouse, item: Item, quantities: list[int], *, on: date,
               expiry_date=None, allow_expired: bool = False,
               field: str = "quantity") -> list[list[Take]]:
    """Take each of `quantities` in turn from the warehouse's lots of `item` (already
    locked), as if each were taken alone after the one before it: the lots are read once,
    drawn from in memory (`_draw`), and each lot written once with the sum taken from it.
    All or nothing: if the lots cannot cover the sum, nothing is taken."""
    lots = _outgoing_lots(warehouse, item, on=on, expiry_date=expiry_date,
                          allow_expired=allow_expired)
    available, wanted = sum(lot.quantity for lot in lots), sum(quantities)
    if available < wanted:
        raise ValidationError({field: _(
            "Không đủ hàng trong kho: còn %(available)s %(unit)s %(item)s có thể xuất, yêu cầu "
            "%(quantity)s.") % {"available": available, "unit": _(item.get_unit_display()),
                                "item": item.name, "quantity": wanted}})
    taken: dict[int, list[int]] = {}  # lot id -> [quantity, value] taken from it
    per_quantity = []
    for quantity in quantities:
        draws = _draw(lots, quantity)
        for lot, take in draws:
            total = taken.setdefault(lot.pk, [0, 0])
            total[0] += take.quantity
            total[1] += take.value
        per_quantity.append([take for _lot, take in draws])
    for pk, (n, value) in taken.items():
        updated = StockLot.objects.filter(pk=pk, quantity__gte=n, value__gte=value).update(
            quantity=F("quantity") - n, value=F("value") - value)
        if updated != 1:  # someone else took it between our read and our write
            raise ValidationError({field: _("Hàng trong kho vừa thay đổi; hãy thử lại.")})
    return per_quantity


def _take(warehouse: Warehouse, item: Item, quantity: int, *, on: date, expiry_date=None,
          allow_expired: bool = False, field: str = "quantity") -> list[Take]:
    """Take `quantity` from the warehouse's lots of `item` (already locked)."""
    return _take_many(warehouse, item, [quantity], on=on, expiry_date=expiry_date,
                      allow_expired=allow_expired, field=field)[0]


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
        errors["unit_value"] = _("Đơn giá phải là số nguyên đồng, không âm.")
    if source not in ReceiptSource.values:
        errors["source"] = _("Nguồn hàng không hợp lệ.")
    if item.perishable and expiry_date is None:
        errors["expiry_date"] = _("Mặt hàng có hạn sử dụng: phải nhập hạn sử dụng.")
    elif expiry_date is not None and expiry_date < _today():
        errors["expiry_date"] = _("Hạn sử dụng đã qua: không nhập kho hàng hết hạn.")
    donor_name = (donor_name or "").strip()
    if source == ReceiptSource.DONATION and not donor_name and source_receipt_line_id is None:
        errors["donor_name"] = _("Hàng tài trợ phải ghi tên nhà tài trợ.")
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
        errors["destination"] = _("Kho nhận phải khác kho xuất.")
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
    _check_day(issued_on, errors, "issued_on")
    _check_issue(user, quantity, recipient, distribution_line_id, errors)
    if errors:
        raise ValidationError(errors)
    note = (note or "").strip()
    with transaction.atomic():
        _lock([warehouse.pk], item)
        return [
            _movement(MovementKind.ISSUE, warehouse, item, user,
                      **_issue_fields(take, issued_on, recipient, distribution_line_id, note))
            for take in _take(warehouse, item, quantity, on=issued_on, expiry_date=expiry_date)
        ]


class Issue(NamedTuple):
    """One hand-out among many (`stock_issue_many`), with `stock_issue`'s arguments."""

    quantity: int
    recipient: object = None  # a registry Person
    distribution_line_id: int | None = None
    note: str = ""


def stock_issue_many(user, *, warehouse: Warehouse, item: Item,
                     issues: Sequence[Issue | tuple], issued_on: date | None = None,
                     ) -> list[StockMovement]:
    """Hand out one item from one warehouse to many recipients at once (a whole signed
    list): writes what `stock_issue` called for each issue in turn would write — the same
    movements, lots taken and audit rows — but set-wise: one lock and one read of the item's
    lots, the lots drawn from in memory by the same rule (`_take_many`), each lot updated
    once, the movements and their audit rows in bulk inserts. All or nothing: if the stock
    does not cover every issue, nothing is taken and the error is `stock_issue`'s, for the
    sum asked. Returns the movements in the issues' order."""
    issued_on = issued_on or _today()
    issues = [Issue(*issue) for issue in issues]
    errors: dict = {}
    _check_warehouse(user, warehouse, errors)
    _check_day(issued_on, errors, "issued_on")
    for issue in issues:
        found: dict = {}
        _check_issue(user, issue.quantity, issue.recipient, issue.distribution_line_id, found)
        errors = found | errors  # the first issue refused speaks for each field
    if errors:
        raise ValidationError(errors)
    if not issues:
        return []
    rows = []
    with transaction.atomic():
        _lock([warehouse.pk], item)
        drawn = _take_many(warehouse, item, [issue.quantity for issue in issues], on=issued_on)
        for issue, takes in zip(issues, drawn, strict=True):
            note = (issue.note or "").strip()
            for take in takes:
                fields = _issue_fields(take, issued_on, issue.recipient,
                                       issue.distribution_line_id, note)
                rows.append((_unsaved_movement(MovementKind.ISSUE, warehouse, item, user,
                                               **fields), fields))
        # Both backends (SQLite ≥ 3.35, PostgreSQL) return the new ids, which the audit rows
        # name.
        movements = StockMovement.objects.bulk_create([m for m, _fields in rows],
                                                      batch_size=2000)
        audit_bulk(_movement_audit(movement, fields) for movement, fields in rows)
    return movements


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
        errors["reason"] = _("Phải chọn lý do xuất hủy.")
    note = (note or "").strip()
    if reason == WriteOffReason.OTHER and not note:
        errors["note"] = _("Lý do khác: phải ghi rõ lý do xuất hủy.")
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
