"""Many cash receipts created and issued at once (the credits of a bank statement).

Each draft goes through the same checks as `receipt_create` followed by `receipt_issue`
(`services._clean_cash`, the foreign-aid approval), and the rows written are the ones those
two would write: the issued receipt, its lines, and per receipt its creation audit row and
its issue audit row. What differs is that the work is done once for all drafts instead of
once per receipt:

- the pledges' cancellation dates are read in one query;
- the balance rows of every pot the receipts pay into are locked once, in (fund,
  restriction) order as `receipt_issue` locks them, before any number is taken;
- the numbers of each fund/year series are taken in one step under the series counter's
  row lock (`services._take_receipt_numbers`), handed out in the drafts' order, so the series
  stays without gaps or duplicates whoever else issues receipts meanwhile;
- receipts, lines and audit rows are written with bulk inserts (`insert_objects`).

Everything runs in the caller's transaction: a draft that breaks a rule stops the whole set
before anything is written, with every such draft named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.audit.services import audit_row
from ansinh.imports.bulk import reserve_ids, write

from .choices import VND, ReceiptStatus
from .models import BalanceLock, Fund, Pledge, Receipt, ReceiptLine
from .services import (
    _cash_detail,
    _check_aid_approval,
    _clean_cash,
    _take_receipt_numbers,
    receipt_number,
)

# receipt_create's keyword defaults.
DEFAULTS = {"currency": VND, "original_amount_minor": None, "exchange_rate": None,
            "document_ref": "", "aid_approval_ref": "", "pledge": None, "description": ""}
FIELDS = ("fund", "donor", "received_on", "method", "total", "lines", *DEFAULTS)
MAX_ERRORS = 50


def insert_objects(model, objs: list) -> None:
    """Insert unsaved instances of `model` and give them their ids: the ids reserved first,
    the values as Django stores them (`get_db_prep_save`), the rows sent through the
    driver's bulk path (COPY on PostgreSQL, executemany on SQLite). Django's bulk_create
    compiles SQL for every value, which cost more than all the rest of applying a statement.
    A value already set in an auto_now_add field is kept (receipts are created and issued in
    the same instant)."""
    if not objs:
        return
    fields = model._meta.concrete_fields
    db = connections[DEFAULT_DB_ALIAS]  # not the per-attribute proxy: 200,000 values
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
    rows = ([f.get_db_prep_save(getattr(obj, f.attname) if getattr(f, "auto_now_add", False)
                                and getattr(obj, f.attname) is not None
                                else f.pre_save(obj, True), db)
             for f in fields] for obj in objs)
    with db.wrap_database_errors:  # COPY runs on the driver's own cursor
        write(model._meta.db_table, [f.column for f in fields], rows)
    for obj in objs:
        obj._state.adding, obj._state.db = False, db.alias


def _pot_key(pot: tuple) -> tuple:
    return pot[0], pot[1] or 0


def lock_pots(pots) -> None:
    """Lock (creating on first use) the balance rows of the pots given, as `_lock_pot` does
    for one: all of them in (fund, restriction) order, so a writer locking any of them in
    that order cannot deadlock with this one."""
    pots = sorted(set(pots), key=_pot_key)
    if not pots:
        return
    wanted = Q()
    for fund_id, restriction_id in pots:
        wanted |= Q(fund_id=fund_id, restriction_id=restriction_id) if restriction_id else \
            Q(fund_id=fund_id, restriction__isnull=True)
    existing = set(BalanceLock.objects.filter(wanted).values_list("fund_id", "restriction_id"))
    for fund_id, restriction_id in pots:
        if (fund_id, restriction_id) not in existing:
            try:
                with transaction.atomic():
                    BalanceLock.objects.create(fund_id=fund_id, restriction_id=restriction_id)
            except IntegrityError:
                pass  # created by a concurrent writer a moment ago
    list(BalanceLock.objects.select_for_update().filter(wanted)
         .order_by("fund_id", F("restriction_id").asc(nulls_first=True))
         .values_list("pk", flat=True))


def _errors(failures: list[str]) -> ValidationError:
    shown = failures[:MAX_ERRORS]
    if len(failures) > MAX_ERRORS:
        shown.append(_("… và %(n)s lỗi khác.") % {"n": len(failures) - MAX_ERRORS})
    return ValidationError({"lines": shown})


@transaction.atomic
def receipts_issue_many(user, drafts: Sequence[dict], *,
                        labels: Sequence[str] | None = None) -> list[Receipt]:
    """Create and issue one cash receipt per draft, numbered in the drafts' order within each
    fund/year series. A draft holds `receipt_create`'s keyword arguments. `labels` name the
    drafts in error messages ("Dòng 12"); a ValidationError lists every draft refused and
    nothing is written. Inside the caller's transaction when there is one, whose locks it
    keeps until that transaction ends."""
    if not drafts:
        return []
    labels = labels or [_("Biên nhận %(n)s") % {"n": i} for i in range(1, len(drafts) + 1)]
    pledge_ids = {d["pledge"].pk for d in drafts if d.get("pledge") is not None}
    cancelled = dict(Pledge.objects.filter(pk__in=pledge_ids)
                     .values_list("pk", "cancelled_on")) if pledge_ids else {}
    receipts: list[Receipt] = []
    lines: list[list[ReceiptLine]] = []
    failures: list[str] = []
    for draft, label in zip(drafts, labels, strict=True):
        unknown = set(draft) - set(FIELDS)
        if unknown:
            raise TypeError(f"receipts_issue_many: unknown fields {sorted(unknown)}")
        v = {**DEFAULTS, **draft}
        try:
            clean = _clean_cash(user, v, cancelled=cancelled)
            v.pop("lines")
            fund = v["fund"]
            receipt = Receipt(**v, created_by=user, commune_id=fund.commune_id,
                              province_id=fund.province_id)
            _check_aid_approval(receipt)
        except ValidationError as exc:
            failures.extend(_("%(where)s: %(message)s") % {"where": label, "message": m}
                            for m in exc.messages)
            continue
        receipts.append(receipt)
        lines.append(clean)
    if failures:
        raise _errors(failures)

    # Pots first, then the series, as receipt_issue takes them.
    lock_pots((ln.fund_id, ln.restriction_id) for clean in lines for ln in clean)
    series: dict[tuple[int, int], list[Receipt]] = defaultdict(list)
    funds: dict[int, Fund] = {}
    for receipt in receipts:
        series[(receipt.fund_id, receipt.received_on.year)].append(receipt)
        funds[receipt.fund_id] = receipt.fund
    now = timezone.now()
    for (fund_id, year), members in sorted(series.items()):
        first = _take_receipt_numbers(funds[fund_id], year, len(members))
        for sequence, receipt in enumerate(members, start=first):
            receipt.year, receipt.sequence = year, sequence
            receipt.number = receipt_number(funds[fund_id], year, sequence)
            receipt.status = ReceiptStatus.ISSUED
            receipt.issued_at, receipt.issued_by = now, user
            receipt.created_at = now
    insert_objects(Receipt, receipts)
    for receipt, clean in zip(receipts, lines, strict=True):
        receipt._stored_status = ReceiptStatus.ISSUED  # final from here on, as if read back
        for line in clean:
            line.receipt = receipt
    # Lines of an issued receipt are final (IssuedLine.save refuses them); these are written
    # by the transaction that issues their receipts, as receipt_create writes them before
    # receipt_issue, so they go in directly.
    insert_objects(ReceiptLine, [line for clean in lines for line in clean])
    insert_objects(AuditEvent, [row for receipt, clean in zip(receipts, lines, strict=True)
                                for row in _audit_rows(receipt, clean)])
    return receipts


def _audit_rows(receipt: Receipt, clean: list[ReceiptLine]) -> tuple:
    """The two rows receipt_create and receipt_issue leave, the first naming the receipt as
    the draft it would have been."""
    created = audit_row(AuditAction.CREATE, receipt,
                        object_repr=f"Biên nhận nháp #{receipt.pk}",  # str() of the draft
                        changes={"donor": receipt.donor, "total": receipt.total,
                                 "currency": receipt.currency,
                                 "received_on": receipt.received_on,
                                 "lines": _cash_detail(clean)})
    issued = audit_row(AuditAction.UPDATE, receipt, changes={
        "status": [ReceiptStatus.DRAFT, ReceiptStatus.ISSUED], "number": receipt.number})
    return created, issued
