"""The bulk writes of the import, in one place so they can be tuned per database.

Django's bulk_create spends ~30 µs per field per row compiling SQL; at 100,000 persons that is
most of the import. Here rows go straight to the driver: `COPY … FROM STDIN` on PostgreSQL,
`executemany` on SQLite. Primary keys are allocated up front (a sequence range on PostgreSQL;
max(id)+1… on SQLite, safe because an import holds SQLite's single write lock for the whole
transaction), so the caller knows every new id without a RETURNING round trip.

Values are written exactly as Django would store them (same column names, JSON text, dates as
ISO text and datetimes through the backend's own adapter on SQLite).
"""

import json
from collections.abc import Callable, Iterable
from datetime import date

from django.db import connection, models

from .models import ImportRow, Outcome

CHUNK = 10_000


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value) -> str:
    if not value:  # most rows have no errors and no diff
        return "[]" if isinstance(value, list) else "{}" if isinstance(value, dict) else \
            _ENCODER.encode(value)
    return _ENCODER.encode(value)


class _Columns:
    """The concrete columns of a model and how to turn a Python value into a DB parameter."""

    def __init__(self, model, *, with_pk: bool):
        self.model = model
        self.table = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields if not f.primary_key}
        sqlite = connection.vendor == "sqlite"
        self.convert: list[Callable | None] = []
        for f in fields:
            if isinstance(f, models.JSONField):
                self.convert.append(_json)
            elif isinstance(f, models.DateTimeField):
                self.convert.append(_memo(connection.ops.adapt_datetimefield_value)
                                    if sqlite else None)
            elif isinstance(f, models.DateField):
                self.convert.append(_iso_date if sqlite else _as_date)
            else:
                self.convert.append(None)

    def tuples(self, rows: Iterable[dict]) -> Iterable[tuple]:
        pairs = list(zip(self.attnames, self.convert, strict=True))
        defaults = self.defaults
        for row in rows:
            out = []
            for name, conv in pairs:
                value = row[name] if name in row else defaults.get(name)
                if conv is not None and value is not None:
                    value = conv(value)
                out.append(value)
            yield tuple(out)


def _memo(convert: Callable) -> Callable:
    """Every row of one import carries the same timestamp: convert it once."""
    last: list = [None, None]

    def cached(value):
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return cached


def _iso_date(value):
    return value if isinstance(value, str) else value.isoformat()


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def tune_connection() -> None:
    """SQLite's default page cache (2 MB) is smaller than the person indexes an import
    touches; a bigger cache for this connection halves the insert time. No-op elsewhere."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB at most, as needed


def allocate_ids(model, n: int) -> list[int]:
    """n fresh primary keys for `model`, reserved for this transaction."""
    if n == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', '{pk}')) "
                "FROM generate_series(1, %s)", [n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
        if connection.vendor == "sqlite":
            # AUTOINCREMENT never reuses an id: start above the sequence too.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            seq = cursor.fetchone()
            if seq and seq[0] is not None:
                start = max(start, seq[0] + 1)
        return list(range(start, start + n))


def insert(model, rows: list[dict], *, with_pk: bool = True,
           progress: Callable[[int], None] | None = None) -> int:
    """Insert dicts keyed by attname (missing keys take the field default)."""
    if not rows:
        return 0
    cols = _Columns(model, with_pk=with_pk)
    column_list = ", ".join(f'"{c}"' for c in cols.columns)
    done = 0
    if connection.vendor == "postgresql":
        raw = connection.connection  # the psycopg connection, inside Django's transaction
        with raw.cursor() as cursor:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start:start + CHUNK]
                with cursor.copy(f'COPY "{cols.table}" ({column_list}) FROM STDIN') as copy:
                    for values in cols.tuples(chunk):
                        copy.write_row(values)
                done += len(chunk)
                if progress:
                    progress(done)
        return done
    placeholders = ", ".join(["%s"] * len(cols.columns))
    sql = f'INSERT INTO "{cols.table}" ({column_list}) VALUES ({placeholders})'
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            cursor.executemany(sql, list(cols.tuples(chunk)))
            done += len(chunk)
            if progress:
                progress(done)
    return done


def create(model, objs: list[dict]) -> list[int]:
    """Insert new rows with freshly allocated ids; returns the ids in order."""
    ids = allocate_ids(model, len(objs))
    pk = model._meta.pk.attname
    for obj, new_id in zip(objs, ids, strict=True):
        obj[pk] = new_id
    insert(model, objs)
    return ids


def insert_import_rows(batch_pk: int, staged, *,
                       progress: Callable[[int], None] | None = None) -> None:
    rows = [
        {"batch_id": batch_pk, "row_number": r.row_number, "raw": r.raw, "parsed": r.parsed,
         "outcome": r.outcome or Outcome.REJECTED, "errors": r.errors, "diff": r.diff,
         "target_person_id": r.target_person_id}
        for r in staged
    ]
    insert(ImportRow, rows, with_pk=False, progress=progress)


def insert_audit(events: list[dict]) -> int:
    """Audit rows as dicts with AuditEvent's attnames (see services._audit_dict)."""
    from ansinh.audit.models import AuditEvent

    return insert(AuditEvent, events, with_pk=False)


def set_import_row_targets(pairs: list[tuple[int, int]]) -> None:
    """[(person id, import row id)]"""
    _update_pairs(ImportRow._meta.db_table, "target_person_id", pairs)


def set_household_heads(pairs: list[tuple[int, int]]) -> None:
    """[(person id, household id)]"""
    from ansinh.registry.models import Household

    _update_pairs(Household._meta.db_table, "head_id", pairs)


def _update_pairs(table: str, column: str, pairs: list[tuple[int, int]]) -> None:
    """SET column = value WHERE id = key, for many (value, key) pairs."""
    if not pairs:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per 10,000 pairs: UPDATE … FROM unnest(values, keys).
            for start in range(0, len(pairs), CHUNK):
                chunk = pairs[start:start + CHUNK]
                cursor.execute(
                    f'UPDATE "{table}" AS t SET "{column}" = v.value '
                    "FROM unnest(%s::bigint[], %s::bigint[]) AS v(value, key) "
                    "WHERE t.id = v.key",
                    [[p[0] for p in chunk], [p[1] for p in chunk]])
            return
        for start in range(0, len(pairs), CHUNK):
            cursor.executemany(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s',
                               pairs[start:start + CHUNK])

