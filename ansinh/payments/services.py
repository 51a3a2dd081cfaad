"""Preparing, approving and exporting a payroll month.

`payroll_run` prices every payable entitlement of the communes in the user's area for the
month with the policy engine, and compares every earlier month that the engine now prices
differently with what approved payrolls already recorded: the difference becomes an arrears
(truy lĩnh) or recovery (truy thu) line in this month. The draft is replaced as a whole, in
one transaction — a run killed half-way leaves the previous draft, and running again gives the
same lines. `payroll_approve` freezes the month (another user; compare-and-set so two
approvals at the same moment produce one).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from ansinh.access.scoping import restrict, scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.frames import read_frame, write_frame
from ansinh.core.months import add_months, format_month_vn, month_of
from ansinh.enrolment.models import Entitlement
from ansinh.geo.models import AdminUnit

from .models import LedgerLine, PayrollMonth
from .periods import ENGINE_COLUMNS, load_periods
from .returns import payments_create

LINE_COLUMNS = ["payroll_id", "commune_id", "province_id", "entitlement_id", "person_id",
                "recipient_id", "benefit", "category", "month", "kind", "standard_level",
                "coefficient", "amount", "reason", "payment_channel"]


@dataclass
class RunResult:
    month: date
    communes: int = 0
    beneficiaries: int = 0
    regular_total: int = 0
    adjustment_total: int = 0
    adjustments: int = 0
    skipped: list[str] = field(default_factory=list)


def _price(periods: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    from ansinh.policy.engine import price

    priced = price(periods.select(ENGINE_COLUMNS), first, last)
    return priced.with_columns(pl.col("coefficient").cast(pl.Utf8))


def _work_communes(user, month: date) -> list[int]:
    """Communes of the user's payroll area with something to pay or correct this month."""
    scope = scope_for(user, "payroll")
    if scope.empty:
        raise PermissionDenied("Bạn không có quyền lập bảng chi trả.")
    running = restrict(Entitlement.objects.filter(
        Q(start_month__lte=month) & (Q(end_month__isnull=True) | Q(end_month__gte=month))
        | Q(recalc_from__isnull=False)), user, "payroll")
    ids = set(running.values_list("commune_id", flat=True).distinct())
    # A commune whose last beneficiary left still gets a month: recoveries may be due.
    ids |= set(restrict(PayrollMonth.objects.filter(month=add_months(month, -1)), user,
                        "payroll").values_list("commune_id", flat=True))
    return sorted(ids)


def _open_drafts(user, month: date, commune_ids: list[int]) -> dict[int, PayrollMonth]:
    """Lock (creating where needed) the draft of each commune; refuse months out of order."""
    approved_last = dict(PayrollMonth.objects.filter(
        commune_id__in=commune_ids, status=PayrollMonth.Status.APPROVED)
        .values("commune_id").annotate(last=Max("month")).values_list("commune_id", "last"))
    earlier_drafts = set(PayrollMonth.objects.filter(
        commune_id__in=commune_ids, status=PayrollMonth.Status.DRAFT, month__lt=month)
        .values_list("commune_id", flat=True))
    problems = []
    names = dict(AdminUnit.objects.filter(pk__in=commune_ids).values_list("pk", "name"))
    for cid in commune_ids:
        last = approved_last.get(cid)
        if cid in earlier_drafts:
            problems.append(f"{names[cid]}: còn bảng tháng trước chưa phê duyệt")
        elif last is not None and month <= last:
            problems.append(f"{names[cid]}: tháng {format_month_vn(month)} đã phê duyệt")
        elif last is not None and month != add_months(last, 1):
            problems.append(f"{names[cid]}: tháng cần lập tiếp theo là "
                            f"{format_month_vn(add_months(last, 1))}")
    if problems:
        raise ValidationError(problems)
    province_of = dict(AdminUnit.objects.filter(pk__in=commune_ids)
                       .values_list("pk", "province_id"))
    PayrollMonth.objects.bulk_create(
        [PayrollMonth(month=month, commune_id=c, province_id=province_of[c])
         for c in commune_ids], ignore_conflicts=True)
    drafts = PayrollMonth.objects.select_for_update().filter(month=month,
                                                             commune_id__in=commune_ids)
    return {p.commune_id: p for p in drafts}


