"""Benchmark of the whole-list hand-out (`handout_record_list`): a city's Tết distribution.

    python bench/handout_bench.py [--lines 5000]

1. Migrates a fresh database — a throwaway SQLite file by default, or DATABASE_URL=
   postgres://…/<name containing "bench"> (dropped and created again) — and seeds a province
   fund, a warehouse holding Tết gift packages and rice (perishable, in two lots with
   different expiry dates and unit values, so the hand-out draws across lots), N poor
   households of one person each (bulk inserts), and a per-person cycle of one gift and
   10 kg of rice, its list built, approved and its signature sheet printed through the
   services.
2. Baseline: the movement rows the hand-out writes (N × 2 `issue` rows, same fields) inserted
   with a plain `bulk_create`, in their own transaction.
3. Times `handout_record_list` for the whole cycle as the fund officer, and counts its SQL
   statements.
4. Prints lines/s and the ratio (3)/(2).
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_bench import setup_database  # noqa: E402

RICE_PER_LINE = 10


def seed(n_lines: int):
    """(officer, cycle, items) in a fresh database: N approved, printed lines."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from ansinh.access.models import RoleAssignment
    from ansinh.distributions.services import (
        cycle_create,
        list_approve,
        list_mark_printed,
        list_submit,
        recipients_build,
    )
    from ansinh.funds.services import campaign_create, fund_create
    from ansinh.geo.models import AdminUnit
    from ansinh.registry.models import Household, Person
    from ansinh.stock.choices import Category, Unit
    from ansinh.stock.services import item_create, stock_receive, warehouse_create

    province = AdminUnit.objects.provinces().get(code="01")  # Hà Nội
    communes = list(AdminUnit.objects.communes().filter(province=province)
                    .order_by("code")[:20])
    users = get_user_model().objects
    officer = users.create(username="bench_canbo")
    manager = users.create(username="bench_giamdoc")
    RoleAssignment.objects.create(user=officer, role="fund_officer", area=province)
    RoleAssignment.objects.create(user=manager, role="fund_manager", area=province)

    households = Household.objects.bulk_create(
        [Household(code=f"HN-{i:06d}", commune=communes[i % len(communes)],
                   province=province, poverty_status="poor", poverty_year=2025)
         for i in range(n_lines)], batch_size=2000)
    persons = []
    for i, household in enumerate(households):
        person = Person(ho="Nguyễn", ten_dem="Văn", ten=f"An {i}", sex="M",
                        commune_id=household.commune_id, province=province,
                        household=household, relationship="head")
        person.refresh_derived()
        persons.append(person)
    Person.objects.bulk_create(persons, batch_size=2000)

    today = timezone.localdate()
    fund = fund_create(officer, area=province, kind="social_security",
                       name="Quỹ An sinh xã hội Hà Nội", code="ASXH")
    campaign = campaign_create(officer, area=province, name="Tết nghĩa tình",
                               starts_on=today - timedelta(days=30), funds=[fund])
    gift = item_create(officer, name="Quà Tết", unit=Unit.PHAN_QUA, category=Category.GIFT)
    rice = item_create(officer, name="Gạo", unit=Unit.KG, category=Category.FOOD,
                       perishable=True)
    warehouse = warehouse_create(officer, name="Kho Trung tâm An sinh", province=province)
    stock_receive(officer, warehouse=warehouse, item=gift, quantity=n_lines,
                  unit_value=300_000, donor_name="Công ty Cổ phần Bình Minh")
    # Rice in two lots: the sooner-expiring one runs out a third of the way down the list.
    third = n_lines * RICE_PER_LINE // 3 + 7
    stock_receive(officer, warehouse=warehouse, item=rice, quantity=third, unit_value=18_000,
                  expiry_date=today + timedelta(days=60), donor_name="Công ty Cổ phần Bình Minh")
    stock_receive(officer, warehouse=warehouse, item=rice, quantity=n_lines * RICE_PER_LINE,
                  unit_value=20_000, expiry_date=today + timedelta(days=180),
                  donor_name="Công ty Cổ phần Bình Minh")
    cycle = cycle_create(officer, name="Quà Tết 2026", kind="gift", unit="person",
                         campaign=campaign, fund=fund, cash_per_recipient=0,
                         components=[(gift, 1), (rice, RICE_PER_LINE)], warehouse=warehouse,
                         criteria={"poverty": ["poor"]}, starts_on=today)
    rlist, built = recipients_build(officer, cycle)
    assert built == n_lines, built
    rlist = list_approve(manager, list_submit(officer, rlist))
    list_mark_printed(officer, rlist)
    return officer, cycle, [gift, rice]


