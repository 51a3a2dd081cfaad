"""Writes of the transparency page: publishing a snapshot (`funds`), withdrawing one
(`fund_approve`, with a reason), and the fund's "how to give" text (`funds`). Each is one
transaction with an audit row."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.access.scoping import require
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.distributions.models import Cycle
from ansinh.funds.models import BalanceLock, Campaign, Fund, Restriction
from ansinh.funds.pledge_history import lock_targets

from . import figures
from .models import GivingInfo, Snapshot, SubjectKind

GIVING_FIELDS = ("bank_account", "bank_name", "account_holder", "address", "phone", "text")


def default_period(subject, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    if isinstance(subject, Campaign):
        end = min(subject.ends_on, today) if subject.ends_on else today
        return subject.starts_on, max(end, subject.starts_on)
    return date(today.year, 1, 1), today


def clean_period(subject, start: date | None, end: date | None) -> tuple[date, date]:
    default_start, default_end = default_period(subject)
    start, end = start or default_start, end or default_end
    if end > timezone.localdate():
        raise ValidationError({"period_end": _("Đến ngày: không được sau ngày hôm nay (số "
                                               "liệu công khai là số đã xảy ra).")})
    if start > end:
        raise ValidationError({"period_start": _("Từ ngày: không được sau đến ngày.")})
    return start, end


def _subject_funds(subject) -> list[int]:
    if isinstance(subject, Fund):
        return [subject.pk]
    ids = set(subject.funds.values_list("pk", flat=True))
    ids |= set(Restriction.objects.filter(campaign=subject).values_list("fund_id", flat=True))
    return sorted(ids)


def _lock_ledger(subject) -> None:
    """Hold the balance locks of the subject's funds while the marks are read: every issue,
    reversal and allocation decision takes these locks, so none is half-way through. The
    subject's own row first: pledge writers lock it, so no pledge edit is half-way through
    either (`ansinh.funds.pledge_history`)."""
    lock_targets(subject)
    list(BalanceLock.objects.select_for_update()
         .filter(fund_id__in=_subject_funds(subject))
         .order_by("fund_id", F("restriction_id").asc(nulls_first=True)))
    # Hand-outs take their cycle's row first; holding the subject's cycles means none is
    # half-way through when the moment of the snapshot is taken.
    cycles = Cycle.objects.filter(campaign=subject) if isinstance(subject, Campaign) \
        else Cycle.objects.filter(fund=subject)
    list(cycles.select_for_update().order_by("pk").values_list("pk", flat=True))


def default_title(subject, end: date) -> str:
    prefix = "Chiến dịch" if isinstance(subject, Campaign) else ""
    name = f"{prefix} {subject.name}".strip()
    return f"{name} – số liệu đến ngày {end:%d/%m/%Y}"


@transaction.atomic
def snapshot_publish(user, *, campaign: Campaign | None = None, fund: Fund | None = None,
                     period_start: date | None = None, period_end: date | None = None,
                     title: str = "") -> Snapshot:
    """Freeze the figures of a campaign or a fund as they stand in the ledger now, and make
    them public. Later receipts appear only in the next snapshot."""
    if (campaign is None) == (fund is None):
        raise ValidationError({"subject": _("Đối tượng công khai: chọn một chiến dịch hoặc "
                                            "một quỹ.")})
    subject = campaign or fund
    require(user, "funds", subject)
    start, end = clean_period(subject, period_start, period_end)
    title = (title or "").strip() or default_title(subject, end)
    if len(title) > 200:
        raise ValidationError({"title": _("Tiêu đề: tối đa 200 ký tự.")})
    _lock_ledger(subject)
    marks = figures.current_marks()
    snapshot = Snapshot(
        kind=SubjectKind.CAMPAIGN if campaign else SubjectKind.FUND, campaign=campaign,
        fund=fund, title=title, period_start=start, period_end=end,
        figures=figures.compute(subject, marks, start, end), marks=marks.as_json(),
        published_at=marks.as_of, published_by=user, commune=subject.commune,
        province=subject.province)
    snapshot.save()
    audit_record(AuditAction.CREATE, snapshot, changes={
        "subject": [snapshot.kind, subject.pk], "period": [start.isoformat(), end.isoformat()],
        "marks": snapshot.marks,
        "received": snapshot.figures["cash"]["received"],
        "spent": snapshot.figures["spent"]["total"]})
    return snapshot


@transaction.atomic
def snapshot_withdraw(user, snapshot: Snapshot, *, reason: str) -> Snapshot:
    """Take a published snapshot off the public page (a manager's decision, with a reason).
    Its figures stay as they were, for the record."""
    snapshot = Snapshot.objects.select_for_update().get(pk=snapshot.pk)
    require(user, "fund_approve", snapshot)
    if snapshot.withdrawn:
        raise ValidationError({"snapshot": _("Bản công khai: đã được thu hồi trước đó.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Lý do thu hồi: bắt buộc.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Lý do thu hồi: tối đa 300 ký tự.")})
    snapshot.withdrawn_at = timezone.now()
    snapshot.withdrawn_by = user
    snapshot.withdrawn_reason = reason
    snapshot.save()
    audit_record(AuditAction.UPDATE, snapshot, changes={
        "withdrawn": [False, True], "reason": reason})
    return snapshot


@transaction.atomic
def giving_info_set(user, fund: Fund, **values) -> GivingInfo:
    require(user, "funds", fund)
    unknown = set(values) - set(GIVING_FIELDS)
    if unknown:
        raise ValidationError({f: _("Trường không được sửa tại đây.") for f in sorted(unknown)})
    info = GivingInfo.objects.select_for_update().filter(fund=fund).first()
    if info is None:
        info = GivingInfo(fund=fund, commune=fund.commune, province=fund.province)
    old = {f: getattr(info, f) for f in GIVING_FIELDS}
    for field, value in values.items():
        setattr(info, field, (value or "").strip())
    account = info.bank_account.replace(" ", "").replace(".", "")
    if account and not account.isdigit():
        raise ValidationError({"bank_account": _("Số tài khoản tiếp nhận: chỉ gồm chữ số.")})
    if account and not info.bank_name:
        raise ValidationError({"bank_name": _("Ngân hàng: bắt buộc khi có số tài khoản.")})
    info.full_clean(exclude=["fund"])
    created = info.pk is None
    info.save()
    changes = {f: [old[f], getattr(info, f)] for f in GIVING_FIELDS
               if old[f] != getattr(info, f)}
    audit_record(AuditAction.CREATE if created else AuditAction.UPDATE, info, changes=changes)
    return info
