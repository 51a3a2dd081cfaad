"""Benchmark of the Excel import: households and members, end to end.

    python bench/import_bench.py [--rows 100000] [--keep]

1. Generates (once, cached under bench/data/) an .xlsx of N persons in households of 1–7
   members, with title rows above the header, real Excel dates, IDs stored as numbers (their
   leading zeros lost, as Excel does) and Vietnamese names.
2. Times python-calamine alone reading it: the physical floor for any reader of the file.
3. Times our import end to end — read, detect, parse, validate, store the staged rows, then
   apply (households, persons, heads, audit rows) — against a fresh database:
   a throwaway SQLite file by default, or DATABASE_URL=postgres://…/<name containing
   "bench"> (the database is dropped and created again).
4. Prints rows/s and the ratio (3)/(2). Targets: ≥ 20,000 rows/s; ratio ≤ 5.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HO = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
      "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
DEM_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Ngọc", "Gia"]
DEM_F = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Bích", "Hồng", "Mai", "Phương"]
TEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khoa", "Long", "Minh", "Nam",
         "Phúc", "Quân", "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Việt", "Vinh"]
TEN_F = ["Anh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
         "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Uyên", "Yến"]
HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Quan hệ với chủ hộ",
           "Mã hộ", "Địa chỉ", "Xã/Phường", "Dân tộc", "Số điện thoại", "Hộ nghèo/cận nghèo"]
COMMUNES = ["00004", "00008"]  # Phường Ba Đình, Phường Ngọc Hà (Hà Nội)


def generate(path: Path, n_rows: int, seed: int = 2026) -> None:
    from openpyxl import Workbook

    from ansinh.core.identity import make_id_number

    rnd = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách")
    ws.append(["UBND THÀNH PHỐ HÀ NỘI"])
    ws.append(["DANH SÁCH HỘ GIA ĐÌNH VÀ NHÂN KHẨU"])
    ws.append([])
    ws.append(HEADERS)
    serial, row, hh = 0, 0, 0
    while row < n_rows:
        hh += 1
        commune = COMMUNES[hh % len(COMMUNES)]
        size = min(rnd.choice([1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7]), n_rows - row)
        ho = rnd.choice(HO)
        head_year = rnd.randint(1940, 1995)
        poverty = rnd.choice(["", "", "", "", "Hộ nghèo", "Hộ cận nghèo"])
        for k in range(size):
            row += 1
            serial += 1
            if k == 0:
                rel, year, sex = "Chủ hộ", head_year, rnd.choice("MF")
            elif k == 1:
                rel, year, sex = "Vợ" if rnd.random() < .8 else "Chồng", head_year + rnd.randint(
                    -3, 5), rnd.choice("MF")
            else:
                rel, year = rnd.choice(["Con", "Con", "Con", "Cháu", "Mẹ", "Cha"]), None
                year = head_year + rnd.randint(20, 35) if rel in ("Con", "Cháu") else \
                    head_year - rnd.randint(20, 30)
                year = min(year, 2024)
                sex = rnd.choice("MF")
            first = ho if rel in ("Chủ hộ", "Con", "Cháu") else rnd.choice(HO)
            dem = rnd.choice(DEM_M if sex == "M" else DEM_F)
            ten = rnd.choice(TEN_M if sex == "M" else TEN_F)
            born = date(year, 1, 1) + timedelta(days=rnd.randint(0, 364))
            number = make_id_number(rnd.choice(["001", "030", "036", "038"]), sex, year,
                                    serial)
            # A third of the dates typed as text, the rest real Excel dates.
            birth = born.strftime("%d/%m/%Y") if serial % 3 == 0 else born
            ws.append([
                row, f"{first} {dem} {ten}", birth, "Nam" if sex == "M" else "Nữ",
                int(number), rel, f"HN{hh:06d}", f"Tổ {hh % 40 + 1}", commune, "Kinh",
                f"09{rnd.randint(10_000_000, 99_999_999)}" if k == 0 else None,
                poverty if k == 0 else None,
            ])
    ws.append(["Tổng cộng", None, None, None, None, None, None])
    wb.save(path)


def setup_database(url: str | None) -> str:
    if not url:
        db = Path(tempfile.mkdtemp(prefix="ansinh-bench-")) / "bench.sqlite3"
        url = f"sqlite:///{db}"
    elif url.startswith("postgres"):
        from urllib.parse import urlparse

        import psycopg

        name = urlparse(url).path.lstrip("/")
        if "bench" not in name:
            raise SystemExit("Refusing: the PostgreSQL database name must contain 'bench' "
                             "(it is dropped and created again).")
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.settings")
    os.environ.setdefault("ANSINH_DATA_DIR", tempfile.mkdtemp(prefix="ansinh-bench-data-"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--file", help="use this spreadsheet instead of generating one")
    parser.add_argument("--repeat-calamine", type=int, default=3,
                        help="best of N for the calamine read")
    args = parser.parse_args()

    url = setup_database(os.environ.get("DATABASE_URL"))

    if args.file:
        path = Path(args.file)
    else:
        data = ROOT / "bench" / "data"
        data.mkdir(parents=True, exist_ok=True)
        path = data / f"households-{args.rows}.xlsx"
        if not path.exists():
            t = time.perf_counter()
            generate(path, args.rows)
            print(f"generated {path} in {time.perf_counter() - t:.1f} s")

    from python_calamine import CalamineWorkbook

    best = float("inf")
    for _ in range(args.repeat_calamine):
        t = time.perf_counter()
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        best = min(best, time.perf_counter() - t)
    n = len(rows) - 5

    from django.conf import settings

    from ansinh.access.console import SystemUser
    from ansinh.access.context import acting
    from ansinh.imports.services import import_apply, import_stage

    settings.IMPORT_MAX_BYTES = max(settings.IMPORT_MAX_BYTES, path.stat().st_size + 1)
    user = SystemUser()
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    with acting(username="bench", source="cli"):
        t0, c0 = time.perf_counter(), time.process_time()
        phase = ["stage"]

        def progress(step, done, total):
            key = f"{phase[0]}:{step}:{done}" if phase[0] == "apply" else f"stage:{step}"
            now = time.perf_counter() - t0
            first.setdefault(key, now)
            last[key] = now

        with open(path, "rb") as f:
            batch = import_stage(user, f, path.name, progress=progress)
        t_stage, c_stage = time.perf_counter() - t0, time.process_time() - c0
        phase[0] = "apply"
        counts = import_apply(user, batch, progress=progress)
        t_total, c_total = time.perf_counter() - t0, time.process_time() - c0

    def segments(points: list[tuple[str, float]], start: float, end: float) -> str:
        out, at = [], start
        for label, mark in points:
            out.append(f"{label} {mark - at:.2f}")
            at = mark
        out.append(f"commit {end - at:.2f}")
        return ", ".join(out)

    vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.1f} MB, {n:,} persons; "
          f"database: {vendor}")
    print(f"staged: {batch.counts}; applied: {counts}")
    print(f"(a) calamine alone:  {best:7.2f} s  {n / best:10,.0f} rows/s")
    print(f"    stage+validate:  {t_stage:7.2f} s  (" + segments([
        ("read", last.get("stage:read", 0)), ("parse", last.get("stage:parse", 0)),
        ("plan", first.get("stage:store", 0)), ("store", last.get("stage:store", 0)),
    ], 0, t_stage) + ")")
    print(f"    apply:           {t_total - t_stage:7.2f} s  (" + segments([
        ("check", last.get("apply:check:1", t_stage)),
        ("households", last.get("apply:apply:1", t_stage)),
        ("persons", last.get("apply:apply:2", t_stage)),
        ("updates", last.get("apply:apply:3", t_stage)),
        ("heads+audit", last.get("apply:apply:4", t_stage)),
    ], t_stage, t_total) + ")")
    print(f"(b) end to end:      {t_total:7.2f} s  {n / t_total:10,.0f} rows/s   "
          f"(CPU of this process: stage {c_stage:.2f} s, apply {c_total - c_stage:.2f} s)")
    print(f"ratio (b)/(a):       {t_total / best:7.2f}   (target ≤ 5; rows/s target ≥ 20,000)")

if __name__ == "__main__":
    main()
