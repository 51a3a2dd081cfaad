"""The bulk reads and writes of the import, in one place so they can be tuned per database.

Staging sends the rows straight to the driver (`COPY … FROM STDIN` on PostgreSQL, `executemany`
on SQLite): Django's bulk_create spends ~30 µs per field per row compiling SQL. Apply then moves
the staged rows into the registry inside the database — `INSERT … SELECT` for new households
and persons and for their audit rows — so nothing goes back through Python row by row; only
updates of existing records (few in a normal import) are built in Python.

Registry ids for new persons and households are reserved at staging, the way a sequence hands
them out: `nextval` on PostgreSQL; on SQLite by moving the table's AUTOINCREMENT counter, which
is safe because staging holds SQLite's single write lock. Each staged row then carries the
ids it will write, and apply needs no id arithmetic.

Values are written exactly as Django would store them (same columns, JSON text, ISO dates on
SQLite, datetimes through the backend's own adapter).
"""

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import date
from itertools import islice, repeat

from django.db import connection, models

from .models import ImportHousehold, ImportRow, Outcome
from .parsing import CARRIED_FIELDS, KEY_FIELDS, Staged, encode_json, json_rows

CHUNK = 10_000

ROW_COLUMNS = ("batch_id", "row_number", "raw", "id_number", "commune_id", "household_code",
               "parsed_values", "outcome", "errors", "local_errors", "diff", "changes",
               "target_person_id", "household_id")
HOUSEHOLD_COLUMNS = ("batch_id", "household_id", "is_new", "code", "commune_id", "province_id",
                     "address", "poverty_status", "head_person_id", "changes")


def _pg() -> bool:
    return connection.vendor == "postgresql"


