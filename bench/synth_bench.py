"""How fast does `ansinh synth` fill a province, against the physical limit of a raw COPY?

    python bench/synth_bench.py [--persons 1000000] [--database-url postgres://…/ansinh_bench]

1. Drops and recreates the benchmark database, migrates it.
2. Times `ansinh synth --persons N` end to end (a fresh process: start-up, generation,
   COPY, index rebuild, ANALYZE).
3. Baseline: the same rows (read back from the database into memory: persons, households
   and their search keys) are written with a bare `COPY … FROM STDIN` into scratch tables of
   the same shape without indexes or constraints; then the same indexes are built on them.
"""

import argparse
import io
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ansinh, database_url, print_table, recreate_database  # noqa: E402


def raw_copy_seconds(url: str) -> tuple[float, int, int]:
    import psycopg

    buffers = {}
    tables = ("registry_household", "registry_person", "registry_searchkey")
    with psycopg.connect(url) as conn:
        for table in tables:
            buf = io.BytesIO()
            with conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                for block in copy:
                    buf.write(block)
            buffers[table] = buf.getvalue()
        scratch_tables = ", ".join(t.replace("registry_", "scratch_") for t in tables)
        conn.execute(f"DROP TABLE IF EXISTS {scratch_tables}")
        for table in tables:
            conn.execute(f"CREATE TABLE {table.replace('registry_', 'scratch_')} (LIKE {table})")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            for table, data in buffers.items():
                scratch = table.replace("registry_", "scratch_")
                with cur.copy(f"COPY {scratch} FROM STDIN") as copy:
                    view = memoryview(data)
                    for offset in range(0, len(data), 8 << 20):
                        copy.write(view[offset:offset + (8 << 20)])
        conn.commit()
        seconds = time.perf_counter() - started
        # Second baseline: the same COPY plus building the indexes the registry has, once each
        # (what any loader must pay at least for this schema).
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            cur.execute("SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
                        [list(tables)])
            for table, indexdef in cur.fetchall():
                scratch = table.replace("registry_", "scratch_")
                name = re.search(r" INDEX (\S+) ON ", indexdef)[1]
                statement = indexdef.replace(f" INDEX {name} ON public.{table} ",
                                             f" INDEX {name}_scratch ON public.{scratch} ")
                cur.execute(statement)
        conn.commit()
        index_seconds = time.perf_counter() - started
        conn.execute(f"DROP TABLE {scratch_tables}")
        conn.commit()
    return (seconds, index_seconds, buffers["registry_person"].count(b"\n"),
            sum(len(b) for b in buffers.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--province", default="22")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = database_url(args.database_url)

    print(f"database {url.rsplit('@', 1)[-1]}: recreate and migrate…", flush=True)
    recreate_database(url)
    ansinh(["migrate", "-v0"], url)

    print(f"ansinh synth --persons {args.persons:,} …", flush=True)
    started = time.perf_counter()
    run = ansinh(["synth", "--province", args.province, "--persons", str(args.persons),
                  "--seed", str(args.seed), "-v2"], url, capture=True)
    synth_seconds = time.perf_counter() - started
    print(run.stdout.strip())
    phases = re.findall(r"(\w+) ([\d.]+) s", run.stdout.splitlines()[-1])

    print("baseline: raw COPY of the same rows into bare scratch tables …", flush=True)
    copy_seconds, index_seconds, rows, size = raw_copy_seconds(url)
    floor = copy_seconds + index_seconds
    print()
    print_table(
        ["step", "persons", "seconds", "persons/s", "× raw COPY", "× COPY+indexes"],
        [
            ["ansinh synth (end to end)", args.persons, synth_seconds,
             args.persons / synth_seconds, synth_seconds / copy_seconds, synth_seconds / floor],
            [f"raw COPY ({size / 1e6:,.0f} MB, no index)", rows, copy_seconds,
             rows / copy_seconds, 1.0, copy_seconds / floor],
            ["raw COPY + build the same indexes", rows, floor, rows / floor,
             floor / copy_seconds, 1.0],
        ],
    )
    if phases:
        print("\nphases of ansinh synth: " + ", ".join(f"{k} {v} s" for k, v in phases))


if __name__ == "__main__":
    main()
