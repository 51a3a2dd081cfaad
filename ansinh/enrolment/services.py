"""Applications, decisions and their effect on entitlements (HackSoft style: writes here).

Every decision that touches months already in an approved payroll leaves `recalc_from` on the
entitlement; the next payroll run turns the difference into arrears or recovery lines.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ansinh.access.scoping import require, require_area
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.months import add_months, format_month_vn, month_of
from ansinh.core.workdays import add_working_days

from .choices import Benefit, Category, DecisionKind, StopReason
from .models import Application, Attachment, Decision, Entitlement, Pause
from .numbering import next_number
from .selectors import priced_month
from .terms import Terms, age_in_month, check_terms

REVIEW_WORKING_DAYS = 10  # Decree 147/2025: the commune reviews and decides within 10 days
POSTING_WORKING_DAYS = 2  # Decree 20/2021 Art. 8.1: posted at the commune office for 2 days


def _raise(errors: list[tuple[str, str]]) -> None:
    if errors:
        merged: dict[str, list[str]] = {}
        for field, message in errors:
            merged.setdefault(field, []).append(message)
        raise ValidationError(merged)


def terms_of(person, **data) -> Terms:
    return Terms(
        benefit=data["benefit"], category=data.get("category", ""),
        start_month=data["start_month"], birth_date=person.birth_date,
        birth_precision=person.birth_date_precision,
        disability_level=data.get("disability_level", "") or "",
        children_count=data.get("children_count"),
        household_poverty=data.get("household_poverty", "") or "",
        payment_channel=data.get("payment_channel", "cash"),
        account_number=data.get("account_number", "") or "",
        deceased_date=person.deceased_date,
    )


def enrolled_conflict(person, benefit: str, category: str, start_month: date,
                      exclude: Entitlement | None = None) -> Entitlement | None:
    """An entitlement of the same person and benefit still running at `start_month` — the
    single-parent exception (5.4 alongside another category) excepted."""
    running = Entitlement.objects.filter(person=person, benefit=benefit).exclude(
        status=Entitlement.Status.ENDED, end_month__lt=start_month)
    running = running.exclude(end_month__lt=start_month)
    if exclude is not None:
        running = running.exclude(pk=exclude.pk)
    for other in running:
        if benefit == Benefit.MONTHLY_ALLOWANCE and Category.C5_4 in (category, other.category) \
                and category != other.category:
            continue
        return other
    return None


# ---- applications ---------------------------------------------------------------------------

@transaction.atomic
def application_receive(user, *, person, received_on: date | None = None, **data) -> Application:
    require_area(user, "add", person.commune)
    received_on = received_on or timezone.localdate()
    start = start_month_for(person, data.get("category", ""), month_of(received_on),
                            data.get("disability_certified_on"))
    _raise(check_terms(terms_of(person, start_month=start, **data)))
    if other := enrolled_conflict(person, data["benefit"], data.get("category", ""),
                                  month_of(received_on)):
        _raise([("benefit", f"{person.full_name} đang hưởng {other.get_benefit_display()} "
                            f"(nhóm {other.category}) từ {format_month_vn(other.start_month)}.")])
    app = Application(person=person, commune=person.commune, province=person.province,
                      received_on=received_on, prepared_by=user,
                      review_due=add_working_days(received_on, REVIEW_WORKING_DAYS), **data)
    app.full_clean()
    app.save()
    audit_record(AuditAction.CREATE, app, changes={"benefit": app.benefit,
                                                   "category": app.category})
    return app


@transaction.atomic
def application_attach(user, app: Application, files) -> list[Attachment]:
    """Scanned papers of the dossier, stored under the application (so after it exists)."""
    require(user, "change", app)
    attached = [Attachment.objects.create(application=app, title=f.name[:120], file=f)
                for f in files]
    if attached:
        audit_record(AuditAction.UPDATE, app, changes={
            "attachments": [a.title for a in attached]})
    return attached


@transaction.atomic
def application_post(user, app: Application, posted_from: date | None = None) -> Application:
    require(user, "change", app)
    if app.status != Application.Status.RECEIVED:
        raise ValidationError("Chỉ niêm yết hồ sơ vừa tiếp nhận.")
    app.posted_from = posted_from or timezone.localdate()
    app.posted_until = add_working_days(app.posted_from, POSTING_WORKING_DAYS)
    app.status = Application.Status.POSTED
    app.save()
    audit_record(AuditAction.UPDATE, app, changes={"status": ["received", "posted"]})
    return app


@transaction.atomic
def application_reject(user, app: Application, reason: str) -> Application:
    require(user, "approve", app)
    if not reason.strip():
        raise ValidationError({"rejection_reason": "Từ chối phải nêu rõ lý do."})
    if app.status in (Application.Status.APPROVED, Application.Status.REJECTED):
        raise ValidationError("Hồ sơ đã được giải quyết.")
    old = app.status
    app.status, app.rejection_reason = Application.Status.REJECTED, reason.strip()
    app.save()
    audit_record(AuditAction.UPDATE, app, changes={"status": [old, "rejected"]})
    return app


# ---- decisions -----------------------------------------------------------------------------

@transaction.atomic
def decision_prepare_grant(user, app: Application, basis: str = "") -> Decision:
    require(user, "change", app)
    if app.status != Application.Status.POSTED:
        raise ValidationError("Hồ sơ phải được niêm yết công khai trước khi trình quyết định.")
    if app.posted_until and timezone.localdate() <= app.posted_until:
        raise ValidationError(f"Đang trong thời gian niêm yết (đến hết "
                              f"{app.posted_until:%d/%m/%Y}).")
    if app.decisions.filter(status=Decision.Status.DRAFT).exists():
        raise ValidationError("Hồ sơ đã có dự thảo quyết định.")
    decision = Decision.objects.create(
        kind=DecisionKind.GRANT, prepared_by=user, application=app, person=app.person,
        commune=app.commune, province=app.province, benefit=app.benefit,
        category=app.category, effective_month=month_of(timezone.localdate()),
        basis=basis or default_basis(app.benefit),
    )
    audit_record(AuditAction.CREATE, decision, changes={"kind": decision.kind})
    return decision


def default_basis(benefit: str) -> str:
    if benefit == Benefit.SOCIAL_PENSION:
        return "Nghị định số 176/2025/NĐ-CP ngày 30/6/2025 của Chính phủ"
    return ("Nghị định số 20/2021/NĐ-CP ngày 15/3/2021 của Chính phủ, được sửa đổi, bổ sung "
            "bởi Nghị định số 76/2024/NĐ-CP; Nghị định số 147/2025/NĐ-CP ngày 12/6/2025")


def check_approver(user, decision: Decision) -> None:
    """The approver holds an approving role configured for this kind of decision on the
    commune, and never prepared the decision himself."""
    if decision.prepared_by_id is not None and decision.prepared_by_id == user.pk:
        raise PermissionDenied("Người phê duyệt không được là người lập quyết định.")
    require(user, "approve", decision)
    if user.is_superuser:
        return
    approvers = settings.ANSINH_DECISION_APPROVERS
    roles = approvers.get(decision.kind, approvers.get("*", []))
    held = set(user.role_assignments.values_list("role", flat=True))
    if not held.intersection(roles):
        raise PermissionDenied("Vai trò của bạn không được ký loại quyết định này.")


def birthday_month(person, age: int) -> date:
    """The month a person reaches `age` (January when only the birth year is known)."""
    born = person.birth_date
    return date(born.year + age, 1 if person.birth_date_precision == "Y" else born.month, 1)


def start_month_for(person, category: str, month: date,
                    certified_on: date | None = None) -> date:
    """Art. 8.1: 5.5.b from the month of turning 75, 5.5.c from turning 80, a disability
    from the month of its certificate, everyone else from the month the decision is signed."""
    if category in (Category.C5_5B, Category.C5_5C) and person.birth_date:
        return max(month, birthday_month(person, 75 if category == Category.C5_5B else 80))
    if category == Category.C5_6 and certified_on:
        return month_of(certified_on)
    return month


def first_month(app: Application, signed_month: date) -> date:
    return start_month_for(app.person, app.category, signed_month, app.disability_certified_on)


@transaction.atomic
def decision_sign(user, decision: Decision, signed_on: date | None = None,
                  signer_name: str = "") -> Decision:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status == Decision.Status.SIGNED:
        raise ValidationError(f"Quyết định đã được ký (số {decision.number}).")
    check_approver(user, decision)
    signed_on = signed_on or timezone.localdate()
    decision.sequence, decision.number = next_number(decision.commune, signed_on.year)
    decision.year, decision.signed_on = signed_on.year, signed_on
    decision.signer = user if getattr(user, "pk", None) else None
    decision.signer_name = signer_name or (user.get_full_name() if hasattr(user, "get_full_name")
                                           else "") or user.get_username()
    decision.status = Decision.Status.SIGNED
    if decision.kind == DecisionKind.GRANT:
        _apply_grant(decision, month_of(signed_on))
    elif decision.kind == DecisionKind.FUNERAL:
        _apply_funeral(decision, month_of(signed_on))
    decision.save()
    audit_record(AuditAction.UPDATE, decision, changes={"status": ["draft", "signed"],
                                                        "number": decision.number})
    return decision


def _apply_grant(decision: Decision, signed_month: date) -> Entitlement:
    app = decision.application
    start = first_month(app, signed_month)
    if other := enrolled_conflict(app.person, app.benefit, app.category, start):
        raise ValidationError(f"{app.person.full_name} đã được hưởng "
                              f"{other.get_benefit_display()} (nhóm {other.category}).")
    entitlement = Entitlement.objects.create(
        person=app.person, recipient=app.recipient or app.person, benefit=app.benefit,
        category=app.category, disability_level=app.disability_level,
        children_count=app.children_count, studying=app.studying,
        household_poverty=app.household_poverty, commune=app.commune, province=app.province,
        start_month=start, payment_channel=app.payment_channel,
        account_number=app.account_number,
        recalc_from=start if start < signed_month else None,
        recalc_reason=f"Quyết định {decision.number}: hưởng từ {format_month_vn(start)}",
    )
    decision.entitlement, decision.effective_month = entitlement, start
    # The signed text states the amount: priced now, so later rates never rewrite it.
    decision.monthly_amount, decision.coefficient = priced_month(entitlement, start)
    app.status = Application.Status.APPROVED
    app.save(update_fields=["status", "updated_at"])
    audit_record(AuditAction.CREATE, entitlement, changes={
        "benefit": entitlement.benefit, "category": entitlement.category,
        "start_month": start.isoformat(), "decision": decision.number})
    return entitlement


# ---- funeral support (Art. 11) ---------------------------------------------------------------

FUNERAL_BENEFITS = (Benefit.MONTHLY_ALLOWANCE, Benefit.SOCIAL_PENSION)


@transaction.atomic
def funeral_prepare(user, deceased, organiser, *, in_facility: bool = False,
                    basis: str = "") -> Decision:
    """Funeral support for a beneficiary who died, paid once to whoever arranged the funeral:
    20 × the standard level (50 × for a resident of a social assistance facility)."""
    require(user, "change", deceased)
    if deceased.deceased_date is None:
        raise ValidationError({"deceased": "Chưa ghi ngày mất của người này trong sổ."})
    if organiser.pk == deceased.pk:
        raise ValidationError({"organiser": "Người tổ chức mai táng phải là người khác."})
    had = Entitlement.objects.filter(person=deceased, benefit__in=FUNERAL_BENEFITS,
                                     start_month__lte=month_of(deceased.deceased_date))
    if not had.exists():
        raise ValidationError({"deceased": "Chỉ hỗ trợ mai táng cho người đang hưởng trợ cấp "
                                           "hằng tháng hoặc trợ cấp hưu trí xã hội khi mất."})
    if Decision.objects.filter(person=deceased, kind=DecisionKind.FUNERAL).exists():
        raise ValidationError({"deceased": "Đã có quyết định hỗ trợ mai táng cho người này."})
    decision = Decision.objects.create(
        kind=DecisionKind.FUNERAL, prepared_by=user, person=deceased, recipient=organiser,
        commune=deceased.commune, province=deceased.province, benefit=Benefit.FUNERAL,
        category="facility" if in_facility else "community",
        effective_month=month_of(timezone.localdate()),
        basis=basis or "Điều 11 Nghị định số 20/2021/NĐ-CP; Nghị định số 147/2025/NĐ-CP",
        reason=f"Mất ngày {deceased.deceased_date:%d/%m/%Y}")
    audit_record(AuditAction.CREATE, decision, changes={"kind": decision.kind,
                                                        "recipient": organiser.pk})
    return decision


def _apply_funeral(decision: Decision, signed_month: date) -> Entitlement:
    entitlement = Entitlement.objects.create(
        person=decision.person, recipient=decision.recipient, benefit=Benefit.FUNERAL,
        category=decision.category, commune=decision.commune, province=decision.province,
        start_month=signed_month, end_month=signed_month, status=Entitlement.Status.ENDED,
        stop_reason="one_off")
    decision.entitlement, decision.effective_month = entitlement, signed_month
    decision.monthly_amount, decision.coefficient = priced_month(entitlement, signed_month)
    audit_record(AuditAction.CREATE, entitlement, changes={
        "benefit": "funeral", "recipient": decision.recipient_id,
        "month": signed_month.isoformat(), "decision": decision.number})
    return entitlement


# ---- changes to running entitlements -------------------------------------------------------

def _mark(entitlement: Entitlement, month: date, reason: str) -> None:
    if entitlement.recalc_from is None or month < entitlement.recalc_from:
        entitlement.recalc_from = month
        entitlement.recalc_reason = reason[:255]


def _recorded_decision(user, entitlement, kind, month, reason, number="", signed_on=None,
                       **extra) -> Decision:
    """A decision taken from the console or an import: signed outside the system, recorded
    with its number; or numbered here when no number is given."""
    signed_on = signed_on or timezone.localdate()
    decision = Decision(kind=kind, status=Decision.Status.SIGNED, person=entitlement.person,
                        entitlement=entitlement, commune=entitlement.commune,
                        province=entitlement.province, benefit=entitlement.benefit,
                        category=entitlement.category, effective_month=month, reason=reason,
                        signed_on=signed_on, year=signed_on.year,
                        signer_name=user.get_username(), **extra)
    if number:
        decision.number, decision.migrated = number, True
    else:
        decision.sequence, decision.number = next_number(entitlement.commune, signed_on.year)
    if kind in (DecisionKind.ADJUST, DecisionKind.RESUME, DecisionKind.GRANT):
        decision.monthly_amount, decision.coefficient = priced_month(entitlement, month)
    decision.save()
    audit_record(AuditAction.CREATE, decision, changes={"kind": kind, "number": decision.number,
                                                        "reason": reason})
    return decision


@transaction.atomic
def entitlement_stop(user, person, reason: str, on_date: date, *, number: str = "",
                     signed_on: date | None = None) -> list[Entitlement]:
    """Thôi hưởng from the month after `on_date` (Art. 8.2) for every running entitlement of
    the person — as beneficiary, and as carer paid a care allowance."""
    if reason not in StopReason.values:
        raise ValidationError({"reason": f"Lý do «{reason}» không có; dùng một trong: "
                                         f"{', '.join(StopReason.values)}."})
    running = list(Entitlement.objects.select_for_update().filter(
        person=person).exclude(status=Entitlement.Status.ENDED)) + list(
        Entitlement.objects.select_for_update().filter(
            recipient=person, benefit=Benefit.CARE_ALLOWANCE).exclude(person=person).exclude(
            status=Entitlement.Status.ENDED))
    if not running:
        raise ValidationError(f"{person.full_name} không có chế độ nào đang hưởng.")
    last = month_of(on_date)
    kind = DecisionKind.MOVE_OUT if reason == StopReason.MOVED else DecisionKind.TERMINATE
    label = StopReason(reason).label
    for entitlement in running:
        require(user, "change", entitlement)
        if entitlement.end_month is not None and entitlement.end_month <= last:
            continue
        # Stopped before it began, the end falls before the start: no month is payable.
        entitlement.end_month = last
        entitlement.status = Entitlement.Status.ENDED
        entitlement.stop_reason = reason
        _recorded_decision(user, entitlement, kind, add_months(last, 1), label, number,
                           signed_on)
        _mark(entitlement, add_months(last, 1),
              f"Thôi hưởng từ {format_month_vn(add_months(last, 1))}: {label}")
        entitlement.save()
        audit_record(AuditAction.UPDATE, entitlement, changes={
            "status": ["active", "ended"], "end_month": entitlement.end_month.isoformat()})
    if reason == StopReason.DEATH and person.deceased_date is None:
        from ansinh.registry.services import person_update
        person_update(user, person, deceased_date=on_date)
    return running


@transaction.atomic
def entitlement_suspend(user, entitlement: Entitlement, reason: str, from_month: date,
                        *, number: str = "") -> Pause:
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    require(user, "change", entitlement)
    if entitlement.status != Entitlement.Status.ACTIVE:
        raise ValidationError("Chỉ tạm dừng được chế độ đang hưởng.")
    from_month = month_of(from_month)
    decision = _recorded_decision(user, entitlement, DecisionKind.SUSPEND, from_month, reason,
                                  number)
    pause = Pause.objects.create(entitlement=entitlement, from_month=from_month, reason=reason,
                                 decision=decision)
    entitlement.status = Entitlement.Status.SUSPENDED
    _mark(entitlement, from_month, f"Tạm dừng từ {format_month_vn(from_month)}")
    entitlement.save()
    return pause


@transaction.atomic
def entitlement_resume(user, entitlement: Entitlement, month: date, *, back_pay: bool,
                       number: str = "") -> Pause:
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    require(user, "change", entitlement)
    pause = entitlement.pauses.filter(to_month__isnull=True).first()
    if entitlement.status != Entitlement.Status.SUSPENDED or pause is None:
        raise ValidationError("Chế độ này không bị tạm dừng.")
    month = month_of(month)
    if month <= pause.from_month:
        raise ValidationError("Tháng tiếp tục hưởng phải sau tháng tạm dừng.")
    pause.to_month = add_months(month, -1)
    pause.back_pay = back_pay
    pause.resume_decision = _recorded_decision(user, entitlement, DecisionKind.RESUME, month,
                                               "Truy lĩnh" if back_pay else "", number,
                                               back_pay=back_pay)
    pause.save()
    entitlement.status = Entitlement.Status.ACTIVE
    _mark(entitlement, pause.from_month,
          f"Tiếp tục hưởng từ {format_month_vn(month)}" + (", truy lĩnh" if back_pay else ""))
    entitlement.save()
    return pause


@transaction.atomic
def entitlement_adjust(user, entitlement: Entitlement, effective_month: date,
                       **terms) -> Entitlement:
    """A new category, disability level or number of children from `effective_month`: the
    running entitlement ends the month before and a new one carries on."""
    old = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    require(user, "change", old)
    effective = month_of(effective_month)
    if old.status == Entitlement.Status.ENDED or effective <= old.start_month:
        raise ValidationError("Tháng điều chỉnh phải sau tháng bắt đầu của chế độ đang hưởng.")
    fields = ("category", "disability_level", "children_count", "studying",
              "household_poverty", "payment_channel", "account_number")
    values = {f: terms.get(f, getattr(old, f)) for f in fields}
    _raise(check_terms(terms_of(old.person, benefit=old.benefit, start_month=effective,
                                **values)))
    old.end_month, old.status = add_months(effective, -1), Entitlement.Status.ENDED
    old.stop_reason = "adjusted"
    _mark(old, effective, f"Điều chỉnh từ {format_month_vn(effective)}")
    old.save()
    new = Entitlement.objects.create(
        person=old.person, recipient=old.recipient, benefit=old.benefit, commune=old.commune,
        province=old.province, start_month=effective, previous=old, **values,
        recalc_from=effective,
        recalc_reason=f"Điều chỉnh từ {format_month_vn(effective)}")
    decision = _recorded_decision(user, new, DecisionKind.ADJUST, effective,
                                  terms.get("reason", ""), terms.get("number", ""))
    audit_record(AuditAction.CREATE, new, changes={**{f: str(v) for f, v in values.items()},
                                                   "decision": decision.number})
    return new


@transaction.atomic
def entitlement_move(user, entitlement: Entitlement, to_commune, stop_month: date, *,
                     number: str = "") -> Entitlement:
    """Art. 8.4 / Decree 147: the old commune stops payment after `stop_month`; the new
    commune pays from the month after — no gap, no month paid twice."""
    old = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    require(user, "change", old)
    require_area(user, "change", to_commune)
    last = month_of(stop_month)
    if old.status == Entitlement.Status.ENDED or last < old.start_month:
        raise ValidationError("Tháng dừng chi trả không hợp lệ cho chế độ này.")
    if to_commune.pk == old.commune_id:
        raise ValidationError("Xã mới trùng xã đang chi trả.")
    old.end_month, old.status, old.stop_reason = last, Entitlement.Status.ENDED, "moved"
    _mark(old, add_months(last, 1), f"Chuyển đi từ {format_month_vn(add_months(last, 1))}")
    old.save()
    _recorded_decision(user, old, DecisionKind.MOVE_OUT, add_months(last, 1),
                       StopReason.MOVED.label, number)
    new = Entitlement.objects.create(
        person=old.person, recipient=old.recipient, benefit=old.benefit,
        category=old.category, disability_level=old.disability_level,
        children_count=old.children_count, studying=old.studying,
        household_poverty=old.household_poverty, commune=to_commune,
        province=to_commune.province, start_month=add_months(last, 1),
        payment_channel=old.payment_channel, account_number=old.account_number, previous=old,
        status=Entitlement.Status.ACTIVE)
    # The new commune's decision to pay from the month after the stop.
    _recorded_decision(user, new, DecisionKind.GRANT, new.start_month,
                       f"Chuyển đến từ {old.commune.name}")
    audit_record(AuditAction.CREATE, new, changes={"moved_from": old.commune_id,
                                                   "start_month": new.start_month.isoformat()})
    return new


def age_at(person, month: date) -> int | None:
    if not person.birth_date:
        return None
    return age_in_month(person.birth_date, person.birth_date_precision, month)
