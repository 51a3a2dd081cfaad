"""`ansinh demo --no-serve` and `ansinh worker`."""

import io
import time

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from ansinh.access.models import RoleAssignment
from ansinh.registry.models import Person
from ansinh.synth.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, BackgroundWorker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_settings(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo():
    out = io.StringIO()
    call_command("demo", "--no-serve", "--persons", "300", stdout=out)
    return out.getvalue()


def test_demo_sets_up_data_and_one_account_per_role_and_is_idempotent(rf, settings):
    first = run_demo()
    assert Person.objects.count() == 300
    assert "http://127.0.0.1:8000/" in first
    for account in DEMO_ACCOUNTS:
        assert account.username in first
        roles = RoleAssignment.objects.filter(user__username=account.username)
        assert [ra.role for ra in roles] == [account.role]
        area = roles[0].area
        if account.level == "national":
            assert area is None
        else:
            assert area.level == account.level and area.is_current
        request = rf.post("/login/")
        assert authenticate(request, username=account.username, password=DEMO_PASSWORD)

    commune = RoleAssignment.objects.get(user__username="canbo").area
    assert Person.objects.filter(commune=commune).exists()
    assert settings.STATIC_ROOT.exists()

    # Beneficiaries as a commune has them after migrating its list, and a paid month.
    from ansinh.enrolment.models import Entitlement
    from ansinh.payments.models import Payment, PayrollMonth

    enrolled = Entitlement.objects.count()
    assert enrolled > 0
    assert set(Entitlement.objects.values_list("benefit", flat=True)) <= {
        "monthly_allowance", "social_pension"}
    approved = PayrollMonth.objects.get(commune=commune)
    assert approved.status == "approved" and approved.total > 0
    assert Payment.objects.filter(payroll=approved).exists()
    payrolls = PayrollMonth.objects.count()

    # A social-security fund at work: a campaign with donors, issued receipts, stock.
    from ansinh.funds.models import Allocation, Campaign, Donor, Receipt
    from ansinh.funds.selectors import campaign_progress
    from ansinh.stock.models import StockLot

    province = RoleAssignment.objects.get(user__username="quy").area
    campaign = Campaign.objects.get(province=province)
    [progress] = campaign_progress(RoleAssignment.objects.get(user__username="quy").user,
                                   campaign)
    assert 0 < progress["received"] and 0 < progress["outstanding"] < progress["pledged"]
    assert Donor.objects.filter(display="anonymous").exists()
    assert Receipt.objects.filter(status="issued").count() >= 8
    assert Allocation.objects.filter(status="approved").exists()
    assert StockLot.objects.filter(quantity__gt=0).exists()
    receipts = Receipt.objects.count()

    second = run_demo()
    assert Person.objects.count() == 300  # the registry is reused, not filled again
    assert RoleAssignment.objects.count() == len(DEMO_ACCOUNTS)
    assert Entitlement.objects.count() == enrolled
    assert PayrollMonth.objects.count() == payrolls
    assert Receipt.objects.count() == receipts
    assert "Dùng lại" in second


def test_the_background_worker_thread_starts_and_stops(monkeypatch):
    worker = BackgroundWorker(interval=0.05)
    seen = []

    def loop():  # the real loop polls the task table; here only the thread handling is tested
        while worker.worker.running:
            seen.append(1)
            time.sleep(0.01)

    monkeypatch.setattr(worker.worker, "run", loop)
    worker.start()
    time.sleep(0.05)
    assert worker.thread.is_alive()
    worker.stop()
    assert not worker.thread.is_alive() and seen


def test_worker_command_defaults_to_every_queue():
    from ansinh.core.management.commands.worker import Command

    parser = Command().create_parser("ansinh", "worker")
    assert parser.parse_args([]).queue_name == "*"
