"""The append-only triggers the migrations build through ansinh.core.append_only: the SQL they
emit, and on PostgreSQL that the migrated database refuses UPDATE and DELETE of a row."""

# The fund fixtures are imported by name, so pytest finds them; parameters reuse the names.
# ruff: noqa: F811

import importlib
from datetime import date

import pytest
from django.db import DatabaseError, connection, migrations, transaction
from django.db.migrations.writer import MigrationWriter

import ansinh
from ansinh.audit.services import audit_record
from ansinh.core.append_only import PostgresOnly, append_only, create_sql, drop_sql
from ansinh.funds.models import PledgeRevision
from ansinh.funds.returns import allocation_return
from ansinh.funds.services import (
    allocation_approve,
    allocation_prepare,
    pledge_create,
    pledge_update,
    receipt_reverse,
)
from tests.funds.conftest import DAY, donor, fund, fund_users, give, officer  # noqa: F401

# (migration, table, function and trigger name, message): as the migrations wrote them by hand.
TABLES = [
    ("ansinh.audit.migrations.0002_append_only_trigger", "audit_auditevent",
     "audit_append_only", "audit_auditevent is append-only"),
    ("ansinh.funds.migrations.0002_issued_receipts_final", "funds_receiptreversal",
     "funds_reversal_final", "funds_receiptreversal is append-only"),
    ("ansinh.funds.migrations.0006_allocation_return", "funds_allocationreturn",
     "funds_allocationreturn_final", "funds_allocationreturn is append-only"),
    ("ansinh.funds.migrations.0007_pledge_revision", "funds_pledgerevision",
     "funds_pledgerevision_final", "funds_pledgerevision is append-only"),
]
ids = [table for _, table, _, _ in TABLES]


def migration_sql(module: str) -> tuple[str, str]:
    """All the SQL the migration runs forwards and backwards through PostgresOnly steps."""
    operations = importlib.import_module(module).Migration.operations
    steps = [op for op in operations if isinstance(op, migrations.RunPython)]
    forwards = [op.code for op in steps if isinstance(op.code, PostgresOnly)]
    backwards = [op.reverse_code for op in steps if isinstance(op.reverse_code, PostgresOnly)]
    if forwards:
        return "".join(s.sql for s in forwards), "".join(s.sql for s in backwards)
    # funds 0002 also holds the conditional receipt triggers: its own text embeds the helper's.
    migration = importlib.import_module(module)
    return migration.CREATE, migration.DROP


@pytest.mark.parametrize("module, table, name, message", TABLES, ids=ids)
def test_each_migration_emits_the_trigger_of_its_table(module, table, name, message):
    forwards, backwards = migration_sql(module)
    assert create_sql(table, name=name, message=message) in forwards
    assert drop_sql(table, name=name) in backwards
    assert f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$" in forwards
    assert f"  RAISE EXCEPTION '{message}';\n" in forwards
    assert (f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}\n"
            f"  FOR EACH ROW EXECUTE FUNCTION {name}();\n") in forwards
    assert f"DROP TRIGGER IF EXISTS {name} ON {table};" in backwards
    assert f"DROP FUNCTION IF EXISTS {name}();" in backwards
    # The trigger goes before its function: PostgreSQL refuses to drop a function in use.
    assert backwards.index(f"DROP TRIGGER IF EXISTS {name} ") \
        < backwards.index(f"DROP FUNCTION IF EXISTS {name}()")


def test_the_sql_is_the_text_the_migrations_wrote_by_hand():
    # Byte for byte what audit 0002 executed before it used the helper: databases migrated
    # before and after hold the same function and trigger.
    assert create_sql("audit_auditevent", name="audit_append_only",
                      message="audit_auditevent is append-only") == """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
    assert drop_sql("audit_auditevent", name="audit_append_only") == """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_append_only();
