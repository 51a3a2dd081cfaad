"""How a donor's gifts were used, for the donor: what was received, what was spent from each
pot the gifts went into, and what remains — aggregated, never a beneficiary.

Money is fungible inside a pot (a fund's unrestricted money, or one restriction), so a
donor's part of each spending is the spending × the donor's share of what the pot received;
the parts are rounded down and the rounding stays in "remaining", so received = used +
remaining to the đồng. A restriction the donor set alone is spent only on its purpose, and
then the donor's share is the whole."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, Sum
from django.utils import timezone

from ansinh.access.scoping import require
from ansinh.funds.choices import AllocationStatus, ReceiptStatus
from ansinh.funds.models import Allocation, Donor, Pledge, Receipt, ReceiptLine
from ansinh.funds.selectors import donor_public_name

from .tables import Report, Section


def _net_lines(until: date):
    return ReceiptLine.objects.filter(
        receipt__status=ReceiptStatus.ISSUED, receipt__received_on__lte=until,
    ).filter(Q(receipt__reversal__isnull=True) | Q(receipt__reversal__reversed_on__gt=until))


def area_unit(obj) -> str:
    area = obj.commune or obj.province
    return f"Quỹ an sinh xã hội – {area.name}"


def _pot_label(fund_name: str, restriction: str | None) -> str:
    return f"{fund_name} – {restriction}" if restriction else f"{fund_name} – quỹ chung"


def donor_use(donor: Donor, until: date) -> dict:
    """{"pots": [{label, given, pot_received, uses: [{purpose, campaign, pot_amount, share}],
    used, remaining}], "given", "used", "remaining"}."""
    mine = (_net_lines(until).filter(receipt__donor=donor)
            .values("fund_id", "fund__name", "restriction_id", "restriction__description")
            .annotate(given=Sum("amount")))
    pots = []
    for pot in mine:
        key = {"fund_id": pot["fund_id"], "restriction_id": pot["restriction_id"]}
        received = _net_lines(until).filter(**key).aggregate(s=Sum("amount"))["s"] or 0
        spending = (Allocation.objects.filter(status=AllocationStatus.APPROVED,
                                              allocated_on__lte=until, **key)
                    .values("purpose", "campaign__name").annotate(amount=Sum("amount"))
                    .order_by("campaign__name", "purpose"))
        uses = []
        for s in spending:
            share = s["amount"] * pot["given"] // received if received else 0
            uses.append({"purpose": s["purpose"], "campaign": s["campaign__name"] or "",
                         "pot_amount": s["amount"], "share": share})
        used = sum(u["share"] for u in uses)
        pots.append({"label": _pot_label(pot["fund__name"], pot["restriction__description"]),
                     "given": pot["given"], "pot_received": received, "uses": uses,
                     "used": used, "remaining": pot["given"] - used})
    pots.sort(key=lambda p: p["label"])
    return {"pots": pots, "given": sum(p["given"] for p in pots),
            "used": sum(p["used"] for p in pots),
            "remaining": sum(p["remaining"] for p in pots)}


def donor_report(user, donor: Donor, until: date | None = None) -> Report:
    require(user, "funds", donor)
    until = until or timezone.localdate()
    # Money only: goods and services are valued but never spent from a pot.
    receipts = (Receipt.objects.filter(donor=donor, status=ReceiptStatus.ISSUED,
                                       received_on__lte=until, lines__isnull=False)
                .distinct().select_related("fund", "reversal").order_by("received_on", "pk"))
    gifts = Section(
        title="1. Các khoản đã nhận",
        headers=["Số biên nhận", "Ngày nhận", "Quỹ", "Nội dung", "Số tiền (đồng)", "Ghi chú"],
        widths=[1.6, 1.1, 2.2, 3, 1.4, 1.6])
    for r in receipts:
        reversal = getattr(r, "reversal", None)
        note = (f"Đã hủy ngày {reversal.reversed_on:%d/%m/%Y}"
                if reversal and reversal.reversed_on <= until else "")
        gifts.rows.append([r.number, f"{r.received_on:%d/%m/%Y}", r.fund.name,
                           r.description or "Tài trợ", r.total, note])
    use = donor_use(donor, until)
    gifts.total = ["Cộng (sau khi trừ biên nhận đã hủy)", "", "", "", use["given"], ""]
    usage = Section(
        title="2. Sử dụng theo nguồn tiền và mục đích",
        headers=["Nguồn tiền", "Mục đích chi", "Chiến dịch", "Tổng chi từ nguồn",
                 "Phần từ khoản tài trợ"],
        widths=[3, 3, 2, 1.4, 1.4],
        note="Phần từ khoản tài trợ = tổng chi × (khoản tài trợ ÷ tổng thu của nguồn), làm "
             "tròn xuống; phần lẻ tính vào số còn lại.")
    for pot in use["pots"]:
        for u in pot["uses"]:
            usage.rows.append([pot["label"], u["purpose"], u["campaign"], u["pot_amount"],
                               u["share"]])
        usage.rows.append([pot["label"], "Còn lại chưa sử dụng", "", "", pot["remaining"]])
    usage.total = ["Cộng", "", "", "", use["used"] + use["remaining"]]
    pledges = Pledge.objects.filter(donor=donor, pledged_on__lte=until)
    pledged = pledges.filter(amount__isnull=False).aggregate(s=Sum("amount"))["s"] or 0
    paid = (Receipt.objects.filter(pledge__in=pledges, status=ReceiptStatus.ISSUED,
                                   received_on__lte=until)
            .filter(Q(reversal__isnull=True) | Q(reversal__reversed_on__gt=until))
            .values("pledge_id").annotate(s=Sum("total")))
    paid_by = {p["pledge_id"]: p["s"] for p in paid}
    # A pledge cancelled by the report's date is owed no more.
    owed = pledges.filter(amount__isnull=False).exclude(cancelled_on__lte=until)
    outstanding = sum(max(a - paid_by.get(pk, 0), 0) for pk, a in
                      owed.values_list("pk", "amount"))
    summary = Section(
        title="3. Tổng hợp", headers=["Chỉ tiêu", "Số tiền (đồng)"], widths=[4, 2],
        rows=[["Đã cam kết", pledged], ["Còn phải nộp theo cam kết", outstanding],
              ["Đã nhận", use["given"]], ["Đã sử dụng", use["used"]],
              ["Còn lại", use["remaining"]]])
    shown = donor_public_name(donor)
    return Report(
        slug=f"bao-cao-nha-tai-tro-{donor.pk}",
        title="Báo cáo sử dụng tiền tài trợ", unit=area_unit(donor),
        lines=[f"Nhà tài trợ: {donor.name}" + (f" (công khai là «{shown}»)"
                                                if shown != donor.name else ""),
               f"Số liệu đến ngày {until:%d/%m/%Y}",
               "Số liệu tổng hợp; không có thông tin cá nhân của người nhận hỗ trợ."],
        sections=[gifts, usage, summary], dated=timezone.localdate())
