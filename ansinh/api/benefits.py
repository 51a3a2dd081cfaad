"""/beneficiaries and /payroll — the monthly assistance: who is enrolled, the legacy-list
migration, stopping a benefit, and the payroll month (run, approve, rows, return file)."""

import tempfile
from pathlib import Path
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from ansinh.access.scoping import restrict
from ansinh.core.identity import normalise_id_number
from ansinh.core.months import format_month, parse_month
from ansinh.enrolment import legacy
from ansinh.enrolment.models import Entitlement
from ansinh.enrolment.services import (
    entitlement_adjust,
    entitlement_move,
    entitlement_resume,
    entitlement_stop,
    entitlement_suspend,
)
from ansinh.payments.models import PayrollMonth, PayrollRun
from ansinh.payments.returns import reconciliation, return_import
from ansinh.payments.services import (
    EXPORT_COLUMNS,
    payroll_approve,
    payroll_csv,
    payroll_rows,
    payroll_run,
)
from ansinh.payments.tasks import payroll_run_enqueue
from ansinh.registry.models import Person

from .common import Limit, Offset, PathId, commune_by_code, get_in_area, paginate
from .errors import ApiError, error_responses, invalid
from .schemas.benefits import (
    EntitlementOut,
    EntitlementPage,
    LegacyImportOut,
    PayrollOut,
    PayrollRowPage,
    PayrollRunOut,
    ReconciliationRowOut,
    ReturnOut,
    StopIn,
    StoppedOut,
)
from .schemas.enrolment import AdjustIn, MoveIn, ResumeIn, SuspendIn

beneficiaries = Router(tags=["beneficiaries"])
payroll = Router(tags=["payroll"])
ERRORS = error_responses()

MonthPath = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]


def entitlement_out(e: Entitlement) -> dict:
    return {
        "id": e.pk, "person_id": e.person_id, "person_name": e.person.full_name,
        "id_number": e.person.id_number, "recipient_id": e.recipient_id, "benefit": e.benefit,
        "category": e.category, "disability_level": e.disability_level,
        "children_count": e.children_count, "commune_code": e.commune.code,
        "commune_name": e.commune.name, "start_month": e.start_month,
        "end_month": e.end_month, "status": e.status, "payment_channel": e.payment_channel,
    }


def _visible(user):
    return restrict(Entitlement.objects.select_related("person", "commune"), user, "view")


class EntitlementFilters(Schema):
    benefit: str | None = None
    category: str | None = None
    status: str | None = None
    commune: str | None = Field(None, pattern=r"^\d{5}$")
    id_number: str | None = None


@beneficiaries.get("", response={200: EntitlementPage, **ERRORS},
                   summary="Đối tượng đang hưởng trong địa bàn")
def list_entitlements(request: HttpRequest, filters: Query[EntitlementFilters],
                      limit: Limit = 50, offset: Offset = 0):
    qs = _visible(request.auth)
    f = filters
    if f.benefit:
        qs = qs.filter(benefit=f.benefit)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.commune:
        qs = qs.filter(commune__code=f.commune)
    if f.id_number:
        qs = qs.filter(person__id_number=normalise_id_number(f.id_number))
    qs = qs.order_by("commune_id", "person__sort_key", "id")
    return paginate(request, qs, limit, offset, lambda rows: [entitlement_out(e) for e in rows])


@beneficiaries.get("/{int:entitlement_id}", response={200: EntitlementOut, **ERRORS},
                   summary="Xem một đối tượng hưởng")
def get_entitlement(request: HttpRequest, entitlement_id: PathId):
    return entitlement_out(get_in_area(_visible(request.auth), entitlement_id, "đối tượng"))


@beneficiaries.post("/import", response={200: LegacyImportOut, **ERRORS},
                    summary="Chuyển danh sách đang hưởng từ sổ cũ")
