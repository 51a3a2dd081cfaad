"""Benchmark of the bank statement import: read, match, stage, apply, end to end.

    python bench/statement_bench.py [--lines 20000] [--donors 2000] [--pledges 500]
                                    [--format xlsx|csv] [--command]

1. Migrates a fresh database — a throwaway SQLite file by default, or DATABASE_URL=
   postgres://…/<name containing "bench"> (dropped and created again) — and seeds a commune
   fund with its bank account, a campaign with its restriction, D donors (companies with a
   tax code and a bank account) and P pledges of the first donors to the campaign.
2. Writes a bank statement of N lines as a bank exports it (title rows, a header, a totals
   row; amounts as text with dots, dates dd/mm/yyyy, the running balance): about 25 % of
   the lines pay a pledge by its code (CK000123), 25 % come from a donor's account, 17 %
   name a donor's tax code, 17 % the donor's name as the bank writes it (CTY TNHH …), 8 %
   are gifts from people the fund does not know (some with no sender name, whose
   description is searched for every donor's name) and 8 % are debits (bank fees).
3. Baseline, the physical floor for any reader of the file: python-calamine reading it (an
   .xlsx), or Python's csv module reading it (a .csv), best of three.
4. Times the import end to end as a fund officer: `statement_stage` (read, parse, match,
   store the staged lines) then `statement_apply` (bank transactions, one issued receipt
   per matched credit, audit rows) — or, with --command, `ansinh fund_statement import`
   run in this process, which also prints the preview.
5. Prints lines/s and the ratio (4)/(3).
"""

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_bench import setup_database  # noqa: E402

ACCOUNT = "0071001234567"
HEADER = ["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có",
          "Số dư", "Nội dung", "Tên người chuyển", "Số tài khoản"]
TRADE = ["Thương mại", "Xây dựng", "Dịch vụ", "Vận tải", "Dược phẩm", "Thực phẩm", "Nông sản",
         "Du lịch", "Điện máy", "Cơ khí", "May mặc", "Giáo dục", "Bất động sản", "Công nghệ",
         "Thủy sản", "In ấn", "Nội thất", "Môi trường", "Năng lượng", "Đầu tư"]
PLACE = ["Hòa Bình", "An Phú", "Thành Đạt", "Hưng Thịnh", "Phú Quý", "Đức Minh", "Sao Việt",
         "Hồng Hà", "Trường Sơn", "Bảo Châu", "Tân Tiến", "Việt Hưng", "Đông Á", "Nam Long",
         "Kim Ngân", "Phúc Lộc", "Minh Khang", "Thiên Ân", "Hải Đăng", "Gia Bảo"]
SUFFIX = ["", "Xanh", "Mới", "Toàn Cầu", "Miền Bắc", "Thủ Đô", "Quốc Tế", "Việt Nam", "Ba Đình",
          "Hà Nội"]
PEOPLE = ["NGUYEN VAN AN", "TRAN THI BICH", "LE HOANG NAM", "PHAM THU HA", "VU DUC MINH",
          "DANG THI LAN", "BUI QUANG HUY", "DO THANH TAM"]


def donor_names(count: int) -> list[str]:
    names = [" ".join(filter(None, ["Công ty TNHH", t, p, s]))
             for s in SUFFIX for p in PLACE for t in TRADE]
    if count > len(names):
        raise SystemExit(f"--donors: at most {len(names)}")
    return names[:count]


def seed(n_donors: int, n_pledges: int):
    """(user, donors [(id, name, tax code, account)], pledge ids) in a fresh database."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from ansinh.access.context import acting
    from ansinh.access.models import RoleAssignment
    from ansinh.core.text import fold
    from ansinh.funds.models import Donor, Pledge
    from ansinh.funds.services import campaign_create, fund_create, restriction_create
    from ansinh.funds.statements import bank_account_create
    from ansinh.geo.models import AdminUnit

    commune = AdminUnit.objects.communes().get(code="00004")  # Phường Ba Đình, Hà Nội
    user = get_user_model().objects.create(username="bench_quy")
    RoleAssignment.objects.create(user=user, role="fund_officer", area=commune)
    with acting(username=user.username, source="cli"):
        fund = fund_create(user, area=commune, kind="social_security", code="ASXH",
                           name="Quỹ An sinh xã hội phường Ba Đình")
        bank_account_create(user, fund=fund, account_number=ACCOUNT, bank_name="Vietcombank")
        today = timezone.localdate()
        campaign = campaign_create(user, area=commune, name="Tết vì người nghèo",
                                   starts_on=today - timedelta(days=120), funds=[fund])
        restriction_create(user, fund=fund, kind="campaign", description="",
                           campaign=campaign)
    names = donor_names(n_donors)
    Donor.objects.bulk_create([
        Donor(kind="business", name=name, name_folded=fold(name)[:200],
              tax_code=f"01{i:08d}", bank_account=f"10{i:011d}", bank_name="Vietcombank",
              commune=commune, province=commune.province)
        for i, name in enumerate(names)], batch_size=1000)
    donors = list(Donor.objects.order_by("pk").values_list("pk", "name", "tax_code",
                                                           "bank_account"))
    Pledge.objects.bulk_create([
        Pledge(donor_id=pk, campaign=campaign, fund=fund, amount=100_000_000,
               pledged_on=today - timedelta(days=100), commune=commune,
               province=commune.province, created_by=user)
        for pk, *_ in donors[:n_pledges]], batch_size=1000)
    pledges = list(Pledge.objects.order_by("pk").values_list("pk", flat=True))
    return user, donors, pledges


def bank_name(name: str) -> str:
    """A donor's name as a bank prints it: capitals, no diacritics, CTY for Công ty."""
    from ansinh.core.text import fold

    return fold(name).upper().replace("CONG TY ", "CTY ", 1)


