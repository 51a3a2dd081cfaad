"""Two allocations of the last balance at the same moment: exactly one is accepted
(PostgreSQL: real concurrent transactions; the pot's row lock decides)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ansinh.funds.models import Allocation
from ansinh.funds.services import allocation_prepare


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
# Restored after the test: the flush would otherwise take the migrated units with it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_allocations_of_the_last_balance_produce_one(fund_users, fund, give):
    give(1_000_000)
    barrier = threading.Barrier(2)
    outcomes = []

    def allocate(user):
        try:
            barrier.wait()
            allocation_prepare(user, fund=fund, amount=800_000, purpose="Hỗ trợ khẩn cấp")
            outcomes.append("allocated")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate, args=(fund_users[r],))
               for r in ("officer", "manager")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["allocated", "refused"]
    assert Allocation.objects.count() == 1
