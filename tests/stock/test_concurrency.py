"""Two hand-outs of the last unit at the same moment: exactly one succeeds (PostgreSQL: real
concurrent transactions; the lot's row lock and the conditional update decide)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ansinh.stock.choices import MovementKind
from ansinh.stock.models import StockLot, StockMovement
from ansinh.stock.services import stock_issue, stock_receive


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
# Restored after the test: the flush would otherwise take the migrated units with it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_hand_outs_of_the_last_unit_give_it_once(staff, houses, items, person):
    warehouse, gift = houses["badinh"], items["gift"]
    stock_receive(staff["province"], warehouse=warehouse, item=gift, quantity=1,
                  unit_value=300_000, donor_name="Báo Tuổi Trẻ")
    barrier = threading.Barrier(2)
    outcomes = []

    def hand_out(user):
        try:
            barrier.wait()
            stock_issue(user, warehouse=warehouse, item=gift, quantity=1, recipient=person)
            outcomes.append("issued")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hand_out, args=(staff[who],))
               for who in ("province", "commune")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["issued", "refused"]
    assert StockMovement.objects.filter(kind=MovementKind.ISSUE).count() == 1
    lot = StockLot.objects.get(warehouse=warehouse, item=gift)
    assert (lot.quantity, lot.value) == (0, 0)
