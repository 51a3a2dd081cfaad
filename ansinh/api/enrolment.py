"""/applications and /decisions — the monthly assistance from the dossier to the signed
decision: receive, attach the papers, post publicly, reject or prepare the grant, sign, print.

Every record is looked up among what the caller may *view* (another area is a 404); the
enrolment services check the action itself (403) and the business rules (422).
"""

from datetime import date
from pathlib import Path

from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from ansinh.access.scoping import allows, require, restrict
from ansinh.audit.services import audit_sensitive_read
from ansinh.enrolment import services
from ansinh.enrolment.forms import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_FILES,
    ATTACHMENT_TYPES,
    HIV_CATEGORIES,
    category_label,
    public_category_label,
)
from ansinh.enrolment.models import Application, Decision
from ansinh.enrolment.printing import DOCX, decision_file
from ansinh.registry.selectors import persons_for

from .common import Limit, Offset, PathId, get_in_area, paginate
from .errors import ApiError, error_responses, invalid
from .schemas.enrolment import (
    ApplicationCreate,
    ApplicationDetail,
    ApplicationFilters,
    ApplicationPage,
    AttachedOut,
    DecisionFilters,
    DecisionOut,
    DecisionPage,
    PostIn,
    PrepareIn,
    RejectIn,
    SignIn,
)

applications = Router(tags=["applications"])
decisions = Router(tags=["decisions"])
ERRORS = error_responses()

# Dossiers with no date at all are not plausible, and the working-day calendar needs a year
# it knows; the oldest paper dossier still open predates the system by a few years at most.
EARLIEST_DATE = date(2000, 1, 1)
OPEN = (Application.Status.RECEIVED, Application.Status.POSTED)


def _category(user, row) -> dict:
    """The clause only for staff who may read sensitive data on the row, the public group for
    everyone else — as on the pages, so an HIV category is never told apart by the API."""
    if not row.category:
        return {"category": row.category, "category_label": ""}
    if allows(user, "sensitive", row):
        return {"category": row.category,
                "category_label": category_label(row.benefit, row.category)}
    return {"category": None, "category_label": public_category_label(row.benefit, row.category)}


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


# ---- applications --------------------------------------------------------------------------

def application_out(user, app: Application, today: date) -> dict:
    return {
        "id": app.pk, "person_id": app.person_id, "person_name": app.person.full_name,
        "id_number": app.person.id_number, "recipient_id": app.recipient_id,
        "benefit": app.benefit, **_category(user, app),
        "disability_level": app.disability_level,
        "disability_certified_on": app.disability_certified_on,
        "children_count": app.children_count, "studying": app.studying,
        "household_poverty": app.household_poverty, "payment_channel": app.payment_channel,
        "account_number": app.account_number, "commune_code": app.commune.code,
        "commune_name": app.commune.name, "received_on": app.received_on,
        "submitted_via": app.submitted_via, "review_due": app.review_due,
        "overdue": app.status in OPEN and app.review_due < today,
        "posted_from": app.posted_from, "posted_until": app.posted_until,
        "status": app.status, "rejection_reason": app.rejection_reason,
        "prepared_by": _username(app.prepared_by), "created_at": app.created_at,
        "updated_at": app.updated_at,
    }


def application_detail(user, app: Application) -> dict:
    exact = allows(user, "sensitive", app)
    return {
        **application_out(user, app, timezone.localdate()),
        "decision_ids": list(app.decisions.order_by("pk").values_list("pk", flat=True)),
        "form_data": app.form_data if exact else None,
        "attachments": [{"id": a.pk, "title": a.title, "uploaded_at": a.uploaded_at}
                        for a in app.attachments.order_by("pk")] if exact else None,
    }


def _applications(user):
    return restrict(Application.objects.select_related("person", "commune", "prepared_by"),
                    user, "view")


def _application(request, pk: int) -> Application:
    return get_in_area(_applications(request.auth), pk, "hồ sơ")


@applications.get("", response={200: ApplicationPage, **ERRORS},
                  summary="Hồ sơ đề nghị trong địa bàn")
