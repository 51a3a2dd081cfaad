import os
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ansinh.synth.demo import DEMO_PASSWORD, DEMO_PERSONS, BackgroundWorker, demo_setup
from ansinh.synth.load import SynthError


class Command(BaseCommand):
    help = (
        "Chạy thử: tạo CSDL, dữ liệu giả lập, tài khoản mẫu và mở ứng dụng / "
        "set up a demo database, synthetic data and accounts, then serve the app"
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true",
                            help="Chỉ chuẩn bị rồi thoát / set up and exit (tests, CI)")
        parser.add_argument("--persons", type=int, default=DEMO_PERSONS,
                            help=f"Số nhân khẩu giả lập nếu CSDL trống (default {DEMO_PERSONS})")
        parser.add_argument("--password", default=DEMO_PASSWORD,
                            help=f"Mật khẩu các tài khoản mẫu (default {DEMO_PASSWORD})")
        parser.add_argument("--threads", type=int, default=8, help="waitress threads")

    def handle(self, *args, **opts):
        from rich.console import Console
        from rich.table import Table

        console = Console(file=self.stdout, highlight=False)
        verbosity = opts["verbosity"]
        if verbosity:
            console.print(f"Cơ sở dữ liệu: {_db_label()}")
        try:
            setup = demo_setup(persons=opts["persons"], password=opts["password"],
                               verbosity=max(0, verbosity - 1))
        except SynthError as exc:
            raise CommandError(str(exc)) from exc
        url = f"http://{opts['host']}:{opts['port']}/"
        if verbosity:
            if setup.synthesized:
                console.print(f"Đã sinh {setup.synthesized:,} nhân khẩu giả lập.")
            else:
                console.print(f"Dùng lại dữ liệu có sẵn ({setup.persons:,} nhân khẩu).")
            table = Table(title="Tài khoản chạy thử / demo accounts")
            for column in ("Tên đăng nhập", "Vai trò", "Địa bàn", "Mật khẩu"):
                table.add_column(column)
            for account, area in setup.accounts:
                table.add_row(account.username, str(account.role.label), area, setup.password)
            console.print(table)
            console.print(f"Địa chỉ / URL: {url}")
        if opts["no_serve"]:
            return
        self.serve(opts, console, url)

    def serve(self, opts, console, url):
        from django.core.wsgi import get_wsgi_application
        from waitress import create_server

        application = get_wsgi_application()
        server = create_server(application, host=opts["host"], port=opts["port"],
                               threads=opts["threads"])
        worker = BackgroundWorker().start()
        # A worker runs beside the server, so imports and payroll runs leave the request
        # (unless the operator set these switches explicitly).
        for switch in ("IMPORT_USE_TASKS", "PAYROLL_USE_TASKS"):
            if switch not in os.environ:
                setattr(settings, switch, True)
        signal.signal(signal.SIGTERM, _interrupt)  # stop as cleanly on `kill` as on Ctrl+C
        console.print(f"Đang chạy tại {url} — Ctrl+C để dừng / press Ctrl+C to stop.")
        try:
            server.run()
        except KeyboardInterrupt:
            console.print("Đã dừng / stopped.")
        finally:
            server.close()
            worker.stop()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _db_label() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or 'local'}/{db['NAME']}"
