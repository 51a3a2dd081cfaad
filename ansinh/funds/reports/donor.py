"""How a donor's gifts were used, for the donor, over a period: the donor's money in each pot
at its start, what the donor gave in it, the donor's part of what was spent in it and what is
left at its end — aggregated, never a beneficiary. How a spending is shared among the money in
a pot is in `donor_flow`; opening + given − used = closing to the đồng, in every pot."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.access.scoping import require
from ansinh.funds.choices import ReceiptStatus
from ansinh.funds.models import Donor, Pledge, Receipt
from ansinh.funds.selectors import donor_public_name

from .donor_flow import donor_flows
from .tables import Report, Section


def area_unit(obj) -> str:
    area = obj.commune or obj.province
    return f"Quỹ an sinh xã hội – {area.name}"


def donor_use(donor: Donor, until: date, since: date | None = None) -> dict:
    """{"pots": [{label, opening, given, pot_received, uses: [{purpose, campaign, pot_amount,
    share}], used, closing, remaining}], "opening", "given", "used", "closing",
    "remaining"} over [since, until] (from the first gift when `since` is None); remaining
    is the closing balance."""
    pots = [f.as_dict() for f in donor_flows(donor, since, until)]
    totals = {k: sum(p[k] for p in pots) for k in ("opening", "given", "used", "closing")}
    return {"pots": pots, **totals, "remaining": totals["closing"]}


def _gifts(donor: Donor, since: date | None, until: date, given: int) -> Section:
    # Money only: goods and services are valued but never spent from a pot.
    receipts = (Receipt.objects.filter(donor=donor, status=ReceiptStatus.ISSUED,
                                       received_on__lte=until, lines__isnull=False)
                .distinct().select_related("fund", "reversal").order_by("received_on", "pk"))
    if since is not None:
        receipts = receipts.filter(received_on__gte=since)
    gifts = Section(
        title="1. Các khoản đã nhận" + (" trong kỳ" if since else ""),
        headers=["Số biên nhận", "Ngày nhận", "Quỹ", "Nội dung", "Số tiền (đồng)", "Ghi chú"],
        widths=[1.6, 1.1, 2.2, 3, 1.4, 1.6],
        total=["Cộng (sau khi trừ biên nhận đã hủy)", "", "", "", given, ""])
    for r in receipts:
        reversal = getattr(r, "reversal", None)
        note = (f"Đã hủy ngày {reversal.reversed_on:%d/%m/%Y}"
                if reversal and reversal.reversed_on <= until else "")
        gifts.rows.append([r.number, f"{r.received_on:%d/%m/%Y}", r.fund.name,
                           r.description or "Tài trợ", r.total, note])
    return gifts


def _pledges(donor: Donor, since: date | None, until: date) -> tuple[int, int]:
    """(pledged in the period, still owed at its end)."""
    pledges = Pledge.objects.filter(donor=donor, pledged_on__lte=until)
    made = pledges.filter(pledged_on__gte=since) if since else pledges
    pledged = made.filter(amount__isnull=False).aggregate(s=Sum("amount"))["s"] or 0
    paid = (Receipt.objects.filter(pledge__in=pledges, status=ReceiptStatus.ISSUED,
                                   received_on__lte=until)
            .filter(Q(reversal__isnull=True) | Q(reversal__reversed_on__gt=until))
            .values("pledge_id").annotate(s=Sum("total")))
    paid_by = {p["pledge_id"]: p["s"] for p in paid}
    # A pledge cancelled by the report's date is owed no more.
    owed = pledges.filter(amount__isnull=False).exclude(cancelled_on__lte=until)
    outstanding = sum(max(a - paid_by.get(pk, 0), 0) for pk, a in
                      owed.values_list("pk", "amount"))
    return pledged, outstanding


def donor_report(user, donor: Donor, until: date | None = None,
                 since: date | None = None) -> Report:
    """The report of [since, until]; without `since`, from the donor's first gift."""
    require(user, "funds", donor)
    until = until or timezone.localdate()
    if since is not None and since > until:
        raise ValidationError({"since": _("Từ ngày: không được sau đến ngày.")})
    use = donor_use(donor, until, since)
    balances = Section(
        title="2. Tiền tài trợ theo nguồn tiền",
        headers=["Nguồn tiền", "Đầu kỳ", "Nhận trong kỳ", "Sử dụng trong kỳ", "Cuối kỳ"],
        widths=[4, 1.4, 1.4, 1.4, 1.4],
        rows=[[p["label"], p["opening"], p["given"], p["used"], p["closing"]]
              for p in use["pots"]],
        total=["Cộng", use["opening"], use["given"], use["used"], use["closing"]],
        note="Cuối kỳ = đầu kỳ + nhận trong kỳ − sử dụng trong kỳ. Biên nhận đã hủy đến cuối "
             "kỳ không tính là đã nhận.")
    usage = Section(
        title="3. Sử dụng trong kỳ theo nguồn tiền và mục đích",
        headers=["Nguồn tiền", "Mục đích chi", "Chiến dịch", "Tổng chi từ nguồn",
                 "Phần từ khoản tài trợ"],
        widths=[3, 3, 2, 1.4, 1.4],
        rows=[[p["label"], u["purpose"], u["campaign"], u["pot_amount"], u["share"]]
              for p in use["pots"] for u in p["uses"]],
        total=["Cộng", "", "", "", use["used"]],
        note="Mỗi khoản chi được chia theo số tiền còn trong nguồn ngày chi: phần từ khoản tài "
             "trợ = khoản chi × (tiền tài trợ còn lại ÷ tiền còn lại của nguồn), làm tròn "
             "xuống, phần lẻ tính vào số còn lại; phần hoàn chi trong kỳ được trừ ra.")
    pledged, outstanding = _pledges(donor, since, until)
    summary = Section(
        title="4. Tổng hợp", headers=["Chỉ tiêu", "Số tiền (đồng)"], widths=[4, 2],
        rows=[["Đã cam kết" + (" trong kỳ" if since else ""), pledged],
              ["Còn phải nộp theo cam kết (cuối kỳ)", outstanding],
              ["Số dư đầu kỳ", use["opening"]], ["Đã nhận trong kỳ", use["given"]],
              ["Đã sử dụng trong kỳ", use["used"]], ["Còn lại cuối kỳ", use["closing"]]])
    shown = donor_public_name(donor)
    period = (f"Kỳ báo cáo: từ ngày {since:%d/%m/%Y} đến ngày {until:%d/%m/%Y}" if since
              else f"Số liệu đến ngày {until:%d/%m/%Y}")
    return Report(
        slug=f"bao-cao-nha-tai-tro-{donor.pk}",
        title="Báo cáo sử dụng tiền tài trợ", unit=area_unit(donor),
        lines=[f"Nhà tài trợ: {donor.name}" + (f" (công khai là «{shown}»)"
                                                if shown != donor.name else ""),
               period, "Số liệu tổng hợp; không có thông tin cá nhân của người nhận hỗ trợ."],
        sections=[_gifts(donor, since, until, use["given"]), balances, usage, summary],
        dated=timezone.localdate())
