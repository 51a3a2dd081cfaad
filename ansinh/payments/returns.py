"""Payments of an approved month, the provider's return file, and what is left unpaid.

When a month is approved, each recipient's lines become one payment per benefit, plus what
earlier months left uncollected (Art. 34.4: the next month's transfer covers "earlier unpaid
balances"). The provider's return file says which were paid: it is validated as a whole and
applied only if every line is right — same month, a known payment in the area, the exact
amount due, and a reference that has never said anything else. Importing it again changes
nothing. Three consecutive months uncollected raise a suspension proposal.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q

from ansinh.access.scoping import restrict
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.dates import InvalidDate, parse_partial_date
from ansinh.core.identity import normalise_id_number
from ansinh.core.money_words import format_vnd
from ansinh.core.months import add_months, format_month_vn, month_of, parse_month
from ansinh.enrolment.models import Entitlement

from .models import Payment, PayrollMonth, Proposal, ReturnFile, ReturnLine

RETURN_COLUMNS = ["id_number", "benefit", "month", "amount", "status", "paid_on", "reference"]
UNCOLLECTED_MONTHS = 3


def payments_create(payrolls: list[PayrollMonth]) -> int:
    """Turn approved payrolls' lines into payments, set-wise, and carry into them what earlier
    months left: uncollected money (added) and recoveries still owed (deducted)."""
    if not payrolls:
        return 0
    ids = [p.pk for p in payrolls]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        # A negative sum (recoveries larger than the month) is kept as a debt, not dropped.
        cursor.execute(f"""
            INSERT INTO payments_payment
                (payroll_id, commune_id, province_id, recipient_id, benefit, payment_channel,
                 account_number, amount, carried, status, reference)
            SELECT l.payroll_id, l.commune_id, l.province_id, l.recipient_id, l.benefit,
                   MAX(l.payment_channel), MAX(e.account_number), SUM(l.amount), 0,
                   CASE WHEN SUM(l.amount) > 0 THEN %s ELSE %s END, ''
            FROM payments_ledgerline l
            JOIN enrolment_entitlement e ON e.id = l.entitlement_id
            WHERE l.payroll_id IN ({marks})
            GROUP BY l.payroll_id, l.commune_id, l.province_id, l.recipient_id, l.benefit
            HAVING SUM(l.amount) <> 0""", [Payment.Status.PENDING, Payment.Status.DEBT, *ids])
        created = cursor.rowcount
    for payroll in payrolls:
        _carry(payroll)
    return created


CARRIED_FORWARD = (Payment.Status.UNPAID, Payment.Status.DEBT)


def _carry(payroll: PayrollMonth) -> None:
    earlier = Payment.objects.select_for_update().filter(
        commune_id=payroll.commune_id, status__in=CARRIED_FORWARD,
        payroll__month__lt=payroll.month).order_by("pk")
    touched = {}
    for old in earlier:
        new, _ = Payment.objects.get_or_create(
            payroll=payroll, recipient_id=old.recipient_id, benefit=old.benefit,
            defaults={"commune_id": payroll.commune_id, "province_id": payroll.province_id,
                      "payment_channel": old.payment_channel,
                      "account_number": old.account_number, "amount": 0})
        new = touched.get(new.pk, new)
        new.carried += old.due
        touched[new.pk] = new
        old.status, old.carried_to = Payment.Status.CARRIED, new
        old.save(update_fields=["status", "carried_to"])
    for new in touched.values():
        # What is left to hand out decides the state: money due, a debt still owed, or even.
        new.status = (Payment.Status.PENDING if new.due > 0 else
                      Payment.Status.DEBT if new.due < 0 else Payment.Status.SETTLED)
        new.save(update_fields=["carried", "status"])


@dataclass
class ReturnReport:
    month: date
    paid: int = 0
    unpaid: int = 0
    unchanged: int = 0
    proposals: list[Proposal] = field(default_factory=list)


def _read(content: bytes, name: str) -> list[tuple[int, dict]]:
    if name.lower().endswith((".xlsx", ".xls")):
        from python_calamine import CalamineWorkbook

        try:
            table = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0) \
                .to_python()
        except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
            raise ValidationError(f"Không đọc được tệp «{name}»: tệp bị hỏng hoặc không phải "
                                  "bảng tính Excel.") from exc
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"Tệp «{name}» không phải CSV mã UTF-8 (có thể là tệp nhị "
                                  "phân hoặc sai bảng mã); hãy lưu lại dạng CSV UTF-8.") from exc
        if "\x00" in text:
            raise ValidationError("Tệp CSV chứa ký tự không hợp lệ (có thể là tệp nhị phân).")
        try:
            table = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise ValidationError(f"Tệp CSV không đúng định dạng: {exc}.") from exc
    if not table:
        raise ValidationError("Tệp trống / the file is empty.")
    header = [str(h).strip().lower() for h in table[0]]
    missing = [c for c in RETURN_COLUMNS if c not in header]
    if missing:
        raise ValidationError(f"Thiếu cột / missing columns: {', '.join(missing)}")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {h: cells[i] if i < len(cells) else "" for i, h in enumerate(header)}
        if any(str(v).strip() for v in values.values()):
            rows.append((number, values))
    return rows


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


@transaction.atomic
def return_import(user, content: bytes, name: str, month: date) -> ReturnReport:
    month = month_of(month)
    rows = _read(content, name)
    payments = {
        (p.recipient.id_number, p.benefit): p for p in
        restrict(Payment.objects.select_for_update(of=("self",)), user, "payroll")
        .select_related("recipient").filter(payroll__month=month,
                                            payroll__status=PayrollMonth.Status.APPROVED)
    }
    known = {r.reference: r for r in ReturnLine.objects.filter(
        reference__in=[_text(v.get("reference")) for _, v in rows])}
    errors, plan, seen = [], [], {}
    report = ReturnReport(month=month)
    for number, v in rows:
        where = f"Dòng {number}"
        try:
            row_month = parse_month(_text(v["month"]))
        except ValueError:
            errors.append(f"{where}, month: «{_text(v['month'])}» không phải tháng YYYY-MM.")
            continue
        if row_month != month:
            errors.append(f"{where}, month: tệp của tháng {format_month_vn(row_month)}, "
                          f"không phải tháng {format_month_vn(month)}.")
            continue
        key = (normalise_id_number(v["id_number"]), _text(v["benefit"]))
        payment = payments.get(key)
        if payment is None:
            errors.append(f"{where}, id_number: không có khoản chi trả tháng "
                          f"{format_month_vn(month)} cho {key[0]} ({key[1]}) trong địa bàn.")
            continue
        try:
            amount = int(float(_text(v["amount"]).replace(".", "").replace(",", "")))
        except ValueError:
            errors.append(f"{where}, amount: «{_text(v['amount'])}» không phải số tiền.")
            continue
        if amount != payment.due:
            errors.append(f"{where}, amount: {format_vnd(amount)} khác số phải trả theo sổ "
                          f"{format_vnd(payment.due)}.")
            continue
        status = _text(v["status"]).lower()
        if status not in ("paid", "unpaid"):
            errors.append(f"{where}, status: «{status}» — dùng paid hoặc unpaid.")
            continue
        paid_on = None
        if status == "paid":
            try:
                paid_on = parse_partial_date(v["paid_on"]).value
            except (InvalidDate, AttributeError):
                errors.append(f"{where}, paid_on: cần ngày chi trả hợp lệ.")
                continue
        reference = _text(v["reference"])
        if not reference:
            errors.append(f"{where}, reference: thiếu mã giao dịch.")
            continue
        if reference in seen:
            errors.append(f"{where}, reference: trùng mã với dòng {seen[reference]}.")
            continue
        seen[reference] = number
        old = known.get(reference)
        if old is not None:
            if (old.payment_id, old.status, old.paid_on, old.amount) != \
                    (payment.pk, status, paid_on, amount):
                errors.append(f"{where}, reference: mã {reference} đã dùng cho nội dung khác.")
            else:
                report.unchanged += 1
            continue
        if payment.status == Payment.Status.PAID or (payment.status != Payment.Status.PENDING
                                                     and status == "unpaid"):
            errors.append(f"{where}: khoản này đã được đối soát ({payment.get_status_display()})"
                          f" với mã {payment.reference}.")
            continue
        plan.append((payment, status, paid_on, amount, reference))
    if errors:
        raise ValidationError(errors)
    digest = hashlib.sha256(content).hexdigest()
    source = ReturnFile.objects.create(month=month, name=name[:255], digest=digest,
                                       imported_by=user if getattr(user, "pk", None) else None)
    for payment, status, paid_on, amount, reference in plan:
        ReturnLine.objects.create(return_file=source, payment=payment, reference=reference,
                                  status=status, paid_on=paid_on, amount=amount)
        payment.status = Payment.Status.PAID if status == "paid" else Payment.Status.UNPAID
        payment.paid_on, payment.reference = paid_on, reference
        payment.save(update_fields=["status", "paid_on", "reference"])
        if status == "paid":
            report.paid += 1
        else:
            report.unpaid += 1
    source.paid, source.unpaid, source.unchanged = report.paid, report.unpaid, report.unchanged
    source.save(update_fields=["paid", "unpaid", "unchanged"])
    report.proposals = _propose_suspensions(month, [p for p, s, *_ in plan if s == "unpaid"])
    audit_record(AuditAction.IMPORT, source, changes={
        "month": month.isoformat(), "paid": report.paid, "unpaid": report.unpaid,
        "unchanged": report.unchanged})
    return report


def _propose_suspensions(month: date, unpaid: list[Payment]) -> list[Proposal]:
    """Not collected for three consecutive months → propose suspension (Circular 02/2021)."""
    proposals = []
    first = add_months(month, -(UNCOLLECTED_MONTHS - 1))
    for payment in unpaid:
        # A carried debt is not money left uncollected: only months with something due count.
        months = set(Payment.objects.annotate(due_sum=F("amount") + F("carried")).filter(
            recipient_id=payment.recipient_id, benefit=payment.benefit,
            payroll__month__gte=first, payroll__month__lte=month,
            status__in=(Payment.Status.UNPAID, Payment.Status.CARRIED), due_sum__gt=0,
        ).values_list("payroll__month", flat=True))
        if len(months) < UNCOLLECTED_MONTHS:
            continue
        running = Entitlement.objects.filter(
            Q(recipient_id=payment.recipient_id), benefit=payment.benefit,
            status=Entitlement.Status.ACTIVE)
        for entitlement in running:
            proposal, _ = Proposal.objects.get_or_create(
                entitlement=entitlement, kind="suspend", month=month,
                defaults={"commune_id": entitlement.commune_id,
                          "province_id": entitlement.province_id,
                          "reason": f"Không nhận trợ cấp {UNCOLLECTED_MONTHS} tháng liên tục "
                                    f"đến tháng {format_month_vn(month)}"})
            proposals.append(proposal)
    return proposals


def reconciliation(user, month: date) -> list[dict]:
    """Per commune, category and channel: the ledger's total against the payments made from
    it. Every row must balance to the đồng."""
    month = month_of(month)
    payrolls = list(restrict(PayrollMonth.objects.all(), user, "view").filter(month=month)
                    .values_list("pk", flat=True))
    if not payrolls:
        return []
    marks = ", ".join(["%s"] * len(payrolls))
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT l.commune_id, l.category, l.payment_channel, SUM(l.amount)
            FROM payments_ledgerline l WHERE l.payroll_id IN ({marks})
            GROUP BY l.commune_id, l.category, l.payment_channel
            ORDER BY l.commune_id, l.category, l.payment_channel""", payrolls)
        ledger = cursor.fetchall()
        cursor.execute(f"""
            SELECT p.commune_id, p.payment_channel, SUM(p.amount),
                   SUM(CASE WHEN p.status = 'paid' THEN p.amount + p.carried ELSE 0 END),
                   SUM(CASE WHEN p.status IN ('unpaid', 'carried') AND p.amount + p.carried > 0
                            THEN p.amount + p.carried ELSE 0 END), SUM(p.carried),
                   SUM(CASE WHEN p.status = 'debt' OR (p.status = 'carried'
                            AND p.amount + p.carried < 0) THEN p.amount + p.carried ELSE 0 END)
            FROM payments_payment p WHERE p.payroll_id IN ({marks})
            GROUP BY p.commune_id, p.payment_channel""", payrolls)
        paid = {(c, ch): rest for c, ch, *rest in cursor.fetchall()}
    rows = [{"commune_id": c, "category": cat, "channel": ch, "ledger": total}
            for c, cat, ch, total in ledger]
    by_channel: dict[tuple, int] = {}
    for row in rows:
        key = (row["commune_id"], row["channel"])
        by_channel[key] = by_channel.get(key, 0) + row["ledger"]
    summary = []
    for (commune_id, channel), total in sorted(by_channel.items()):
        amount, done, left, carried, debt = paid.get((commune_id, channel), (0, 0, 0, 0, 0))
        summary.append({"commune_id": commune_id, "channel": channel, "ledger": total,
                        "payments": amount, "paid": done, "unpaid": left, "carried": carried,
                        "debt": -debt, "difference": total - amount})
    return summary
