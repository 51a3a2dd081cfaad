"""`ansinh demo`: a working system from a fresh clone in one command.

Migrates the embedded database, gathers static files, fills an empty registry with a small
synthetic province, creates one account per role and (unless told not to) serves the app
with waitress while a django-tasks-db worker runs in a thread beside it.
"""

import threading
from dataclasses import dataclass

from django.core.management import call_command
from django.db import transaction
from django.utils.crypto import get_random_string

from ansinh.access.roles import Role
from ansinh.access.services import user_add
from ansinh.registry.models import Person

from .load import DEFAULT_PROVINCE, plan, synth_to_database

DEMO_PASSWORD = "ansinh-demo-2026"
DEMO_COMMUNES = 3
DEMO_PERSONS = 6_000
DEMO_SEED = 2026


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    level: str  # "commune", "province" or "national"
    name: str


DEMO_ACCOUNTS = [
    DemoAccount("canbo", Role.COMMUNE_OFFICER, "commune", "Nguyễn Thị Hoa"),
    DemoAccount("chutich", Role.COMMUNE_LEADER, "commune", "Trần Văn Minh"),
    DemoAccount("chuyenvien", Role.PROVINCE_OFFICER, "province", "Lê Thu Hà"),
    DemoAccount("quantri", Role.PROVINCE_ADMIN, "province", "Phạm Đức Anh"),
    DemoAccount("thanhtra", Role.AUDITOR, "province", "Hoàng Văn Nam"),
    DemoAccount("bo", Role.NATIONAL_VIEWER, "national", "Vũ Thị Lan"),
    DemoAccount("quy", Role.FUND_OFFICER, "province", "Đỗ Thị Mai"),
    DemoAccount("giamdocquy", Role.FUND_MANAGER, "province", "Bùi Quang Huy"),
]


@dataclass
class DemoSetup:
    accounts: list[tuple[DemoAccount, str]]  # (account, area label)
    password: str
    synthesized: int  # persons generated in this run (0 when the registry had data)
    persons: int  # persons in the registry


def demo_setup(*, persons: int = DEMO_PERSONS, province: str = DEFAULT_PROVINCE,
               communes: int = DEMO_COMMUNES, password: str = DEMO_PASSWORD,
               verbosity: int = 0, static: bool = True) -> DemoSetup:
    """Idempotent: a second run reuses the database, the data and the accounts (their
    password is set again to `password`)."""
    call_command("migrate", interactive=False, verbosity=verbosity)
    if static:
        # DEBUG is off by default, so whitenoise serves the collected (and compressed) files.
        call_command("collectstatic", interactive=False, verbosity=0)
    synthesized = 0
    if not Person.objects.exists():
        synthesized = synth_to_database(province=province, persons=persons, communes=communes,
                                        seed=DEMO_SEED).persons
    unit, demo_communes = plan(province, communes)
    commune = demo_communes[0]
    areas = {"commune": (commune.code, commune.name), "province": (unit.code, unit.name),
             "national": (None, "Toàn quốc")}
    accounts = []
    with transaction.atomic():
        for account in DEMO_ACCOUNTS:
            code, label = areas[account.level]
            user_add(account.username, account.role, code, password=password,
                     full_name=account.name)
            accounts.append((account, label))
    _demo_benefits(demo_communes)
    _demo_funds(unit)
    return DemoSetup(accounts=accounts, password=password, synthesized=synthesized,
                     persons=Person.objects.count())


def _demo_benefits(demo_communes) -> None:
    from django.contrib.auth import get_user_model

    from .benefits import approve_last_month, enrol_demo

    enrol_demo([c.id for c in demo_communes])
    users = get_user_model().objects.in_bulk(["canbo", "chutich"], field_name="username")
    approve_last_month(users["canbo"], users["chutich"])


def _demo_funds(province) -> None:
    from django.contrib.auth import get_user_model

    from .funds_demo import demo_funds

    users = get_user_model().objects.in_bulk(["quy", "giamdocquy"], field_name="username")
    demo_funds(province, users["quy"], users["giamdocquy"])


class BackgroundWorker:
    """The django-tasks-db worker loop in a daemon thread (signals stay with the server)."""

    def __init__(self, *, interval: float = 1.0):
        from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker = Worker(
            queue_names=["*"], interval=interval, batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False, max_tasks=None,
            worker_id="demo-" + get_random_string(12), excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self._run, name="ansinh-worker", daemon=True)

    def _run(self):
        from django.db import connections

        try:
            self.worker.run()
        finally:
            connections.close_all()

    def start(self) -> "BackgroundWorker":
        self.thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self.worker.running = False
        self.thread.join(timeout)
