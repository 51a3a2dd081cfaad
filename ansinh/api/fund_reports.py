"""Fund reports over the API: `format=json` (default) gives the report's sections as data,
`xlsx` and `pdf` the file. Donors, campaigns and funds outside the caller's area are 404;
inside it but without the `funds` right, 403. Every file or JSON report is audited as an
export."""

from datetime import date
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from ansinh.access.scoping import restrict
from ansinh.funds.models import Campaign, Donor, Fund
from ansinh.funds.reports.campaign import campaign_report
from ansinh.funds.reports.donor import donor_report
from ansinh.funds.reports.exports import audit_export, report_file
from ansinh.funds.reports.foreign_aid import foreign_aid_report
from ansinh.funds.reports.monthly import monthly_report
from ansinh.funds.reports.tables import Report

from .common import PathId, get_in_area
from .errors import error_responses, invalid

router = Router(tags=["Báo cáo quỹ"])

Format = Literal["json", "xlsx", "pdf"]
ERRORS = error_responses()


class SectionOut(Schema):
    title: str
    headers: list[str]
    rows: list[list]
    total: list | None = None
    note: str = ""


class ReportOut(Schema):
    title: str
    unit: str
    lines: list[str]
    dated: date
    sections: list[SectionOut]


def _answer(report: Report, fmt: str, kind: str, params: dict, owner):
    if fmt == "json":
        audit_export(report, "json", kind=kind, params=params, area=owner)
        return Status(200, report)
    out = report_file(report, fmt, kind=kind, params=params, area=owner)
    response = HttpResponse(out.content, content_type=out.content_type)
    response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    return response


def _get(request, model, pk: int, what: str):
    return get_in_area(restrict(model.objects.all(), request.auth, "view"), pk, what)


@router.get("/donors/{donor_id}", response={200: ReportOut, **ERRORS},
            summary="Báo cáo sử dụng tiền tài trợ của một nhà tài trợ")
def donor(request: HttpRequest, donor_id: PathId, until: date | None = None,
          format: Format = "json", since: date | None = None):
    """The period [since, until]: the donor's money in each pot at `since`, the gifts and
    the donor's part of the spending within it, what is left at `until`. Without `since`,
    from the first gift; without `until`, up to today."""
    obj = _get(request, Donor, donor_id, "nhà tài trợ")
    return _answer(donor_report(request.auth, obj, until, since), format, "donor",
                   {"donor": obj.pk, "until": str(until or ""), "since": str(since or "")},
                   obj)


@router.get("/campaigns/{campaign_id}", response={200: ReportOut, **ERRORS},
            summary="Báo cáo chiến dịch")
def campaign(request: HttpRequest, campaign_id: PathId, format: Format = "json"):
    obj = _get(request, Campaign, campaign_id, "chiến dịch")
    return _answer(campaign_report(request.auth, obj), format, "campaign",
                   {"campaign": obj.pk}, obj)


@router.get("/funds/{fund_id}/monthly", response={200: ReportOut, **ERRORS},
            summary="Báo cáo thu chi tháng của quỹ (month=YYYY-MM)")
def monthly(request: HttpRequest, fund_id: PathId, month: str, format: Format = "json"):
    obj = _get(request, Fund, fund_id, "quỹ")
    try:
        year, number = (int(x) for x in month.split("-"))
    except ValueError as exc:
        raise invalid("month", "Tháng: dạng YYYY-MM, ví dụ 2026-01.") from exc
    return _answer(monthly_report(request.auth, obj, year, number), format, "monthly",
                   {"fund": obj.pk, "month": month}, obj)


@router.get("/foreign-aid", response={200: ReportOut, **ERRORS},
            summary="Báo cáo tiếp nhận viện trợ nước ngoài trong kỳ")
def foreign_aid(request: HttpRequest, date_from: date, date_to: date,
                fund_id: int | None = None, format: Format = "json"):
    fund = _get(request, Fund, fund_id, "quỹ") if fund_id else None
    return _answer(foreign_aid_report(request.auth, date_from, date_to, fund), format,
                   "foreign-aid", {"from": str(date_from), "to": str(date_to)}, fund)