def baseline(officer, cycle, items) -> float:
    """The hand-out's movement rows, inserted with a plain bulk_create."""
    from django.db import transaction

    from ansinh.distributions.models import Recipient
    from ansinh.stock.choices import MovementKind
    from ansinh.stock.models import StockMovement

    lines = list(Recipient.objects.filter(cycle=cycle).values_list("pk", "person_id"))
    warehouse = cycle.warehouse
    today = cycle.starts_on
    t = time.perf_counter()
    with transaction.atomic():
        StockMovement.objects.bulk_create([
            StockMovement(kind=MovementKind.ISSUE, warehouse=warehouse, item=item,
                          quantity=quantity, value=quantity * 20_000, unit_value=20_000,
                          occurred_on=today, recipient_id=person_id,
                          distribution_line_id=line_id, commune_id=warehouse.commune_id,
                          province_id=warehouse.province_id, created_by=officer,
                          note=f"{cycle.name} – danh sách số 1")
            for line_id, person_id in lines
            for item, quantity in zip(items, (1, RICE_PER_LINE), strict=True)])
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=5_000, help="approved recipients")
    args = parser.parse_args()

    url = setup_database(os.environ.get("DATABASE_URL"))
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from ansinh.access.context import acting_as
    from ansinh.distributions.handouts import handout_record_list
    from ansinh.stock.choices import MovementKind
    from ansinh.stock.models import StockLot, StockMovement

    t = time.perf_counter()
    officer, cycle, items = seed(args.lines)
    print(f"seeded {args.lines:,} approved, printed lines in {time.perf_counter() - t:.1f} s")

    t_base = baseline(officer, cycle, items)
    issued_before = StockMovement.objects.filter(kind=MovementKind.ISSUE).count()

    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    proof = SimpleUploadedFile("danh-sach-da-ky.pdf", b"%PDF-1.4\n" + b"0" * 2000,
                               content_type="application/pdf")
    with acting_as(officer, "web"), connection.execute_wrapper(count):
        t0, c0 = time.perf_counter(), time.process_time()
        counts = handout_record_list(officer, cycle, proof=proof)
        t_run, c_run = time.perf_counter() - t0, time.process_time() - c0

    written = StockMovement.objects.filter(kind=MovementKind.ISSUE).count() - issued_before
    assert counts["handed_out"] == args.lines, counts
    assert written >= issued_before, (written, issued_before)  # + 1 where rice crosses lots
    lots = list(StockLot.objects.order_by("item_id", "expiry_date")
                .values_list("item__name", "expiry_date", "quantity"))

    vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"database: {vendor}; {args.lines:,} lines × {len(items)} items; "
          f"{written:,} movements written; lots left: {lots}")
    print(f"(a) bulk_create of {issued_before:,} movement rows: {t_base:7.2f} s")
    print(f"(b) handout_record_list:  {t_run:7.2f} s  {args.lines / t_run:9,.0f} lines/s  "
          f"(CPU of this process {c_run:.2f} s, {statements[0]:,} SQL statements)")
    print(f"ratio (b)/(a):            {t_run / t_base:7.2f}")


if __name__ == "__main__":
    main()