def tune_connection() -> None:
    """Call inside the import's transaction. SQLite's default page cache (2 MB) is smaller
    than the person indexes an import touches; a bigger cache for this connection halves the
    insert time. PostgreSQL sorts the 100,000 new persons and their audit rows into id order
    (so the indexes grow at their ends): with the default 4 MB those sorts go to disk."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB at most, as needed
        elif _pg():
            cursor.execute("SET LOCAL work_mem = '64MB'")


@contextmanager
def deferred_checkpoint():
    """SQLite in WAL mode: no checkpoint inside this block's commits; one in a background
    thread after it.

    A commit appends the transaction to the WAL; the automatic checkpoint that follows copies
    it into the database file and fsyncs both, which is most of the cost of committing an
    import (0.4 of 0.6 s for 40 MB). The checkpoint is the same work wherever it runs, so it
    runs on another connection in a background thread, beside the next step instead of before
    it, as SQLite suggests for large writes. Until it has run, readers find the rows in the
    WAL; if the process stops first, the next connection checkpoints."""
    path = _sqlite_wal_file()
    if path is None:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")
        threading.Thread(target=_checkpoint, args=(path,), name="sqlite-checkpoint",
                         daemon=True).start()


def _sqlite_wal_file() -> str | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name.startswith(":memory:") or "mode=memory" in name:
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() != "wal":
            return None
    return name


def _checkpoint(path: str) -> None:
    try:
        db = sqlite3.connect(path, timeout=30)
        try:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            db.close()
    except sqlite3.Error:  # another checkpoint is running, or the file is gone: nothing lost
        logging.getLogger(__name__).debug("deferred checkpoint of %s skipped", path,
                                          exc_info=True)


def relax_commit() -> None:
    """For the staging transaction only: PostgreSQL need not wait for the WAL flush at commit.
    A crash in the next instant can lose the staged rows together with the batch's
    'validated' status (the same transaction) — never half of them — and the kept file can be
    validated again. Apply commits durably as usual."""
    if _pg():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


# ---------------------------------------------------------------------------------------------
# Writing tuples


def write(table: str, columns: Iterable[str], rows: Iterable[tuple], *,
          progress: Callable[[int], None] | None = None) -> int:
    """Insert tuples whose values are already what the driver takes for these columns."""
    columns = list(columns)
    column_list = ", ".join(f'"{c}"' for c in columns)
    rows = iter(rows)
    done = 0
    if _pg():
        # The psycopg connection itself, inside Django's transaction.
        with connection.connection.cursor() as cursor:
            while chunk := list(islice(rows, CHUNK)):
                with cursor.copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:
                    for values in chunk:
                        copy.write_row(values)
                done += len(chunk)
                if progress:
                    progress(done)
        return done
    sql = f'INSERT INTO "{table}" ({column_list}) VALUES ({", ".join(["%s"] * len(columns))})'
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, CHUNK)):
            cursor.executemany(sql, chunk)
            done += len(chunk)
            if progress:
                progress(done)
    return done


def _json_column(values: dict, n: int, empty: str) -> list[str]:
    out = [empty] * n
    for i, value in values.items():
        if value:
            out[i] = encode_json(value)
    return out


def insert_rows(batch_pk: int, staged: Staged, *,
                progress: Callable[[int], None] | None = None) -> int:
    """The staged rows of a batch, as columns zipped into tuples (no dict per row)."""
    n = len(staged)
    local = [0] * n
    for i, k in staged.local_errors.items():
        local[i] = k
    columns = [
        repeat(batch_pk, n), staged.row_numbers, staged.raw,
        *(staged.values[f] for f in KEY_FIELDS),
        staged.carried if staged.carried is not None
        else json_rows([staged.values[f] for f in CARRIED_FIELDS]), staged.outcome,
        _json_column(staged.errors, n, "[]"), local, _json_column(staged.diff, n, "{}"),
        _json_column(staged.changes, n, "{}"), staged.target, staged.household,
    ]
    return write(ImportRow._meta.db_table, ROW_COLUMNS, zip(*columns, strict=True),
                 progress=progress)


def insert_households(batch_pk: int, households) -> int:
    """households: planning.HouseholdPlan with their registry ids and head ids resolved."""
    return write(ImportHousehold._meta.db_table, HOUSEHOLD_COLUMNS, (
        (batch_pk, h.pk, h.existing is None, h.code, h.commune_id, h.province_id,
         h.address or "", h.poverty_status or "", head, encode_json(h.changes))
        for h, head in households
    ))


def update_rows(rows: list[tuple]) -> None:
    """[(outcome, errors, diff, changes, target, household, row id)] for re-planned rows."""
    table = ImportRow._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(
                f'UPDATE "{table}" SET "outcome" = %s, "errors" = %s, "diff" = %s, '
                '"changes" = %s, "target_person_id" = %s, "household_id" = %s WHERE "id" = %s',
                rows[start:start + CHUNK])


def reserve_ids(model, n: int) -> list[int]:
    """n fresh primary keys for `model`, never handed out again (like nextval)."""
    if n == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if _pg():
            # One array rather than n rows back; other sessions may take ids in between, so
            # the block need not be contiguous. The sequence is looked up once: inside the
            # nextval() of every row, pg_get_serial_sequence read the catalogue 100,000
            # times (0.45 s of 0.5).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                           [sequence, n])
            return list(cursor.fetchone()[0])
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
        if connection.vendor != "sqlite":  # pragma: no cover - only SQLite and PostgreSQL run
            return list(range(start, start + n))
        # AUTOINCREMENT never goes below its counter: moving the counter past the block keeps
        # every later insert (ours or anyone's) out of it.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        if seq and seq[0] is not None:
            start = max(start, seq[0] + 1)
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                           [start + n - 1, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                           [table, start + n - 1])
        return list(range(start, start + n))


# ---------------------------------------------------------------------------------------------
# Reading the staged rows back

_INTEGERS = ("province_id",)


def field_sql(alias: str, name: str) -> str:
    """SQL for a parsed field of a staged row, typed as the registry column it goes to."""
    if name in KEY_FIELDS:
        return f"{alias}.{name}"
    k = CARRIED_FIELDS.index(name)
    if not _pg():
        return f"json_extract({alias}.parsed_values, '$[{k}]')"
    value = f"({alias}.parsed_values ->> {k})"
    if name in _INTEGERS:
        return f"CAST({value} AS bigint)"
    if name == "birth_date":
        return f"CAST({value} AS date)"
    return value


def _loads(value):
    if not isinstance(value, str):  # psycopg may hand jsonb over already decoded
        return value
    if value == "[]":
        return []
    if value == "{}":
        return {}
    return json.loads(value)


def staged_keys(batch_pk: int) -> list[tuple]:
    """(id number, commune id, household code) of the rows without problems of their own."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "id_number", "commune_id", "household_code" FROM '
            f'"{ImportRow._meta.db_table}" WHERE "batch_id" = %s AND "local_errors" = 0',
            [batch_pk])
        return cursor.fetchall()


