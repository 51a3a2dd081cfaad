"""/funds/distributions — cycles (đợt phân phối), recipient lists built by criteria or by hand,
approval by a second user, hand-out with proof, sponsorships (nhận đỡ đầu).

Every endpoint needs the *funds* right somewhere, as the fund's pages do (403 otherwise, e.g.
for a commune officer or an auditor); a record outside the caller's area is 404, and a write
on a record of an area where the caller lacks *funds* is 403.

Recipients are shown as name, year of birth, household and commune; the reason a person
qualified is masked when it is protected (orphan, disability) unless the caller holds the
*sensitive* right on his area.
"""

import functools
from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from ansinh.access.scoping import allows, can
from ansinh.distributions import handouts, selectors, services
from ansinh.distributions.choices import SENSITIVE_BASES, ProofKind
from ansinh.distributions.models import Cycle, RecipientList
from ansinh.registry.selectors import households_for, persons_for

from .common import Limit, Offset, PathId, commune_by_code, get_in_area, paginate
from .errors import error_responses, invalid
from .schemas.common import Id, InputSchema, Page, Text

router = Router(tags=["Phân phối hỗ trợ"])


def _fund_staff_only(operation):
    """Applied to every endpoint below: the caller must hold *funds* somewhere."""
    @functools.wraps(operation)
    def checked(request, *args, **kwargs):
        if not can(request.auth, "funds"):
            raise PermissionDenied("Bạn không có quyền quỹ an sinh xã hội (funds) ở địa bàn "
                                   "nào.")
        return operation(request, *args, **kwargs)
    return checked


router.add_decorator(_fund_staff_only)

ERRORS = error_responses()


class PackageItemOut(Schema):
    item_id: int
    item_name: str
    unit: str
    quantity: int


class ListOut(Schema):
    id: int
    number: int
    status: str
    status_label: str
    recipients: int
    cash: int
    allocation_id: int | None
    submitted_at: str | None
    decided_at: str | None
    decision_note: str


class CycleOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    unit: str
    campaign_id: int
    campaign_name: str
    fund_id: int
    restriction_id: int | None
    donor_id: int | None
    cash_per_recipient: int
    warehouse_id: int | None
    items: list[PackageItemOut]
    places: int | None
    places_left: int | None
    criteria: dict
    criteria_text: str
    starts_on: date
    ends_on: date | None
    status: str
    recipients: dict[str, int] = Field(description="Số người nhận theo trạng thái")


class CycleDetail(CycleOut):
    lists: list[ListOut]


class CyclePage(Page):
    items: list[CycleOut]


class RecipientOut(Schema):
    id: int
    list_id: int
    list_number: int
    person_id: int | None
    name: str
    birth_year: int | None
    household_id: int | None
    household_code: str
    commune_code: str
    commune_name: str
    basis: str = Field(description="Căn cứ; ẩn nếu là thông tin nhạy cảm")
    exception: bool
    exception_reason: str
    repeat: int
    cash: int
    status: str
    status_label: str
    handed_out_on: date | None
    proof_kind: str
    has_photo: bool


class RecipientPage(Page):
    items: list[RecipientOut]


class BuildOut(Schema):
    list_id: int
    list_number: int
    added: int


class AddIn(InputSchema):
    person_id: Id | None = None
    household_id: Id | None = None
    exception_reason: Text(300) = ""


class NoteIn(InputSchema):
    note: Text(300) = ""


class CancelIn(InputSchema):
    reason: Text(300) = Field("", description="Lý do hủy (bắt buộc): đã mất, chuyển đi, "
                                              "từ chối…")


class HandoutListOut(Schema):
    handed_out: int = Field(description="Số người được ghi nhận đã phát lần này")
    already_handed_out: int = Field(description="Đã nhận từ trước, bỏ qua")
    not_printed: int = Field(description="Danh sách chưa in danh sách ký nhận, bỏ qua")
    deceased: int = Field(description="Người nhận đã mất trước ngày phát, bỏ qua")
    cash: int = Field(description="Tổng tiền đã phát lần này (đồng)")


def _cycles(user):
    return selectors.cycle_list(user)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def list_out(rlist: RecipientList) -> dict:
    active = rlist.lines.exclude(status="cancelled")
    return {"id": rlist.pk, "number": rlist.number, "status": rlist.status,
            "status_label": rlist.get_status_display(), "recipients": active.count(),
            "cash": sum(active.values_list("cash", flat=True)),
            "allocation_id": rlist.allocation_id, "submitted_at": _iso(rlist.submitted_at),
            "decided_at": _iso(rlist.decided_at), "decision_note": rlist.decision_note}


