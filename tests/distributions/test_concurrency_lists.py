"""Concurrent requests on PostgreSQL around a whole-list hand-out and the cancellation of an
approved line: goods leave the warehouse once per line, money comes back once, and the
locks are taken in one order (no deadlock with a snapshot being published)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from ansinh.distributions.choices import LineStatus, ProofKind
from ansinh.distributions.handouts import handout_record_list
from ansinh.distributions.services import handout_record, recipient_cancel
from ansinh.funds.models import AllocationReturn
from ansinh.stock.choices import MovementKind
from ansinh.stock.models import StockMovement
from ansinh.transparency.selectors import snapshot_verify
from ansinh.transparency.services import snapshot_publish
from tests.distributions.helpers import approved_gift
from tests.distributions.test_concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def scan():
    return SimpleUploadedFile("ky-nhan.pdf", b"%PDF-1.4\n" + b"0" * 100, "application/pdf")


@pytest.fixture
def cycle(staff, campaign, fund, registry, give, items, warehouse, stock):
    give(10_000_000)
    stock("gift", 5)
    stock("rice", 100)
    return approved_gift(staff["officer"], staff["manager"], campaign, fund, items, warehouse)


def issued(line_id) -> int:
    return StockMovement.objects.filter(kind=MovementKind.ISSUE,
                                        distribution_line_id=line_id).count()


def test_a_list_and_a_single_hand_out_issue_each_package_once(staff, cycle):
    line = cycle.recipients.get(person__ten="Cúc")
    outcomes = race(
        lambda: handout_record_list(staff["officer"], cycle, proof=scan()),
        lambda: handout_record(staff["officer2"], line, proof_kind=ProofKind.SIGNATURE))
    assert "done" in outcomes
    assert set(cycle.recipients.values_list("status", flat=True)) == {LineStatus.HANDED_OUT}
    assert all(issued(pk) == 2 for pk in cycle.recipients.values_list("pk", flat=True))


def test_two_list_hand_outs_record_it_once(staff, cycle):
    outcomes = race(lambda: handout_record_list(staff["officer"], cycle, proof=scan()),
                    lambda: handout_record_list(staff["officer2"], cycle, proof=scan()))
    assert outcomes == ["done", "refused"]
    assert StockMovement.objects.filter(kind=MovementKind.ISSUE).count() == 6


def test_a_cancellation_and_a_hand_out_of_one_line_never_both_happen(staff, cycle):
    line = cycle.recipients.get(person__ten="Cúc")
    outcomes = race(
        lambda: recipient_cancel(staff["officer"], line, reason="Đã mất"),
        lambda: handout_record(staff["officer2"], line, proof_kind=ProofKind.SIGNATURE))
    assert outcomes == ["done", "refused"]
    line.refresh_from_db()
    returned = AllocationReturn.objects.filter(distribution_line_id=line.pk).count()
    if line.status == LineStatus.CANCELLED:
        assert (returned, issued(line.pk)) == (1, 0)
    else:
        assert line.status == LineStatus.HANDED_OUT and (returned, issued(line.pk)) == (0, 2)


def test_a_cancellation_and_a_snapshot_publication_both_finish(staff, fund, cycle):
    line = cycle.recipients.get(person__ten="Bình")
    snapshots = []
    outcomes = race(
        lambda: recipient_cancel(staff["officer"], line, reason="Chuyển đi"),
        lambda: snapshots.append(snapshot_publish(staff["officer2"], fund=fund)))
    assert outcomes == ["done", "done"]
    assert snapshot_verify(snapshots[0]).ok
    assert snapshots[0].figures["spent"]["total"] in (1_500_000, 1_000_000)