def load_staged(batch_pk: int) -> tuple[Staged, list[tuple]]:
    """The parsed rows of a batch with only their own errors, ready to be planned again, and
    for each row (id, outcome, errors, diff, changes, target, household) as stored."""
    columns = ("id", "row_number", "local_errors", "errors", "outcome", "diff", "changes",
               "target_person_id", "household_id", "parsed_values", *KEY_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT {", ".join(columns)} FROM "{ImportRow._meta.db_table}" '
            'WHERE "batch_id" = %s ORDER BY "row_number"', [batch_pk])
        rows = cursor.fetchall()
    staged = Staged(row_numbers=[r[1] for r in rows], values={})
    parsed = [_loads(r[9]) for r in rows]
    for k, name in enumerate(CARRIED_FIELDS):
        staged.values[name] = [p[k] for p in parsed]
    for k, name in enumerate(KEY_FIELDS, 10):
        staged.values[name] = [r[k] for r in rows]
    staged.values["birth_date"] = [
        date.fromisoformat(d) if isinstance(d, str) else d for d in staged.values["birth_date"]]
    stored = []
    for i, r in enumerate(rows):
        errors = _loads(r[3])
        if r[2]:
            staged.errors[i] = list(errors[:r[2]])
            staged.local_errors[i] = r[2]
        stored.append((r[0], r[4], errors, _loads(r[5]), _loads(r[6]), r[7], r[8]))
    return staged, stored


def changed_rows(batch_pk: int) -> list[dict]:
    """The rows that update an existing person, with what to write."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "target_person_id", "household_id", "changes", "parsed_values", '
            f'"commune_id" FROM "{ImportRow._meta.db_table}" WHERE "batch_id" = %s AND '
            '"outcome" = %s ORDER BY "row_number"', [batch_pk, Outcome.CHANGED.value])
        rows = []
        for target, household, changes, values, commune_id in cursor.fetchall():
            changes = _loads(changes)
            if changes:
                rows.append({**dict(zip(CARRIED_FIELDS, _loads(values), strict=True)),
                             "target_person_id": target, "household_id": household,
                             "commune_id": commune_id, "changes": changes})
    return rows


def changed_households(batch_pk: int) -> list[dict]:
    return [
        {**h, "changes": _loads(h["changes"])}
        for h in ImportHousehold.objects.filter(batch_id=batch_pk, is_new=False)
        .exclude(changes={}).order_by("household_id")
        .values("household_id", "code", "commune_id", "province_id", "changes")
    ]


# ---------------------------------------------------------------------------------------------
# Apply: from the staged tables into the registry


def _param(field, value) -> tuple[str, list]:
    """A bound value for `field`, typed on PostgreSQL (an untyped parameter in a SELECT list
    would be read as text)."""
    value = field.get_db_prep_save(value, connection)
    if _pg():
        return f"CAST(%s AS {field.db_type(connection)})", [value]
    return "%s", [value]


def _insert_select(model, exprs: dict[str, tuple[str, list]], source: str,
                   params: list) -> int:
    """INSERT INTO model (every concrete column) SELECT …: `exprs` gives SQL (with its
    parameters) by attname; other columns take the field's default."""
    columns, select, values = [], [], []
    for f in model._meta.concrete_fields:
        if f.attname in exprs:
            sql, args = exprs[f.attname]
        elif f.primary_key:
            continue
        else:
            sql, args = _param(f, f.get_default())
        columns.append(f'"{f.column}"')
        select.append(sql)
        values.extend(args)
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
                       f'SELECT {", ".join(select)} {source}', [*values, *params])
        return cursor.rowcount


