"""`ansinh funds donors import|balances|campaigns`: the social-security fund from the console.

Exit codes of `donors import` (as for the other imports): 0 every row valid; 2 some rows
rejected, the valid ones applied (or, with --dry-run, would be); 1 the file was refused or
every row was rejected.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.access.console import console_user
from ansinh.access.context import acting_as
from ansinh.core.money_words import format_vnd
from ansinh.core.text import fold

SHOWN_REJECTS = 20


def _user_option(parser: CommandParser) -> None:
    parser.add_argument("--user", "--as", dest="as_user", metavar="USERNAME",
                        help="Người thực hiện, theo quyền và địa bàn của họ / acting user, with "
                             "their role and area (default: the system operator).")


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]

    def line(cells):
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths),
                      *(line(r) for r in rows)])


class Command(BaseCommand):
    help = ("Quỹ an sinh xã hội / Social-security fund: import donors and pledges, show "
            "balances and campaign progress.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True,
                                    title="lệnh con / subcommands")
        cmd = getattr(parser, "called_from_command_line", None)
        donors = sub.add_parser("donors", called_from_command_line=cmd,
                                help="Nhà tài trợ / donors.")
        donors_sub = donors.add_subparsers(dest="donors_command", required=True,
                                           title="lệnh con / subcommands")
        imp = donors_sub.add_parser(
            "import", called_from_command_line=cmd,
            help="Nhập danh sách nhà tài trợ và cam kết của chiến dịch (.xlsx, .csv) / import a "
                 "campaign's donor and pledge list.",
            description="Đọc bảng tính như trung tâm vẫn lưu: dòng tiêu đề, các cột «Tên nhà "
                        "tài trợ/Đơn vị», «Loại», «Mã số thuế», «Điện thoại», «Số tiền cam "
                        "kết», «Hiện vật cam kết», «Ngày cam kết», «Hiển thị»/«Ẩn danh». Nhà "
                        "tài trợ đã có (cùng mã số thuế hoặc cùng tên) không bị tạo lại; nhập "
                        "lại cùng tệp không thay đổi gì. / Reads the sheet as centres keep it; "
                        "known donors (same tax code or name) are matched, and importing the "
                        "same file again changes nothing.",
            epilog="Mã thoát / exit codes: 0 = mọi dòng hợp lệ / all rows valid; 2 = có dòng "
                   "bị từ chối / some rows rejected; 1 = tệp bị từ chối hoặc mọi dòng bị từ "
                   "chối / file refused or every row rejected.")
        imp.add_argument("file", help="Tệp .xlsx hoặc .csv / the .xlsx or .csv file.")
        imp.add_argument("--campaign", metavar="ID|TÊN",
                         help="Chiến dịch nhận cam kết (số id hoặc tên) / the campaign the "
                              "pledges are for (id or name).")
        imp.add_argument("--fund", metavar="CODE",
                         help="Quỹ nhận cam kết (ký hiệu, ví dụ ASXH) / the fund the pledges "
                              "are for (its code).")
        imp.add_argument("--area", metavar="CODE",
                         help="Mã xã (5 số) hoặc tỉnh (2 số) quản lý nhà tài trợ; mặc định là "
                              "địa bàn của chiến dịch/quỹ / commune or province code owning "
                              "the donors (default: the campaign's or fund's area).")
        imp.add_argument("--pledged-on", metavar="YYYY-MM-DD",
                         help="Ngày cam kết cho các dòng không ghi ngày / pledge date for rows "
                              "without one.")
        imp.add_argument("--dry-run", action="store_true",
                         help="Chỉ kiểm tra / validate only, write nothing.")
        imp.add_argument("--rejects", metavar="OUT.xlsx",
                         help="Ghi các dòng bị từ chối kèm cột «Lỗi» / write rejected rows "
                              "with an error column.")
        balances = sub.add_parser(
            "balances", called_from_command_line=cmd,
            help="Số dư theo quỹ và hạn chế sử dụng / balances per fund and restriction.")
        balances.add_argument("--fund", metavar="CODE",
                              help="Chỉ quỹ có ký hiệu này / only the fund with this code.")
        campaigns = sub.add_parser(
            "campaigns", called_from_command_line=cmd,
            help="Tiến độ các chiến dịch: mục tiêu, cam kết, đã nhận, còn nợ / campaign "
                 "progress: target, pledged, received, outstanding.")
        for p in (imp, balances, campaigns):
            _user_option(p)

    def handle(self, *args, **options):
        user = console_user(options["as_user"])
        try:
            with acting_as(user, "cli"):
                if options["subcommand"] == "donors":
                    return self.handle_import(user, options)
                if options["subcommand"] == "balances":
                    return self.handle_balances(user, options)
                return self.handle_campaigns(user)
        except PermissionDenied as exc:
            raise CommandError(f"Không có quyền / permission denied: {exc}",
                               returncode=1) from exc

    # ---- donors import ------------------------------------------------------------------

    def handle_import(self, user, options):
        from ansinh.funds.donor_import import DonorImportError, rejects_xlsx, run

        if user.pk is None and not options["dry_run"]:
            # Pledges and receipts name the officer who recorded them; the console operator
            # is nobody in particular.
            raise CommandError("Cần --user USERNAME: cam kết ghi tên cán bộ nhập / give "
                               "--user: pledges name the officer who recorded them.",
                               returncode=1)
        target = self._target(user, options)
        try:
            report = run(user, options["file"], target, dry_run=options["dry_run"])
        except FileNotFoundError as exc:
            raise CommandError(f"Không thấy tệp / file not found: {options['file']}",
                               returncode=1) from exc
        except DonorImportError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        new, updated, same, bad = (report.count(o) for o in
                                   ("new", "updated", "unchanged", "rejected"))
        if options["dry_run"]:
            self.stdout.write(f"{len(report.rows)} dòng / rows (chỉ kiểm tra / dry run): "
                              f"sẽ thêm / would add {new}, sẽ bổ sung / would update {updated}, "
                              f"không đổi / unchanged {same}, bị từ chối / rejected {bad}.")
        else:
            self.stdout.write(
                f"{len(report.rows)} dòng / rows: nhà tài trợ mới / new donors "
                f"{report.donors_created}, bổ sung / updated {report.donors_updated}, cam kết "
                f"mới / new pledges {report.pledges_created}, không đổi / unchanged {same}, "
                f"bị từ chối / rejected {bad}.")
        rejected = [r for r in report.rows if r.outcome == "rejected"]
        for row in rejected[:SHOWN_REJECTS]:
            for field, message in row.errors:
                self.stderr.write(f"  Dòng / row {row.number}, {field}: {message}")
        if len(rejected) > SHOWN_REJECTS:
            self.stderr.write(f"  … và {len(rejected) - SHOWN_REJECTS} dòng nữa / more rows.")
        if options["rejects"] and rejected:
            try:
                with open(options["rejects"], "wb") as out:
                    out.write(rejects_xlsx(report))
            except OSError as exc:
                raise CommandError(f"Không ghi được tệp / cannot write: {exc}",
                                   returncode=1) from exc
            self.stdout.write(f"Các dòng bị từ chối / rejected rows: {options['rejects']}")
        if bad and bad == len(report.rows):
            raise CommandError("Mọi dòng đều bị từ chối / every row was rejected.",
                               returncode=1)
        if not report.rows:
            raise CommandError("Tệp không có dòng dữ liệu / the file has no data rows.",
                               returncode=1)
        if bad:
            raise CommandError(f"{bad} dòng bị từ chối / rows rejected.", returncode=2)

    def _target(self, user, options):
        from ansinh.funds.donor_import import Target
        from ansinh.funds.selectors import campaign_list, fund_list
        from ansinh.geo.models import AdminUnit

        campaign = fund = None
        if options["campaign"]:
            campaigns = campaign_list(user)
            text = options["campaign"].strip()
            # A centre runs a handful of campaigns a year; the name is matched without
            # diacritics, as officers type it at a console.
            found = (list(campaigns.filter(pk=int(text))) if text.isdigit() else
                     [c for c in campaigns if fold(c.name) == fold(text)])
            if len(found) != 1:
                raise CommandError(
                    f"Không có chiến dịch «{text}» trong địa bàn của bạn / no such campaign"
                    if not found else f"Có {len(found)} chiến dịch tên «{text}»; dùng số id / "
                                      "several campaigns have this name, use the id.",
                    returncode=1)
            campaign = found[0]
        if options["fund"]:
            fund = self._fund(fund_list(user), options["fund"])
        area = None
        if options["area"]:
            code = options["area"].strip()
            units = AdminUnit.objects.communes() if len(code) == 5 else \
                AdminUnit.objects.provinces()
            area = units.filter(code=code).first()
            if area is None:
                raise CommandError(f"Không có xã/tỉnh mã «{code}» / no such commune or "
                                   "province.", returncode=1)
        else:
            owner = campaign or fund
            if owner is None:
                raise CommandError("Cần --campaign, --fund hoặc --area / give --campaign, "
                                   "--fund or --area.", returncode=1)
            area = owner.commune or owner.province
        default_date = None
        if options["pledged_on"]:
            try:
                default_date = date.fromisoformat(options["pledged_on"])
            except ValueError as exc:
                raise CommandError(f"Ngày «{options['pledged_on']}» không đúng dạng "
                                   "YYYY-MM-DD / invalid date.", returncode=1) from exc
        return Target(area=area, campaign=campaign, fund=fund, default_date=default_date)

    @staticmethod
    def _fund(funds, code: str):
        found = list(funds.filter(code__iexact=code.strip()))
        if len(found) != 1:
            raise CommandError(
                f"Không có quỹ ký hiệu «{code}» trong địa bàn của bạn / no such fund"
                if not found else f"Có {len(found)} quỹ ký hiệu «{code}» / several funds have "
                                  "this code.", returncode=1)
        return found[0]

    # ---- reports ------------------------------------------------------------------------

    def handle_balances(self, user, options):
        from ansinh.funds.models import Fund, Restriction
        from ansinh.funds.selectors import fund_balances, fund_list

        funds = fund_list(user)
        if options["fund"]:
            funds = funds.filter(code__iexact=options["fund"].strip())
            if not funds.exists():
                raise CommandError(f"Không có quỹ ký hiệu «{options['fund']}» trong địa bàn "
                                   "của bạn / no such fund.", returncode=1)
        fund_ids = set(funds.values_list("pk", flat=True))
        rows = [r for r in fund_balances(user) if r["fund_id"] in fund_ids]
        if not rows:
            self.stdout.write("Chưa có tiền nhận / nothing received yet.")
            return
        names = {f.pk: f for f in Fund.objects.filter(pk__in={r["fund_id"] for r in rows})}
        restrictions = dict(Restriction.objects.filter(
            pk__in={r["restriction_id"] for r in rows if r["restriction_id"]})
            .values_list("pk", "description"))
        table = [[names[r["fund_id"]].code, names[r["fund_id"]].name,
                  restrictions.get(r["restriction_id"], "(không hạn chế / unrestricted)"),
                  *(format_vnd(r[k]) for k in ("received", "spent", "reserved",
                                                 "available"))] for r in rows]
        total = ["", "Tổng / total", "",
                 *(format_vnd(sum(r[k] for r in rows)) for k in ("received", "spent",
                                                                 "reserved", "available"))]
        self.stdout.write(_table(
            ["Quỹ", "Tên quỹ / fund", "Hạn chế / restriction", "Đã nhận / received",
             "Đã chi / spent", "Chờ duyệt / reserved", "Còn lại / available"],
            [*table, total], right={3, 4, 5, 6}))

    def handle_campaigns(self, user):
        from ansinh.funds.selectors import campaign_progress

        rows = campaign_progress(user)
        if not rows:
            self.stdout.write("Chưa có chiến dịch / no campaigns.")
            return
        table = []
        for r in rows:
            target = r["target"]
            percent = f"{r['received'] * 100 / target:.1f}%".replace(".", ",") if target else "–"
            table.append([r["name"], format_vnd(target) if target else "–",
                          format_vnd(r["pledged"]), format_vnd(r["received"]),
                          format_vnd(r["outstanding"]), percent, str(r["in_kind_pledges"])])
        self.stdout.write(_table(
            ["Chiến dịch / campaign", "Mục tiêu / target", "Cam kết / pledged",
             "Đã nhận / received", "Còn nợ / outstanding", "% mục tiêu", "Cam kết hiện vật"],
            table, right={1, 2, 3, 4, 5, 6}))
