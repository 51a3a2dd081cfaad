"""Moving Polars frames in and out of the database in bulk.

Bulk paths (payroll, re-pricing) read and write hundreds of thousands of rows. On PostgreSQL
they go through COPY, on SQLite through one executemany, inside the caller's transaction —
never through ORM objects one at a time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import polars as pl
from django.db import connection

COPY_CHUNK = 100_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def read_frame(sql: str, params: Sequence = (), schema: dict | None = None) -> pl.DataFrame:
    """Run a SELECT and return its rows as a frame (columns named as in the SELECT)."""
    with connection.cursor() as cursor:
        if is_postgres():
            # COPY … TO STDOUT is several times faster than fetching tuples for big results.
            raw = cursor.cursor  # psycopg's client-side-binding cursor under Django's wrapper
            query = raw.mogrify(sql, params)
            buffer = io.BytesIO()
            with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                for block in copy:
                    buffer.write(block)
            buffer.seek(0)
            if buffer.getbuffer().nbytes == 0:
                return pl.DataFrame(schema=schema)
            # COPY writes booleans as t/f: read them as text, then compare.
            flags = [n for n, t in (schema or {}).items() if t == pl.Boolean]
            overrides = {n: (pl.Utf8 if n in flags else t) for n, t in (schema or {}).items()}
            frame = pl.read_csv(buffer, schema_overrides=overrides, try_parse_dates=False,
                                infer_schema_length=None)
            return frame.with_columns([(pl.col(n) == "t").alias(n) for n in flags
                                       if n in frame.columns])
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    if schema:
        frame = frame.with_columns(
            [pl.col(name).cast(dtype) for name, dtype in schema.items() if name in names]
        )
    return frame


def write_frame(table: str, frame: pl.DataFrame) -> int:
    """Append the frame's rows to `table` (its columns must be the frame's columns)."""
    if frame.is_empty():
        return 0
    columns = ", ".join(frame.columns)
    with connection.cursor() as cursor:
        if is_postgres():
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                for offset in range(0, frame.height, COPY_CHUNK):
                    chunk = frame.slice(offset, COPY_CHUNK)
                    # Strings quoted, NULLs bare: COPY's csv format then keeps "" apart from NULL.
                    copy.write(chunk.write_csv(include_header=False, null_value="",
                                               quote_style="non_numeric"))
        else:
            marks = ", ".join("%s" for _ in frame.columns)
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                               list(frame.iter_rows()))
    return frame.height
