"""The periodic foreign-aid report (Decree 313/2025, formerly 80/2020: the aid owner reports
every six months and yearly): each foreign receipt in the period with its currency, original
amount, rate, amount in đồng, approval decision and where it went, and totals per currency
and per approval decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.access.scoping import require, restrict, scope_for
from ansinh.funds.choices import MINOR_DIGITS, VND, DonorKind, ReceiptStatus
from ansinh.funds.models import Fund, Receipt

from .tables import Report, Section


def original_amount(minor: int | None, currency: str) -> str:
    """10_000_00 USD minor units → "10.000,00"."""
    if minor is None:
        return ""
    digits = MINOR_DIGITS.get(currency, 2)
    value = Decimal(minor) / (10 ** digits)
    whole, _dot, frac = f"{value:,.{digits}f}".partition(".")
    whole = whole.replace(",", ".")
    return f"{whole},{frac}" if digits else whole


def rate_text(rate) -> str:
    if rate is None:
        return ""
    text = f"{Decimal(rate).normalize():f}"
    whole, _dot, frac = text.partition(".")
    whole = f"{int(whole):,}".replace(",", ".")
    return f"{whole},{frac}" if frac else whole


def foreign_receipts(user, start: date, end: date, fund: Fund | None = None):
    qs = restrict(Receipt.objects.all(), user, "funds").filter(
        Q(donor__kind=DonorKind.FOREIGN_NGO) | ~Q(currency=VND),
        status=ReceiptStatus.ISSUED, received_on__gte=start, received_on__lte=end)
    if fund is not None:
        qs = qs.filter(fund=fund)
    return (qs.select_related("donor", "fund", "reversal")
            .prefetch_related("lines__restriction", "lines__campaign", "lines__fund")
            .order_by("received_on", "pk"))


def _use(receipt) -> str:
    parts = []
    for line in receipt.lines.all():
        where = line.fund.name
        if line.restriction_id:
            where += f" – {line.restriction.description}"
        elif line.campaign_id:
            where += f" – {line.campaign.name}"
        parts.append(where)
    return "; ".join(dict.fromkeys(parts)) or (receipt.description or "")


def foreign_aid_report(user, start: date, end: date, fund: Fund | None = None) -> Report:
    if scope_for(user, "funds").empty:
        raise PermissionDenied("Bạn không có quyền xem báo cáo của quỹ.")
    if fund is not None:
        require(user, "funds", fund)
    if start > end:
        raise ValidationError({"date_from": _("Từ ngày: không được sau đến ngày.")})
    receipts = list(foreign_receipts(user, start, end, fund))
    detail = Section(
        title="1. Các khoản viện trợ đã nhận",
        headers=["Số biên nhận", "Ngày nhận", "Nhà tài trợ", "Quốc gia", "Nguyên tệ",
                 "Số tiền nguyên tệ", "Tỷ giá", "Quy ra đồng", "Quyết định phê duyệt",
                 "Sử dụng", "Ghi chú"],
        widths=[1.6, 1.1, 2.2, 0.8, 0.8, 1.4, 1.1, 1.5, 1.8, 2.4, 1.3])
    per_currency: dict[str, list] = {}
    per_decision: dict[str, int] = {}
    net = 0
    for r in receipts:
        reversal = getattr(r, "reversal", None)
        note = f"Đã hủy {reversal.reversed_on:%d/%m/%Y}" if reversal else ""
        detail.rows.append([
            r.number, f"{r.received_on:%d/%m/%Y}", r.donor.name, r.donor.country, r.currency,
            original_amount(r.original_amount_minor, r.currency)
            if r.currency != VND else "", rate_text(r.exchange_rate), r.total,
            r.aid_approval_ref, _use(r), note])
        if reversal:
            continue
        net += r.total
        cur = per_currency.setdefault(r.currency, [0, 0])
        cur[0] += r.original_amount_minor or r.total
        cur[1] += r.total
        per_decision[r.aid_approval_ref] = per_decision.get(r.aid_approval_ref, 0) + r.total
    detail.total = ["Cộng (không tính khoản đã hủy)", "", "", "", "", "", "", net, "", "", ""]
    currencies = Section(
        title="2. Tổng hợp theo nguyên tệ",
        headers=["Nguyên tệ", "Số tiền nguyên tệ", "Quy ra đồng"], widths=[1, 2, 2],
        rows=[[c, original_amount(v[0], c) if c != VND else v[0], v[1]]
              for c, v in sorted(per_currency.items())],
        total=["Cộng", "", net])
    decisions = Section(
        title="3. Tổng hợp theo quyết định phê duyệt",
        headers=["Quyết định phê duyệt", "Quy ra đồng"], widths=[4, 2],
        rows=[[k, v] for k, v in sorted(per_decision.items())], total=["Cộng", net])
    unit = fund.name if fund else "Quỹ an sinh xã hội"
    return Report(
        slug="bao-cao-vien-tro-nuoc-ngoai", title="Báo cáo tiếp nhận viện trợ nước ngoài",
        unit=unit,
        lines=[f"Kỳ báo cáo: {start:%d/%m/%Y} – {end:%d/%m/%Y}",
               "Viện trợ không hoàn lại không thuộc hỗ trợ phát triển chính thức "
               "(Nghị định 313/2025/NĐ-CP)"],
        sections=[detail, currencies, decisions], dated=timezone.localdate())
