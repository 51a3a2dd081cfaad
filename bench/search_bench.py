"""Name search under load: 10 concurrent officers searching a 1,000,000-person registry.

    python bench/synth_bench.py            # first: loads 1,000,000 persons into ansinh_bench
    python bench/search_bench.py [--clients 10] [--queries 2000] [--database-url …]
                                 [--scopes commune,province,national] [--first-page-only]

Each client is a thread with its own database connection (`--processes` runs each in its own
process instead, as the workers of a multi-process web server are), doing what the person list
page and the API do for a search: `person_search(persons_for(user), q=…, birth=…)`, asked again for the
Vietnamese order as the page does, with the columns the page shows, then `paginate()` — the
first 50 rows (51 read) and, when there is a next page, the total counted up to the
paginator's cap. (The page's display joins, household and commune, are left out: they cost
the same for any list.) `--first-page-only`
times the rows alone (what this benchmark measured before the count was part of it).

Officers: a commune officer of the commune of the person the query was drawn from (most of the
users of the system: they look up their own residents), a province officer, a national
viewer, drawn 5 : 3 : 2. Queries are diacritic-free, drawn from the registry itself: full
names, "họ tên" without the middle name, a single given name, a common syllable ("dang"),
12-digit IDs, a name with a birth year, a birth year alone.
Baseline: the same number of single-row primary-key lookups with the same clients.
"""

import argparse
import random
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import database_url, mean, percentile, print_table, setup_django  # noqa: E402

SCOPE_WEIGHTS = {"commune": 5, "province": 3, "national": 2}


def build_queries(n: int, seed: int):
    """(kind, q, birth, commune code of the person drawn) × n, and the province drawn from."""
    from ansinh.registry.models import Person

    rng = random.Random(seed)
    sample = list(
        Person.objects.raw(
            "SELECT p.id, p.search_name, p.id_number, p.birth_date, p.province_id, "
            "c.code AS commune_code FROM registry_person p "
            "TABLESAMPLE SYSTEM (1) REPEATABLE (%s) "
            "JOIN geo_adminunit c ON c.id = p.commune_id LIMIT 5000", [seed]
        )
    )
    if not sample:
        raise SystemExit("the registry is empty: run bench/synth_bench.py first")
    kinds = []
    for _ in range(n):
        p = rng.choice(sample)
        words = p.search_name.split()
        kind = rng.choices(
            ["full name", "ho ten", "given name", "dang", "id", "name + year", "birth year"],
            weights=[25, 20, 15, 5, 15, 10, 10])[0]
        q, birth = "", ""
        if kind == "full name":
            q = p.search_name
        elif kind == "ho ten":
            q = f"{words[0]} {words[-1]}"
        elif kind == "given name":
            q = words[-1]
        elif kind == "dang":
            q = "dang"
        elif kind == "id":
            if not p.id_number:
                continue
            q = p.id_number
        elif kind == "name + year":
            q, birth = f"{words[0]} {words[-1]}", str(p.birth_date.year)
        else:
            birth = str(p.birth_date.year)
        kinds.append((kind, q, birth, p.commune_code))
    return kinds, sample[0].province_id


def users(province_id: int, commune_codes: set[str]):
    from ansinh.access.services import user_add
    from ansinh.geo.models import AdminUnit

    province = AdminUnit.objects.get(pk=province_id)
    accounts = {
        "province": user_add("bench_chuyenvien", "province_officer", province.code)[0],
        "national": user_add("bench_bo", "national_viewer", None)[0],
    }
    for code in commune_codes:
        accounts[code] = user_add(f"bench_xa_{code}", "commune_officer", code)[0]
    return accounts


