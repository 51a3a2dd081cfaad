"""Every report download, whatever asked for it (a page, the API, the command line): render
it and leave an audit row saying who exported what."""

from __future__ import annotations

from dataclasses import dataclass

from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record

from .render import FORMATS, render
from .tables import Report


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    filename: str
    content_type: str


def audit_export(report: Report, fmt: str, *, kind: str, params: dict, area=None) -> None:
    area_ids = {}
    if area is not None:
        area_ids = {"commune_id": getattr(area, "commune_id", None),
                    "province_id": getattr(area, "province_id", None)}
    audit_record(AuditAction.EXPORT, object_type="fund_report",
                 object_repr=f"{report.title} ({fmt})",
                 changes={"report": kind, "format": fmt, **params}, **area_ids)


def report_file(report: Report, fmt: str, *, kind: str, params: dict, area=None) -> ReportFile:
    content = render(report, fmt)
    audit_export(report, fmt, kind=kind, params=params, area=area)
    return ReportFile(content, f"{report.filename}.{fmt}", FORMATS[fmt])
