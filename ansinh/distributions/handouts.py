"""Hand-out of a whole signed list: once the recipients have signed the printed signature
list, the officer records in one action, with the scanned list as the one proof, the
hand-out of every approved recipient of the cycle (or of one of its communes) not yet handed
out.

All or nothing, in one transaction, taking the locks of a single hand-out in the same order
(the cycle's row, then the lines, then the stock lots in `stock_issue_many`): a hand-out
recorded line by line at the same moment either went first (its line is skipped and counted)
or waits. Each line's goods are issued once, in a movement naming the line; each item for all
the lines at once, set-wise, writing what a `stock_issue` per line would.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.access.scoping import allows, require
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_bulk, audit_record, audit_row
from ansinh.stock.services import Issue, stock_issue_many

from .choices import LineStatus, ProofKind
from .models import Cycle, Recipient
from .services import PHOTO_EXTENSIONS, PHOTO_MAX_BYTES, _actor, _today

PROOF_LABEL = gettext_lazy("Bản chụp danh sách ký nhận")


def check_list_proof(proof) -> None:
    """The scanned signed list: a PDF or a picture, as for the proof of a single hand-out."""
    if proof is None:
        raise ValidationError({"proof": _("%(label)s: bắt buộc (bản chụp hoặc PDF danh sách "
                                          "đã ký).") % {"label": PROOF_LABEL}})
    if PurePath(proof.name or "").suffix.lower() not in PHOTO_EXTENSIONS:
        raise ValidationError({"proof": _("%(label)s: chỉ nhận .jpg, .png, .webp hoặc .pdf.")
                               % {"label": PROOF_LABEL}})
    if not proof.size:
        raise ValidationError({"proof": _("%(label)s: tệp rỗng.") % {"label": PROOF_LABEL}})
    if proof.size > PHOTO_MAX_BYTES:
        raise ValidationError({"proof": _("%(label)s: tối đa 10 MB.") % {"label": PROOF_LABEL}})


def _check_commune(cycle: Cycle, commune) -> None:
    if commune is None:
        return
    if (cycle.commune_id and commune.pk != cycle.commune_id) \
            or commune.province_id != cycle.province_id:
        raise ValidationError({"commune": _("Xã/phường «%(commune)s»: ngoài địa bàn của đợt "
                                            "«%(cycle)s».")
                               % {"commune": commune.name, "cycle": cycle}})


def _save_proof(cycle: Cycle, proof) -> str:
    field = Recipient._meta.get_field("proof_file")
    name = field.storage.get_valid_name(PurePath(proof.name).name)
    return field.storage.save(
        f"distributions/{cycle.pk}/danh-sach-ky-nhan-{uuid.uuid4().hex[:12]}-{name}", proof)


@transaction.atomic
def handout_record_list(user, cycle: Cycle, *, proof, commune=None,
                        handed_out_on: date | None = None, note: str = "") -> dict:
    """Record the hand-out of every approved, not yet handed out recipient of the cycle (or
    of `commune`) whose list's signature sheet was printed, with the scanned signed list as
    proof. Returns the counts: `handed_out`, `already_handed_out` (skipped), `not_printed`
    (skipped: their list's sheet was never printed, so they cannot have signed it),
    `deceased` (skipped: dead on or before the day; cancel them instead), and `cash`."""
    require(user, "funds", cycle)
    handed_out_on = handed_out_on or _today()
    if handed_out_on > _today():
        raise ValidationError({"handed_out_on": _("Ngày nhận: không được sau ngày hôm nay.")})
    check_list_proof(proof)
    _check_commune(cycle, commune)
    # The cycle's row first, as a single hand-out and a snapshot being published take it.
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    scope = Recipient.objects.filter(cycle=cycle)
    if commune is not None:
        scope = scope.filter(commune=commune)
    already = scope.filter(status=LineStatus.HANDED_OUT).count()
    lines = list(scope.filter(status=LineStatus.APPROVED)
                 .select_for_update(of=("self",))
                 .select_related("recipient_list", "person", "household")
                 .order_by("pk"))
    ready, not_printed, deceased = [], 0, 0
    for line in lines:
        rlist = line.recipient_list
        if rlist.signature_printed_at is None:
            not_printed += 1
            continue
        person = line.person
        if person is not None and person.deceased_date is not None \
                and person.deceased_date <= handed_out_on:
            deceased += 1
            continue
        if handed_out_on < timezone.localdate(rlist.decided_at):
            raise ValidationError({"handed_out_on": _(
                "Ngày nhận: trước ngày phê duyệt danh sách số %(number)s (%(date)s).") % {
                    "number": rlist.number,
                    "date": f"{timezone.localdate(rlist.decided_at):%d/%m/%Y}"}})
        ready.append(line)
    if not ready:
        values = {"cycle": cycle, "already": already, "not_printed": not_printed,
                  "deceased": deceased}
        if commune is not None:
            message = _("Đợt «%(cycle)s» tại %(commune)s: không còn người nhận nào đã duyệt, có "
                        "danh sách ký nhận đã in và chưa nhận (đã nhận %(already)s, chưa in "
                        "danh sách %(not_printed)s, đã mất %(deceased)s).")
            values["commune"] = commune.name
        else:
            message = _("Đợt «%(cycle)s»: không còn người nhận nào đã duyệt, có danh sách ký "
                        "nhận đã in và chưa nhận (đã nhận %(already)s, chưa in danh sách "
                        "%(not_printed)s, đã mất %(deceased)s).")
        raise ValidationError({"lines": message % values})
    # Each item of the package for every line at once, in item order as a single hand-out
    # locks them: the same movements as a `stock_issue` per line and item, set-wise.
    recipients = [line.person if line.person and allows(user, "view", line.person) else None
                  for line in ready]
    for comp in cycle.items.select_related("item").order_by("item_id"):
        stock_issue_many(user, warehouse=cycle.warehouse, item=comp.item,
                         issued_on=handed_out_on, issues=[
                             Issue(comp.quantity, recipient, line.pk,
                                   f"{cycle.name} – danh sách số {line.recipient_list.number}")
                             for line, recipient in zip(ready, recipients, strict=True)])
    name = _save_proof(cycle, proof)
    note = (note or "").strip()[:300]
    now, actor = timezone.now(), _actor(user)
    ids = [line.pk for line in ready]
    Recipient.objects.filter(pk__in=ids, status=LineStatus.APPROVED).update(
        status=LineStatus.HANDED_OUT, handed_out_on=handed_out_on, handed_out_at=now,
        handed_out_by=actor, proof_kind=ProofKind.SIGNATURE, proof_file=name, proof_note=note)
    audit_bulk(audit_row(AuditAction.UPDATE, line, object_repr=f"Người nhận đợt {cycle.pk}",
                         changes={"status": [LineStatus.APPROVED, LineStatus.HANDED_OUT],
                                  "on": handed_out_on, "proof_kind": ProofKind.SIGNATURE,
                                  "photo": name, "cash": line.cash, "whole_list": True})
               for line in ready)
    counts = {"handed_out": len(ready), "already_handed_out": already,
              "not_printed": not_printed, "deceased": deceased,
              "cash": sum(line.cash for line in ready)}
    audit_record(AuditAction.UPDATE, cycle, changes={
        "hand_out_list": counts, "commune": commune.pk if commune is not None else None,
        "on": handed_out_on, "proof": name})
    return counts
