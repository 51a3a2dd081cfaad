"""Writing a synthetic province: straight into the database in bulk, or into an import file.

Into the database (one transaction):
- PostgreSQL: both tables are locked against other writers (readers carry on), primary keys
  are reserved from the sequences, and rows stream in with `COPY … FROM STDIN` (text format)
  through the psycopg connection under Django's. Generation of the next chunk overlaps the
  `COPY` of the previous one (Polars and psycopg both release the GIL).
- SQLite: `executemany` on the sqlite3 connection; the IMMEDIATE transaction holds the lock.

Households are written with their `head_id` already set: ids are assigned here, and the
foreign keys are DEFERRABLE INITIALLY DEFERRED (Django's default), so the head may arrive
after its household within the transaction. This replaces the set-wise `UPDATE` of head_id
afterwards and saves rewriting every household row.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ansinh.geo.models import AdminUnit, Level, Scheme
from ansinh.registry import search
from ansinh.registry.models import Household

from .generate import (
    HOUSEHOLD_CODE_PATTERN,
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    PERSON_CONSTANTS,
    Chunk,
    Commune,
    Counters,
    Synthesizer,
)

DEFAULT_PROVINCE = "22"  # Quảng Ninh: one pre-2025 province, Kinh with Dao, Tày, Sán Dìu
CHUNK_PERSONS = 100_000

Progress = Callable[[int, int], None]


class SynthError(ValueError):
    pass


@dataclass
class SynthResult:
    province: str
    communes: int
    persons: int = 0
    households: int = 0
    seconds: float = 0.0
    target: str = ""  # "postgresql", "sqlite" or the file written
    timings: dict[str, float] = field(default_factory=dict)


# ---- what to generate ----------------------------------------------------------------------

def plan(province_code: str, n_communes: int | None = None) -> tuple[AdminUnit, list[Commune]]:
    """The province and its first `n_communes` current communes (by code), each with the ID
    prefix of the pre-2025 province it lay in."""
    code = str(province_code).strip().zfill(2)
    try:
        province = AdminUnit.objects.provinces().get(code=code)
    except AdminUnit.DoesNotExist as exc:
        raise SynthError(f"Không có tỉnh/thành phố mã «{code}».") from exc
    units = list(AdminUnit.objects.communes().filter(province=province).order_by("code"))
    if n_communes:
        units = units[:n_communes]
    if not units:
        raise SynthError(f"Tỉnh «{province.name}» chưa có xã/phường nào trong danh mục.")
    # A current commune kept the code of one of the communes it absorbed: the retired commune
    # with that code tells the old province (and so the ID prefix of people born there).
    old = dict(
        AdminUnit.objects.filter(
            scheme=Scheme.RETIRED, level=Level.COMMUNE, code__in=[u.code for u in units]
        ).values_list("code", "parent__parent__code")
    )
    old_provinces = list(
        AdminUnit.objects.filter(scheme=Scheme.RETIRED, level=Level.PROVINCE, successor=province)
        .order_by("code").values_list("code", flat=True)
    )
    fallback = code if code in old_provinces or not old_provinces else old_provinces[0]
    communes = [
        Commune(id=u.id, code=u.code, name=u.name, kind=u.kind, province_id=province.id,
                prefix="0" + (old.get(u.code) or fallback))
        for u in units
    ]
    return province, communes


# ---- counters: continue after what is there --------------------------------------------------

def _read_counters(cursor, communes: list[Commune]) -> Counters:
    counters = Counters()
    cursor.execute(
        "SELECT substr(id_number, 1, 6), max(substr(id_number, 7, 6)) FROM registry_person "
        "WHERE id_number IS NOT NULL GROUP BY 1"
    )
    for head, serial in cursor.fetchall():
        if serial and serial.isdigit():
            counters.id_serials[head] = int(serial)
    last_codes = (
        Household.objects.filter(commune_id__in=[c.id for c in communes],
                                 code__regex=HOUSEHOLD_CODE_PATTERN)
        .values("commune_id").annotate(last=Max("code"))
    )
    counters.household_seq = {row["commune_id"]: int(row["last"][-6:]) for row in last_codes}
    return counters


def _pg_lock_and_reserve(cursor) -> tuple[int, int]:
    cursor.execute("LOCK TABLE registry_household, registry_person IN SHARE ROW EXCLUSIVE MODE")
    starts = []
    for table in ("registry_person", "registry_household"):
        cursor.execute(
            f"SELECT GREATEST(nextval(pg_get_serial_sequence('{table}', 'id')), "
            f"(SELECT COALESCE(max(id), 0) + 1 FROM {table}))"
        )
        starts.append(cursor.fetchone()[0])
    return starts[0], starts[1]


_TABLES = ("registry_person", "registry_household")


def _pg_drop_for_bulk(cursor) -> list[str]:
    """Drop the secondary indexes, unique and foreign-key constraints of both tables and
    return the statements that rebuild them, exactly as they were.

    Building an index once over sorted data is many times cheaper than inserting a million
    keys into it (a GIN or a wide covering index above all), and re-adding a foreign key
    checks it with one join instead of a trigger per row at commit. Everything happens inside the load's
    transaction: a failure rolls back to the original schema, and a violation found while
    rebuilding rolls the load back. Primary keys stay: the new ids are ascending."""
    oids = "('registry_person'::regclass, 'registry_household'::regclass)"
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
        f"FROM pg_constraint WHERE conrelid IN {oids} AND contype IN ('f', 'u') "
        "ORDER BY contype DESC, conname"
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        f"WHERE i.indrelid IN {oids} AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
    )
    indexes = cursor.fetchall()
    restore = []
    for table, name, _definition, _kind in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    # Unique constraints first (they rebuild their own index), then plain indexes, then the
    # foreign keys, which need the referenced primary keys only.
    restore += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, k in constraints
                if k == "u"]
    restore += [definition for _name, definition in indexes]
    restore += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, k in constraints
                if k == "f"]
    return restore


def _pg_rows(cursor, table: str) -> int:
    cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
    return max(0, cursor.fetchone()[0])


def _pg_set_sequences(cursor, last_person: int, last_household: int) -> None:
    for table, last in (("registry_person", last_person), ("registry_household", last_household)):
        if last > 0:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [last])


def _sqlite_reserve(cursor) -> tuple[int, int]:
    starts = []
    for table in ("registry_person", "registry_household"):
        cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        starts.append(max(top, row[0] if row else 0) + 1)
    return starts[0], starts[1]


# ---- writers ---------------------------------------------------------------------------------

def _with_constants(chunk: Chunk, created: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    households = chunk.households.with_columns(
        created_at=pl.lit(created), updated_at=pl.lit(created)
    ).select(HOUSEHOLD_COLUMNS)
    persons = chunk.persons.with_columns(
        documents=pl.lit(PERSON_CONSTANTS["documents"]),
        disability_notes=pl.lit(PERSON_CONSTANTS["disability_notes"]),
        hiv_status=pl.lit(None, dtype=pl.Boolean),
        created_at=pl.lit(created), updated_at=pl.lit(created),
    ).select(PERSON_COLUMNS)
    return households, persons


def _copy_text(df: pl.DataFrame) -> bytes:
    """PostgreSQL COPY text format. Generated values never hold a tab, newline or
    backslash, so no escaping is needed; NULL is \\N."""
    return df.write_csv(separator="\t", null_value="\\N", quote_style="never",
                        include_header=False).encode("utf-8")


class _PostgresWriter:
    def __init__(self, cursor, *, defaults: bool, keys: str = ""):
        self.raw = connection.connection  # the psycopg connection, inside Django's transaction
        self.created = timezone.now().isoformat()
        # In a bulk load the search keys come with the rows (the key triggers are off):
        # `keys` is the COPY statement for them, "" when the triggers write them.
        self.keys = keys
        self.omit = []
        if defaults:
            # In a bulk load the tables are locked anyway: let the constant columns come from
            # temporary column defaults instead of parsing them on every row (a third of
            # COPY's time goes into timestamps and JSON). Removed again before commit.
            values = {"created_at": self.created, "updated_at": self.created,
                      **PERSON_CONSTANTS}
            self.omit = [c for c in values if values[c] is not None]
            for table, columns in (("registry_person", self.omit),
                                   ("registry_household", ["created_at", "updated_at"])):
                sets = ", ".join(f"ALTER COLUMN {c} SET DEFAULT %s" for c in columns)
                cursor.execute(f"ALTER TABLE {table} {sets}", [values[c] for c in columns])
        self.cleanup = [
            f"ALTER TABLE {t} " + ", ".join(f"ALTER COLUMN {c} DROP DEFAULT" for c in cols)
            for t, cols in (("registry_person", self.omit),
                            ("registry_household", ["created_at", "updated_at"]))
        ] if defaults else []

    def write(self, chunk: Chunk) -> None:
        households, persons = _with_constants(chunk, self.created)
        if self.omit:
            persons = persons.drop(self.omit)
            households = households.drop("created_at", "updated_at")
        with self.raw.cursor() as cur:
            for table, df in (("registry_household", households), ("registry_person", persons)):
                cols = ", ".join(df.columns)
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for offset in range(0, df.height, 50_000):
                        copy.write(_copy_text(df.slice(offset, 50_000)))
            if self.keys:
                keys = key_rows(chunk.persons)
                with cur.copy(self.keys) as copy:
                    for offset in range(0, keys.height, 100_000):
                        copy.write(_copy_text(keys.slice(offset, 100_000)))


_NIBBLES = dict(zip(" .0123456789", "123456789abc", strict=True))


def key_rows(persons: pl.DataFrame) -> pl.DataFrame:
    """One row per person and search key — each distinct word of `search_name`, and `#yyyy`
    for the year of birth — in the columns of `registry_searchkey`, as the key triggers of
    registry migration 0005 derive them; the sort key packed as there
    (registry_pack_sort_key), written as hex for COPY. (A key made by name_sort_key holds
    digits, '.' and ' ' only, so there is nothing to drop first.)"""
    hex_key = pl.col("sort_key").str.replace_many(_NIBBLES)
    base = persons.select(
        person_id=pl.col("id"), commune_id=pl.col("commune_id"),
        province_id=pl.col("province_id"), birth_date=pl.col("birth_date").cast(pl.String),
        word=pl.col("search_name").str.split(" ").list.unique(maintain_order=True),
        sort_key=pl.lit("\\\\x") + pl.when(hex_key.str.len_bytes() % 2 == 1)
        .then(hex_key + "0").otherwise(hex_key),
        words=pl.concat_str([pl.lit(" "), pl.col("search_name"), pl.lit(" ")]),
    )
    words = base.explode("word").filter(pl.col("word") != "")
    years = base.filter(pl.col("birth_date").is_not_null()).with_columns(
        word=pl.lit("#") + pl.col("birth_date").str.slice(0, 4).cast(pl.Int32).cast(pl.String)
    )
    return pl.concat([words, years]).select(search.KEY_COLUMNS)


class _SqliteWriter:
    def __init__(self):
        self.raw = connection.connection  # the sqlite3 connection
        self.created = connection.ops.adapt_datetimefield_value(timezone.now())

    def write(self, chunk: Chunk) -> None:
        households, persons = _with_constants(chunk, self.created)
        for table, df in (("registry_household", households), ("registry_person", persons)):
            marks = ", ".join("?" for _ in df.columns)
            self.raw.executemany(
                f"INSERT INTO {table} ({', '.join(df.columns)}) VALUES ({marks})",
                df.iter_rows(),
            )


# ---- the run ---------------------------------------------------------------------------------

def _chunks(synth: Synthesizer, communes: list[Commune], counts: list[int], size: int):
    """Group whole communes into chunks of about `size` persons (splitting none)."""
    group, group_counts, first = [], [], 0
    for i, (commune, n) in enumerate(zip(communes, counts, strict=True)):
        if n == 0:
            continue
        if not group:
            first = i
        group.append(commune)
        group_counts.append(n)
        if sum(group_counts) >= size:
            yield synth.chunk(group, group_counts, first)
            group, group_counts = [], []
    if group:
        yield synth.chunk(group, group_counts, first)


BULK_MIN_PERSONS = 200_000


def synth_to_database(*, province: str = DEFAULT_PROVINCE, persons: int = 10_000,
                      communes: int | None = None, seed: int = 0, as_of: date | None = None,
                      progress: Progress | None = None, chunk_size: int = CHUNK_PERSONS,
                      analyze: bool = True, rebuild_indexes: bool | None = None) -> SynthResult:
    """`rebuild_indexes` (PostgreSQL): drop and rebuild indexes and constraints around the
    load. By default only for a big load (≥ 200,000 persons and at least as many as already
    there), since the rebuild covers the whole table and locks it for the duration."""
    if persons <= 0:
        raise SynthError("Số người phải lớn hơn 0.")
    started = time.perf_counter()
    unit, plan_communes = plan(province, communes)
    result = SynthResult(province=unit.code, communes=len(plan_communes),
                         target=connection.vendor)
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise SynthError(f"Cơ sở dữ liệu {vendor} chưa được hỗ trợ.")
    with transaction.atomic():
        with connection.cursor() as cursor:
            restore, key_indexes, keys = [], [], ""
            if vendor == "postgresql":
                first_person, first_household = _pg_lock_and_reserve(cursor)
                if rebuild_indexes is None:
                    rebuild_indexes = persons >= max(BULK_MIN_PERSONS,
                                                     _pg_rows(cursor, "registry_person"))
                if rebuild_indexes:
                    restore = _pg_drop_for_bulk(cursor)
                    # The search keys too: written with the rows from the generated frames,
                    # their index built once at the end, instead of the triggers inserting
                    # them into a live index. Into an empty key table they go frozen
                    # (all-visible), ready for index-only reads with no VACUUM.
                    key_indexes, fresh = search.bulk_keys_suspend(cursor)
                    columns = ", ".join(search.KEY_COLUMNS)
                    keys = (f"COPY {search.KEY_TABLE} ({columns}) FROM STDIN"
                            + (" WITH (FREEZE)" if fresh else ""))
            else:
                first_person, first_household = _sqlite_reserve(cursor)
            counters = _read_counters(cursor, plan_communes)
        counters.next_person_id, counters.next_household_id = first_person, first_household
        synth = Synthesizer(province_code=unit.code, seed=seed, counters=counters, as_of=as_of)
        counts = synth.split(persons, plan_communes)
        with connection.cursor() as cursor:
            writer = (_PostgresWriter(cursor, defaults=bool(restore), keys=keys)
                      if vendor == "postgresql" else _SqliteWriter())
        result.timings["prepare"] = time.perf_counter() - started
        gen_time = write_time = 0.0

        def timed_write(chunk):
            t = time.perf_counter()
            writer.write(chunk)
            return time.perf_counter() - t

        # The writer thread only touches the raw driver connection, never Django's wrapper.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = None  # (future, chunk) being written while the next one is drawn
            chunks = _chunks(synth, plan_communes, counts, chunk_size)
            while True:
                t = time.perf_counter()
                chunk = next(chunks, None)
                gen_time += time.perf_counter() - t
                if pending is not None:
                    future, written = pending
                    write_time += future.result()
                    result.persons += written.n_persons
                    result.households += written.n_households
                    if progress:
                        progress(result.persons, persons)
                if chunk is None:
                    break
                pending = (pool.submit(timed_write, chunk), chunk)
        t = time.perf_counter()
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                _pg_set_sequences(cursor, counters.next_person_id - 1,
                                  counters.next_household_id - 1)
                for statement in writer.cleanup:
                    cursor.execute(statement)
                if restore:
                    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                    for statement in restore:
                        cursor.execute(statement)
                    result.timings["rebuild"] = time.perf_counter() - t
                    t = time.perf_counter()
                    search.bulk_keys_resume(cursor, key_indexes)
                    result.timings["keys"] = time.perf_counter() - t
                    t = time.perf_counter()
        _audit(unit, result, seed)
        result.timings["generate"] = gen_time
        result.timings["write"] = write_time
    result.timings["commit"] = time.perf_counter() - t
    if analyze:
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_household")
            cursor.execute("ANALYZE registry_person")
            if vendor == "postgresql":
                # VACUUM marks the key pages the triggers wrote all-visible, which index-only
                # reads of the key index need (rows written frozen are so already); it cannot
                # run inside a transaction (e.g. a test's).
                frozen = "FREEZE" in keys
                verb = "ANALYZE" if frozen or connection.in_atomic_block else "VACUUM (ANALYZE)"
                cursor.execute(f"{verb} {search.KEY_TABLE}")
        result.timings["analyze"] = time.perf_counter() - t
    result.seconds = time.perf_counter() - started
    return result


def _audit(unit: AdminUnit, result: SynthResult, seed: int) -> None:
    from ansinh.access.context import acting
    from ansinh.audit.models import AuditAction
    from ansinh.audit.services import audit_record

    with acting(source="cli"):
        audit_record(
            AuditAction.IMPORT, object_type="synth",
            object_repr=f"Dữ liệu giả lập: {result.persons} người, {unit.name}",
            changes={"persons": result.persons, "households": result.households,
                     "communes": result.communes, "seed": seed},
            province_id=unit.id,
        )


# ---- into a file -----------------------------------------------------------------------------

FILE_HEADERS = [
    "STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số CCCD",
    "Quan hệ với chủ hộ", "Địa chỉ", "Xã/Phường", "Số điện thoại", "Mức độ khuyết tật",
    "Hộ nghèo/cận nghèo",
]


def file_rows(chunk: Chunk) -> pl.DataFrame:
    """The chunk as a commune list writes it: Vietnamese words, dd/mm/yyyy dates."""
    from ansinh.core.ethnicity import ETHNIC_GROUPS

    hh = chunk.households.select(
        household_id="id", household_code="code", address="address",
        poverty=pl.col("poverty_status").replace_strict(
            {"": "", "poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}, return_dtype=pl.String),
    )
    codes = {c.id: c.code for c in chunk.communes}
    p = chunk.persons.join(hh, on="household_id", how="left", maintain_order="left")
    bd = pl.col("birth_date")
    female = pl.col("sex") == "F"
    rel = pl.col("relationship")
    relationship = (
        pl.when(rel == "head").then(pl.lit("Chủ hộ"))
        .when(rel == "spouse").then(pl.when(female).then(pl.lit("Vợ")).otherwise(pl.lit("Chồng")))
        .when(rel == "child").then(pl.lit("Con"))
        .when(rel == "parent").then(pl.when(female).then(pl.lit("Mẹ")).otherwise(pl.lit("Bố")))
        .when(rel == "grandchild").then(pl.lit("Cháu"))
        .when(rel == "child_in_law").then(
            pl.when(female).then(pl.lit("Con dâu")).otherwise(pl.lit("Con rể")))
        .when(rel == "sibling").then(pl.lit("Em"))
        .when(rel == "grandparent").then(pl.when(female).then(pl.lit("Bà")).otherwise(pl.lit("Ông")))
        .otherwise(pl.lit("Khác"))
    )
    return p.select(
        pl.col("household_code").alias("Mã hộ"),
        pl.col("full_name").alias("Họ và tên"),
        pl.when(pl.col("birth_date_precision") == "Y").then(bd.str.slice(0, 4))
        .when(pl.col("birth_date_precision") == "M")
        .then(pl.concat_str([bd.str.slice(5, 2), bd.str.slice(0, 4)], separator="/"))
        .otherwise(pl.concat_str([bd.str.slice(8, 2), bd.str.slice(5, 2), bd.str.slice(0, 4)],
                                 separator="/")).alias("Ngày sinh"),
        pl.when(female).then(pl.lit("Nữ")).otherwise(pl.lit("Nam")).alias("Giới tính"),
        pl.col("ethnicity").replace_strict(dict(ETHNIC_GROUPS), return_dtype=pl.String)
        .alias("Dân tộc"),
        pl.col("id_number").fill_null("").alias("Số CCCD"),
        relationship.alias("Quan hệ với chủ hộ"),
        pl.col("address").alias("Địa chỉ"),
        pl.col("commune_id").replace_strict(codes, return_dtype=pl.String).alias("Xã/Phường"),
        pl.col("phone").alias("Số điện thoại"),
        pl.col("disability_level").replace_strict(
            {"": "", "mild": "Nhẹ", "severe": "Nặng", "extremely_severe": "Đặc biệt nặng"},
            return_dtype=pl.String).alias("Mức độ khuyết tật"),
        pl.col("poverty").alias("Hộ nghèo/cận nghèo"),
    )


def synth_to_file(path: str | Path, *, province: str = DEFAULT_PROVINCE, persons: int = 10_000,
                  communes: int | None = None, seed: int = 0, as_of: date | None = None,
                  progress: Progress | None = None,
                  chunk_size: int = CHUNK_PERSONS) -> SynthResult:
    """An import file (.xlsx or .csv): two title rows, a blank row, the header, the rows.
    Household codes and ID serials start from scratch (the file is not tied to a database)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SynthError("Tệp xuất phải là .xlsx hoặc .csv.")
    if persons <= 0:
        raise SynthError("Số người phải lớn hơn 0.")
    started = time.perf_counter()
    unit, plan_communes = plan(province, communes)
    synth = Synthesizer(province_code=unit.code, seed=seed, counters=Counters(), as_of=as_of)
    counts = synth.split(persons, plan_communes)
    place = plan_communes[0].name if len(plan_communes) == 1 else unit.name
    titles = [f"UBND {place.upper()}",
              f"DANH SÁCH NHÂN KHẨU THEO HỘ GIA ĐÌNH (dữ liệu giả lập, {persons} người)"]
    result = SynthResult(province=unit.code, communes=len(plan_communes), target=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    chunks = _chunks(synth, plan_communes, counts, chunk_size)
    if suffix == ".csv":
        _write_csv(path, titles, chunks, result, persons, progress)
    else:
        _write_xlsx(path, titles, chunks, result, persons, progress)
    result.seconds = time.perf_counter() - started
    return result


def _numbered(df: pl.DataFrame, first: int) -> pl.DataFrame:
    return df.select(pl.int_range(first, first + pl.len()).alias("STT"), pl.all())


def _write_csv(path, titles, chunks, result, total, progress):
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        for title in titles:
            writer.writerow([title])
        writer.writerow([])
        writer.writerow(FILE_HEADERS)
        for chunk in chunks:
            rows = _numbered(file_rows(chunk), result.persons + 1)
            fh.write(rows.write_csv(include_header=False))
            result.persons += chunk.n_persons
            result.households += chunk.n_households
            if progress:
                progress(result.persons, total)


def _write_xlsx(path, titles, chunks, result, total, progress):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from ansinh.core.excel import safe_cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="Danh sách")
    bold = Font(bold=True)
    for title in titles:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        ws.append([cell])
    ws.append([])
    header = []
    for h in FILE_HEADERS:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for chunk in chunks:
        rows = _numbered(file_rows(chunk), result.persons + 1)
        for row in rows.iter_rows():
            ws.append([safe_cell(v) for v in row])
        result.persons += chunk.n_persons
        result.households += chunk.n_households
        if progress:
            progress(result.persons, total)
    wb.save(path)