def cycle_out(cycle: Cycle, user) -> dict:
    reveal = allows(user, "sensitive", cycle)
    counts = selectors.cycle_counts(cycle)
    return {
        "id": cycle.pk, "name": cycle.name, "kind": cycle.kind,
        "kind_label": cycle.get_kind_display(), "unit": cycle.unit,
        "campaign_id": cycle.campaign_id, "campaign_name": cycle.campaign.name,
        "fund_id": cycle.fund_id, "restriction_id": cycle.restriction_id,
        "donor_id": cycle.donor_id, "cash_per_recipient": cycle.cash_per_recipient,
        "warehouse_id": cycle.warehouse_id,
        "items": [{"item_id": c.item_id, "item_name": c.item.name, "unit": c.item.unit,
                   "quantity": c.quantity}
                  for c in cycle.items.select_related("item").order_by("item__name")],
        "places": cycle.places, "places_left": counts["places_left"],
        "criteria": _criteria(cycle.criteria, reveal),
        "criteria_text": services.criteria_text(cycle.criteria, reveal=reveal),
        "starts_on": cycle.starts_on, "ends_on": cycle.ends_on, "status": cycle.status,
        "recipients": counts["by_status"],
    }


def _criteria(criteria: dict, reveal: bool) -> dict:
    if reveal or not criteria.get("groups"):
        return criteria
    groups = ["protected" if g in SENSITIVE_BASES else g for g in criteria["groups"]]
    return {**criteria, "groups": list(dict.fromkeys(groups))}


def _cycle(request, cycle_id: int) -> Cycle:
    return get_in_area(_cycles(request.auth), cycle_id, "đợt phân phối")


def _list(request, list_id: int) -> RecipientList:
    return get_in_area(selectors.list_list(request.auth), list_id, "danh sách")


@router.get("/cycles", response={200: CyclePage, **ERRORS}, summary="Danh sách đợt phân phối")
def list_cycles(request: HttpRequest, limit: Limit = 50, offset: Offset = 0):
    qs = _cycles(request.auth).order_by("-starts_on", "-id")
    return paginate(request, qs, limit, offset,
                    lambda rows: [cycle_out(c, request.auth) for c in rows])


@router.get("/cycles/{cycle_id}", response={200: CycleDetail, **ERRORS},
            summary="Xem một đợt phân phối")
def get_cycle(request: HttpRequest, cycle_id: PathId):
    cycle = _cycle(request, cycle_id)
    return {**cycle_out(cycle, request.auth), "lists": [list_out(rl) for rl in cycle.lists.all()]}


@router.get("/cycles/{cycle_id}/recipients", response={200: RecipientPage, **ERRORS},
            summary="Người nhận của đợt")
def list_recipients(request: HttpRequest, cycle_id: PathId, limit: Limit = 50,
                    offset: Offset = 0):
    cycle = _cycle(request, cycle_id)
    qs = selectors.recipient_list(request.auth, cycle)
    return paginate(request, qs, limit, offset,
                    lambda rows: [selectors.recipient_row(request.auth, r) for r in rows])


@router.post("/cycles/{cycle_id}/build", response={200: BuildOut, **ERRORS},
             summary="Lập danh sách theo tiêu chí của đợt")
def build(request: HttpRequest, cycle_id: PathId):
    """Adds everyone meeting the cycle's criteria (not yet on it) to its draft list."""
    rlist, added = services.recipients_build(request.auth, _cycle(request, cycle_id))
    return {"list_id": rlist.pk, "list_number": rlist.number, "added": added}


@router.post("/cycles/{cycle_id}/recipients", response={201: RecipientOut, **ERRORS},
             summary="Thêm người nhận thủ công")
def add_recipient(request: HttpRequest, cycle_id: PathId, payload: AddIn):
    """A person (or household) outside the criteria, or a second package, needs
    `exception_reason`; otherwise 422."""
    cycle = _cycle(request, cycle_id)
    person = household = None
    if payload.person_id:
        person = get_in_area(persons_for(request.auth, "view"), payload.person_id, "cá nhân")
    if payload.household_id:
        household = get_in_area(households_for(request.auth), payload.household_id,
                                "hộ gia đình")
    if person is None and household is None:
        raise invalid("person_id", "Phải chọn người nhận (person_id) hoặc hộ (household_id).")
    line = services.recipient_add(request.auth, cycle, person=person, household=household,
                                  exception_reason=payload.exception_reason)
    line = selectors.recipient_list(request.auth).get(pk=line.pk)
    return Status(201, selectors.recipient_row(request.auth, line))