def run_clients(n_clients: int, jobs: list, fn) -> tuple[list[tuple[str, float]], float]:
    """Run `fn(job)` for every job on `n_clients` threads; (label, seconds) per job."""
    from django.db import connections

    results: list[tuple[str, float]] = []
    lock = threading.Lock()
    queue = list(reversed(jobs))

    def client():
        mine = []
        try:
            while True:
                with lock:
                    if not queue:
                        break
                    job = queue.pop()
                t = time.perf_counter()
                label = fn(job)
                mine.append((label, time.perf_counter() - t))
        finally:
            connections.close_all()
            with lock:
                results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(n_clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def run_processes(n_clients: int, jobs: list, fn) -> tuple[list[tuple[str, float]], float]:
    """Run `fn(job)` for every job on `n_clients` forked processes, each taking every n-th
    job in turn; (label, seconds) per job. Connections are opened in each process."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's socket
    context = multiprocessing.get_context("fork")
    out = context.Queue()

    def client(part):
        mine = []
        for job in part:
            t = time.perf_counter()
            label = fn(job)
            mine.append((label, time.perf_counter() - t))
        connections.close_all()
        out.put(mine)

    processes = [context.Process(target=client, args=(jobs[i::n_clients],))
                 for i in range(n_clients)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    results: list[tuple[str, float]] = []
    for _ in processes:
        results.extend(out.get())
    for process in processes:
        process.join()
    return results, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scopes", default=",".join(SCOPE_WEIGHTS),
                        help="officers to draw from: commune, province, national")
    parser.add_argument("--first-page-only", action="store_true",
                        help="time the first 50 rows alone, without the page's count")
    parser.add_argument("--processes", action="store_true",
                        help="clients as processes instead of threads of this process")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE for one query of each kind")
    args = parser.parse_args()
    setup_django(database_url(args.database_url))

    from django.db import connection

    from ansinh.registry.models import Person
    from ansinh.registry.selectors import PERSON_LIST_FIELDS, person_search, persons_for
    from ansinh.web.paginator import COUNT_CAP, paginate

    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
    if not scopes or set(scopes) - set(SCOPE_WEIGHTS):
        raise SystemExit(f"--scopes: choose among {', '.join(SCOPE_WEIGHTS)}")
    total = Person.objects.count()
    queries, province_id = build_queries(args.queries, args.seed)
    accounts = users(province_id, {c for *_rest, c in queries} if "commune" in scopes else set())
    rng = random.Random(args.seed)
    weights = [SCOPE_WEIGHTS[s] for s in scopes]
    jobs = [(kind, q, birth, rng.choices(scopes, weights)[0], commune)
            for kind, q, birth, commune in queries]

    def listed(job):
        kind, q, birth, scope, commune = job
        user = accounts[commune if scope == "commune" else scope]
        # As the person list page asks for it, in Vietnamese order again.
        return person_search(persons_for(user), q=q, birth=birth).order_by(
            "sort_key", "pk").only(*PERSON_LIST_FIELDS)

    def search(job):
        qs = listed(job)
        if args.first_page_only:
            list(qs[:50])
        else:
            paginate(qs, 1)
        return f"{job[0]} ({job[3]})"

    if args.explain:
        seen = set()
        for job in jobs:
            if job[:1] + job[3:4] in seen:
                continue
            seen.add(job[:1] + job[3:4])
            kind, q, birth, scope, commune = job
            qs = listed(job)
            print(f"\n=== {kind} ({scope}) q={q!r} birth={birth!r}")
            print(qs[:51].explain(analyze=True))
            # The statement the page's count runs (the search key index alone where it can).
            capped = qs.order_by()[: COUNT_CAP + 1]
            print(f"--- count (up to {COUNT_CAP + 1:,})")
            statement = capped.count_sql() if hasattr(capped, "count_sql") else None
            if statement is None:
                print(capped.explain(analyze=True))
            else:
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN ANALYZE {statement[0]}", statement[1])
                    print("\n".join(row[0] for row in cursor.fetchall()))

    run = run_processes if args.processes else run_clients
    # Warm up the caches (as a server in use has them), then measure.
    run(args.clients, jobs[: min(200, len(jobs))], search)
    # The key frequencies are cached per process: read them once before forking, as a
    # long-running worker has them.
    search(jobs[0])
    results, seconds = run(args.clients, jobs, search)

    ids = list(Person.objects.order_by("?").values_list("id", flat=True)[:len(jobs)]) \
        if total < 50_000 else [rng.randint(1, total) for _ in jobs]

    def lookup(pk):
        Person.objects.filter(pk=pk).first()
        return "pk lookup"

    run(args.clients, ids[:200], lookup)
    base, base_seconds = run(args.clients, ids, lookup)

    by_kind = defaultdict(list)
    by_scope = defaultdict(list)
    for label, t in results:
        by_kind[label].append(t * 1000)
        by_scope[label.rsplit("(", 1)[1].rstrip(")")].append(t * 1000)
    rows = []
    for label in sorted(by_kind):
        ms = by_kind[label]
        rows.append([label, len(ms), percentile(ms, 50), percentile(ms, 95), percentile(ms, 99),
                     max(ms)])
    for scope in scopes:
        ms = by_scope[scope]
        if ms:
            rows.append([f"all ({scope})", len(ms), percentile(ms, 50), percentile(ms, 95),
                         percentile(ms, 99), max(ms)])
    everything = [t * 1000 for _, t in results]
    base_ms = [t * 1000 for _, t in base]
    rows.append(["ALL SEARCHES", len(everything), percentile(everything, 50),
                 percentile(everything, 95), percentile(everything, 99), max(everything)])
    rows.append(["baseline: pk lookup", len(base_ms), percentile(base_ms, 50),
                 percentile(base_ms, 95), percentile(base_ms, 99), max(base_ms)])
    timed = "first page" if args.first_page_only else "first page + capped count"
    print(f"\n{total:,} persons, {args.clients} concurrent clients "
          f"({'processes' if args.processes else 'threads'}), "
          f"{len(results):,} searches ({timed})\n")
    print_table(["query (scope)", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows)
    print()
    print_table(
        ["", "throughput /s", "mean ms", "p95 ms", "p95 × baseline"],
        [["searches", len(results) / seconds, mean(everything), percentile(everything, 95),
          percentile(everything, 95) / percentile(base_ms, 95)],
         ["pk lookups (baseline)", len(base) / base_seconds, mean(base_ms),
          percentile(base_ms, 95), 1.0]],
    )


if __name__ == "__main__":
    main()