def _now(model, now) -> tuple[str, list]:
    return _param(model._meta.get_field("updated_at"), now)


def apply_new_households(batch_pk: int, now) -> int:
    """The batch's new households; on PostgreSQL with their heads, whose persons are written
    next in the same transaction (Django declares foreign keys DEFERRABLE INITIALLY DEFERRED,
    so they are checked at commit). Setting them afterwards rewrote every new household there
    (1.4 s for 26,000 households: a new row version in each index).

    SQLite sets the heads afterwards (set_household_heads): while a deferred key is
    unresolved, it looks for rows waiting on each person it inserts in every table that
    refers to persons, which cost more than the update."""
    from ansinh.registry.models import Household

    h = "ih"
    exprs = {
        "id": (f"{h}.household_id", []), "code": (f"{h}.code", []),
        "address": (f"{h}.address", []), "commune_id": (f"{h}.commune_id", []),
        "province_id": (f"{h}.province_id", []), "poverty_status": (f"{h}.poverty_status", []),
        "head_id": (f"{h}.head_person_id" if _pg() else "NULL", []),
        "created_at": _now(Household, now),
        "updated_at": _now(Household, now),
    }
    return _insert_select(
        Household, exprs,
        f'FROM "{ImportHousehold._meta.db_table}" {h} WHERE {h}.batch_id = %s '
        f"AND {h}.is_new = %s", [batch_pk, True])


def apply_new_persons(batch_pk: int, now) -> int:
    """The batch's new persons, in the order of their ids (given in sort-key order, see
    planning.assign_ids)."""
    from ansinh.core.dates import DAY
    from ansinh.registry.models import Person

    r = "r"
    exprs = {name: (field_sql(r, name), []) for name in (
        "relationship", "ho", "ten_dem", "ten", "full_name", "search_name", "sort_key",
        "birth_date", "sex", "ethnicity", "phone", "disability_level", "commune_id",
        "province_id")}
    precision = field_sql(r, "birth_date_precision")
    exprs.update({
        "id": (f"{r}.target_person_id", []),
        "household_id": (f"{r}.household_id", []),
        # No date, or no precision read: a full date, as Person's default says.
        "birth_date_precision": (f"CASE WHEN {precision} = '' THEN %s ELSE {precision} END",
                                 [DAY]),
        # NULL, not "", for people without an ID (the unique constraint ignores NULLs).
        "id_number": (f"NULLIF({field_sql(r, 'id_number')}, '')", []),
        "created_at": _now(Person, now), "updated_at": _now(Person, now),
    })
    return _insert_select(
        Person, exprs,
        f'FROM "{ImportRow._meta.db_table}" {r} WHERE {r}.batch_id = %s AND {r}.outcome = %s '
        f"ORDER BY {r}.target_person_id", [batch_pk, Outcome.NEW.value])


