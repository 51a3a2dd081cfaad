"""`ansinh payroll run|approve|export`: the monthly payroll from the console."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.access.console import console_user
from ansinh.access.context import acting_as
from ansinh.core.money_words import format_vnd
from ansinh.core.months import format_month_vn, parse_month


def _month(text: str):
    try:
        return parse_month(text)
    except ValueError as exc:
        raise CommandError(str(exc), returncode=1) from exc


def _messages(exc: ValidationError) -> str:
    return "\n".join(f"  - {m}" for m in exc.messages)


class Command(BaseCommand):
    help = "Bảng chi trả trợ cấp hằng tháng / Monthly payroll: run, approve, export."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True,
                                    title="lệnh con / subcommands")
        cmd = getattr(parser, "called_from_command_line", None)
        run = sub.add_parser(
            "run", called_from_command_line=cmd,
            help="Lập hoặc lập lại bảng chi trả dự thảo / prepare or refresh the draft.",
            description="Tính số tiền được hưởng của tháng cho mọi đối tượng trong địa bàn, "
                        "cùng các khoản truy lĩnh/truy thu của các tháng đã phê duyệt. Chạy "
                        "lại bao nhiêu lần cũng cho cùng kết quả. / Price the month for every "
                        "beneficiary in the area, with arrears and recoveries for approved "
                        "months. Running it again gives the same draft.")
        approve = sub.add_parser(
            "approve", called_from_command_line=cmd,
            help="Phê duyệt và khóa tháng (người khác người lập) / approve and freeze the "
                 "month (a different user from the preparer).")
        export = sub.add_parser(
            "export", called_from_command_line=cmd,
            help="Xuất bảng chi trả ra CSV / export the payroll as CSV: id_number, benefit, "
                 "month, regular_amount, adjustment_amount, total_amount, payment_channel.")
        returns = sub.add_parser(
            "returns", called_from_command_line=cmd,
            help="Nhập tệp kết quả chi trả của đơn vị chi trả / import the payment provider's "
                 "return file (.csv/.xlsx: id_number, benefit, month, amount, status "
                 "paid|unpaid, paid_on, reference). All or nothing; importing it again "
                 "changes nothing.")
        returns.add_argument("file", help="Tệp kết quả / the return file.")
        insurance = sub.add_parser(
            "insurance", called_from_command_line=cmd,
            help="Danh sách cấp thẻ BHYT (mã BT) của tháng / the month's health-insurance card "
                 "list (code BT), as .xlsx.")
        insurance.add_argument("--out", required=True, metavar="FILE.xlsx")
        provider = sub.add_parser(
            "provider-file", called_from_command_line=cmd,
            help="Tệp chi trả gửi ngân hàng / ví điện tử / the payment file for the bank or "
                 "e-wallet provider of an approved month.")
        provider.add_argument("--channel", required=True, choices=["bank", "ewallet"])
        provider.add_argument("--out", required=True, metavar="FILE.csv")
        for p in (run, approve, export, returns, insurance, provider):
            p.add_argument("--month", required=True, metavar="YYYY-MM",
                           help="Tháng chi trả / the payroll month.")
            p.add_argument("--as", dest="as_user", metavar="USERNAME",
                           help="Người thực hiện, theo quyền và địa bàn của họ / acting user, "
                                "with their role and area (default: the system operator).")
        export.add_argument("--out", required=True, metavar="FILE.csv",
                            help="Tệp CSV kết quả / the CSV file to write.")

    def handle(self, *args, **options):
        from ansinh.payments.services import payroll_approve, payroll_export_csv, payroll_run

        month = _month(options["month"])
        user = console_user(options["as_user"])
        label = format_month_vn(month)
        try:
            with acting_as(user, "cli"):
                if options["subcommand"] == "run":
                    result = payroll_run(user, month)
                    self.stdout.write(
                        f"Bảng chi trả tháng {label} (dự thảo) / draft payroll: "
                        f"{result.communes} xã, {result.beneficiaries} người nhận, "
                        f"thường xuyên {format_vnd(result.regular_total)}, truy lĩnh/truy thu "
                        f"{format_vnd(result.adjustment_total)} ({result.adjustments} dòng).")
                elif options["subcommand"] == "approve":
                    approved = payroll_approve(user, month)
                    total = sum(p.total for p in approved)
                    self.stdout.write(f"Đã phê duyệt tháng {label} / approved: "
                                      f"{len(approved)} xã, tổng {format_vnd(total)}.")
                elif options["subcommand"] == "returns":
                    self.handle_returns(user, month, options["file"])
                elif options["subcommand"] == "provider-file":
                    from ansinh.payments.provider import provider_file

                    body, count = provider_file(user, month, options["channel"])
                    with open(options["out"], "wb") as out:
                        out.write(body)
                    self.stdout.write(f"Đã ghi {count} khoản / payments written: "
                                      f"{options['out']}")
                elif options["subcommand"] == "insurance":
                    from ansinh.payments.insurance import insurance_xlsx

                    with open(options["out"], "wb") as out:
                        out.write(insurance_xlsx(user, month))
                    self.stdout.write(f"Đã ghi / written: {options['out']}")
                else:
                    rows = payroll_export_csv(user, month, options["out"])
                    self.stdout.write(f"Đã ghi {rows} dòng / rows written: {options['out']}")
        except ValidationError as exc:
            raise CommandError("Không thực hiện được / refused:\n" + _messages(exc),
                               returncode=1) from exc
        except PermissionDenied as exc:
            raise CommandError(f"Không có quyền / permission denied: {exc}",
                               returncode=1) from exc
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp / cannot write: {exc}",
                               returncode=1) from exc

    def handle_returns(self, user, month, path):
        from ansinh.payments.returns import return_import

        try:
            with open(path, "rb") as f:
                content = f.read()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp / cannot read: {exc}", returncode=1) \
                from exc
        report = return_import(user, content, path, month)
        self.stdout.write(f"Đối soát tháng {format_month_vn(month)} / reconciled: đã nhận / "
                          f"paid {report.paid}, chưa nhận / unpaid {report.unpaid}, không đổi / "
                          f"unchanged {report.unchanged}.")
        for proposal in report.proposals:
            self.stdout.write(f"  Đề xuất tạm dừng / suspension proposed: "
                              f"{proposal.entitlement.person} — {proposal.reason}")
