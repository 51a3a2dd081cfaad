"""Two officers apply the same bank line at the same moment (PostgreSQL: real concurrent
transactions): the account's row lock and the unique line identity give one receipt."""

import io
import threading

import pytest
from django.db import connection, connections

from ansinh.funds.models import BankTransaction, Receipt
from ansinh.funds.statements import bank_account_create, statement_apply, statement_stage
from tests.funds.test_statements import ACCOUNT, xlsx

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
    # Restored after the test: the flush would otherwise take the migrated units with it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_applies_of_one_line_give_one_receipt(fund_users, fund, donor):
    officer = fund_users["officer"]
    bank_account_create(officer, fund=fund, account_number=ACCOUNT, bank_name="Vietcombank")
    content = xlsx([["10/01/2026", "FT1", None, 5_000_000, None, "ung ho", "",
                     "0011002233445"]])
    statements = [statement_stage(officer, io.BytesIO(content), "a.xlsx") for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def apply(user, statement):
        try:
            barrier.wait()
            outcomes.append(statement_apply(user, statement)["receipts"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(fund_users[role], statement))
               for role, statement in zip(("officer", "manager"), statements, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == [0, 1]
    assert Receipt.objects.count() == 1 and BankTransaction.objects.count() == 1