def _horizon(month: date, commune_ids: list[int]) -> tuple[date, dict]:
    """The earliest month a change since the last approvals may have altered, and the policy
    changes with their months (province code or None for national → month)."""
    from ansinh.policy.selectors import changes_since

    earliest = month
    marked = Entitlement.objects.filter(commune_id__in=commune_ids, recalc_from__isnull=False)
    marked_from = marked.aggregate(m=Min("recalc_from"))["m"]
    if marked_from:
        earliest = min(earliest, marked_from)
    since = PayrollMonth.objects.filter(commune_id__in=commune_ids,
                                        status=PayrollMonth.Status.APPROVED).aggregate(
        t=Min("approved_at"))["t"]
    policy: dict = {}
    if since is not None:
        for province_code, first in changes_since(since):
            first = month_of(first)
            policy[province_code] = min(first, policy.get(province_code, first))
            earliest = min(earliest, first)
    return earliest, policy


def _approved_months(commune_ids: list[int], first: date, month: date) -> pl.DataFrame:
    rows = PayrollMonth.objects.filter(commune_id__in=commune_ids, month__gte=first,
                                       month__lt=month, status=PayrollMonth.Status.APPROVED)
    return pl.DataFrame(list(rows.values_list("commune_id", "month")),
                        schema={"commune_id": pl.Int64, "month": pl.Date}, orient="row")


def _recorded(commune_ids: list[int], first: date, month: date) -> pl.DataFrame:
    marks = ", ".join(["%s"] * len(commune_ids))
    return read_frame(
        f"""SELECT l.entitlement_id, l.month, SUM(l.amount) AS recorded
            FROM payments_ledgerline l JOIN payments_payrollmonth pm ON pm.id = l.payroll_id
            WHERE pm.status = %s AND l.commune_id IN ({marks})
              AND l.month >= %s AND l.month < %s
            GROUP BY l.entitlement_id, l.month""",
        [PayrollMonth.Status.APPROVED, *commune_ids, first, month],
        schema={"entitlement_id": pl.Int64, "month": pl.Date, "recorded": pl.Int64})


def _adjustments(priced: pl.DataFrame, periods: pl.DataFrame, commune_ids: list[int],
                 first: date, month: date, policy: dict) -> pl.DataFrame:
    """Arrears and recovery lines: what the engine owes now for approved earlier months,
    minus what those months recorded."""
    approved = _approved_months(commune_ids, first, month)
    if approved.is_empty():
        return pl.DataFrame()
    expected = priced.filter(pl.col("month") < month).join(
        periods.select("entitlement_id", "commune_id").unique("entitlement_id"),
        on="entitlement_id").join(approved, on=["commune_id", "month"], how="semi")
    recorded = _recorded(commune_ids, first, month)
    both = expected.join(recorded, on=["entitlement_id", "month"], how="full", coalesce=True)
    both = both.with_columns(
        (pl.col("amount").fill_null(0) - pl.col("recorded").fill_null(0)).alias("difference"))
    changed = both.filter(pl.col("difference") != 0)
    if changed.is_empty():
        return pl.DataFrame()
    # Lines for entitlements no longer payable (a death reported late) need their terms.
    missing = changed.filter(pl.col("benefit").is_null())["entitlement_id"].unique().to_list()
    if missing:
        terms = pl.DataFrame(list(Entitlement.objects.filter(pk__in=missing).values_list(
            "pk", "person_id", "recipient_id", "benefit", "category")),
            schema={"entitlement_id": pl.Int64, "person_id_t": pl.Int64,
                    "recipient_id_t": pl.Int64, "benefit_t": pl.Utf8, "category_t": pl.Utf8},
            orient="row")
        changed = changed.join(terms, on="entitlement_id", how="left").with_columns(
            pl.col("person_id").fill_null(pl.col("person_id_t")),
            pl.col("recipient_id").fill_null(pl.col("recipient_id_t")),
            pl.col("benefit").fill_null(pl.col("benefit_t")),
            pl.col("category").fill_null(pl.col("category_t")),
        ).drop("person_id_t", "recipient_id_t", "benefit_t", "category_t")
    return changed.with_columns(
        pl.when(pl.col("difference") > 0).then(pl.lit(LedgerLine.Kind.ARREARS.value))
        .otherwise(pl.lit(LedgerLine.Kind.RECOVERY.value)).alias("kind"),
        pl.col("difference").alias("amount"),
        pl.col("standard_level").fill_null(0),
        pl.col("coefficient").fill_null(""),
    )


