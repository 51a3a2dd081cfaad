"""`ansinh distributions build|signature-list|follow-up`."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ansinh.distributions.models import Recipient
from ansinh.distributions.services import list_approve, list_submit
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db


def test_it_builds_a_cycle_and_prints_its_signature_list(officer, manager, campaign, fund,
                                                         registry, give, tmp_path, capsys):
    give(10_000_000)
    cycle = gift_cycle(officer, campaign, fund)
    call_command("distributions", "build", str(cycle.pk), "--as", officer.username)
    assert "added 3" in capsys.readouterr().out
    assert Recipient.objects.filter(cycle=cycle).count() == 3
    out = tmp_path / "ky-nhan.pdf"
    with pytest.raises(CommandError):
        call_command("distributions", "signature-list", str(cycle.pk), "--output", str(out))
    list_approve(manager, list_submit(officer, cycle.lists.get()))
    call_command("distributions", "signature-list", str(cycle.pk), "--output", str(out),
                 "--as", officer.username)
    assert out.read_bytes().startswith(b"%PDF")


def test_it_refuses_a_cycle_outside_the_users_area(staff, officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    with pytest.raises(CommandError):
        call_command("distributions", "build", str(cycle.pk), "--as",
                     staff["foreign_officer"].username)


def test_follow_up_ends_graduated_sponsorships(officer, donor, registry, capsys):
    from datetime import date

    from ansinh.distributions.services import sponsorship_create
    sponsorship_create(officer, donor=donor, household=registry["near"],
                       starts_on=date(2026, 2, 1), support="monthly", amount=500_000)
    registry["near"].poverty_status = ""
    registry["near"].save()
    call_command("distributions", "follow-up")
    assert "ended 1" in capsys.readouterr().out


def test_it_records_a_signed_list_and_cancels_a_recipient(officer, manager, campaign, fund,
                                                          registry, give, items, warehouse,
                                                          stock, geo, tmp_path, capsys):
    from ansinh.distributions.choices import LineStatus
    from ansinh.funds.selectors import balance_of
    from tests.distributions.helpers import approved_gift

    give(10_000_000)
    stock("gift", 5)
    stock("rice", 100)
    cycle = approved_gift(officer, manager, campaign, fund, items, warehouse)
    gone = cycle.recipients.get(person__ten="Minh")
    call_command("distributions", "cancel", str(gone.pk), "--reason", "Chuyển đi",
                 "--as", officer.username)
    assert "returned 500000" in capsys.readouterr().out
    assert balance_of(fund.pk, None).available == 9_000_000
    scan = tmp_path / "ky-nhan.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + b"0" * 100)
    with pytest.raises(CommandError):
        call_command("distributions", "hand-out", str(cycle.pk), "--proof",
                     str(tmp_path / "missing.pdf"), "--as", officer.username)
    call_command("distributions", "hand-out", str(cycle.pk), "--proof", str(scan),
                 "--commune", geo["commune"].code, "--as", officer.username)
    assert "handed out 2" in capsys.readouterr().out
    assert set(cycle.recipients.values_list("status", flat=True)) == {
        LineStatus.HANDED_OUT, LineStatus.CANCELLED}
    with pytest.raises(CommandError):
        call_command("distributions", "hand-out", str(cycle.pk), "--proof", str(scan),
                     "--as", officer.username)