@router.post("/lists/{list_id}/submit", response={200: ListOut, **ERRORS},
             summary="Gửi danh sách để phê duyệt")
def submit(request: HttpRequest, list_id: PathId):
    return list_out(services.list_submit(request.auth, _list(request, list_id)))


@router.post("/lists/{list_id}/approve", response={200: ListOut, **ERRORS},
             summary="Phê duyệt danh sách (người khác người lập)")
def approve(request: HttpRequest, list_id: PathId, payload: NoteIn):
    """Spends the list's cash through an approved allocation and checks the goods against
    stock, all or nothing: a list larger than the balance or the stock is 422."""
    return list_out(services.list_approve(request.auth, _list(request, list_id),
                                          note=payload.note))


@router.post("/lists/{list_id}/reject", response={200: ListOut, **ERRORS},
             summary="Từ chối danh sách")
def reject(request: HttpRequest, list_id: PathId, payload: NoteIn):
    return list_out(services.list_reject(request.auth, _list(request, list_id),
                                         note=payload.note))


@router.get("/lists/{list_id}/signature-list.pdf", response={200: None, **ERRORS},
            summary="Danh sách ký nhận (PDF)")
def signature_list(request: HttpRequest, list_id: PathId):
    pdf = services.list_signature_pdf(request.auth, _list(request, list_id))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="danh-sach-ky-nhan-{list_id}.pdf"'
    return response


@router.post("/recipients/{recipient_id}/hand-out", response={200: RecipientOut, **ERRORS},
             summary="Ghi nhận đã phát, kèm minh chứng")
def hand_out(request: HttpRequest, recipient_id: PathId,
             proof_kind: Form[ProofKind], handed_out_on: Form[date | None] = None,
             note: Form[str] = "", photo: File[UploadedFile] = None):
    """Multipart form. `proof_kind`: `signature` (the list's signature sheet was printed) or
    `photo` (with the `photo` file). Issues the package's goods from the warehouse."""
    line = get_in_area(selectors.recipient_list(request.auth), recipient_id, "người nhận")
    services.handout_record(request.auth, line, proof_kind=str(proof_kind.value), photo=photo,
                            handed_out_on=handed_out_on, note=note)
    line = selectors.recipient_list(request.auth).get(pk=line.pk)
    return selectors.recipient_row(request.auth, line)


@router.post("/cycles/{cycle_id}/hand-out", response={200: HandoutListOut, **ERRORS},
             summary="Ghi nhận đã phát cả danh sách đã ký")
def hand_out_list(request: HttpRequest, cycle_id: PathId,
                  proof: File[UploadedFile] = None, commune_code: Form[str] = "",
                  handed_out_on: Form[date | None] = None, note: Form[str] = ""):
    """Multipart form. `proof`: the scanned signed list (PDF or picture, at most 10 MB).
    Every approved recipient of the cycle (or of `commune_code`) not yet handed out, whose
    list's signature sheet was printed, is handed out in one transaction, goods issued once
    per recipient; those already handed out, on an unprinted list or dead by the day are
    skipped and counted. Nothing is written on a 422."""
    cycle = _cycle(request, cycle_id)
    commune = commune_by_code(commune_code.strip()) if commune_code.strip() else None
    return handouts.handout_record_list(request.auth, cycle, proof=proof, commune=commune,
                                        handed_out_on=handed_out_on, note=note)


@router.post("/recipients/{recipient_id}/cancel", response={200: RecipientOut, **ERRORS},
             summary="Hủy người nhận chưa nhận, kèm lý do")
def cancel(request: HttpRequest, recipient_id: PathId, payload: CancelIn):
    """A recipient not yet handed out (died, moved, refused). After approval his cash goes
    back to the fund as a dated return of the list's allocation and his goods are free again;
    a recipient already handed out is 422."""
    line = get_in_area(selectors.recipient_list(request.auth), recipient_id, "người nhận")
    services.recipient_cancel(request.auth, line, reason=payload.reason)
    line = selectors.recipient_list(request.auth).get(pk=line.pk)
    return selectors.recipient_row(request.auth, line)
