"""Two approvals of the same month at the same moment produce one approval (PostgreSQL: real
concurrent transactions; the row lock and the compare-and-set decide)."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ansinh.payments.models import Payment, PayrollMonth
from ansinh.payments.services import payroll_approve, payroll_run

JAN = date(2026, 1, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
# Restored after the test: the flush would otherwise take the migrated units with it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_at_once_produce_one(users, enrol):
    enrol("5.5a")
    payroll_run(users["commune_officer"], JAN)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            barrier.wait()
            payroll_approve(user, JAN)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(users[r],))
               for r in ("commune_leader", "province_admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["approved", "refused"]
    assert PayrollMonth.objects.get().status == PayrollMonth.Status.APPROVED
    assert Payment.objects.count() == 1  # the payments were made once
