"""Reports and letters sent to donors: the donor report generated and kept as sent, a
campaign report or thank-you letter kept from the file that went out, and their downloads.

The file is stored once, with its SHA-256, and never regenerated: years later the centre
shows what it actually wrote, not what today's figures would say. Recording needs `funds` on
the donor's area; so does downloading, which is audited because the file holds the donor's
gifts.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.access.scoping import allows, require, restrict
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.text import fold

from .choices import DonorReportKind, SendChannel
from .models import Campaign, Donor, DonorReport
from .reports.donor import donor_report
from .reports.render import FORMATS, render

UPLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": FORMATS["xlsx"],
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MAX_UPLOAD = 10 * 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    content: bytes
    name: str
    content_type: str


def _slug(text: str) -> str:
    return "-".join(fold(text).split())[:60] or "nha-tai-tro"


def _uploaded(upload) -> StoredFile:
    if upload is None:
        raise ValidationError({"file": _("Tệp đã gửi: bắt buộc với chiến dịch hoặc thư cảm ơn "
                                         "(tải lên bản đã gửi).")})
    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in UPLOAD_TYPES:
        raise ValidationError({"file": _("Tệp đã gửi: chỉ nhận .pdf, .xlsx hoặc .docx.")})
    if upload.size > MAX_UPLOAD:
        raise ValidationError({"file": _("Tệp đã gửi: tối đa 10 MB.")})
    content = upload.read()
    if not content:
        raise ValidationError({"file": _("Tệp đã gửi: tệp rỗng.")})
    return StoredFile(content, name, UPLOAD_TYPES[ext])


def _generated(user, donor: Donor, period_start: date | None, period_end: date, fmt: str,
               sent_on: date) -> StoredFile:
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Định dạng: chọn pdf hoặc xlsx.")})
    report = donor_report(user, donor, period_end, period_start)
    since = f"tu-{period_start:%Y%m%d}-" if period_start else ""
    name = (f"bao-cao-{_slug(donor.name)}-{since}den-{period_end:%Y%m%d}-gui-{sent_on:%Y%m%d}"
            f".{fmt}")
    return StoredFile(render(report, fmt), name, FORMATS[fmt])


def donor_report_record(user, donor: Donor, *, sent_on: date, channel: str,
                        kind: str = DonorReportKind.DONOR, period_end: date | None = None,
                        period_start: date | None = None, fmt: str = "pdf",
                        campaign: Campaign | None = None, note: str = "",
                        upload=None) -> DonorReport:
    """Record a report sent to `donor`. A donor report is generated here (figures of
    [`period_start`, `period_end`], from the first gift when no start is given) in `fmt`; a
    campaign report or thank-you letter is the uploaded file."""
    require(user, "funds", donor)
    today = timezone.localdate()
    if kind not in DonorReportKind.values:
        raise ValidationError({"kind": _("%(label)s: giá trị «%(value)s» không hợp lệ.")
                               % {"label": _("Loại báo cáo"), "value": kind}})
    if channel not in SendChannel.values:
        raise ValidationError({"channel": _("%(label)s: giá trị «%(value)s» không hợp lệ.")
                               % {"label": _("Hình thức gửi"), "value": channel}})
    if sent_on is None:
        raise ValidationError({"sent_on": _("Ngày gửi: bắt buộc.")})
    if sent_on > today:
        raise ValidationError({"sent_on": _("Ngày gửi: không được sau ngày hôm nay.")})
    period_end = period_end or sent_on
    if period_end > sent_on:
        raise ValidationError({"period_end": _("Đến ngày: không được sau ngày gửi.")})
    if period_start is not None and period_start > period_end:
        raise ValidationError({"period_start": _("Từ ngày: không được sau ngày kết thúc kỳ.")})
    if kind == DonorReportKind.CAMPAIGN:
        if campaign is None:
            raise ValidationError({"campaign": _("Chiến dịch: bắt buộc với báo cáo chiến "
                                                 "dịch.")})
        require(user, "funds", campaign)
    elif campaign is not None:
        raise ValidationError({"campaign": _("Chiến dịch: chỉ dùng với báo cáo chiến dịch.")})
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("Ghi chú: tối đa 300 ký tự.")})
    if kind == DonorReportKind.DONOR:
        if upload is not None:
            raise ValidationError({"file": _("Tệp đã gửi: báo cáo nhà tài trợ do hệ thống lập, "
                                             "không tải lên.")})
        stored = _generated(user, donor, period_start, period_end, fmt, sent_on)
    else:
        stored = _uploaded(upload)
    return _save(user, donor, stored, kind=kind, campaign=campaign, period_start=period_start,
                 period_end=period_end, sent_on=sent_on, channel=channel, note=note)


def _save(user, donor: Donor, stored: StoredFile, **fields) -> DonorReport:
    row = DonorReport(donor=donor, sent_by=user, commune=donor.commune,
                      province=donor.province, file_name=stored.name,
                      content_type=stored.content_type, file_size=len(stored.content),
                      file_sha256=hashlib.sha256(stored.content).hexdigest(), **fields)
    row.full_clean(exclude=["file"])
    row.file.save(stored.name, ContentFile(stored.content), save=False)
    try:
        with transaction.atomic():
            row.save()
            audit_record(AuditAction.CREATE, row, changes={
                "donor": donor.pk, "kind": row.kind, "campaign": row.campaign_id,
                "period_start": row.period_start, "period_end": row.period_end,
                "sent_on": row.sent_on, "channel": row.channel, "file": row.file_name,
                "sha256": row.file_sha256})
    except Exception:
        row.file.delete(save=False)  # no record, so no file left behind
        raise
    return row


def donor_report_list(user, donor: Donor):
    """The reports sent to `donor` that the user may see, newest first."""
    return (restrict(DonorReport.objects.filter(donor=donor), user, "view")
            .select_related("campaign", "sent_by").order_by("-sent_on", "-pk"))


def donor_report_open(user, report: DonorReport) -> StoredFile:
    """The stored file for a download, audited. Needs `funds` on the report's area."""
    if not allows(user, "funds", report):
        raise PermissionDenied("Bạn không có quyền tải báo cáo gửi nhà tài trợ này.")
    with report.file.open("rb") as f:
        content = f.read()
    audit_record(AuditAction.EXPORT, report, changes={
        "document": "donor_report", "donor": report.donor_id, "file": report.file_name})
    return StoredFile(content, report.file_name, report.content_type)
