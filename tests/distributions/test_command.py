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
