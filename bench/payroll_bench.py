"""How fast is a payroll month, against the physical limit of a raw COPY of its lines?

    python bench/payroll_bench.py [--beneficiaries 1000000] [--database-url postgres://…]
    python bench/payroll_bench.py --sqlite [--beneficiaries 200000]

1. Recreates the database (PostgreSQL: `ansinh_payroll_bench` unless told otherwise; SQLite:
   a throwaway file), migrates it, fills a province with `ansinh synth`, and enrols every
   person set-wise with a category that fits their age (5.1 children, 5.6 working-age
   adults with a disability level, 5.5.a elderly, some 5.4 single parents and 5.8).
2. Times `payroll_run` for one month as the system operator: a fresh draft, then a refresh
   of the same draft (which first deletes the previous lines).
3. Baseline (PostgreSQL): the lines the run wrote, read back into memory, written again with a
   bare `COPY … FROM STDIN` into a scratch table of the same shape with the same indexes.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ansinh, print_table, recreate_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ansinh_payroll_bench"
MONTH = date(2026, 1, 1)

ENROL = """
INSERT INTO enrolment_entitlement
    (person_id, recipient_id, benefit, category, disability_level, children_count, studying,
     household_poverty, commune_id, province_id, start_month, end_month, status, stop_reason,
     payment_channel, account_number, recalc_from, recalc_reason, created_at, updated_at)
SELECT id, id, 'monthly_allowance',
       CASE WHEN age < 16 THEN '5.1'
            WHEN age >= 60 THEN '5.5a'
            WHEN id % 10 = 0 THEN '5.4'
            WHEN id % 10 = 1 THEN '5.8'
            ELSE '5.6' END,
       CASE WHEN age >= 16 AND age < 60 AND id % 10 > 1
            THEN (CASE WHEN id % 2 = 0 THEN 'severe' ELSE 'extremely_severe' END)
            ELSE '' END,
       CASE WHEN age >= 16 AND age < 60 AND id % 10 = 0 THEN 1 + id % 3 END,
       {false}, 'poor', commune_id, province_id, {start}, NULL, 'active', '',
       CASE WHEN id % 4 = 0 THEN 'bank' ELSE 'cash' END, '', NULL, '', {now}, {now}
FROM (SELECT id, commune_id, province_id,
             {year} - CAST({birth_year} AS INTEGER) AS age
      FROM registry_person WHERE birth_date IS NOT NULL) p
"""


def enrol_all(connection) -> int:
    pg = connection.vendor == "postgresql"
    sql = ENROL.format(
        false="FALSE" if pg else "0", start="DATE '2024-01-01'" if pg else "'2024-01-01'",
        now="now()" if pg else "datetime('now')", year=MONTH.year,
        birth_year="EXTRACT(YEAR FROM birth_date)" if pg else "strftime('%Y', birth_date)")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        count = cursor.rowcount
        if pg:
            cursor.execute("ANALYZE enrolment_entitlement")
    return count


def raw_copy_seconds(connection) -> tuple[float, int]:
    raw = connection.connection
    buf = io.BytesIO()
    with raw.cursor() as cur:
        with cur.copy("COPY payments_ledgerline TO STDOUT") as copy:
            for block in copy:
                buf.write(block)
        cur.execute("DROP TABLE IF EXISTS scratch_ledger")
        cur.execute("CREATE TABLE scratch_ledger (LIKE payments_ledgerline INCLUDING INDEXES)")
    raw.commit()
    data = buf.getvalue()
    started = time.perf_counter()
    with raw.cursor() as cur:
        with cur.copy("COPY scratch_ledger FROM STDIN") as copy:
            view = memoryview(data)
            for offset in range(0, len(data), 8 << 20):
                copy.write(view[offset:offset + (8 << 20)])
    raw.commit()
    seconds = time.perf_counter() - started
    with raw.cursor() as cur:
        cur.execute("DROP TABLE scratch_ledger")
    raw.commit()
    return seconds, data.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beneficiaries", type=int, default=None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sqlite", action="store_true", help="a throwaway SQLite file")
    parser.add_argument("--province", default="22")
    args = parser.parse_args()
    if args.sqlite:
        folder = tempfile.mkdtemp(prefix="ansinh-payroll-")
        url = f"sqlite:///{folder}/bench.sqlite3"
        count = args.beneficiaries or 200_000
    else:
        url = args.database_url or os.environ.get("PAYROLL_BENCH_URL") or DEFAULT_URL
        count = args.beneficiaries or 1_000_000
        recreate_database(url)
    print(f"database {url.rsplit('@', 1)[-1]}: migrate, synth {count:,} persons…", flush=True)
    ansinh(["migrate", "-v", "0"], url)
    ansinh(["synth", "--province", args.province, "--persons", str(count)], url, capture=True)

    setup_django(url)
    from django.db import connection, transaction

    from ansinh.access.console import SystemUser
    from ansinh.payments.models import LedgerLine
    from ansinh.payments.services import payroll_run

    started = time.perf_counter()
    with transaction.atomic():
        enrolled = enrol_all(connection)
    enrol_seconds = time.perf_counter() - started
    print(f"enrolled {enrolled:,} beneficiaries in {enrol_seconds:.1f} s", flush=True)

    rows = []
    for label in ("payroll run (fresh draft)", "payroll run (refresh)"):
        started = time.perf_counter()
        result = payroll_run(SystemUser(), MONTH)
        seconds = time.perf_counter() - started
        rows.append([label, seconds, result.beneficiaries, result.regular_total])
        print(f"{label}: {seconds:.1f} s", flush=True)
    lines = LedgerLine.objects.count()
    if connection.vendor == "postgresql":
        copy_seconds, copied = raw_copy_seconds(connection)
        rows.append([f"baseline: raw COPY of {copied:,} ledger rows", copy_seconds, "", ""])
        print()
        print_table(["step", "seconds", "beneficiaries paid", "regular total (đ)"], rows)
        print(f"\nledger lines: {lines:,}; fresh run / raw COPY = "
              f"{rows[0][1] / copy_seconds:.1f}× (target ≤ 4×), target < 20 s")
    else:
        print()
        print_table(["step", "seconds", "beneficiaries paid", "regular total (đ)"], rows)
        print(f"\nledger lines: {lines:,}; SQLite target: 200,000 beneficiaries < 30 s")


if __name__ == "__main__":
    main()
