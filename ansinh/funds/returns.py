"""Hoàn chi: giving back to its pot the part of an approved allocation that was not used.

An approved allocation is final. When part of it will not be spent after all (a recipient of a
distribution list died, moved or refused before the hand-out), an `AllocationReturn` dated the
day of the return takes that part back: balances count approved allocations less returns, the
monthly statement shows the return in its own month, and a snapshot published earlier does
not see it (its marks stop before it).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ansinh.access.scoping import require
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.money_words import format_vnd

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
        raise ValidationError({"amount": "Số tiền hoàn: phải là số nguyên dương (đồng)."})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Lý do hoàn: bắt buộc."})
    if len(reason) > 300:
        raise ValidationError({"reason": "Lý do hoàn: tối đa 300 ký tự."})
    returned_on = returned_on or timezone.localdate()
    if returned_on > timezone.localdate():
        raise ValidationError({"returned_on": "Ngày hoàn: không được sau ngày hôm nay."})
    lock_pot_of(allocation)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.status != AllocationStatus.APPROVED:
        raise ValidationError({"allocation": f"Khoản chi #{allocation.pk}: chỉ hoàn được khoản "
                                             "chi đã phê duyệt."})
    if returned_on < allocation.allocated_on:
        raise ValidationError({"returned_on": "Ngày hoàn: không được trước ngày chi "
                                              f"{allocation.allocated_on:%d/%m/%Y}."})
    left = allocation.amount - returned_of(allocation)
    if amount > left:
        raise ValidationError({"amount": f"Số tiền hoàn: khoản chi #{allocation.pk} chỉ còn "
                                         f"{format_vnd(left)} chưa hoàn."})
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
