"""Model fields shared by several apps."""

from django.db import models


class UncheckedJSONField(models.JSONField):
    """A JSONField without SQLite's `CHECK (JSON_VALID(column))`.

    The check parses every value again when a row is written. For the columns that take bulk
    writes (an import's 100,000 staged rows, the audit rows of a whole import) that parse was
    a quarter of storing them: 1.9 s → 1.4 s for a 100,000-row import's staged rows. The values of
    these columns are only ever written by Django's JSON encoder or by the import's (the same
    `json` module), so the check could not catch anything. PostgreSQL's jsonb type is
    unchanged: it has no such check."""

    def db_check(self, connection):
        return None
