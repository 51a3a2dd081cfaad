"""Concurrent requests on PostgreSQL (real transactions in threads): the last service place
goes to one person, the last package is promised to one list and handed out once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ansinh.distributions.choices import LineStatus, ListStatus, ProofKind
from ansinh.distributions.models import Recipient, RecipientList
from ansinh.distributions.services import (
    handout_record,
    list_approve,
    list_mark_printed,
    list_submit,
    recipient_add,
)
from ansinh.stock.choices import MovementKind
from ansinh.stock.models import StockMovement
from tests.distributions.helpers import gift_cycle

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
    # Restored after the test: the flush would otherwise take the migrated units with it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(*calls):
    """Run the calls at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("done")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(outcomes)


def test_the_last_training_place_goes_to_one_person(staff, campaign, fund, donor, registry):
    cycle = gift_cycle(staff["officer"], campaign, fund, kind="training", cash=0, places=1,
                       donor=donor, criteria={})
    outcomes = race(
        lambda: recipient_add(staff["officer"], cycle, person=registry["near"].head),
        lambda: recipient_add(staff["officer2"], cycle, person=registry["rich"].head))
    assert outcomes == ["done", "refused"]
    assert Recipient.objects.filter(cycle=cycle).count() == 1


def test_one_person_is_added_once_under_concurrent_requests(staff, campaign, fund, registry):
    cycle = gift_cycle(staff["officer"], campaign, fund)
    person = registry["orphan"]
    outcomes = race(lambda: recipient_add(staff["officer"], cycle, person=person),
                    lambda: recipient_add(staff["officer2"], cycle, person=person))
    assert outcomes == ["done", "refused"]
    assert Recipient.objects.filter(cycle=cycle, person=person).count() == 1


def test_two_approvals_cannot_both_take_the_last_package(staff, campaign, fund, registry,
                                                         give, items, warehouse, stock):
    give(10_000_000)
    stock("gift", 1)
    officer = staff["officer"]
    lists = []
    for name, person in (("Quà Tết", registry["orphan"]), ("Quà Rằm", registry["elderly"])):
        cycle = gift_cycle(officer, campaign, fund, components=[(items["gift"], 1)],
                           warehouse=warehouse, criteria={}, name=name)
        line = recipient_add(officer, cycle, person=person)
        lists.append(list_submit(officer, line.recipient_list))
    outcomes = race(lambda: list_approve(staff["manager"], lists[0]),
                    lambda: list_approve(staff["manager2"], lists[1]))
    assert outcomes == ["done", "refused"]
    assert RecipientList.objects.filter(status=ListStatus.APPROVED).count() == 1


def test_two_hand_outs_of_one_package_issue_it_once(staff, campaign, fund, registry, give,
                                                    items, warehouse, stock):
    give(10_000_000)
    stock("gift", 5)
    officer = staff["officer"]
    cycle = gift_cycle(officer, campaign, fund, components=[(items["gift"], 1)],
                       warehouse=warehouse)
    line = recipient_add(officer, cycle, person=registry["orphan"])
    rlist = list_approve(staff["manager"], list_submit(officer, line.recipient_list))
    list_mark_printed(officer, rlist)
    outcomes = race(
        lambda: handout_record(staff["officer"], line, proof_kind=ProofKind.SIGNATURE),
        lambda: handout_record(staff["officer2"], line, proof_kind=ProofKind.SIGNATURE))
    assert outcomes == ["done", "refused"]
    line.refresh_from_db()
    assert line.status == LineStatus.HANDED_OUT
    assert StockMovement.objects.filter(kind=MovementKind.ISSUE,
                                        distribution_line_id=line.pk).count() == 1
