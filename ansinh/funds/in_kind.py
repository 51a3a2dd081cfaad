"""Receipts of goods and services: numbered and issued like a money receipt, valued in đồng,
but never part of the money balances.

A goods receipt puts its goods into stock when it is issued, in the same transaction as its
number (`receipt_issue` calls `goods_into_stock`), and reversing it takes them out again with
a write-off; when the goods have already left the warehouse the reversal is refused, so the
stock ledger and the receipts always tell the same story. A services receipt records places
(vocational training, medical check-ups) that the distributions module gives out one by one.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.access.scoping import require
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.money_words import format_money
from ansinh.stock.choices import ReceiptSource, WriteOffReason
from ansinh.stock.models import Item, Warehouse
from ansinh.stock.services import stock_receive, stock_write_off

from .choices import Method, ReceiptKind
from .models import Campaign, Donor, Fund, GoodsReceiptLine, Pledge, Receipt, ServiceReceiptLine
from .services import _choice, _not_future, _today

MAX_TEXT = 200


def _where(index: int) -> str:
    return _("Dòng %(n)s") % {"n": index}


def _whole(value, where: str, label: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"lines": _("%(where)s – %(label)s: phải là số nguyên.")
                               % {"where": where, "label": label}})
    if value < minimum:
        raise ValidationError({"lines": _("%(where)s – %(label)s: phải lớn hơn 0.")
                               % {"where": where, "label": label}})
    return value


def _campaign(user, line: dict, fund: Fund, where: str) -> Campaign | None:
    campaign = line.get("campaign")
    if campaign is None:
        return None
    require(user, "funds", campaign)
    if not campaign.funds.filter(pk=fund.pk).exists() and campaign.funds.exists():
        raise ValidationError({"lines": _("%(where)s – Chiến dịch: «%(campaign)s» không nhận "
                                          "tài trợ qua quỹ «%(fund)s».")
                               % {"where": where, "campaign": campaign, "fund": fund}})
    return campaign


def _clean_goods(user, fund: Fund, line: dict, index: int) -> GoodsReceiptLine:
    where = _where(index)
    item, warehouse = line.get("item"), line.get("warehouse")
    if not isinstance(item, Item):
        raise ValidationError({"lines": _("%(where)s – Mặt hàng: bắt buộc.") % {"where": where}})
    if not item.active:
        raise ValidationError({"lines": _("%(where)s – Mặt hàng: «%(item)s» đã ngừng sử dụng.")
                               % {"where": where, "item": item.name}})
    if not isinstance(warehouse, Warehouse):
        raise ValidationError({"lines": _("%(where)s – Kho nhập: bắt buộc.") % {"where": where}})
    require(user, "funds", warehouse)
    if not warehouse.active:
        raise ValidationError({"lines": _("%(where)s – Kho nhập: «%(warehouse)s» đã ngừng hoạt "
                                          "động.") % {"where": where, "warehouse": warehouse}})
    quantity = _whole(line.get("quantity"), where, _("Số lượng"))
    unit_value = _whole(line.get("unit_value"), where, _("Đơn giá (đồng)"))
    expiry = line.get("expiry_date")
    if expiry is not None and not isinstance(expiry, date):
        raise ValidationError({"lines": _("%(where)s – Hạn sử dụng: không phải ngày hợp lệ.")
                               % {"where": where}})
    if item.perishable and expiry is None:
        raise ValidationError({"lines": _("%(where)s – Hạn sử dụng: bắt buộc với «%(item)s».")
                               % {"where": where, "item": item.name}})
    if expiry is not None and expiry < _today():
        raise ValidationError({"lines": _("%(where)s – Hạn sử dụng: %(date)s đã qua, không "
                                          "nhận hàng hết hạn.")
                               % {"where": where, "date": f"{expiry:%d/%m/%Y}"}})
    return GoodsReceiptLine(item=item, warehouse=warehouse, quantity=quantity,
                            unit_value=unit_value, value=quantity * unit_value,
                            expiry_date=expiry, campaign=_campaign(user, line, fund, where))


def _clean_service(user, fund: Fund, line: dict, index: int) -> ServiceReceiptLine:
    where = _where(index)
    service = (line.get("service") or "").strip()
    if not service:
        raise ValidationError({"lines": _("%(where)s – Dịch vụ: bắt buộc (ví dụ «Suất học "
                                          "nghề»).") % {"where": where}})
    if len(service) > MAX_TEXT:
        raise ValidationError({"lines": _("%(where)s – Dịch vụ: tối đa %(max)s ký tự.")
                               % {"where": where, "max": MAX_TEXT}})
    unit = (line.get("unit") or "suất").strip()[:30]
    places = _whole(line.get("places"), where, _("Số suất"))
    unit_value = _whole(line.get("unit_value"), where, _("Giá trị một suất (đồng)"))
    return ServiceReceiptLine(service=service, unit=unit, places=places, unit_value=unit_value,
                              value=places * unit_value,
                              campaign=_campaign(user, line, fund, where))


def clean_draft(user, kind: str, v: dict) -> list:
    """Check the head and lines of a goods or services draft (`v` holds the receipt's fields,
    objects for the relations, "lines" as dicts, and "total" when the officer typed one to
    check the lines against) and normalise `v` in place; return the unsaved lines."""
    fund, donor, pledge = v["fund"], v["donor"], v.get("pledge")
    require(user, "funds", fund)
    require(user, "funds", donor)
    _choice(kind, ReceiptKind, "kind", _("Loại biên nhận"))
    _not_future(v.get("received_on"), "received_on", _("Ngày nhận"))
    if pledge is not None:
        require(user, "funds", pledge)
        if pledge.donor_id != donor.pk:
            raise ValidationError({"pledge": _("Cam kết: của nhà tài trợ khác.")})
    if not v.get("lines"):
        raise ValidationError({"lines": _("Các dòng: cần ít nhất một dòng.")})
    clean_one = _clean_goods if kind == ReceiptKind.GOODS else _clean_service
    clean = [clean_one(user, fund, line, i) for i, line in enumerate(v["lines"], start=1)]
    line_sum = sum(line.value for line in clean)
    declared = v.get("total")
    if declared is not None:
        if isinstance(declared, bool) or not isinstance(declared, int) or declared <= 0:
            raise ValidationError({"total": _("Tổng giá trị: phải là số nguyên đồng lớn "
                                              "hơn 0.")})
        if declared != line_sum:
            raise ValidationError({"lines": _("Các dòng: cộng lại %(sum)s, khác tổng giá trị "
                                              "%(total)s.")
                                   % {"sum": format_money(line_sum),
                                      "total": format_money(declared)}})
    for field in ("document_ref", "aid_approval_ref"):
        v[field] = (v.get(field) or "").strip()
    v["description"] = v.get("description") or ""
    return clean


def line_detail(kind: str, lines) -> list:
    """The lines as the audit log keeps them."""
    if kind == ReceiptKind.GOODS:
        return [[ln.item_id, ln.warehouse_id, ln.quantity, ln.unit_value,
                 ln.expiry_date and ln.expiry_date.isoformat(), ln.campaign_id]
                for ln in lines]
    return [[ln.service, ln.unit, ln.places, ln.unit_value, ln.campaign_id] for ln in lines]


def current_lines(receipt: Receipt) -> tuple[list, list[dict]]:
    """(audit detail, lines as the create services take them) of a goods/services draft."""
    if receipt.kind == ReceiptKind.GOODS:
        rows = list(receipt.goods_lines.select_related("item", "warehouse", "campaign")
                    .order_by("pk"))
        return line_detail(receipt.kind, rows), [
            {"item": ln.item, "warehouse": ln.warehouse, "quantity": ln.quantity,
             "unit_value": ln.unit_value, "expiry_date": ln.expiry_date,
             "campaign": ln.campaign} for ln in rows]
    rows = list(receipt.service_lines.select_related("campaign").order_by("pk"))
    return line_detail(receipt.kind, rows), [
        {"service": ln.service, "unit": ln.unit, "places": ln.places,
         "unit_value": ln.unit_value, "campaign": ln.campaign} for ln in rows]


def _draft(user, kind: str, **values) -> Receipt:
    v = dict(values)
    clean = clean_draft(user, kind, v)
    total = sum(line.value for line in clean)
    fund = v["fund"]
    receipt = Receipt.objects.create(
        fund=fund, donor=v["donor"], pledge=v.get("pledge"), kind=kind, method=Method.IN_KIND,
        document_ref=v["document_ref"], received_on=v["received_on"], total=total,
        aid_approval_ref=v["aid_approval_ref"], description=v["description"],
        created_by=user, commune=fund.commune, province=fund.province)
    for line in clean:
        line.receipt = receipt
    type(clean[0]).objects.bulk_create(clean)
    audit_record(AuditAction.CREATE, receipt, changes={
        "kind": kind, "donor": v["donor"], "total": total, "received_on": v["received_on"],
        "lines": line_detail(kind, clean)})
    return receipt


@transaction.atomic
def goods_receipt_create(user, *, fund: Fund, donor: Donor, received_on: date,
                         lines: list[dict], pledge: Pledge | None = None,
                         description: str = "", document_ref: str = "",
                         aid_approval_ref: str = "", total: int | None = None) -> Receipt:
    """A draft receipt of goods. Each line: {"item", "warehouse", "quantity", "unit_value"
    (đồng per unit), optional "expiry_date", optional "campaign"}. The total is the sum of
    quantity × unit value; a `total` given (the value on the donor's delivery note) must be
    that sum. Nothing enters the stock until `receipt_issue`."""
    return _draft(user, ReceiptKind.GOODS, fund=fund, donor=donor, received_on=received_on,
                  lines=lines, pledge=pledge, description=description,
                  document_ref=document_ref, aid_approval_ref=aid_approval_ref, total=total)


@transaction.atomic
def service_receipt_create(user, *, fund: Fund, donor: Donor, received_on: date,
                           lines: list[dict], pledge: Pledge | None = None,
                           description: str = "", document_ref: str = "",
                           aid_approval_ref: str = "", total: int | None = None) -> Receipt:
    """A draft receipt of services. Each line: {"service", optional "unit" (default "suất"),
    "places", "unit_value" (đồng per place), optional "campaign"}; a `total` given must be
    the sum of places × value."""
    return _draft(user, ReceiptKind.SERVICES, fund=fund, donor=donor, received_on=received_on,
                  lines=lines, pledge=pledge, description=description,
                  document_ref=document_ref, aid_approval_ref=aid_approval_ref, total=total)


def lines_total(receipt: Receipt) -> int:
    """The sum of a receipt's own lines, whatever its kind."""
    if receipt.kind == ReceiptKind.GOODS:
        return sum(ln.value for ln in receipt.goods_lines.all())
    if receipt.kind == ReceiptKind.SERVICES:
        return sum(ln.value for ln in receipt.service_lines.all())
    return sum(ln.amount for ln in receipt.lines.all())


def goods_into_stock(user, receipt: Receipt) -> None:
    """Receive each goods line into its warehouse. Runs inside `receipt_issue`'s transaction:
    a line the stock refuses (an expiry date passed since the draft) refuses the issue."""
    donor_name = receipt.donor.name
    for index, line in enumerate(receipt.goods_lines.select_related("item", "warehouse")
                                 .order_by("id"), start=1):
        try:
            stock_receive(user, warehouse=line.warehouse, item=line.item,
                          quantity=line.quantity, unit_value=line.unit_value,
                          received_on=receipt.received_on, expiry_date=line.expiry_date,
                          source=ReceiptSource.DONATION, donor_name=donor_name,
                          source_receipt_line_id=line.pk,
                          note=f"Biên nhận {receipt.number}")
        except ValidationError as exc:
            raise ValidationError({"lines": [_("%(where)s – %(message)s")
                                             % {"where": _where(index), "message": m}
                                             for m in exc.messages]}) from exc


def goods_out_of_stock(user, receipt: Receipt, on: date) -> None:
    """Write the goods of a receipt being reversed off the stock, lot by lot."""
    for index, line in enumerate(receipt.goods_lines.select_related("item", "warehouse")
                                 .order_by("id"), start=1):
        try:
            stock_write_off(user, warehouse=line.warehouse, item=line.item,
                            quantity=line.quantity, reason=WriteOffReason.OTHER,
                            written_off_on=on, expiry_date=line.expiry_date,
                            note=f"Hủy biên nhận {receipt.number}")
        except ValidationError as exc:
            raise ValidationError({"receipt": _(
                "Biên nhận: hàng của dòng %(n)s (%(quantity)s %(unit)s %(item)s) không còn đủ "
                "trong kho «%(warehouse)s» (đã xuất hoặc điều chuyển); hãy thu hồi hàng trước "
                "khi hủy. Chi tiết: %(details)s") % {
                    "n": index, "quantity": line.quantity,
                    "unit": _(line.item.get_unit_display()), "item": line.item.name,
                    "warehouse": line.warehouse, "details": "; ".join(exc.messages)}}) from exc

