"""`ansinh distributions build|signature-list|follow-up`: build a cycle's recipient list by
its criteria, print the signature list of an approved list, end the sponsorships of
households that left poverty."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.access.console import console_user
from ansinh.access.context import acting_as


class Command(BaseCommand):
    help = "Phân phối hỗ trợ / Distributions: build lists, print signature lists."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True,
                                    title="lệnh con / subcommands")
        cmd = getattr(parser, "called_from_command_line", None)
        build = sub.add_parser(
            "build", called_from_command_line=cmd,
            help="Lập danh sách theo tiêu chí của đợt / add everyone meeting the cycle's "
                 "criteria to its draft list.")
        build.add_argument("cycle_id", type=int, help="Mã đợt / the cycle's id.")
        sheet = sub.add_parser(
            "signature-list", called_from_command_line=cmd,
            help="In danh sách ký nhận (PDF) / print the signature list of an approved list.")
        sheet.add_argument("cycle_id", type=int, help="Mã đợt / the cycle's id.")
        sheet.add_argument("--list", dest="number", type=int, metavar="N",
                           help="Số danh sách trong đợt / the list's number (default: the "
                                "latest approved).")
        sheet.add_argument("--output", "-o", required=True, metavar="F.pdf",
                           help="Tệp PDF ghi ra / the PDF file to write.")
        follow = sub.add_parser(
            "follow-up", called_from_command_line=cmd,
            help="Kết thúc đỡ đầu các hộ đã thoát nghèo / end the sponsorships of households "
                 "no longer poor or near-poor.")
        for p in (build, sheet, follow):
            p.add_argument("--as", dest="as_user", metavar="USERNAME",
                           help="Người thực hiện / acting user (default: the system "
                                "operator).")

    def handle(self, *args, **options):
        user = console_user(options["as_user"])
        with acting_as(user, "cli"):
            try:
                return getattr(self, "handle_" + options["subcommand"].replace("-", "_"))(
                    user, options)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages), returncode=1) from exc
            except PermissionDenied as exc:
                raise CommandError(f"Không có quyền / permission denied: {exc}",
                                   returncode=1) from exc

    def _cycle(self, user, cycle_id):
        from ansinh.distributions.selectors import cycle_list

        cycle = cycle_list(user).filter(pk=cycle_id).first()
        if cycle is None:
            raise CommandError(f"Không có đợt #{cycle_id} trong địa bàn / no such cycle.",
                               returncode=1)
        return cycle

    def handle_build(self, user, options):
        from ansinh.distributions.services import recipients_build

        cycle = self._cycle(user, options["cycle_id"])
        rlist, added = recipients_build(user, cycle)
        self.stdout.write(f"Đợt / cycle «{cycle}»: đã thêm / added {added} người nhận vào "
                          f"danh sách số / to list no. {rlist.number}.")

    def handle_signature_list(self, user, options):
        from ansinh.distributions.choices import ListStatus
        from ansinh.distributions.services import list_signature_pdf

        cycle = self._cycle(user, options["cycle_id"])
        lists = cycle.lists.all()
        rlist = (lists.filter(number=options["number"]).first() if options["number"]
                 else lists.filter(status=ListStatus.APPROVED).order_by("-number").first())
        if rlist is None:
            raise CommandError("Không có danh sách đã duyệt / no approved list.", returncode=1)
        pdf = list_signature_pdf(user, rlist)
        with open(options["output"], "wb") as out:
            out.write(pdf)
        self.stdout.write(f"Đã ghi / written {options['output']} ({len(pdf)} bytes).")

    def handle_follow_up(self, user, options):
        from ansinh.distributions.services import sponsorships_follow_up

        ended = sponsorships_follow_up(user)
        self.stdout.write(f"Đã kết thúc / ended {ended} việc đỡ đầu (hộ đã thoát nghèo).")