def _reasons(lines: pl.DataFrame, periods: pl.DataFrame, policy: dict) -> pl.DataFrame:
    """Why each adjustment: the change recorded on the entitlement, else the new level."""
    reasons = periods.select("entitlement_id", "recalc_reason", "province_code").unique(
        "entitlement_id")
    missing = set(lines["entitlement_id"].to_list()) - set(reasons["entitlement_id"].to_list())
    if missing:  # no longer payable (a death reported late): read them from the database
        extra = pl.DataFrame(list(Entitlement.objects.filter(pk__in=missing).values_list(
            "pk", "recalc_reason", "province__code")), orient="row",
            schema={"entitlement_id": pl.Int64, "recalc_reason": pl.Utf8,
                    "province_code": pl.Utf8})
        reasons = pl.concat([reasons, extra])
    lines = lines.join(reasons, on="entitlement_id", how="left")
    policy_text = pl.lit("")
    for code, first in sorted(policy.items(), key=lambda kv: kv[0] or ""):
        hit = (pl.col("month") >= first)
        if code is not None:
            hit = hit & (pl.col("province_code") == code)
        policy_text = pl.when(hit & (policy_text == "")).then(
            pl.lit(f"Mức chuẩn mới áp dụng từ {format_month_vn(first)}")).otherwise(policy_text)
    return lines.with_columns(
        pl.when(pl.col("recalc_reason").fill_null("") != "").then(pl.col("recalc_reason"))
        .otherwise(policy_text).alias("reason"))


@transaction.atomic
def payroll_run(user, month: date, *, progress=None) -> RunResult:
    """Prepare (or refresh) the draft payroll of `month` for the user's area."""
    month = month_of(month)
    commune_ids = _work_communes(user, month)
    result = RunResult(month=month)
    if not commune_ids:
        return result
    drafts = _open_drafts(user, month, commune_ids)
    first, policy = _horizon(month, commune_ids)
    periods = load_periods(first, month, commune_ids)
    priced = _price(periods, first, month)
    frames = [priced.filter(pl.col("month") == month).with_columns(
        pl.lit(LedgerLine.Kind.REGULAR.value).alias("kind"), pl.col("reason").fill_null(""))]
    if first < month:
        adjustments = _adjustments(priced, periods, commune_ids, first, month, policy)
        if not adjustments.is_empty():
            frames.append(_reasons(adjustments, periods, policy))
    ids = list(drafts.values())
    LedgerLine.objects.filter(payroll__in=ids).delete()
    lines = _assemble(frames, periods, drafts)
    write_frame(LedgerLine._meta.db_table, lines)
    now = timezone.now()
    totals = _totals(lines)
    for commune_id, payroll in drafts.items():
        total = totals.get(commune_id, {})
        payroll.status = PayrollMonth.Status.DRAFT
        payroll.prepared_by = user if getattr(user, "pk", None) else None
        payroll.prepared_at = now
        payroll.beneficiaries = total.get("beneficiaries", 0)
        payroll.regular_total = total.get("regular", 0)
        payroll.adjustment_total = total.get("adjustment", 0)
        payroll.inputs_digest = total.get("digest", "")
        payroll.parameters = {"horizon": first.isoformat(),
                              "policy": {k or "*": v.isoformat() for k, v in policy.items()}}
    PayrollMonth.objects.bulk_update(
        ids, ["status", "prepared_by", "prepared_at", "beneficiaries", "regular_total",
              "adjustment_total", "inputs_digest", "parameters"])
    result.communes = len(drafts)
    result.beneficiaries = sum(p.beneficiaries for p in ids)
    result.regular_total = sum(p.regular_total for p in ids)
    result.adjustment_total = sum(p.adjustment_total for p in ids)
    result.adjustments = int(lines.filter(pl.col("kind") != "regular").height) \
        if not lines.is_empty() else 0
    audit_record(AuditAction.UPDATE, object_type="payments.payrollmonth",
                 object_repr=f"Bảng chi trả tháng {format_month_vn(month)}",
                 changes={"run": {"communes": result.communes,
                                  "regular_total": result.regular_total,
                                  "adjustment_total": result.adjustment_total}})
    return result