"""


class _Editor:
    def __init__(self, vendor):
        self.connection = type("Connection", (), {"vendor": vendor})()
        self.executed = []

    def execute(self, sql, params=()):
        self.executed.append((sql, params))


def test_the_operation_runs_on_postgresql_only():
    operation = append_only("audit_auditevent", name="audit_append_only",
                            message="audit_auditevent is append-only")
    sqlite, postgres = _Editor("sqlite"), _Editor("postgresql")
    operation.code(None, sqlite)
    operation.reverse_code(None, sqlite)
    assert sqlite.executed == []
    operation.code(None, postgres)
    operation.reverse_code(None, postgres)
    # No parameters, so the driver sends the statements as they are.
    assert postgres.executed == [
        (create_sql("audit_auditevent", name="audit_append_only",
                    message="audit_auditevent is append-only"), None),
        (drop_sql("audit_auditevent", name="audit_append_only"), None),
    ]


def test_the_operation_can_be_written_into_a_squashed_migration():
    operation = append_only("funds_pledgerevision", name="funds_pledgerevision_final",
                            message="funds_pledgerevision is append-only")
    text, imports = MigrationWriter.serialize(operation)
    assert "import ansinh.core.append_only" in imports
    written = eval(text, {"migrations": migrations, "ansinh": ansinh})
    assert (written.code, written.reverse_code) == (operation.code, operation.reverse_code)


@pytest.mark.parametrize("table, name, message", [
    ("audit_auditevent; DROP TABLE x", "audit_append_only", "m"),
    ("audit_auditevent", "Audit-Append", "m"),
    ("audit_auditevent", "audit_append_only", "it's final"),
    ("audit_auditevent", "audit_append_only", "100% final"),
])
def test_names_and_messages_that_would_break_the_sql_are_refused(table, name, message):
    with pytest.raises(ValueError):
        append_only(table, name=name, message=message)


# PostgreSQL: one real row of each table in the migrated test database.

@pytest.fixture
def rows(fund_users, officer, fund, donor, give):
    event = audit_record("create", object_type="person", object_id=1, object_repr="A")
    reversal = receipt_reverse(officer, give(1_000_000), reason="Chuyển nhầm tài khoản")
    give(20_000_000)
    allocation = allocation_approve(
        fund_users["manager"],
        allocation_prepare(officer, fund=fund, amount=6_000_000, allocated_on=date(2026, 2, 10),
                           purpose="Quà Tết 12 hộ"))
    returned = allocation_return(officer, allocation, amount=500_000, reason="Người nhận đã mất",
                                 returned_on=date(2026, 3, 5))
    pledge = pledge_create(officer, donor=donor, pledged_on=DAY, amount=100_000_000, fund=fund)
    pledge_update(officer, pledge, amount=110_000_000)
    revision = PledgeRevision.objects.get(pledge=pledge)
    return {"audit_auditevent": event.pk, "funds_receiptreversal": reversal.pk,
            "funds_allocationreturn": returned.pk, "funds_pledgerevision": revision.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
@pytest.mark.django_db
@pytest.mark.parametrize("module, table, name, message", TABLES, ids=ids)
def test_the_migrated_database_refuses_update_and_delete(rows, module, table, name, message):
    pk = rows[table]
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t"
                    " WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal", [table])
        assert [r[0] for r in cur.fetchall()] == [
            f"CREATE TRIGGER {name} BEFORE DELETE OR UPDATE ON public.{table}"
            f" FOR EACH ROW EXECUTE FUNCTION {name}()"]
        cur.execute(f"SELECT row_to_json(t)::text FROM {table} t WHERE id = %s", [pk])
        before = cur.fetchone()[0]
    for statement in (f"UPDATE {table} SET id = id WHERE id = %s",
                      f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match=message), transaction.atomic(), \
                connection.cursor() as cur:
            cur.execute(statement, [pk])
    with connection.cursor() as cur:
        cur.execute(f"SELECT row_to_json(t)::text FROM {table} t WHERE id = %s", [pk])
        assert cur.fetchone()[0] == before
