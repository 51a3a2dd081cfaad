"""The campaign report for staff: target, pledged, received, outstanding, in-kind, spent,
distributed by category and commune (aggregated, small groups merged), and the donors by
their real names with their wish for the public list."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils import timezone

from ansinh.access.scoping import require
from ansinh.funds.choices import Display
from ansinh.funds.models import Campaign, Donor
from ansinh.transparency import figures as public_figures
from ansinh.transparency.figures import (
    net_lines,
    pledged_per_donor,
    subject_lines,
    subject_pledges,
)
from ansinh.transparency.in_kind_lines import per_donor

from .donor import area_unit
from .tables import Report, Section


def campaign_report(user, campaign: Campaign) -> Report:
    require(user, "funds", campaign)
    today = timezone.localdate()
    start = campaign.starts_on
    end = max(min(campaign.ends_on or today, today), start)
    marks = public_figures.current_marks()
    f = public_figures.compute(campaign, marks, start, end)
    target = campaign.target_amount
    summary = Section(
        title="1. Tổng hợp", headers=["Chỉ tiêu", "Số tiền (đồng)"], widths=[4, 2],
        rows=[["Mục tiêu vận động", target or 0],
              ["Đã cam kết (tiền)", f["pledges"]["pledged"]],
              ["Đã nhận (tiền, sau khi trừ biên nhận hủy)", f["cash"]["received"]],
              ["Còn phải nhận theo cam kết", f["pledges"]["outstanding"]],
              ["Hiện vật, dịch vụ (quy ra tiền)", f["in_kind"]["value"]],
              ["Đã chi", f["spent"]["total"]],
              ["Còn lại (tiền)", f["remaining"]],
              ["Đã phân phối – tiền", f["distributed"]["cash"]],
              ["Đã phân phối – hàng", f["distributed"]["goods_value"]]])
    received = Section(title="2. Tiền đã nhận theo quỹ", headers=["Quỹ", "Số tiền (đồng)"],
                       widths=[4, 2],
                       rows=[[p["label"], p["amount"]] for p in f["cash"]["parts"]],
                       total=["Cộng", f["cash"]["received"]])
    distributed = Section(
        title="3. Đã phân phối theo xã/phường và loại hỗ trợ",
        headers=["Xã/phường", "Loại hỗ trợ", "Lượt nhận", "Tiền (đồng)", "Hàng (đồng)"],
        widths=[3, 3, 1.2, 1.5, 1.5],
        rows=[[r["commune_name"], r["category"],
               "dưới 5" if r["recipients"] is None else r["recipients"], r["cash"],
               r["goods_value"]] for r in f["distributed"]["rows"]],
        total=["Cộng", "", f["distributed"]["recipients"], f["distributed"]["cash"],
               f["distributed"]["goods_value"]],
        note="Nhóm dưới 5 người nhận được gộp; không có thông tin cá nhân người nhận.")
    donors = Section(
        title="4. Nhà tài trợ",
        headers=["Nhà tài trợ", "Công khai", "Cam kết (đồng)", "Đã nhận (đồng)",
                 "Hiện vật (đồng)"],
        widths=[4, 1.4, 1.5, 1.5, 1.5], rows=_donor_rows(campaign, marks, start, end))
    return Report(
        slug=f"bao-cao-chien-dich-{campaign.pk}", title=f"Báo cáo chiến dịch «{campaign.name}»",
        unit=campaign.responsible_unit or area_unit(campaign),
        lines=[f"Thời gian: {campaign.starts_on:%d/%m/%Y} – "
               + (f"{campaign.ends_on:%d/%m/%Y}" if campaign.ends_on else "chưa kết thúc"),
               f"Số liệu đến {timezone.localtime(marks.as_of):%H:%M ngày %d/%m/%Y}"],
        sections=[summary, received, distributed, donors], dated=today)


def _donor_rows(campaign, marks, start, end) -> list[list]:
    """Real names for staff; the public list shows anonymous donors without theirs."""
    lines = net_lines(marks, start, end).filter(subject_lines(campaign))
    received = dict(lines.values("receipt__donor_id").annotate(s=Sum("amount"))
                    .values_list("receipt__donor_id", "s"))
    pledged = pledged_per_donor(subject_pledges(campaign, marks, start, end))
    in_kind = per_donor(campaign, marks, start, end)
    donors = Donor.objects.filter(Q(pk__in=set(received) | set(pledged) | set(in_kind)))
    rows = [[d.name, "Ẩn danh" if d.display == Display.ANONYMOUS else "Công khai tên",
             pledged.get(d.pk, 0), received.get(d.pk, 0), in_kind.get(d.pk, 0)]
            for d in donors]
    rows.sort(key=lambda r: (-(r[3] + r[4]), -r[2], r[0]))
    return rows