def _assemble(frames: list[pl.DataFrame], periods: pl.DataFrame,
              drafts: dict[int, PayrollMonth]) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame(schema={c: pl.Utf8 for c in LINE_COLUMNS})
    keep = ["entitlement_id", "person_id", "recipient_id", "benefit", "category", "month",
            "kind", "standard_level", "coefficient", "amount", "reason"]
    # A social pension is a fixed amount: no standard level or coefficient behind it.
    lines = pl.concat([f.select(keep).with_columns(
        pl.col("reason").cast(pl.Utf8).fill_null(""),
        pl.col("standard_level").fill_null(0),
        pl.col("coefficient").cast(pl.Utf8).fill_null("")) for f in frames],
        how="vertical_relaxed")
    where = periods.select("entitlement_id", "commune_id", "province_id",
                           "payment_channel").unique("entitlement_id")
    lines = lines.join(where, on="entitlement_id", how="left")
    missing = lines.filter(pl.col("commune_id").is_null())["entitlement_id"].unique().to_list()
    if missing:
        known = pl.DataFrame(list(Entitlement.objects.filter(pk__in=missing).values_list(
            "pk", "commune_id", "province_id", "payment_channel")),
            schema={"entitlement_id": pl.Int64, "c": pl.Int64, "p": pl.Int64, "ch": pl.Utf8},
            orient="row")
        lines = lines.join(known, on="entitlement_id", how="left").with_columns(
            pl.col("commune_id").fill_null(pl.col("c")),
            pl.col("province_id").fill_null(pl.col("p")),
            pl.col("payment_channel").fill_null(pl.col("ch"))).drop("c", "p", "ch")
    payroll_of = pl.DataFrame({"commune_id": list(drafts),
                               "payroll_id": [p.pk for p in drafts.values()]},
                              schema={"commune_id": pl.Int64, "payroll_id": pl.Int64})
    lines = lines.join(payroll_of, on="commune_id", how="inner")
    return lines.select(LINE_COLUMNS).sort("payroll_id", "entitlement_id", "month", "kind")


def _totals(lines: pl.DataFrame) -> dict[int, dict]:
    if lines.is_empty():
        return {}
    out = {}
    grouped = lines.group_by("commune_id").agg(
        pl.col("amount").filter(pl.col("kind") == "regular").sum().alias("regular"),
        pl.col("amount").filter(pl.col("kind") != "regular").sum().alias("adjustment"),
        pl.col("recipient_id").filter(pl.col("amount") != 0).n_unique().alias("beneficiaries"),
    )
    for row in grouped.iter_rows(named=True):
        out[row["commune_id"]] = {**row}
    for (commune_id,), part in lines.group_by(["commune_id"]):
        digest = hashlib.sha256(part.select("entitlement_id", "month", "kind", "amount")
                                .sort("entitlement_id", "month", "kind")
                                .write_csv().encode()).hexdigest()
        out[commune_id]["digest"] = digest
    return out


# ---- approval ------------------------------------------------------------------------------

@transaction.atomic
def payroll_approve(user, month: date) -> list[PayrollMonth]:
    """Approve (freeze) the drafts of `month` in the user's approving area."""
    month = month_of(month)
    if scope_for(user, "approve").empty:
        raise PermissionDenied("Bạn không có quyền phê duyệt bảng chi trả.")
    drafts = list(restrict(PayrollMonth.objects.select_for_update(), user, "approve")
                  .filter(month=month, status=PayrollMonth.Status.DRAFT))
    if not drafts:
        if restrict(PayrollMonth.objects.all(), user, "approve").filter(
                month=month, status=PayrollMonth.Status.APPROVED).exists():
            raise ValidationError(f"Bảng chi trả tháng {format_month_vn(month)} đã được phê "
                                  "duyệt.")
        raise ValidationError(f"Chưa có bảng chi trả dự thảo tháng {format_month_vn(month)} "
                              "trong địa bàn của bạn.")
    uid = getattr(user, "pk", None)
    own = [p for p in drafts if p.prepared_by_id is not None and p.prepared_by_id == uid]
    if own:
        raise PermissionDenied("Người phê duyệt không được là người lập bảng chi trả.")
    _refuse_stale(drafts)
    now = timezone.now()
    approved = PayrollMonth.objects.filter(
        pk__in=[p.pk for p in drafts], status=PayrollMonth.Status.DRAFT,
    ).update(status=PayrollMonth.Status.APPROVED, approved_by=uid, approved_at=now)
    if approved != len(drafts):  # pragma: no cover - the row locks make this unreachable
        raise ValidationError("Bảng chi trả vừa được người khác phê duyệt.")
    commune_ids = [p.commune_id for p in drafts]
    Entitlement.objects.filter(commune_id__in=commune_ids, recalc_from__lte=month).update(
        recalc_from=None, recalc_reason="")
    payments_create(drafts)
    for payroll in drafts:
        payroll.status, payroll.approved_at = PayrollMonth.Status.APPROVED, now
        audit_record(AuditAction.UPDATE, payroll, changes={
            "status": ["draft", "approved"], "total": payroll.total,
            "digest": payroll.inputs_digest})
    return drafts