def update_persons(rows: list[dict], now) -> None:
    """UPDATE only the changed columns, one executemany per set of columns."""
    from ansinh.registry.models import Person

    prep = {f.attname: f for f in Person._meta.concrete_fields}
    groups: dict[tuple, list] = {}
    for row in rows:
        values = {}
        for key, (_old, new) in row["changes"].items():
            if key in ("ho", "ten_dem", "ten"):
                for name in ("ho", "ten_dem", "ten", "full_name", "search_name", "sort_key"):
                    values[name] = row[name]
            elif key == "household":
                values["household_id"] = row["household_id"]
            elif key == "commune":
                values["commune_id"] = row["commune_id"]
                values["province_id"] = row["province_id"]
            elif key == "birth_date":
                values["birth_date"] = date.fromisoformat(new) if isinstance(new, str) else new
            else:
                values[key] = new
        values["updated_at"] = now
        names = tuple(sorted(values))
        groups.setdefault(names, []).append(
            [prep[n].get_db_prep_save(values[n], connection) for n in names]
            + [row["target_person_id"]])
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        for names, params in groups.items():
            sets = ", ".join(f'"{prep[n].column}" = %s' for n in names)
            for start in range(0, len(params), CHUNK):
                cursor.executemany(f'UPDATE "{table}" SET {sets} WHERE "id" = %s',
                                   params[start:start + CHUNK])


def update_households(rows: list[dict], now) -> None:
    from ansinh.registry.models import Household

    prep = {f.attname: f for f in Household._meta.concrete_fields}
    columns = {"address": "address", "poverty_status": "poverty_status", "head": "head_id"}
    table = Household._meta.db_table
    with connection.cursor() as cursor:
        for row in rows:
            values = {columns[k]: new for k, (_old, new) in row["changes"].items()}
            values["updated_at"] = now
            names = sorted(values)
            sets = ", ".join(f'"{prep[n].column}" = %s' for n in names)
            cursor.execute(f'UPDATE "{table}" SET {sets} WHERE "id" = %s',
                           [prep[n].get_db_prep_save(values[n], connection) for n in names]
                           + [row["household_id"]])


def set_household_heads(batch_pk: int) -> None:
    """SQLite: the heads of the households this batch created, once their persons exist
    (see apply_new_households)."""
    from ansinh.registry.models import Household

    if _pg():
        return
    table, staged = Household._meta.db_table, ImportHousehold._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "head_id" = (SELECT ih.head_person_id FROM "{staged}" ih '
            f'WHERE ih.batch_id = %s AND ih.household_id = "{table}"."id") '
            f'WHERE "id" IN (SELECT household_id FROM "{staged}" WHERE batch_id = %s '
            "AND is_new = %s AND head_person_id IS NOT NULL)", [batch_pk, batch_pk, True])


def registry_touches(batch_pk: int) -> bool:
    """Does the registry hold a person with one of the batch's ID numbers, or a household with
    one of its (commune, code) keys? Two probes per row inside the database: when the answer
    was no at staging and still is, the plan cannot have changed."""
    from ansinh.registry.models import Household, Person

    rows = ImportRow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{rows}" r WHERE r.batch_id = %s AND r.local_errors = 0 '
            f"AND r.id_number <> '' AND EXISTS (SELECT 1 FROM \"{Person._meta.db_table}\" p "
            "WHERE p.id_number = r.id_number) LIMIT 1", [batch_pk])
        if cursor.fetchone():
            return True
        cursor.execute(
            f'SELECT 1 FROM "{rows}" r WHERE r.batch_id = %s AND r.local_errors = 0 '
            f'AND EXISTS (SELECT 1 FROM "{Household._meta.db_table}" h '
            "WHERE h.commune_id = r.commune_id AND h.code = r.household_code) LIMIT 1",
            [batch_pk])
        return cursor.fetchone() is not None


def reserved_ids_taken(batch_pk: int) -> bool:
    """Did anything else take an id this batch reserved? (Only a writer that ignores the
    sequence could; the batch is then planned again with fresh ids.)"""
    from ansinh.registry.models import Household, Person

    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{ImportRow._meta.db_table}" r JOIN "{Person._meta.db_table}" p '
            "ON p.id = r.target_person_id WHERE r.batch_id = %s AND r.outcome = %s LIMIT 1",
            [batch_pk, Outcome.NEW.value])
        if cursor.fetchone():
            return True
        cursor.execute(
            f'SELECT 1 FROM "{ImportHousehold._meta.db_table}" ih JOIN '
            f'"{Household._meta.db_table}" h ON h.id = ih.household_id '
            "WHERE ih.batch_id = %s AND ih.is_new = %s LIMIT 1", [batch_pk, True])
        return cursor.fetchone() is not None


