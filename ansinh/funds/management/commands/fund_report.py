"""ansinh fund_report donor|campaign|monthly|foreign-aid … --format xlsx|pdf --output FILE"""

from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.access.console import console_user
from ansinh.access.context import acting_as
from ansinh.funds.models import Campaign, Donor, Fund
from ansinh.funds.reports.campaign import campaign_report
from ansinh.funds.reports.donor import donor_report
from ansinh.funds.reports.exports import report_file
from ansinh.funds.reports.foreign_aid import foreign_aid_report
from ansinh.funds.reports.monthly import monthly_report


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{what}: «{text}» không đúng dạng YYYY-MM-DD / not YYYY-MM-DD.",
                           returncode=1) from exc


def _get(model, pk: int, what: str):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise CommandError(f"Không có {what} #{pk} / no such {what}.", returncode=1)
    return obj


class Command(BaseCommand):
    help = "Báo cáo quỹ / fund reports as .xlsx or .pdf."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True, title="báo cáo / reports")
        cmd = getattr(parser, "called_from_command_line", None)
        donor = sub.add_parser("donor", called_from_command_line=cmd,
                               help="Sử dụng tiền tài trợ của một nhà tài trợ / how a donor's "
                                    "gifts were used.")
        donor.add_argument("donor_id", type=int)
        donor.add_argument("--until", metavar="YYYY-MM-DD", help="Đến ngày / as of (today).")
        donor.add_argument("--since", metavar="YYYY-MM-DD",
                           help="Từ ngày / period start (default: the first gift).")
        campaign = sub.add_parser("campaign", called_from_command_line=cmd,
                                  help="Báo cáo chiến dịch / campaign report.")
        campaign.add_argument("campaign_id", type=int)
        monthly = sub.add_parser("monthly", called_from_command_line=cmd,
                                 help="Báo cáo thu chi tháng của quỹ / the fund's monthly "
                                      "statement.")
        monthly.add_argument("fund_id", type=int)
        monthly.add_argument("--month", required=True, metavar="YYYY-MM")
        aid = sub.add_parser("foreign-aid", called_from_command_line=cmd,
                             help="Báo cáo viện trợ nước ngoài / foreign-aid report.")
        aid.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
        aid.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
        aid.add_argument("--fund", dest="fund_id", type=int)
        for p in (donor, campaign, monthly, aid):
            p.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
            p.add_argument("--output", required=True, metavar="FILE",
                           help="Tệp ghi ra / the file to write.")
            p.add_argument("--as", dest="as_user", metavar="USERNAME",
                           help="Người thực hiện / acting user (default: the system "
                                "operator).")

    def handle(self, *args, **options):
        user = console_user(options["as_user"])
        kind = options["report"]
        with acting_as(user, "cli"):
            try:
                report, params, owner = self._build(user, kind, options)
                out = report_file(report, options["format"], kind=kind, params=params,
                                  area=owner)
            except PermissionDenied as exc:
                raise CommandError(f"Không có quyền / forbidden: {exc}", returncode=1) from exc
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages), returncode=1) from exc
        path = Path(options["output"])
        path.write_bytes(out.content)
        self.stdout.write(f"{report.title}: {path} ({len(out.content):,} byte)")

    def _build(self, user, kind, o):
        if kind == "donor":
            donor = _get(Donor, o["donor_id"], "nhà tài trợ / donor")
            until = _date(o["until"], "--until") if o.get("until") else None
            since = _date(o["since"], "--since") if o.get("since") else None
            params = {"donor": donor.pk, "until": o.get("until") or "",
                      "since": o.get("since") or ""}
            return donor_report(user, donor, until, since), params, donor
        if kind == "campaign":
            campaign = _get(Campaign, o["campaign_id"], "chiến dịch / campaign")
            return campaign_report(user, campaign), {"campaign": campaign.pk}, campaign
        if kind == "monthly":
            fund = _get(Fund, o["fund_id"], "quỹ / fund")
            try:
                year, month = (int(x) for x in o["month"].split("-"))
            except ValueError as exc:
                raise CommandError("--month: dạng YYYY-MM / use YYYY-MM.", returncode=1) from exc
            return monthly_report(user, fund, year, month), \
                {"fund": fund.pk, "month": o["month"]}, fund
        fund = _get(Fund, o["fund_id"], "quỹ / fund") if o.get("fund_id") else None
        start, end = _date(o["date_from"], "--from"), _date(o["date_to"], "--to")
        return foreign_aid_report(user, start, end, fund), \
            {"from": o["date_from"], "to": o["date_to"]}, fund