def list_applications(request: HttpRequest, filters: Query[ApplicationFilters],
                      limit: Limit = 50, offset: Offset = 0):
    """Open dossiers first, the nearest deadline first. `overdue=true`: still waiting for the
    commune (received or posted) after `review_due`."""
    user, f, today = request.auth, filters, timezone.localdate()
    qs = _applications(user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.benefit:
        qs = qs.filter(benefit=f.benefit)
    if f.commune:
        qs = qs.filter(commune__code=f.commune)
    if f.overdue is not None:
        late = Q(status__in=OPEN, review_due__lt=today)
        qs = qs.filter(late) if f.overdue else qs.exclude(late)
    open_first = Case(When(status__in=OPEN, then=Value(0)), default=Value(1),
                      output_field=IntegerField())
    qs = qs.order_by(open_first, "review_due", "pk")
    return paginate(request, qs, limit, offset,
                    lambda rows: [application_out(user, a, today) for a in rows])


@applications.get("/{application_id}", response={200: ApplicationDetail, **ERRORS},
                  summary="Xem một hồ sơ")
def get_application(request: HttpRequest, application_id: PathId):
    """`form_data` and `attachments` are null without the *sensitive* right on the commune."""
    return application_detail(request.auth, _application(request, application_id))


@applications.post("", response={201: ApplicationDetail, **ERRORS},
                   summary="Tiếp nhận hồ sơ đề nghị")
def create_application(request: HttpRequest, payload: ApplicationCreate):
    """For a person already in the registry. The review deadline is 10 working days after
    `received_on`; the terms (category, age, disability level, …) are checked now and a
    refusal names the field (422). 403 for a role that may not add records there."""
    user, data = request.auth, payload.model_dump()
    visible = persons_for(user, "view")
    person = visible.filter(pk=data.pop("person_id")).first()
    if person is None:
        raise invalid("person_id", "Không có người này trong địa bàn của bạn.")
    recipient_id = data.pop("recipient_id")
    data["recipient"] = None
    if recipient_id is not None:
        data["recipient"] = visible.filter(pk=recipient_id).first()
        if data["recipient"] is None:
            raise invalid("recipient_id", "Không có người này trong địa bàn của bạn.")
    today = timezone.localdate()
    received_on = data["received_on"] or today
    if received_on > today:
        raise invalid("received_on", "Ngày tiếp nhận không được sau hôm nay.")
    if received_on < EARLIEST_DATE:
        raise invalid("received_on", f"Ngày tiếp nhận không được trước {EARLIEST_DATE:%d/%m/%Y}.")
    data["received_on"] = received_on
    app = services.application_receive(user, person=person, **data)
    return Status(201, application_detail(user, _applications(user).get(pk=app.pk)))


@applications.post("/{application_id}/attachments", response={201: AttachedOut, **ERRORS},
                   summary="Đính kèm giấy tờ của hồ sơ")
def attach(request: HttpRequest, application_id: PathId, files: File[list[UploadedFile]]):
    """`multipart/form-data` with one or more `files` (PDF or images, up to 10 files of 10 MB
    each). 403 for a role that may not change the dossier."""
    app = _application(request, application_id)
    if len(files) > ATTACHMENT_MAX_FILES:
        raise invalid("files", f"Tối đa {ATTACHMENT_MAX_FILES} tệp mỗi lần.")
    for upload in files:
        name = upload.name or ""
        if Path(name).suffix.lower() not in ATTACHMENT_TYPES:
            raise invalid("files", f"Tệp «{name}»: chỉ nhận {', '.join(ATTACHMENT_TYPES)}.")
        if upload.size is not None and upload.size > ATTACHMENT_MAX_BYTES:
            raise invalid("files", f"Tệp «{name}» lớn hơn "
                                   f"{ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB.")
        if "\x00" in name:
            raise invalid("files", "Tên tệp chứa ký tự không hợp lệ.")
    attached = services.application_attach(request.auth, app, files)
    return Status(201, {"application_id": app.pk, "attachments": [
        {"id": a.pk, "title": a.title, "uploaded_at": a.uploaded_at} for a in attached]})


@applications.post("/{application_id}/post", response={200: ApplicationDetail, **ERRORS},
                   summary="Niêm yết công khai (2 ngày làm việc)")
def post(request: HttpRequest, application_id: PathId, payload: PostIn | None = None):
    """Only a dossier just received. The posting lasts two working days from `posted_from`;
    the grant can be prepared once it is over."""
    app = _application(request, application_id)
    posted_from = (payload.posted_from if payload else None) or timezone.localdate()
    if posted_from > timezone.localdate():
        raise invalid("posted_from", "Ngày niêm yết không được sau hôm nay.")
    if posted_from < app.received_on:
        raise invalid("posted_from", f"Ngày niêm yết không được trước ngày tiếp nhận "
                                     f"{app.received_on:%d/%m/%Y}.")
    services.application_post(request.auth, app, posted_from)
    return application_detail(request.auth, _application(request, application_id))


@applications.post("/{application_id}/reject", response={200: ApplicationDetail, **ERRORS},
                   summary="Từ chối hồ sơ (nêu lý do)")
def reject(request: HttpRequest, application_id: PathId, payload: RejectIn):
    """Needs the *approve* right on the commune (403 otherwise); a decided dossier is 422."""
    app = _application(request, application_id)
    services.application_reject(request.auth, app, payload.reason)
    return application_detail(request.auth, _application(request, application_id))


@applications.post("/{application_id}/decision", response={201: DecisionOut, **ERRORS},
                   summary="Lập dự thảo quyết định hưởng")
def prepare(request: HttpRequest, application_id: PathId,
            payload: PrepareIn | None = None):
    """The draft grant for a posted dossier whose posting is over (422 before); it waits for
    an approver's signature at `POST /decisions/{id}/sign`."""
    app = _application(request, application_id)
    decision = services.decision_prepare_grant(request.auth, app,
                                               payload.basis if payload else "")
    return Status(201, decision_out(request.auth, _decisions(request.auth).get(pk=decision.pk)))


# ---- decisions -----------------------------------------------------------------------------

def decision_out(user, d: Decision) -> dict:
    return {
        "id": d.pk, "kind": d.kind, "status": d.status, "number": d.number, "year": d.year,
        "signed_on": d.signed_on, "signer_name": d.signer_name,
        "prepared_by": _username(d.prepared_by), "application_id": d.application_id,
        "person_id": d.person_id, "person_name": d.person.full_name,
        "recipient_id": d.recipient_id, "entitlement_id": d.entitlement_id,
        "commune_code": d.commune.code, "commune_name": d.commune.name,
        "benefit": d.benefit, **_category(user, d), "effective_month": d.effective_month,
        "monthly_amount": d.monthly_amount, "coefficient": d.coefficient, "basis": d.basis,
        "reason": d.reason, "back_pay": d.back_pay, "migrated": d.migrated,
        "created_at": d.created_at,
    }


def _decisions(user):
    return restrict(Decision.objects.select_related("person", "commune", "prepared_by"),
                    user, "view")


def _decision(request, pk: int) -> Decision:
    return get_in_area(_decisions(request.auth), pk, "quyết định")


@decisions.get("", response={200: DecisionPage, **ERRORS},
               summary="Quyết định trong địa bàn")
def list_decisions(request: HttpRequest, filters: Query[DecisionFilters],
                   limit: Limit = 50, offset: Offset = 0):
    """Drafts waiting for a signature first, then the signed ones, newest first."""
    user, f = request.auth, filters
    qs = _decisions(user)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.commune:
        qs = qs.filter(commune__code=f.commune)
    drafts_first = Case(When(status=Decision.Status.DRAFT, then=Value(0)), default=Value(1),
                        output_field=IntegerField())
    qs = qs.order_by(drafts_first, "-signed_on", "-pk")
    return paginate(request, qs, limit, offset, lambda rows: [decision_out(user, d) for d in rows])


@decisions.get("/{decision_id}", response={200: DecisionOut, **ERRORS},
               summary="Xem một quyết định")
def get_decision(request: HttpRequest, decision_id: PathId):
    return decision_out(request.auth, _decision(request, decision_id))


@decisions.post("/{decision_id}/sign", response={200: DecisionOut, **ERRORS},
                summary="Ký quyết định (cấp số, ghi nhận hưởng)")
def sign(request: HttpRequest, decision_id: PathId, payload: SignIn | None = None):
    """The signer holds an approving role for this kind of decision on the commune and did
    not prepare it (403 otherwise). Signing takes the next number of the commune and year
    (`1/QĐ-UBND`, …) and, for a grant, enrols the person from the month the law says."""
    user = request.auth
    decision = _decision(request, decision_id)
    today = timezone.localdate()
    signed_on = (payload.signed_on if payload else None) or today
    if signed_on > today:
        raise invalid("signed_on", "Ngày ký không được sau hôm nay.")
    drafted_on = timezone.localdate(decision.created_at)
    if signed_on < drafted_on and decision.status == Decision.Status.DRAFT:
        raise invalid("signed_on", f"Ngày ký không được trước ngày lập dự thảo "
                                   f"{drafted_on:%d/%m/%Y}.")
    services.decision_sign(user, decision, signed_on)
    return decision_out(user, _decisions(user).get(pk=decision.pk))


def _document(request: HttpRequest, decision_id: int, fmt: str) -> HttpResponse:
    user = request.auth
    decision = get_in_area(restrict(Decision.objects.select_related(
        "person", "person__household", "commune", "province", "entitlement", "recipient"),
        user, "view"), decision_id, "quyết định")
    if decision.status != Decision.Status.SIGNED:
        raise invalid("status", "Chỉ tải được quyết định đã ký.")
    if decision.category in HIV_CATEGORIES:
        # The printed decision names the clause, so it tells the HIV status of the person.
        require(user, "sensitive", decision)
        audit_sensitive_read(decision, ["category"])
    try:
        content, content_type, filename = decision_file(decision, fmt)
    except ValueError as exc:
        raise ApiError(422, f"Chưa in được quyết định: {exc}") from exc
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _binary(media_type: str) -> dict:
    return {"responses": {200: {"description": "Tệp quyết định", "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}}}}}


@decisions.get("/{decision_id}/document.docx", response={200: None, **ERRORS},
               summary="Tải quyết định đã ký (.docx)", openapi_extra=_binary(DOCX))
def document_docx(request: HttpRequest, decision_id: PathId):
    """Signed decisions only (422 for a draft). A decision of category 5.3 or 5.8 needs the
    *sensitive* right (403 otherwise) and the download is written to the audit log."""
    return _document(request, decision_id, "docx")


@decisions.get("/{decision_id}/document.pdf", response={200: None, **ERRORS},
               summary="Tải quyết định đã ký (.pdf)", openapi_extra=_binary("application/pdf"))
def document_pdf(request: HttpRequest, decision_id: PathId):
    """As the .docx: signed only; 5.3 and 5.8 need the *sensitive* right and are logged."""
    return _document(request, decision_id, "pdf")
