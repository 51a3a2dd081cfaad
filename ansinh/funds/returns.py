"""Hoàn chi: giving back to its pot the part of an approved allocation that was not used.

An approved allocation is final. When part of it will not be spent after all (a recipient of a
distribution list died, moved or refused before the hand-out), an `AllocationReturn` dated the
day of the return takes that part back: balances count approved allocations less returns, the
monthly statement shows the return in its own month, and a snapshot published earlier does
not see it (its marks stop before it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.access.scoping import require, scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.money_words import format_money

from .choices import AllocationStatus
from .models import Allocation, AllocationReturn
from .services import _lock_pot


def lock_pot_of(allocation: Allocation) -> None:
    """Lock the pot the allocation was spent from, as every write changing a balance does;
    callers that lock other rows too take this one first (see `funds.services`)."""
    _lock_pot(allocation.fund_id, allocation.restriction_id)


def returned_of(allocation: Allocation) -> int:
    """What has already come back of the allocation."""
    return (AllocationReturn.objects.filter(allocation=allocation)
            .aggregate(s=Sum("amount"))["s"] or 0)


@transaction.atomic
def allocation_return(user, allocation: Allocation, *, amount: int, reason: str,
                      returned_on: date | None = None,
                      distribution_line_id: int | None = None) -> AllocationReturn:
    """Return `amount` đồng of an approved allocation to its pot (`funds` on its area), under
    the pot's lock, never more than what is left of the allocation."""
    require(user, "funds", allocation)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": _("Số tiền hoàn: phải là số nguyên dương (đồng).")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Lý do hoàn: bắt buộc.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Lý do hoàn: tối đa 300 ký tự.")})
    returned_on = returned_on or timezone.localdate()
    if returned_on > timezone.localdate():
        raise ValidationError({"returned_on": _("Ngày hoàn: không được sau ngày hôm nay.")})
    lock_pot_of(allocation)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.status != AllocationStatus.APPROVED:
        raise ValidationError({"allocation": _("Khoản chi #%(id)s: chỉ hoàn được khoản chi "
                                               "đã phê duyệt.") % {"id": allocation.pk}})
    if returned_on < allocation.allocated_on:
        raise ValidationError({"returned_on": _("Ngày hoàn: không được trước ngày chi "
                                                "%(date)s.")
                               % {"date": f"{allocation.allocated_on:%d/%m/%Y}"}})
    left = allocation.amount - returned_of(allocation)
    if amount > left:
        raise ValidationError({"amount": _("Số tiền hoàn: khoản chi #%(id)s chỉ còn %(left)s "
                                           "chưa hoàn.")
                               % {"id": allocation.pk, "left": format_money(left)}})
    row = AllocationReturn.objects.create(
        allocation=allocation, fund_id=allocation.fund_id,
        restriction_id=allocation.restriction_id, amount=amount, returned_on=returned_on,
        reason=reason, distribution_line_id=distribution_line_id,
        created_by=user if getattr(user, "pk", None) is not None else None,
        commune_id=allocation.commune_id, province_id=allocation.province_id)
    audit_record(AuditAction.CREATE, row, changes={
        "allocation": allocation.pk, "amount": amount, "returned_on": returned_on,
        "reason": reason, "distribution_line": distribution_line_id})
    return row


# Shown instead of the reason of a distribution line's return to a user who may not see the
# distribution lists of the line's area: the reason written at the cancellation names the
# recipient.
HIDDEN_REASON = "Hủy một người nhận của đợt phân phối"


def returned_by_allocation(allocation_ids: Iterable[int]) -> dict[int, int]:
    """What has come back of each of these allocations (absent: nothing), in one query."""
    rows = (AllocationReturn.objects.filter(allocation_id__in=list(allocation_ids))
            .values("allocation_id").annotate(s=Sum("amount")).order_by())
    return {r["allocation_id"]: r["s"] for r in rows}


def _lines(ids: set[int]) -> dict[int, dict]:
    if not ids:
        return {}
    # By name: the distributions app builds on this one, so it cannot be imported here.
    recipient = apps.get_model("distributions", "Recipient")
    rows = recipient.objects.filter(pk__in=ids).values(
        "pk", "cycle_id", "commune_id", "province_id", "per_household", "person__full_name",
        "household__code", "household__head__full_name")
    return {r["pk"]: r for r in rows}


def returns_by_allocation(user, allocation_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The returns of these allocations, oldest first, in two queries: `{id, amount,
    returned_on, reason, distribution_line_id, cycle_id, recipient_name, household_code,
    hidden}`.

    A return of a distribution line names the recipient whose share came back (his name, or
    the household's code and head) only to a user holding `funds` on the line's area, who may
    open the list he was on; to anyone else the name is withheld and so is the reason written
    at the cancellation, which names him (`hidden`). The criterion he met is never shown."""
    rows = list(AllocationReturn.objects.filter(allocation_id__in=list(allocation_ids))
                .order_by("returned_on", "pk")
                .values("id", "allocation_id", "amount", "returned_on", "reason",
                        "distribution_line_id"))
    lines = _lines({r["distribution_line_id"] for r in rows if r["distribution_line_id"]})
    scope = scope_for(user, "funds")
    out: dict[int, list[dict]] = {}
    for r in rows:
        line = lines.get(r["distribution_line_id"])
        shown = line is not None and scope.covers(line["commune_id"], line["province_id"])
        hidden = r["distribution_line_id"] is not None and not shown
        name = (line["household__head__full_name"] if line["per_household"]
                else line["person__full_name"]) if shown else None
        out.setdefault(r.pop("allocation_id"), []).append({
            **r, "reason": HIDDEN_REASON if hidden else r["reason"],
            "cycle_id": line["cycle_id"] if shown else None,
            "recipient_name": name or None,
            "household_code": line["household__code"] if shown and line["per_household"]
            else None,
            "hidden": hidden})
    return out
