"""`ansinh fund_statement import FILE --account NUMBER [--dry-run] [--user USERNAME]`.

Stages the bank statement, prints what each line would do (receipt for a donor or pledge,
unmatched, debit, already known, rejected) and applies it with the proposed matches.

Exit codes: 0 applied (or, with --dry-run, would apply); 2 some rows were rejected, nothing
applied; 1 the file was refused (unknown account, unreadable file, no header) or applying
failed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ansinh.access.console import console_user
from ansinh.access.context import acting_as
from ansinh.core.money_words import format_vnd

SHOWN_LINES = 50


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Sao kê ngân hàng của quỹ / the fund's bank statements: import and match."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True,
                                    title="lệnh con / subcommands")
        cmd = getattr(parser, "called_from_command_line", None)
        imp = sub.add_parser(
            "import", called_from_command_line=cmd,
            help="Nhập sao kê (.xlsx, .xls, .csv), khớp với cam kết và nhà tài trợ, lập biên "
                 "nhận / import a statement, match it, issue receipts.",
            epilog="Mã thoát / exit codes: 0 = đã áp dụng / applied; 2 = có dòng bị từ chối, "
                   "chưa ghi gì / rows rejected, nothing applied; 1 = tệp bị từ chối / file "
                   "refused.")
        imp.add_argument("file", help="Tệp sao kê / the statement file.")
        imp.add_argument("--account", metavar="NUMBER",
                         help="Số tài khoản của quỹ / the fund's account number (default: "
                              "the one written above the header).")
        imp.add_argument("--dry-run", action="store_true",
                         help="Chỉ kiểm tra và xem trước / validate and preview only.")
        imp.add_argument("--user", "--as", dest="as_user", metavar="USERNAME",
                         help="Người lập biên nhận / acting user (required to apply).")

    def handle(self, *args, **options):
        user = console_user(options["as_user"])
        with acting_as(user, "cli"):
            return self.handle_import(user, options)

    def handle_import(self, user, options):
        from ansinh.funds.statements import statement_apply, statement_preview, statement_stage

        dry_run = options["dry_run"]
        if not dry_run and getattr(user, "pk", None) is None:
            raise CommandError("Biên nhận phải ghi người lập: hãy chạy với --user USERNAME / "
                               "receipts need a named user.", returncode=1)
        try:
            with open(options["file"], "rb") as fileobj, transaction.atomic():
                statement = statement_stage(user, fileobj, options["file"].rsplit("/", 1)[-1],
                                            account_number=options["account"])
                if dry_run:
                    self._report(statement, statement_preview(user, statement,
                                                              page_size=10_000))
                    raise _DryRun
        except _DryRun:
            return self._exit(statement)
        except FileNotFoundError as exc:
            raise CommandError(f"Không thấy tệp / file not found: {options['file']}",
                               returncode=1) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=1) from exc
        except PermissionDenied as exc:
            raise CommandError(f"Không có quyền / permission denied: {exc}",
                               returncode=1) from exc
        self._report(statement, statement_preview(user, statement, page_size=10_000))
        self._exit(statement, check_only=True)
        try:
            result = statement_apply(user, statement)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)])),
                               returncode=1) from exc
        self.stdout.write(
            f"Đã áp dụng / applied: {result['receipts']} biên nhận / receipts "
            f"({format_vnd(result['received_amount'])}), {result['transactions']} giao dịch "
            f"mới / new transactions, {result['unmatched']} chưa khớp / unmatched, "
            f"{result['known']} đã có / already known.")

    def _report(self, statement, preview) -> None:
        c = statement.counts
        self.stdout.write(
            f"Sao kê / statement {statement.file_name} – tài khoản / account "
            f"{statement.account.account_number}: {c['rows']} dòng / rows, ghi có mới / new "
            f"credits {c['credit_new']} ({format_vnd(c['credit_amount'])}), khớp / matched "
            f"{c['matched']}, ghi nợ mới / new debits {c['debit_new']}, đã có / known "
            f"{c['known']}, bị từ chối / rejected {c['rejected']}.")
        for row in preview["rows"][:SHOWN_LINES]:
            if row["status"] == "rejected":
                for error in row["errors"]:
                    self.stderr.write(f"  {error['message']}")
                continue
            what = row["status_display"]
            if row["status"] == "new" and row["direction"] == "credit":
                what = (f"biên nhận cho / receipt for {row['donor_name']}"
                        + (f" ({row['pledge_code']})" if row["pledge_code"] else "")
                        if row["will_receipt"] else
                        f"chưa khớp / unmatched {row['match_note']}".strip())
            elif row["status"] == "new":
                what = "ghi nợ, không lập biên nhận / debit, no receipt"
            day = row["booked_on"].strftime("%d/%m/%Y") if row["booked_on"] else ""
            self.stdout.write(f"  Dòng / row {row['row_number']}: {day} "
                              f"{format_vnd(row['amount'])} – {what}")

    def _exit(self, statement, check_only: bool = False):
        rejected = statement.counts.get("rejected", 0)
        if rejected:
            raise CommandError(f"{rejected} dòng bị từ chối, chưa ghi gì / rows rejected, "
                               "nothing applied.", returncode=2)
        if not check_only:
            self.stdout.write("Chạy thử: chưa ghi gì / dry run: nothing written.")
