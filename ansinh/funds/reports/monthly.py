"""The fund's monthly statement: per pot (the fund's unrestricted money and each restriction)
the opening balance, receipts, reversals, approved spending and the closing balance.

Receipts count in the month of their receipt date, reversals in the month of the reversal,
spending in the month of its date; a reversed receipt therefore appears twice, once in and
once out, as the books show it. Opening is the same sum over everything before the month, so
opening + in − out = closing and the next month opens with this month's closing, by
construction and to the đồng. Only issued receipts and approved spending count."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.access.scoping import require
from ansinh.funds.choices import AllocationStatus, ReceiptStatus
from ansinh.funds.models import Allocation, AllocationReturn, Fund, ReceiptLine, Restriction

from .tables import Report, Section

UNRESTRICTED = "Không hạn chế (quỹ chung)"


@dataclass
class PotMonth:
    restriction_id: int | None
    label: str
    opening: int = 0
    receipts: int = 0
    reversals: int = 0
    allocations: int = 0

    @property
    def closing(self) -> int:
        return self.opening + self.receipts - self.reversals - self.allocations


def month_bounds(year: int, month: int) -> tuple[date, date]:
    if not (1 <= month <= 12) or not (2000 <= year <= 2100):
        raise ValidationError({"month": _("Tháng: phải là tháng 1–12 của một năm từ 2000.")})
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _by_pot(qs, field: str = "amount") -> dict:
    return dict(qs.values("restriction_id").annotate(s=Sum(field))
                .values_list("restriction_id", "s"))


def statement(fund: Fund, year: int, month: int) -> list[PotMonth]:
    """Set-wise: four grouped sums before the month and four within it."""
    first, last = month_bounds(year, month)
    lines = ReceiptLine.objects.filter(fund=fund, receipt__status=ReceiptStatus.ISSUED)
    reversed_lines = lines.filter(receipt__reversal__isnull=False)
    spent = Allocation.objects.filter(fund=fund, status=AllocationStatus.APPROVED)
    # A return (hoàn chi) lowers the spending of the month of its own date.
    back = AllocationReturn.objects.filter(fund=fund)
    before = {
        "in": _by_pot(lines.filter(receipt__received_on__lt=first)),
        "rev": _by_pot(reversed_lines.filter(receipt__reversal__reversed_on__lt=first)),
        "out": _by_pot(spent.filter(allocated_on__lt=first)),
        "back": _by_pot(back.filter(returned_on__lt=first)),
    }
    within = {
        "in": _by_pot(lines.filter(receipt__received_on__range=(first, last))),
        "rev": _by_pot(reversed_lines.filter(
            receipt__reversal__reversed_on__range=(first, last))),
        "out": _by_pot(spent.filter(allocated_on__range=(first, last))),
        "back": _by_pot(back.filter(returned_on__range=(first, last))),
    }
    pots = set().union(*before.values(), *within.values())
    labels = dict(Restriction.objects.filter(pk__in=[p for p in pots if p])
                  .values_list("pk", "description"))
    rows = []
    for pot in sorted(pots, key=lambda p: (p is not None, labels.get(p, ""), p or 0)):
        row = PotMonth(restriction_id=pot, label=labels.get(pot, UNRESTRICTED) if pot
                       else UNRESTRICTED)
        row.opening = before["in"].get(pot, 0) - before["rev"].get(pot, 0) \
            - before["out"].get(pot, 0) + before["back"].get(pot, 0)
        row.receipts = within["in"].get(pot, 0)
        row.reversals = within["rev"].get(pot, 0)
        row.allocations = within["out"].get(pot, 0) - within["back"].get(pot, 0)
        rows.append(row)
    return rows


def monthly_report(user, fund: Fund, year: int, month: int) -> Report:
    require(user, "funds", fund)
    first, last = month_bounds(year, month)
    rows = statement(fund, year, month)
    section = Section(
        title="Số dư và phát sinh theo nguồn tiền",
        headers=["Nguồn (hạn chế sử dụng)", "Số dư đầu kỳ", "Thu trong kỳ",
                 "Hủy biên nhận", "Chi trong kỳ", "Số dư cuối kỳ"],
        rows=[[r.label, r.opening, r.receipts, r.reversals, r.allocations, r.closing]
              for r in rows],
        total=["Cộng", *(sum(getattr(r, f) for r in rows) for f in
                         ("opening", "receipts", "reversals", "allocations", "closing"))],
        widths=[3, 1.3, 1.3, 1.3, 1.3, 1.3],
        note="Số dư cuối kỳ = đầu kỳ + thu − hủy − chi; chỉ tính biên nhận đã cấp và khoản "
             "chi đã phê duyệt; chi trong kỳ đã trừ phần hoàn chi trong kỳ.")
    return Report(
        slug=f"sao-ke-quy-{fund.code.lower()}-{year}-{month:02d}",
        title=f"Báo cáo thu chi tháng {month:02d}/{year}", unit=fund.name,
        lines=[f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"],
        sections=[section], dated=timezone.localdate())