def import_legacy(request: HttpRequest, file: File[UploadedFile],
                  dry_run: Form[bool] = False, commune: Form[str] = ""):
    """The same as `ansinh beneficiaries import`: every row validated, the valid rows applied
    in one transaction (unless `dry_run`), the rejected rows listed with field and reason."""
    suffix = Path(file.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xls"):
        raise invalid("file", "Chỉ nhận tệp .csv hoặc .xlsx.")
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in file.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            report = legacy.run(request.auth, tmp.name, dry_run=dry_run,
                                default_commune=commune or None)
        except legacy.LegacyFileError as exc:
            raise invalid("file", str(exc)) from exc
    rejected = [r for r in report.rows if r.outcome == "rejected"]
    errors = []
    for r in rejected:
        fields: dict[str, list[str]] = {}
        for name, message in r.errors:
            fields.setdefault(name, []).append(message)
        errors.append({"row": r.number, "outcome": r.outcome, "errors": fields})
    return {"dry_run": dry_run, "rows": len(report.rows), "new": report.count("new"),
            "unchanged": report.count("unchanged"), "rejected": len(rejected),
            "rejected_rows": errors}


@beneficiaries.post("/stop", response={200: StoppedOut, **ERRORS},
                    summary="Thôi hưởng từ tháng sau ngày sự kiện")
def stop(request: HttpRequest, payload: StopIn):
    number = normalise_id_number(payload.id_number)
    person = restrict(Person.objects.all(), request.auth, "view").filter(
        id_number=number).first()
    if person is None:
        raise ApiError(404, f"Không có người có số định danh {number} trong địa bàn của bạn.")
    stopped = entitlement_stop(request.auth, person, payload.reason, payload.date,
                               number=payload.decision_number)
    return {"stopped": [entitlement_out(Entitlement.objects.select_related(
        "person", "commune").get(pk=e.pk)) for e in stopped]}


# ---- changes to a running beneficiary -------------------------------------------------------
# Each is a decision recorded with the next number of the commune (or the number given, when
# it was signed outside the system); months already paid are put right by the next payroll.

def _changed(request: HttpRequest, entitlement_id: int) -> dict:
    return entitlement_out(_visible(request.auth).get(pk=entitlement_id))


@beneficiaries.post("/{int:entitlement_id}/suspend", response={200: EntitlementOut, **ERRORS},
                    summary="Tạm dừng chi trả từ một tháng")
def suspend(request: HttpRequest, entitlement_id: PathId, payload: SuspendIn):
    """Only a running entitlement (422 otherwise); 403 for a role that may not change it."""
    entitlement = get_in_area(_visible(request.auth), entitlement_id, "đối tượng")
    entitlement_suspend(request.auth, entitlement, payload.reason, payload.from_month,
                        number=payload.number)
    return _changed(request, entitlement.pk)


@beneficiaries.post("/{int:entitlement_id}/resume", response={200: EntitlementOut, **ERRORS},
                    summary="Tiếp tục hưởng (có hoặc không truy lĩnh)")
def resume(request: HttpRequest, entitlement_id: PathId, payload: ResumeIn):
    """From a month after the suspension began; `back_pay` makes the paused months owed."""
    entitlement = get_in_area(_visible(request.auth), entitlement_id, "đối tượng")
    entitlement_resume(request.auth, entitlement, payload.month, back_pay=payload.back_pay,
                       number=payload.number)
    return _changed(request, entitlement.pk)


@beneficiaries.post("/{int:entitlement_id}/adjust", response={200: EntitlementOut, **ERRORS},
                    summary="Điều chỉnh nhóm, mức độ khuyết tật, số con… từ một tháng")
def adjust(request: HttpRequest, entitlement_id: PathId, payload: AdjustIn):
    """The running entitlement ends the month before `effective_month` and a new one with the
    new terms carries on; the answer is the new one. Terms not sent stay as they were."""
    entitlement = get_in_area(_visible(request.auth), entitlement_id, "đối tượng")
    terms = payload.model_dump(exclude_unset=True, exclude={"effective_month"})
    for name in ("category", "payment_channel", "studying"):
        if name in terms and terms[name] is None:
            raise invalid(name, "Không được để trống.")
    for name in ("disability_level", "household_poverty", "account_number", "reason", "number"):
        if name in terms and terms[name] is None:
            terms[name] = ""
    new = entitlement_adjust(request.auth, entitlement, payload.effective_month, **terms)
    return _changed(request, new.pk)


@beneficiaries.post("/{int:entitlement_id}/move", response={200: EntitlementOut, **ERRORS},
                    summary="Chuyển nơi chi trả sang xã khác")
def move(request: HttpRequest, entitlement_id: PathId, payload: MoveIn):
    """The current commune pays up to `stop_month`, the new one from the month after. The
    caller needs the *change* right on both communes (403 otherwise); the answer is the new
    entitlement."""
    entitlement = get_in_area(_visible(request.auth), entitlement_id, "đối tượng")
    to_commune = commune_by_code(payload.to_commune, "to_commune")
    new = entitlement_move(request.auth, entitlement, to_commune, payload.stop_month,
                           number=payload.number)
    return _changed(request, new.pk)


# ---- payroll -------------------------------------------------------------------------------

def _month(text: str):
    try:
        return parse_month(text)
    except ValueError as exc:
        raise invalid("month", str(exc)) from exc


def payroll_out(user, month) -> dict:
    rows = restrict(PayrollMonth.objects.select_related("commune", "prepared_by",
                                                        "approved_by"), user, "view") \
        .filter(month=month).order_by("commune__code")
    return {"month": format_month(month), "communes": [{
        "commune_code": p.commune.code, "commune_name": p.commune.name,
        "month": format_month(p.month), "status": p.status, "beneficiaries": p.beneficiaries,
        "regular_total": p.regular_total, "adjustment_total": p.adjustment_total,
        "total": p.total,
        "prepared_by": p.prepared_by.get_username() if p.prepared_by_id else None,
        "prepared_at": p.prepared_at,
        "approved_by": p.approved_by.get_username() if p.approved_by_id else None,
        "approved_at": p.approved_at, "inputs_digest": p.inputs_digest} for p in rows]}


@payroll.get("/{month}", response={200: PayrollOut, **ERRORS},
             summary="Bảng chi trả của tháng trong địa bàn")
def get_payroll(request: HttpRequest, month: MonthPath):
    return payroll_out(request.auth, _month(month))


@payroll.post("/{month}/run", response={200: PayrollOut, 202: PayrollRunOut, **ERRORS},
              summary="Lập hoặc lập lại bảng chi trả dự thảo")
def run(request: HttpRequest, month: MonthPath, background: bool = False):
    """Like `ansinh payroll run`: the draft for the caller's payroll area, arrears and
    recoveries included. Running it again gives the same draft.

    `?background=true` queues the run for a worker (`ansinh worker`) and answers **202** with
    the run; poll `GET /payroll/runs/{id}` until `done` or `failed`. A second request while
    the month is queued or running answers the same run."""
    value = _month(month)
    if background:
        job, _queued = payroll_run_enqueue(request.auth, value)
        return Status(202, _run_out(job))
    payroll_run(request.auth, value)
    return payroll_out(request.auth, value)


def _run_out(job: PayrollRun) -> dict:
    return {"id": job.pk, "month": format_month(job.month), "status": job.status,
            "error": job.error, "communes": job.communes, "beneficiaries": job.beneficiaries,
            "regular_total": job.regular_total, "adjustment_total": job.adjustment_total,
            "created_at": job.created_at, "finished_at": job.finished_at}


@payroll.get("/runs/{run_id}", response={200: PayrollRunOut, **ERRORS},
             summary="Trạng thái một lần lập bảng chi trả chạy nền")
def run_status(request: HttpRequest, run_id: PathId):
    """Only the officer who asked for the run sees it; anyone else gets 404."""
    job = PayrollRun.objects.filter(pk=run_id, requested_by=request.auth).first()
    if job is None:
        raise ApiError(404, "Không có lần lập bảng chi trả này.")
    return _run_out(job)


@payroll.post("/{month}/approve", response={200: PayrollOut, **ERRORS},
              summary="Phê duyệt và khóa tháng")
def approve(request: HttpRequest, month: MonthPath):
    """A different user from the preparer; two approvals at once produce one."""
    value = _month(month)
    payroll_approve(request.auth, value)
    return payroll_out(request.auth, value)


@payroll.get("/{month}/rows", response={200: PayrollRowPage, **ERRORS},
             summary="Các dòng chi trả (một dòng mỗi người, mỗi chế độ)")
def rows(request: HttpRequest, month: MonthPath, limit: Limit = 50, offset: Offset = 0):
    frame = payroll_rows(request.auth, _month(month))
    count = frame.height
    items = frame.slice(offset, limit).select(EXPORT_COLUMNS).to_dicts() if count else []
    base = request.build_absolute_uri(request.path)
    return {"count": count,
            "next": f"{base}?offset={offset + limit}&limit={limit}"
            if offset + limit < count else None,
            "previous": f"{base}?offset={max(offset - limit, 0)}&limit={limit}"
            if offset > 0 else None,
            "items": items}


@payroll.get("/{month}/export.csv", response={200: None, **ERRORS},
             summary="Xuất bảng chi trả ra CSV")
def export_csv(request: HttpRequest, month: MonthPath):
    body, _count = payroll_csv(request.auth, _month(month))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payroll-{month}.csv"'
    return response


@payroll.post("/{month}/returns", response={200: ReturnOut, **ERRORS},
              summary="Nhập tệp kết quả chi trả của đơn vị chi trả")
def returns(request: HttpRequest, month: MonthPath, file: File[UploadedFile]):
    """All or nothing: a line for another month, an unknown payment, a wrong amount or a
    reference already used for something else rejects the file (422, every line named)."""
    value = _month(month)
    report = return_import(request.auth, file.read(), file.name or "return.csv", value)
    return {"month": month, "paid": report.paid, "unpaid": report.unpaid,
            "unchanged": report.unchanged,
            "suspension_proposals": [p.entitlement_id for p in report.proposals]}


@payroll.get("/{month}/reconciliation", response={200: list[ReconciliationRowOut], **ERRORS},
             summary="Đối soát sổ chi trả và các khoản đã chi")
def reconcile(request: HttpRequest, month: MonthPath):
    return reconciliation(request.auth, _month(month))


@payroll.get("/{month}/provider/{channel}.csv", response={200: None, **ERRORS},
             summary="Tệp chi trả gửi ngân hàng / ví điện tử")
def provider_csv(request: HttpRequest, month: MonthPath, channel: str):
    """Approved months only; `channel` is bank or ewallet. Columns: payment_id, id_number,
    full_name, account_number, amount, benefit, month, commune_code."""
    from ansinh.payments.provider import provider_file

    body, _count = provider_file(request.auth, _month(month), channel)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{channel}-{month}.csv"'
    return response
