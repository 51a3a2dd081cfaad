"""`ansinh beneficiaries import|stop`: migrate legacy lists, record terminations.

Exit codes of `import` (as for the registry import): 0 every row valid; 2 some rows
rejected, the valid ones applied (or, with --dry-run, would be); 1 the file was refused or
every row was rejected.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.access.console import console_user
from ansinh.access.context import acting_as
from ansinh.core.identity import normalise_id_number
from ansinh.enrolment.choices import StopReason

SHOWN_REJECTS = 20


class Command(BaseCommand):
    help = "Đối tượng hưởng trợ cấp / Beneficiaries: import a legacy list, stop a benefit."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True,
                                    title="lệnh con / subcommands")
        cmd = getattr(parser, "called_from_command_line", None)
        imp = sub.add_parser(
            "import", called_from_command_line=cmd,
            help="Chuyển danh sách đối tượng đang hưởng từ sổ cũ (.csv, .xlsx) / migrate "
                 "existing beneficiaries from a legacy list.",
            epilog="Mã thoát / exit codes: 0 = mọi dòng hợp lệ / all rows valid; 2 = có dòng "
                   "bị từ chối / some rows rejected; 1 = tệp bị từ chối hoặc mọi dòng bị từ "
                   "chối / file refused or every row rejected.")
        imp.add_argument("file", help="Tệp .csv hoặc .xlsx / the .csv or .xlsx file. Columns: "
                                      "id_number, full_name, date_of_birth, sex, commune_code, "
                                      "benefit, category, disability_level, children_count, "
                                      "household_poverty, decision_number, decision_date, "
                                      "start_month, payment_channel, account_number.")
        imp.add_argument("--commune", metavar="CODE",
                         help="Mã xã cho các dòng không ghi xã / commune code for rows "
                              "without one.")
        imp.add_argument("--dry-run", action="store_true",
                         help="Chỉ kiểm tra / validate only, write nothing.")
        imp.add_argument("--rejects", metavar="OUT.xlsx",
                         help="Ghi các dòng bị từ chối kèm cột «Lỗi» / write rejected rows "
                              "with an error column.")
        stop = sub.add_parser(
            "stop", called_from_command_line=cmd,
            help="Thôi hưởng từ tháng sau ngày sự kiện / stop every benefit of a person from "
                 "the month after the date.")
        stop.add_argument("id_number", help="Số định danh 12 số / the 12-digit personal ID.")
        stop.add_argument("--reason", required=True, choices=StopReason.values,
                          help="death | ineligible | moved | refused")
        stop.add_argument("--date", required=True, metavar="YYYY-MM-DD",
                          help="Ngày sự kiện (ngày mất, ngày không còn đủ điều kiện …) / the "
                               "date of the event.")
        stop.add_argument("--decision-number", default="", metavar="SỐ",
                          help="Số quyết định đã ký ngoài hệ thống, nếu có / the number of a "
                               "decision signed outside the system.")
        for p in (imp, stop):
            p.add_argument("--as", dest="as_user", metavar="USERNAME",
                           help="Người thực hiện / acting user (default: the system "
                                "operator).")

    def handle(self, *args, **options):
        user = console_user(options["as_user"])
        with acting_as(user, "cli"):
            if options["subcommand"] == "import":
                return self.handle_import(user, options)
            return self.handle_stop(user, options)

    def handle_import(self, user, options):
        from ansinh.enrolment.legacy import LegacyFileError, rejects_xlsx, run

        try:
            report = run(user, options["file"], dry_run=options["dry_run"],
                         default_commune=options["commune"])
        except FileNotFoundError as exc:
            raise CommandError(f"Không thấy tệp / file not found: {options['file']}",
                               returncode=1) from exc
        except LegacyFileError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        new, same, bad = (report.count(o) for o in ("new", "unchanged", "rejected"))
        verb = "sẽ thêm / would add" if options["dry_run"] else "đã thêm / added"
        self.stdout.write(f"{len(report.rows)} dòng / rows: {verb} {new}, không đổi / "
                          f"unchanged {same}, bị từ chối / rejected {bad}.")
        for row in [r for r in report.rows if r.outcome == "rejected"][:SHOWN_REJECTS]:
            for field, message in row.errors:
                self.stderr.write(f"  Dòng / row {row.number}, {field}: {message}")
        if options["rejects"] and bad:
            with open(options["rejects"], "wb") as out:
                out.write(rejects_xlsx(report))
        if bad and not (new or same):
            raise CommandError("Mọi dòng đều bị từ chối / every row was rejected.",
                               returncode=1)
        if bad:
            raise CommandError(f"{bad} dòng bị từ chối / rows rejected.", returncode=2)

    def handle_stop(self, user, options):
        from ansinh.enrolment.services import entitlement_stop
        from ansinh.registry.models import Person

        try:
            on_date = date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"Ngày «{options['date']}» không đúng dạng YYYY-MM-DD / "
                               "invalid date.", returncode=1) from exc
        number = normalise_id_number(options["id_number"])
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            raise CommandError(f"Không có người có số định danh {number} / no such person.",
                               returncode=1)
        try:
            stopped = entitlement_stop(user, person, options["reason"], on_date,
                                       number=options["decision_number"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=1) from exc
        except PermissionDenied as exc:
            raise CommandError(f"Không có quyền / permission denied: {exc}",
                               returncode=1) from exc
        for e in stopped:
            self.stdout.write(f"Thôi hưởng / stopped: {e.get_benefit_display()} ({e.category}), "
                              f"tháng cuối được hưởng / last month paid: {e.end_month:%m/%Y}.")