def _refuse_stale(drafts: list[PayrollMonth]) -> None:
    """An approver approves what was computed: a change after the run needs a new run."""
    from ansinh.policy.selectors import changes_since

    prepared = min(p.prepared_at for p in drafts if p.prepared_at) if any(
        p.prepared_at for p in drafts) else None
    if prepared is None:
        raise ValidationError("Bảng chi trả chưa được lập.")
    commune_ids = [p.commune_id for p in drafts]
    changed = Entitlement.objects.filter(commune_id__in=commune_ids, updated_at__gt=prepared)
    if changed.exists() or list(changes_since(prepared)):
        raise ValidationError("Dữ liệu đã thay đổi sau khi lập bảng chi trả; hãy lập lại "
                              "(payroll run) trước khi phê duyệt.")


# ---- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = ["id_number", "benefit", "month", "regular_amount", "adjustment_amount",
                  "total_amount", "payment_channel"]


def payroll_rows(user, month: date, *, approved_only: bool = False) -> pl.DataFrame:
    """One row per paid person and benefit for the month, in the user's export area."""
    month = month_of(month)
    payrolls = restrict(PayrollMonth.objects.all(), user, "export").filter(month=month)
    if approved_only:
        payrolls = payrolls.filter(status=PayrollMonth.Status.APPROVED)
    ids = list(payrolls.values_list("pk", flat=True))
    if not ids:
        return pl.DataFrame(schema={c: pl.Utf8 for c in EXPORT_COLUMNS})
    marks = ", ".join(["%s"] * len(ids))
    frame = read_frame(
        f"""SELECT p.id_number, p.ho, p.ten_dem, p.ten, l.recipient_id, l.benefit,
                   l.payment_channel, l.commune_id,
                   SUM(CASE WHEN l.kind = 'regular' THEN l.amount ELSE 0 END) AS regular_amount,
                   SUM(CASE WHEN l.kind <> 'regular' THEN l.amount ELSE 0 END)
                       AS adjustment_amount
            FROM payments_ledgerline l JOIN registry_person p ON p.id = l.recipient_id
            WHERE l.payroll_id IN ({marks})
            GROUP BY p.id_number, p.ho, p.ten_dem, p.ten, l.recipient_id, l.benefit,
                     l.payment_channel, l.commune_id""",
        ids, schema={"id_number": pl.Utf8, "regular_amount": pl.Int64,
                     "adjustment_amount": pl.Int64})
    if frame.is_empty():
        return pl.DataFrame(schema={c: pl.Utf8 for c in EXPORT_COLUMNS})
    return frame.with_columns(
        (pl.col("regular_amount") + pl.col("adjustment_amount")).alias("total_amount"),
        pl.lit(month.strftime("%Y-%m")).alias("month"),
    ).filter((pl.col("regular_amount") != 0) | (pl.col("adjustment_amount") != 0)) \
        .sort("commune_id", "id_number", "benefit")


def payroll_csv(user, month: date, *, approved_only: bool = False) -> tuple[bytes, int]:
    """The export as CSV bytes and its row count; every export is audited."""
    rows = payroll_rows(user, month, approved_only=approved_only)
    body = rows.select(EXPORT_COLUMNS).write_csv() if rows.height else \
        ",".join(EXPORT_COLUMNS) + "\n"
    audit_record(AuditAction.EXPORT, object_type="payments.payrollmonth",
                 object_repr=f"Bảng chi trả tháng {format_month_vn(month)}",
                 changes={"rows": rows.height, "format": "csv"})
    return body.encode("utf-8"), rows.height


def payroll_export_csv(user, month: date, path: str) -> int:
    body, count = payroll_csv(user, month)
    with open(path, "wb") as out:
        out.write(body)
    return count


def last_approved(commune) -> datetime | None:
    return PayrollMonth.objects.filter(commune=commune, status=PayrollMonth.Status.APPROVED) \
        .aggregate(m=Max("month"))["m"]
