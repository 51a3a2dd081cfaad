import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ansinh.access.roles import Role
from ansinh.access.services import token_issue, user_add


class Command(BaseCommand):
    help = "Quản lý người dùng và vai trò / manage users and their roles"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add", help="Tạo người dùng hoặc thêm vai trò / create a user or add a role"
        )
        add.add_argument("username")
        add.add_argument(
            "--role", required=True, choices=Role.values,
            help="Vai trò / role: " + "; ".join(f"{r.value} = {r.label}" for r in Role),
        )
        add.add_argument(
            "--area", default=None,
            help="Mã tỉnh (2 số) hoặc mã xã (5 số); bỏ trống = toàn quốc / "
                 "province (2 digits) or commune (5 digits) code; omit for national",
        )
        add.add_argument("--password", default=None,
                         help="Mật khẩu; nếu không có sẽ hỏi / password; prompted if omitted")
        add.add_argument("--no-password", action="store_true",
                         help="Chỉ dùng API token / API token only, no login password")
        add.add_argument("--email", default="")
        add.add_argument("--name", default="", help="Họ và tên / full name")
        tok = sub.add_parser("token", help="In ra một API token mới / print a new API token")
        tok.add_argument("username")
        tok.add_argument("--name", default="", help="Ghi chú cho token / label for the token")

    def handle(self, *args, **opts):
        try:
            if opts["action"] == "add":
                password = opts["password"]
                if password is None and not opts["no_password"]:
                    password = getpass.getpass("Mật khẩu / password: ")
                user, ra = user_add(
                    opts["username"], opts["role"], opts["area"], password=password,
                    email=opts["email"], full_name=opts["name"],
                )
                self.stdout.write(f"{user.username}: {ra}")
            else:
                self.stdout.write(token_issue(opts["username"], opts["name"]))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