# ---------------------------------------------------------------------------------------------
# Audit rows


def _json_object(alias: str, model, pairs: list[tuple[str, str]]) -> str:
    """SQL building the JSON object {key: value of field} that audit_values would store."""
    pg = _pg()
    parts = []
    for key, name in pairs:
        f = model._meta.get_field(name)
        column = f"{alias}.{f.column}"
        if pg:
            value = column
        elif isinstance(f, models.JSONField):
            value = f"json({column})"
        elif isinstance(f, models.BooleanField):
            value = (f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN json('true') "
                     "ELSE json('false') END")
        else:
            value = column
        parts.append(f"'{key}', {value}")
    return f"{'jsonb_build_object' if pg else 'json_object'}({', '.join(parts)})"


def _audit_exprs(base: dict, per_row: dict[str, tuple[str, list]]) -> dict:
    """The audit row's columns: the constants of `base` (who, when, from where) as parameters,
    the rest from SQL."""
    from ansinh.audit.models import AuditEvent

    exprs = {}
    for f in AuditEvent._meta.concrete_fields:
        if f.attname in per_row:
            exprs[f.attname] = per_row[f.attname]
        elif f.attname in base:
            exprs[f.attname] = _param(f, base[f.attname])
    return exprs


def audit_new_persons(batch_pk: int, base: dict) -> int:
    """One 'create' audit row per person the batch created, with the full record, as
    audit_row(CREATE, person, changes=…) would write it."""
    from ansinh.audit.models import AuditEvent
    from ansinh.registry.models import Person

    pairs = [(name, name) for name in Person.AUDITED_FIELDS]
    exprs = _audit_exprs(base, {
        "object_id": ("p.id", []),
        "object_repr": ("SUBSTR(p.full_name, 1, 200)", []),
        "changes": (_json_object("p", Person, pairs), []),
        "commune_id": ("p.commune_id", []), "province_id": ("p.province_id", []),
    })
    # In id order, so the audit log's (object_type, object_id) index grows at its end; SQLite
    # walks the IN list in order, without sorting.
    return _insert_select(
        AuditEvent, exprs,
        f'FROM "{Person._meta.db_table}" p WHERE p.id IN (SELECT r.target_person_id FROM '
        f'"{ImportRow._meta.db_table}" r WHERE r.batch_id = %s AND r.outcome = %s) '
        "ORDER BY p.id", [batch_pk, Outcome.NEW.value])


def audit_new_households(batch_pk: int, base: dict) -> int:
    from ansinh.audit.models import AuditEvent
    from ansinh.registry.models import Household

    pairs = [("code", "code"), ("address", "address"), ("commune", "commune"),
             ("poverty_status", "poverty_status"), ("poverty_year", "poverty_year"),
             ("head", "head")]
    label = "CAST(%s AS text)" if _pg() else "%s"
    exprs = _audit_exprs(base, {
        "object_id": ("h.id", []),
        "object_repr": (f"SUBSTR({label} || h.code, 1, 200)", ["Hộ "]),
        "changes": (_json_object("h", Household, pairs), []),
        "commune_id": ("h.commune_id", []), "province_id": ("h.province_id", []),
    })
    return _insert_select(
        AuditEvent, exprs,
        f'FROM "{ImportHousehold._meta.db_table}" ih JOIN "{Household._meta.db_table}" h '
        "ON h.id = ih.household_id WHERE ih.batch_id = %s AND ih.is_new = %s",
        [batch_pk, True])


def insert_audit(events: list[dict]) -> int:
    """Audit rows built in Python (audit_values dicts): the updates of existing records."""
    from ansinh.audit.models import AuditEvent

    if not events:
        return 0
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    return write(AuditEvent._meta.db_table, [f.column for f in fields], (
        tuple(f.get_db_prep_save(e.get(f.attname, f.get_default()), connection)
              for f in fields)
        for e in events
    ))
