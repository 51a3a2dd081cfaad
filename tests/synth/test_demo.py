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
    campaign = Campaign.objects.get(province=province, name__startswith="Xuân nghĩa tình")
    [progress] = campaign_progress(RoleAssignment.objects.get(user__username="quy").user,
                                   campaign)
    assert 0 < progress["received"] and 0 < progress["outstanding"] < progress["pledged"]
    assert Donor.objects.filter(display="anonymous").exists()
    assert Receipt.objects.filter(status="issued").count() >= 8
    assert Allocation.objects.filter(status="approved").exists()
    assert StockLot.objects.filter(quantity__gt=0).exists()
    receipts = Receipt.objects.count()

    # Goods came in on issued goods receipts, and reached the stock through them.
    from ansinh.funds.models import GoodsReceiptLine
    from ansinh.stock.models import StockMovement

    goods = Receipt.objects.filter(kind="goods", status="issued")
    assert goods.count() == 2
    goods_lines = GoodsReceiptLine.objects.filter(receipt__in=goods).values_list("pk", flat=True)
    assert StockMovement.objects.filter(kind="receive",
                                        source_receipt_line_id__in=goods_lines).count() == 2

    # The Tết cycle: built from the registry's poor households, approved by the manager
    # (not its maker), its cash spent from the campaign's money, part of it handed out.
    from ansinh.distributions.models import Cycle, Recipient, Sponsorship
    from ansinh.funds.models import Restriction
    from ansinh.registry.models import Household

    tet = Cycle.objects.get(name="Quà Tết 2027", campaign=campaign)
    [tet_list] = tet.lists.all()
    assert tet_list.status == "approved" and tet_list.decided_by.username == "giamdocquy"
    assert tet_list.created_by.username == "quy"
    lines = Recipient.objects.filter(cycle=tet)
    poor = Household.objects.filter(province=province, poverty_status="poor")
    assert lines.count() == poor.count() > 0
    assert set(lines.values_list("household", flat=True)) == set(poor.values_list("pk",
                                                                                  flat=True))
    handed = lines.filter(status="handed_out")
    assert handed.count() == max(1, lines.count() // 3)  # a third so far, at least one
    assert not handed.filter(proof_kind="").exists()
    assert tet_list.allocation.amount == lines.count() * tet.cash_per_recipient
    assert tet_list.allocation.restriction.campaign == campaign
    issued = StockMovement.objects.filter(
        kind="issue", distribution_line_id__in=handed.values_list("pk", flat=True))
    assert issued.count() == 2 * handed.count()  # a gift package and the rice

    # Scholarships from the restricted gift; a sponsored household; how to give.
    scholarships = Cycle.objects.get(kind="scholarship", province=province)
    assert scholarships.restriction == Restriction.objects.get(kind="programme")
    assert not scholarships.lists.exclude(status="approved").exists()
    assert Sponsorship.objects.filter(household__in=poor, ended_on__isnull=True).count() == 1
    from ansinh.transparency.models import GivingInfo, Snapshot
    from ansinh.transparency.selectors import snapshot_verify

    assert GivingInfo.objects.get(fund__province=province, fund__code="ASXH").bank_account

    # The campaign's figures are public, verify against the ledger and show the hand-outs.
    [snapshot] = Snapshot.objects.filter(campaign=campaign)
    assert snapshot_verify(snapshot).ok
    # (counts of fewer than five recipients are not published, their amounts are)
    assert snapshot.figures["distributed"]["recipients"] <= handed.count()
    assert snapshot.figures["distributed"]["cash"] == handed.count() * tet.cash_per_recipient
    distributions = Recipient.objects.count()

    second = run_demo()
    assert Person.objects.count() == 300  # the registry is reused, not filled again
    assert RoleAssignment.objects.count() == len(DEMO_ACCOUNTS)
    assert Entitlement.objects.count() == enrolled
    assert PayrollMonth.objects.count() == payrolls
    assert Receipt.objects.count() == receipts
    assert Recipient.objects.count() == distributions
    assert Snapshot.objects.count() == 1 and Sponsorship.objects.count() == 1
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
