"""/funds corrections and donor reports: `PATCH` a fund, campaign, restriction or pledge
(only the fields sent; the fund services refuse what may no longer change once money uses
it, 422), cancel a pledge (kept, no longer owed; cancelling twice is a 409), and the reports
sent to a donor (`GET`/`POST /funds/donors/{id}/reports`, the stored file under `…/file`)."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Status
from ninja.files import UploadedFile

from ansinh.funds import services
from ansinh.funds.choices import DonorReportKind
from ansinh.funds.donor_reports import donor_report_list, donor_report_open, donor_report_record
from ansinh.funds.models import DonorReport

from .common import Limit, Offset, PathId, get_in_area, paginate
from .errors import error_responses, invalid
from .funds import (
    _campaigns,
    _donors,
    _funds,
    _pledges,
    _restrictions,
    _username,
    campaign_out,
    fund_out,
    lookup,
    pledges_out,
    restriction_out,
    router,
    service_errors,
)
from .schemas.fund_edits import (
    CampaignPatch,
    ChannelIn,
    DonorReportKindIn,
    DonorReportOut,
    DonorReportPage,
    FundPatch,
    PledgeCancelIn,
    PledgePatch,
    RestrictionPatch,
)
from .schemas.funds import CampaignOut, FundOut, PledgeOut, RestrictionOut

ERRORS = error_responses()


def _changes(payload, required: tuple[str, ...] = ()) -> dict:
    changes = payload.model_dump(exclude_unset=True)
    for field in required:
        if field in changes and changes[field] is None:
            raise invalid(field, "Không được để trống.")
    return changes


def _related(changes: dict, user) -> dict:
    """`<x>_id` of a body → the record among those the caller may view (422 otherwise)."""
    sources = {"fund_id": (_funds, "quỹ"), "campaign_id": (_campaigns, "chiến dịch"),
               "donor_id": (_donors, "nhà tài trợ")}
    for field, (qs, what) in sources.items():
        if field in changes:
            pk = changes.pop(field)
            changes[field.removesuffix("_id")] = lookup(qs(user), pk, field, what)
    return changes


@router.patch("/{int:fund_id}", response={200: FundOut, **ERRORS}, summary="Sửa quỹ")
def update_fund(request: HttpRequest, fund_id: PathId, payload: FundPatch):
    """The code is printed in receipt numbers: fixed once the fund has issued one."""
    user = request.auth
    fund = get_in_area(_funds(user), fund_id, "quỹ")
    with service_errors():
        services.fund_update(user, fund, **_changes(payload, ("kind", "name", "code")))
    return fund_out(_funds(user).get(pk=fund.pk))


@router.patch("/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS},
              summary="Sửa chiến dịch")
def update_campaign(request: HttpRequest, campaign_id: PathId, payload: CampaignPatch):
    """`fund_ids` replaces the receiving funds; a fund that received money for the campaign
    cannot be dropped."""
    user = request.auth
    campaign = get_in_area(_campaigns(user), campaign_id, "chiến dịch")
    changes = _changes(payload, ("name", "starts_on", "fund_ids"))
    if "responsible_unit" in changes and changes["responsible_unit"] is None:
        changes["responsible_unit"] = ""
    if "fund_ids" in changes:
        changes["funds"] = [lookup(_funds(user), pk, "fund_ids", "quỹ")
                            for pk in dict.fromkeys(changes.pop("fund_ids"))]
    with service_errors(rename={"funds": "fund_ids"}):
        services.campaign_update(user, campaign, **changes)
    return campaign_out(user, _campaigns(user).get(pk=campaign.pk))


@router.patch("/restrictions/{restriction_id}", response={200: RestrictionOut, **ERRORS},
              summary="Sửa hạn chế sử dụng")
def update_restriction(request: HttpRequest, restriction_id: PathId,
                       payload: RestrictionPatch):
    """`description` and `ends_on` always (the end date not before a spending already made);
    `fund_id`, `kind`, `campaign_id` and `donor_id` only while no receipt or allocation uses
    the restriction."""
    user = request.auth
    restriction = get_in_area(_restrictions(user), restriction_id, "hạn chế sử dụng")
    changes = _related(_changes(payload, ("fund_id", "kind", "description")), user)
    with service_errors():
        restriction = services.restriction_update(user, restriction, **changes)
    return restriction_out(restriction)


@router.patch("/pledges/{pledge_id}", response={200: PledgeOut, **ERRORS},
              summary="Sửa cam kết")
def update_pledge(request: HttpRequest, pledge_id: PathId, payload: PledgePatch):
    """The donor never changes; the amount not below what was paid on the pledge; campaign
    and fund only while no receipt pays on it. A cancelled pledge is a 409."""
    user = request.auth
    pledge = get_in_area(_pledges(user), pledge_id, "cam kết")
    changes = _related(_changes(payload, ("pledged_on",)), user)
    if "in_kind" in changes and changes["in_kind"] is None:
        changes["in_kind"] = ""
    with service_errors(conflict=("status",)):
        services.pledge_update(user, pledge, **changes)
    return pledges_out([_pledges(user).get(pk=pledge.pk)])[0]


@router.post("/pledges/{pledge_id}/cancel", response={200: PledgeOut, **ERRORS},
             summary="Hủy cam kết (giữ lại, không còn phải nộp)")
def cancel_pledge(request: HttpRequest, pledge_id: PathId, payload: PledgeCancelIn):
    user = request.auth
    pledge = get_in_area(_pledges(user), pledge_id, "cam kết")
    with service_errors(conflict=("status",)):
        services.pledge_cancel(user, pledge, reason=payload.reason,
                               cancelled_on=payload.cancelled_on)
    return pledges_out([_pledges(user).get(pk=pledge.pk)])[0]


# ---- reports sent to donors ----------------------------------------------------------------

def donor_report_out(r: DonorReport) -> dict:
    return {"id": r.pk, "donor_id": r.donor_id, "kind": r.kind,
            "kind_label": r.get_kind_display(), "campaign_id": r.campaign_id,
            "period_start": r.period_start, "period_end": r.period_end, "sent_on": r.sent_on,
            "channel": r.channel, "note": r.note, "file_name": r.file_name,
            "content_type": r.content_type, "file_size": r.file_size,
            "file_sha256": r.file_sha256, "sent_by": _username(r.sent_by),
            "created_at": r.created_at,
            "download_url": reverse("api:donor_report_file",
                                    args=[r.donor_id, r.pk])}


@router.get("/donors/{donor_id}/reports", response={200: DonorReportPage, **ERRORS},
            summary="Báo cáo đã gửi nhà tài trợ")
def list_donor_reports(request: HttpRequest, donor_id: PathId, limit: Limit = 50,
                       offset: Offset = 0):
    user = request.auth
    donor = get_in_area(_donors(user), donor_id, "nhà tài trợ")
    return paginate(request, donor_report_list(user, donor), limit, offset,
                    lambda rows: [donor_report_out(r) for r in rows])


@router.post("/donors/{donor_id}/reports", response={201: DonorReportOut, **ERRORS},
             summary="Lập và ghi nhận báo cáo gửi nhà tài trợ")
def create_donor_report(request: HttpRequest, donor_id: PathId,
                        sent_on: Form[date], channel: Form[ChannelIn],
                        kind: Form[DonorReportKindIn] = DonorReportKind.DONOR.value,
                        period_start: Form[date | None] = None,
                        period_end: Form[date | None] = None,
                        format: Form[str] = "pdf",  # noqa: A002 - the form field's name
                        campaign_id: Form[int | None] = None, note: Form[str] = "",
                        file: File[UploadedFile] = None):
    """`multipart/form-data`. `kind=donor` generates the donor report (figures of
    `period_start` (default: the first gift) to `period_end` (default `sent_on`): opening
    balance, gifts, use, closing balance) as `format` pdf or xlsx and stores it; `campaign` and
    `thanks` store the uploaded `file` as sent (.pdf, .xlsx, .docx). Needs *funds*."""
    user = request.auth
    donor = get_in_area(_donors(user), donor_id, "nhà tài trợ")
    campaign = lookup(_campaigns(user), campaign_id, "campaign_id", "chiến dịch")
    with service_errors():
        row = donor_report_record(user, donor, kind=kind, sent_on=sent_on, channel=channel,
                                  period_start=period_start, period_end=period_end,
                                  fmt=format, campaign=campaign, note=note, upload=file)
    return Status(201, donor_report_out(row))


@router.get("/donors/{donor_id}/reports/{report_id}/file", url_name="donor_report_file",
            response={200: None, **ERRORS}, summary="Tải tệp báo cáo đã gửi")
def donor_report_file(request: HttpRequest, donor_id: PathId, report_id: PathId):
    """The file as it was sent. Needs *funds* on the donor's area; audited."""
    user = request.auth
    donor = get_in_area(_donors(user), donor_id, "nhà tài trợ")
    report = get_in_area(donor_report_list(user, donor), report_id, "báo cáo")
    stored = donor_report_open(user, report)
    response = HttpResponse(stored.content, content_type=stored.content_type)
    response["Content-Disposition"] = f'attachment; filename="{stored.name}"'
    return response