def statement_rows(n_lines: int, donors: list, pledges: list, seed: int = 2026) -> list[list]:
    from django.utils import timezone

    rnd = random.Random(seed)
    today = timezone.localdate()
    balance = 500_000_000
    rows = [["NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"], ["SAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT"],
            [f"Số tài khoản: {ACCOUNT}"], [], HEADER]
    credits = debits = 0
    for i in range(n_lines):
        day = today - timedelta(days=60 - 60 * i // n_lines)
        amount = rnd.choice([200, 500, 1_000, 2_000, 5_000, 10_000]) * 1_000
        pk, name, tax, account = rnd.choice(donors)
        roll = rnd.random()
        sender, sender_account, debit = "", "", False
        if roll < 0.25 and pledges:
            text = f"CK{rnd.choice(pledges):06d} ung ho Tet vi nguoi ngheo"
            sender = bank_name(name)
        elif roll < 0.50:
            text, sender, sender_account = "ung ho quy an sinh", bank_name(name), account
        elif roll < 0.67:
            text = f"MST {tax} ung ho quy"
        elif roll < 0.84:
            text, sender, sender_account = "ung ho nguoi ngheo", bank_name(name), \
                f"19{rnd.randint(10**10, 10**11 - 1)}"
        elif roll < 0.92:
            text = "ung ho dong bao kho khan"
            if rnd.random() < 0.7:
                sender = rnd.choice(PEOPLE)
                sender_account = f"19{rnd.randint(10**10, 10**11 - 1)}"
        else:
            text, amount, debit = "Phi dich vu SMS Banking", rnd.choice([11_000, 22_000]), True
        balance += -amount if debit else amount
        credits += 0 if debit else amount
        debits += amount if debit else 0
        money = f"{amount:,}".replace(",", ".")
        rows.append([i + 1, day.strftime("%d/%m/%Y"), f"FT{day:%y%m%d}{i:07d}",
                     money if debit else None, None if debit else money,
                     f"{balance:,}".replace(",", "."), text, sender, sender_account])
    rows.append(["", "Tổng cộng", "", f"{debits:,}".replace(",", "."),
                 f"{credits:,}".replace(",", ".")])
    return rows


def write(rows: list[list], path: Path) -> None:
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f, delimiter=";").writerows(rows)
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sao ke")
    for row in rows:
        ws.append(row)
    wb.save(path)


def baseline(path: Path, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        if path.suffix == ".csv":
            with open(path, "rb") as f:
                text = f.read().decode("utf-8-sig")
            list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        else:
            from python_calamine import CalamineWorkbook

            CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--donors", type=int, default=2_000)
    parser.add_argument("--pledges", type=int, default=500)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--command", action="store_true",
                        help="run `ansinh fund_statement import` in this process instead of "
                             "the two services")
    args = parser.parse_args()

    url = setup_database(os.environ.get("DATABASE_URL"))
    t = time.perf_counter()
    user, donors, pledges = seed(args.donors, min(args.pledges, args.donors))
    path = Path(tempfile.mkdtemp(prefix="ansinh-bench-")) / f"saoke-{args.lines}.{args.format}"
    write(statement_rows(args.lines, donors, pledges), path)
    print(f"seeded {len(donors):,} donors, {len(pledges):,} pledges; wrote {path.name} "
          f"({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")

    floor = baseline(path)

    from django.core.management import call_command
    from django.db.models import Count

    from ansinh.access.context import acting
    from ansinh.funds.models import BankStatement
    from ansinh.funds.statements import statement_apply, statement_stage

    t0, c0 = time.perf_counter(), time.process_time()
    t_stage = None
    if args.command:
        out = io.StringIO()
        call_command("fund_statement", "import", str(path), "--account", ACCOUNT, "--user",
                     user.username, stdout=out, stderr=out)
        statement = BankStatement.objects.get()
    else:
        with acting(username=user.username, source="cli"), open(path, "rb") as f:
            statement = statement_stage(user, f, path.name, account_number=ACCOUNT)
            t_stage = time.perf_counter() - t0
            statement_apply(user, statement)
        statement.refresh_from_db()
    total, cpu = time.perf_counter() - t0, time.process_time() - c0

    vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    reader = "csv module" if args.format == "csv" else "calamine"
    print(f"database: {vendor}; staged: {statement.counts}")
    applied = {k: v for k, v in statement.applied_counts.items() if k != "receipt_ids"}
    print(f"applied: {applied}")
    kinds = dict(statement.lines.exclude(match_kind="").values("match_kind")
                 .annotate(n=Count("pk")).values_list("match_kind", "n"))
    print(f"matched by: {kinds}")
    print(f"(a) {reader} alone: {floor:8.2f} s  {args.lines / floor:10,.0f} lines/s")
    if t_stage is not None:
        print(f"    stage+match:    {t_stage:8.2f} s  {args.lines / t_stage:10,.0f} lines/s")
        print(f"    apply:          {total - t_stage:8.2f} s  "
              f"({statement.applied_counts.get('receipts', 0):,} receipts)")
    how = "command" if args.command else "services"
    print(f"(b) end to end ({how}): {total:.2f} s  {args.lines / total:,.0f} lines/s  "
          f"(CPU of this process {cpu:.2f} s)")
    print(f"ratio (b)/(a): {total / floor:.1f}")


if __name__ == "__main__":
    main()
