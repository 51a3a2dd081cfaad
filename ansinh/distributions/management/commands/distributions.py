"""`ansinh distributions build|signature-list|hand-out|cancel|follow-up`: build a cycle's
recipient list by its criteria, print the signature list of an approved list, record the
hand-out of a whole signed list, cancel a recipient not yet handed out, end the sponsorships
of households that left poverty."""

from datetime import date
from pathlib import Path

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
        hand_out = sub.add_parser(
            "hand-out", called_from_command_line=cmd,
            help="Ghi nhận đã phát cả danh sách đã ký / record the hand-out of every approved "
                 "recipient not yet handed out, with the scanned signed list as proof.")
        hand_out.add_argument("cycle_id", type=int, help="Mã đợt / the cycle's id.")
        hand_out.add_argument("--proof", required=True, metavar="F.pdf",
                              help="Bản chụp danh sách đã ký (PDF hoặc ảnh) / the scan.")
        hand_out.add_argument("--commune", metavar="CODE",
                              help="Chỉ một xã/phường / only this commune (5-digit code).")
        hand_out.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                              help="Ngày nhận / day of the hand-out (default: today).")
        cancel = sub.add_parser(
            "cancel", called_from_command_line=cmd,
            help="Hủy người nhận chưa nhận / cancel a recipient not yet handed out; after "
                 "approval his cash goes back to the fund.")
        cancel.add_argument("recipient_id", type=int, help="Mã dòng người nhận / line id.")
        cancel.add_argument("--reason", required=True, help="Lý do hủy / reason.")
        follow = sub.add_parser(
            "follow-up", called_from_command_line=cmd,
            help="Kết thúc đỡ đầu các hộ đã thoát nghèo / end the sponsorships of households "
                 "no longer poor or near-poor.")
        for p in (build, sheet, hand_out, cancel, follow):
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

    def handle_hand_out(self, user, options):
        from django.core.files import File

        from ansinh.distributions.handouts import handout_record_list
        from ansinh.geo.models import AdminUnit

        cycle = self._cycle(user, options["cycle_id"])
        commune = None
        if options["commune"]:
            commune = AdminUnit.objects.communes().filter(code=options["commune"]).first()
            if commune is None:
                raise CommandError(f"Không có xã/phường mã {options['commune']} / no such "
                                   "commune.", returncode=1)
        path = Path(options["proof"])
        if not path.is_file():
            raise CommandError(f"Không đọc được tệp / cannot read {path}.", returncode=1)
        with path.open("rb") as handle:
            counts = handout_record_list(user, cycle, proof=File(handle, name=path.name),
                                         commune=commune, handed_out_on=options["date"])
        self.stdout.write(
            f"Đợt / cycle «{cycle}»: đã phát / handed out {counts['handed_out']}; bỏ qua / "
            f"skipped: đã nhận / already {counts['already_handed_out']}, chưa in danh sách / "
            f"not printed {counts['not_printed']}, đã mất / deceased {counts['deceased']}.")

    def handle_cancel(self, user, options):
        from ansinh.distributions.selectors import recipient_list
        from ansinh.distributions.services import recipient_cancel

        line = recipient_list(user).filter(pk=options["recipient_id"]).first()
        if line is None:
            raise CommandError(f"Không có người nhận #{options['recipient_id']} trong địa bàn "
                               "/ no such recipient.", returncode=1)
        line = recipient_cancel(user, line, reason=options["reason"])
        returned = line.cash if line.recipient_list.allocation_id else 0
        self.stdout.write(f"Đã hủy / cancelled #{line.pk}; hoàn quỹ / returned {returned} đ.")
