"""Append-only tables at the database: on PostgreSQL a trigger refuses every UPDATE and DELETE
of a row, so a raw SQL session cannot rewrite what the app itself never edits (audit events,
receipt reversals, allocation returns, pledge revisions).

The migrations that set up such a table build the trigger here, so its SQL is written once.
The text is exactly the one those migrations wrote out by hand before (same function and
trigger names, same message), so a database migrated before and one migrated after hold the
same function and trigger.

SQLite gets nothing: it has no such triggers, and the models refuse the edits anyway."""

import re

from django.db import migrations
from django.utils.deconstruct import deconstructible

# Names go into the SQL as they are: only plain lower-case identifiers, never quoted ones.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")

_CREATE = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {name}();
"""

_DROP = """
DROP TRIGGER IF EXISTS {name} ON {table};
DROP FUNCTION IF EXISTS {name}();
"""


def _check(table: str, name: str) -> None:
    for value in (table, name):
        if not _IDENTIFIER.match(value):
            raise ValueError(f"not a plain SQL identifier: {value!r}")


def create_sql(table: str, *, name: str, message: str) -> str:
    """The function `name`() raising `message` and the trigger `name` calling it before any
    UPDATE or DELETE of a row of `table`. The function and the trigger share the name."""
    _check(table, name)
    # A quote would end the string literal; a % is a placeholder of RAISE that would then
    # want an argument.
    if "'" in message or "%" in message:
        raise ValueError(f"the message may hold neither ' nor %: {message!r}")
    return _CREATE.format(table=table, name=name, message=message)


def drop_sql(table: str, *, name: str) -> str:
    """Undo `create_sql`: the trigger first, since the function cannot go while it is used."""
    _check(table, name)
    return _DROP.format(table=table, name=name)


@deconstructible
class PostgresOnly:
    """A RunPython step that executes `sql` on PostgreSQL and does nothing elsewhere.

    A class rather than a closure so that a migration using it can still be squashed: the
    migration writer serialises it as `PostgresOnly(sql=...)`."""

    def __init__(self, sql: str):
        self.sql = sql

    def __call__(self, apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the SQL holds several statements and $$ quoting.
            schema_editor.execute(self.sql, params=None)

    def __eq__(self, other):
        return isinstance(other, PostgresOnly) and other.sql == self.sql

    def __hash__(self):
        return hash(self.sql)


def append_only(table: str, *, name: str, message: str) -> migrations.RunPython:
    """The migration operation making `table` append-only on PostgreSQL; reversing it drops
    the trigger and its function."""
    return migrations.RunPython(PostgresOnly(create_sql(table, name=name, message=message)),
                                PostgresOnly(drop_sql(table, name=name)))
