"""`ansinh registry import FILE`: the Excel import from the command line.

Exit codes (also in --help): 0 every row valid; 2 some rows rejected, the valid rows applied
(or, with --dry-run, would be); 1 the file was refused, or every row was rejected.
"""

import json
import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.access.console import console_user
from ansinh.access.context import acting
from ansinh.imports.errors import ImportFileError
from ansinh.imports.models import ImportRow, Outcome

EPILOG = (
    "Mã thoát / exit codes: 0 = mọi dòng hợp lệ / every row valid; "
    "2 = có dòng bị từ chối, các dòng hợp lệ đã được áp dụng (hoặc sẽ được, với --dry-run) / "
    "some rows rejected, the valid rows were applied (or would be, with --dry-run); "
    "1 = tệp bị từ chối hoặc mọi dòng đều bị từ chối / the file was refused or every row "
    "was rejected."
)
SHOWN_REJECTS = 20


class Command(BaseCommand):
    help = "Sổ hộ gia đình và nhân khẩu / Household and person registry."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True,
                                    title="lệnh con / subcommands")
        imp = sub.add_parser(
            "import",
            help="Nhập hộ và nhân khẩu từ Excel/CSV / Import households and members from "
                 "Excel or CSV.",
            description="Nhập hộ gia đình và nhân khẩu từ tệp .xlsx, .xls hoặc .csv: kiểm tra "
                        "từng dòng, in tóm tắt rồi áp dụng các dòng hợp lệ trong một giao dịch. "
                        "/ Import households and members from .xlsx, .xls or .csv: validate "
                        "every row, print a summary, then apply the valid rows in one "
                        "transaction.",
            epilog=EPILOG,
            called_from_command_line=getattr(parser, "called_from_command_line", None),
        )
        imp.add_argument("file", help="Tệp cần nhập / the file to import (.xlsx, .xls, .csv).")
        imp.add_argument("--commune", metavar="CODE",
                         help="Mã xã/phường 5 số cho các dòng không ghi xã / 5-digit commune "
                              "code for rows without one; rows of another commune are rejected.")
        imp.add_argument("--dry-run", action="store_true",
                         help="Chỉ kiểm tra, không ghi vào sổ / validate only, write nothing "
                              "to the registry.")
        imp.add_argument("--as", dest="as_user", metavar="USERNAME",
                         help="Người thực hiện (quyền theo địa bàn của họ) / acting user, with "
                              "their area; default: the system, nationwide, audited as 'cli'.")
        imp.add_argument("--mapping", metavar="JSON",
                         help='Sửa ghép cột / correct the column mapping, e.g. '
                              '\'{"Tên chủ hộ": "full_name", "E": "id_number", "header_row": 3}\'.')
        imp.add_argument("--rejects", metavar="OUT.xlsx",
                         help="Ghi các dòng bị từ chối kèm cột «Lỗi» / write the rejected rows "
                              "with a «Lỗi» (error) column to this file.")

    def handle(self, *args, **options):
        if options["subcommand"] == "import":
            return self.handle_import(options)
        raise CommandError(f"Lệnh con không có / unknown subcommand: {options['subcommand']}")

    # -----------------------------------------------------------------------------------------

    def handle_import(self, options):
        from ansinh.imports.services import (
            import_apply,
            import_rejects_xlsx,
            import_stage,
        )

        user = console_user(options["as_user"])
        mapping = None
        if options["mapping"]:
            try:
                mapping = json.loads(options["mapping"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--mapping không phải JSON hợp lệ / invalid JSON: {exc}") \
                    from exc
        path = options["file"]
        with acting(user_id=user.pk, username=user.get_username(), source="cli"), \
                self._progress() as progress:
            try:
                with open(path, "rb") as f:
                    batch = import_stage(user, f, path, commune_code=options["commune"],
                                         mapping=mapping, progress=progress)
            except FileNotFoundError as exc:
                raise CommandError(f"Không thấy tệp / file not found: {path}", returncode=1) \
                    from exc
            except ImportFileError as exc:
                raise CommandError(exc.message, returncode=1) from exc
            except PermissionDenied as exc:
                raise CommandError(str(exc), returncode=1) from exc
            applied = None
            if not options["dry_run"] and (batch.new_count or batch.changed_count):
                applied = import_apply(user, batch, progress=progress)
        self._summary(batch, applied, options["dry_run"])
        if options["rejects"] and batch.rejected_count:
            with open(options["rejects"], "wb") as out:
                out.write(import_rejects_xlsx(batch))
            self.stdout.write(f"Đã ghi các dòng bị từ chối / rejects written: {options['rejects']}")
        valid = batch.total_rows - batch.rejected_count
        if batch.rejected_count and not valid:
            raise CommandError("Mọi dòng đều bị từ chối / every row was rejected.", returncode=1)
        if batch.rejected_count:
            raise CommandError(
                f"{batch.rejected_count} dòng bị từ chối / rows rejected "
                f"(lần nhập / batch #{batch.pk}).", returncode=2)

    def _progress(self):
        if not self.stdout.isatty():
            return _NoProgress()
        return _RichProgress()

    def _summary(self, batch, applied, dry_run):
        w = self.stdout.write
        w(f"Lần nhập / batch #{batch.pk}: {batch.file_name} — {batch.total_rows} dòng / rows")
        w(f"  mới / new:            {batch.new_count}")
        w(f"  thay đổi / changed:   {batch.changed_count}")
        w(f"  không đổi / unchanged: {batch.unchanged_count}")
        w(f"  từ chối / rejected:   {batch.rejected_count}")
        if dry_run:
            w("Chạy thử: chưa ghi gì vào sổ / dry run: nothing written.")
        elif applied is not None:
            w("Đã áp dụng / applied: " + ", ".join(f"{k}={v}" for k, v in applied.items()))
        else:
            w("Không có gì để áp dụng / nothing to apply.")
        if batch.rejected_count:
            w("Dòng bị từ chối / rejected rows:")
            rows = ImportRow.objects.filter(batch=batch, outcome=Outcome.REJECTED) \
                .order_by("row_number")[:SHOWN_REJECTS]
            for row in rows:
                for err in row.errors:
                    w(f"  {err['message']}")
            if batch.rejected_count > SHOWN_REJECTS:
                w(f"  … và {batch.rejected_count - SHOWN_REJECTS} dòng khác / more "
                  "(--rejects OUT.xlsx để xem hết / to get them all).")


_STEPS = {"read": "Đọc tệp", "parse": "Kiểm tra dòng", "check": "Đối chiếu sổ",
          "store": "Lưu tạm", "apply": "Ghi vào sổ"}


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class _RichProgress:
    def __enter__(self):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total}"),
                                 TimeElapsedColumn(), file=sys.stdout)
        self.progress.__enter__()
        self.tasks = {}
        return self.report

    def report(self, step, done, total):
        task = self.tasks.get(step)
        if task is None:
            task = self.tasks[step] = self.progress.add_task(_STEPS.get(step, step),
                                                             total=total or 1)
        self.progress.update(task, completed=done, total=total or 1)

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)
