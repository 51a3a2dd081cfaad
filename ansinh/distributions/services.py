"""Writes of the distributions app. Each service checks the user's `funds` (or
`fund_approve`) role on the area, validates with messages naming the field (built in the
active language when raised: Vietnamese for the API and the commands, the reader's language on
a page), writes in one transaction and leaves an audit row. What is kept (a return's reason,
an allocation's purpose, a stock movement's note) is written in Vietnamese.

Serialisation: adding recipients locks the cycle row (so the last service place goes to one
person only); approving a list locks the list, then the item's stock lots, then (through
`allocation_prepare`) the fund's balance pot, always in that order; a hand-out locks its line
and then the lots (in `stock_issue`); cancelling an approved recipient locks the fund's pot
(before any cycle or line, as a snapshot being published does), then the list, then the
line: no one holding an approved list or a line waits for a pot. Goods
promised to approved recipients count as taken when the next list is approved, so two lists
can never both be promised the last package, and a cancelled one frees its goods at once.
On SQLite, whose writers are serialised by `BEGIN IMMEDIATE`, the locks are no-ops and the
same checks hold.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ansinh.access.scoping import allows, require
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_bulk, audit_record, audit_row
from ansinh.funds.models import Campaign, Donor, Fund, Restriction
from ansinh.funds.returns import allocation_return, lock_pot_of
from ansinh.funds.services import allocation_approve, allocation_prepare
from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import Poverty
from ansinh.registry.models import Household, Person
from ansinh.stock.models import Item, StockLot, Warehouse
from ansinh.stock.services import stock_issue

from . import selectors
from .choices import (
    GROUP_CATEGORIES,
    SERVICE_KINDS,
    Basis,
    CycleKind,
    CycleStatus,
    LineStatus,
    ListStatus,
    ProofKind,
    RecipientUnit,
    SponsorshipEnd,
    SupportKind,
)
from .criteria_display import criteria_display
from .models import Cycle, PackageItem, Recipient, RecipientList, Sponsorship

PHOTO_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".pdf"})
PHOTO_MAX_BYTES = 10 * 1024 * 1024
AGE_LIMIT = 130


def _today() -> date:
    return timezone.localdate()


def _whole(value, field: str, label: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("%(label)s: phải là số nguyên.") % {"label": label}})
    if value < minimum:
        raise ValidationError({field: _("%(label)s: phải từ %(minimum)s trở lên.")
                               % {"label": label, "minimum": minimum}})
    return value


def _actor(user):
    """The user as a foreign key value (the console operator has no database row)."""
    return user if getattr(user, "pk", None) is not None else None


def _who(line: Recipient) -> str:
    """The recipient as a message names him: «his name», or the household by its code."""
    if line.per_household:
        return _("hộ %(code)s") % {"code": line.household.code}
    return f"«{line.person.full_name}»"


# ---------------------------------------------------------------------------- cycles

def clean_criteria(criteria: dict | None, *, area_commune, area_province) -> dict:
    """The criteria of a cycle, checked: `poverty` (poor, near_poor), `groups` (orphan,
    elderly_alone, disability), `communes` (codes inside the cycle's area), `age_min`,
    `age_max` (whole years on the cycle's start date)."""
    criteria = dict(criteria or {})
    unknown = set(criteria) - {"poverty", "groups", "communes", "age_min", "age_max"}
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ValidationError({"criteria": _("Tiêu chí: không hỗ trợ «%(names)s».")
                               % {"names": names}})
    clean: dict = {}
    poverty = list(dict.fromkeys(criteria.get("poverty") or []))
    if any(p not in (Poverty.POOR, Poverty.NEAR_POOR) for p in poverty):
        raise ValidationError({"criteria": _("Tiêu chí diện hộ: chỉ nhận «poor» (hộ nghèo) và "
                                             "«near_poor» (hộ cận nghèo).")})
    if poverty:
        clean["poverty"] = poverty
    groups = list(dict.fromkeys(criteria.get("groups") or []))
    if any(g not in GROUP_CATEGORIES for g in groups):
        raise ValidationError({"criteria": _("Tiêu chí nhóm đối tượng: chỉ nhận %(groups)s.")
                               % {"groups": ", ".join(str(g) for g in GROUP_CATEGORIES)}})
    if groups:
        clean["groups"] = groups
    codes = list(dict.fromkeys(str(c).strip() for c in criteria.get("communes") or []))
    if codes:
        units = AdminUnit.objects.communes().filter(code__in=codes)
        units = (units.filter(pk=area_commune.pk) if area_commune is not None
                 else units.filter(province=area_province))
        found = set(units.values_list("code", flat=True))
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationError({"criteria": _("Tiêu chí xã/phường: mã %(codes)s không phải "
                                                 "xã/phường hiện hành thuộc địa bàn của đợt.")
                                   % {"codes": ", ".join(missing)}})
        clean["communes"] = codes
    for key, label in (("age_min", _("Tiêu chí tuổi từ")), ("age_max", _("Tiêu chí tuổi đến"))):
        if criteria.get(key) not in (None, ""):
            value = criteria[key]
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            _whole(value, "criteria", label)
            if value > AGE_LIMIT:
                raise ValidationError({"criteria": _("%(label)s: không quá %(limit)s.")
                                       % {"label": label, "limit": AGE_LIMIT}})
            clean[key] = value
    if clean.get("age_min") is not None and clean.get("age_max") is not None \
            and clean["age_min"] > clean["age_max"]:
        raise ValidationError({"criteria": _("Tiêu chí tuổi: «từ» lớn hơn «đến».")})
    return clean


def _clean_components(user, components, warehouse) -> list[tuple[Item, int]]:
    clean, seen = [], set()
    for i, comp in enumerate(components or (), start=1):
        item, quantity = (comp["item"], comp["quantity"]) if isinstance(comp, dict) else comp
        if not isinstance(item, Item):
            raise ValidationError({"items": _("Hiện vật dòng %(n)s: không có mặt hàng này.")
                                   % {"n": i}})
        _whole(quantity, "items", _("Hiện vật dòng %(n)s (%(item)s): số lượng")
               % {"n": i, "item": item.name}, minimum=1)
        if item.pk in seen:
            raise ValidationError({"items": _("Hiện vật dòng %(n)s: mặt hàng «%(item)s» đã có ở "
                                              "dòng trên.") % {"n": i, "item": item.name}})
        seen.add(item.pk)
        clean.append((item, quantity))
    if clean:
        if warehouse is None:
            raise ValidationError({"warehouse": _("Kho/điểm phát: bắt buộc khi suất có hiện "
                                                  "vật.")})
        require(user, "funds", warehouse)
        if not warehouse.active:
            raise ValidationError({"warehouse": _("Kho/điểm phát: đã ngừng hoạt động.")})
    return clean


@transaction.atomic
def cycle_create(user, *, name: str, kind: str, campaign: Campaign, fund: Fund,
                 starts_on: date, unit: str = RecipientUnit.PERSON,
                 restriction: Restriction | None = None, donor: Donor | None = None,
                 cash_per_recipient: int = 0, components=(), warehouse: Warehouse | None = None,
                 places: int | None = None, criteria: dict | None = None,
                 ends_on: date | None = None) -> Cycle:
    """Open a cycle with its package (cash, goods, places) and criteria, owned by the
    fund's area."""
    require(user, "funds", fund)
    require(user, "funds", campaign)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Tên đợt: bắt buộc.")})
    if kind not in CycleKind.values:
        raise ValidationError({"kind": _("%(label)s: giá trị «%(value)s» không hợp lệ.")
                               % {"label": _("Loại hỗ trợ"), "value": kind}})
    if unit not in RecipientUnit.values:
        raise ValidationError({"unit": _("%(label)s: giá trị «%(value)s» không hợp lệ.")
                               % {"label": _("Đơn vị nhận"), "value": unit}})
    if campaign.funds.exists() and not campaign.funds.filter(pk=fund.pk).exists():
        raise ValidationError({"fund": _("Quỹ: «%(fund)s» không tiếp nhận cho chiến dịch "
                                         "«%(campaign)s».") % {"fund": fund, "campaign": campaign}})
    if restriction is not None:
        if restriction.fund_id != fund.pk:
            raise ValidationError({"restriction": _("Hạn chế sử dụng: thuộc quỹ khác.")})
        if restriction.campaign_id and restriction.campaign_id != campaign.pk:
            raise ValidationError({"restriction": _("Hạn chế sử dụng: dành cho chiến dịch "
                                                    "khác.")})
    if donor is not None:
        require(user, "funds", donor)
    _whole(cash_per_recipient, "cash_per_recipient", _("Tiền mỗi suất"))
    if places is not None:
        _whole(places, "places", _("Số suất"), minimum=1)
    if kind in SERVICE_KINDS and places is None:
        raise ValidationError({"places": _("Số suất: bắt buộc với suất dịch vụ (học nghề, "
                                           "khám sức khỏe).")})
    items = _clean_components(user, components, warehouse)
    if not (cash_per_recipient or items or places):
        raise ValidationError({"cash_per_recipient": _("Suất hỗ trợ: phải có tiền, hiện vật "
                                                       "hoặc số suất dịch vụ.")})
    if starts_on is None:
        raise ValidationError({"starts_on": _("Ngày bắt đầu: bắt buộc.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("Ngày kết thúc: không được trước ngày bắt đầu.")})
    criteria = clean_criteria(criteria, area_commune=fund.commune, area_province=fund.province)
    cycle = Cycle.objects.create(
        name=name, kind=kind, unit=unit, campaign=campaign, fund=fund, restriction=restriction,
        donor=donor, cash_per_recipient=cash_per_recipient,
        warehouse=warehouse if items else None, places=places, criteria=criteria,
        starts_on=starts_on, ends_on=ends_on, commune=fund.commune, province=fund.province,
        created_by=_actor(user))
    PackageItem.objects.bulk_create(PackageItem(cycle=cycle, item=item, quantity=q)
                                    for item, q in items)
    audit_record(AuditAction.CREATE, cycle, changes={
        "name": name, "kind": kind, "unit": unit, "campaign": campaign.pk, "fund": fund.pk,
        "restriction": restriction, "donor": donor, "cash_per_recipient": cash_per_recipient,
        "items": [[item.pk, q] for item, q in items], "warehouse": cycle.warehouse_id,
        "places": places, "criteria": criteria, "starts_on": starts_on, "ends_on": ends_on})
    return cycle


@transaction.atomic
def cycle_close(user, cycle: Cycle) -> Cycle:
    require(user, "funds", cycle)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status == CycleStatus.CLOSED:
        raise ValidationError({"status": _("Trạng thái: đợt đã kết thúc.")})
    if RecipientList.objects.filter(cycle=cycle, status=ListStatus.SUBMITTED).exists():
        raise ValidationError({"status": _("Trạng thái: còn danh sách chờ phê duyệt.")})
    cycle.status = CycleStatus.CLOSED
    cycle.save(update_fields=["status"])
    audit_record(AuditAction.UPDATE, cycle, changes={
        "status": [CycleStatus.OPEN, CycleStatus.CLOSED]})
    return cycle


def _lock_open_cycle(user, cycle: Cycle) -> Cycle:
    require(user, "funds", cycle)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != CycleStatus.OPEN:
        raise ValidationError({"cycle": _("Đợt «%(cycle)s»: đã kết thúc, không thêm người "
                                          "nhận.") % {"cycle": cycle}})
    return cycle


def _draft_list(user, cycle: Cycle) -> RecipientList:
    """The cycle's list being drafted, opened on first use (the cycle row is locked)."""
    draft = RecipientList.objects.filter(cycle=cycle, status=ListStatus.DRAFT).first()
    if draft is None:
        number = (RecipientList.objects.filter(cycle=cycle).aggregate(n=Max("number"))["n"]
                  or 0) + 1
        draft = RecipientList.objects.create(cycle=cycle, number=number,
                                             created_by=_actor(user), commune=cycle.commune,
                                             province=cycle.province)
        audit_record(AuditAction.CREATE, draft, changes={"cycle": cycle.pk, "number": number})
    return draft


def _check_places(cycle: Cycle, adding: int) -> None:
    if cycle.places is None:
        return
    taken = Recipient.objects.filter(cycle=cycle).exclude(status=LineStatus.CANCELLED).count()
    if taken + adding > cycle.places:
        left = max(cycle.places - taken, 0)
        raise ValidationError({"places": _("Số suất: đợt «%(cycle)s» còn %(left)s/%(places)s "
                                           "suất, không đủ cho %(adding)s người.")
                               % {"cycle": cycle, "left": left, "places": cycle.places,
                                  "adding": adding}})


@transaction.atomic
def recipients_build(user, cycle: Cycle) -> tuple[RecipientList, int]:
    """Add everyone meeting the cycle's criteria (and not yet on it) to its draft list, in
    one query and one bulk insert. Returns the list and how many were added."""
    cycle = _lock_open_cycle(user, cycle)
    on_cycle = Recipient.objects.filter(cycle=cycle).exclude(status=LineStatus.CANCELLED)
    found = selectors.candidates(user, cycle)
    if cycle.per_household:
        found = found.exclude(Exists(on_cycle.filter(household_id=OuterRef("pk"))))
        rows = list(found.order_by("pk").values_list("pk", "head_id", "basis", "commune_id",
                                                     "province_id"))
        lines = [dict(household_id=pk, person_id=head, basis=basis, commune_id=c,
                      province_id=p) for pk, head, basis, c, p in rows]
    else:
        found = found.exclude(Exists(on_cycle.filter(person_id=OuterRef("pk"))))
        rows = list(found.order_by("pk").values_list("pk", "household_id", "basis",
                                                     "commune_id", "province_id"))
        lines = [dict(person_id=pk, household_id=h, basis=basis, commune_id=c, province_id=p)
                 for pk, h, basis, c, p in rows]
    draft = _draft_list(user, cycle)
    if not lines:
        return draft, 0
    _check_places(cycle, len(lines))
    created = Recipient.objects.bulk_create(
        [Recipient(recipient_list=draft, cycle=cycle, per_household=cycle.per_household,
                   cash=cycle.cash_per_recipient, created_by=_actor(user), **line)
         for line in lines], batch_size=2000)
    if created and created[0].pk is None:  # backends without RETURNING on bulk insert
        created = list(Recipient.objects.filter(recipient_list=draft).order_by("-pk")
                       [:len(lines)])
    audit_bulk(audit_row(AuditAction.CREATE, line, object_repr=f"Người nhận đợt {cycle.pk}",
                         changes={"cycle": cycle.pk, "list": draft.pk, "basis": line.basis,
                                  "person": line.person_id, "household": line.household_id})
               for line in created)
    audit_record(AuditAction.CREATE, draft, changes={"built": len(lines),
                                                     "criteria": cycle.criteria})
    return draft, len(lines)


@transaction.atomic
def recipient_add(user, cycle: Cycle, *, person: Person | None = None,
                  household: Household | None = None, exception_reason: str = "") -> Recipient:
    """Add one recipient by hand. Outside the criteria, or a second package in the same
    cycle, only as a documented exception (`exception_reason`), which the approver of the
    list then decides on."""
    reason = (exception_reason or "").strip()
    if cycle.per_household:
        if household is None and person is not None:
            household = person.household
        if household is None:
            raise ValidationError({"household": _("Hộ gia đình: bắt buộc với đợt phát theo "
                                                  "hộ.")})
        if person is not None and person.household_id != household.pk:
            raise ValidationError({"person": _("Người nhận thay: «%(person)s» không thuộc hộ "
                                               "%(code)s.")
                                   % {"person": person, "code": household.code}})
        target = household
        person = person or household.head
    else:
        if person is None:
            raise ValidationError({"person": _("Người nhận: bắt buộc.")})
        household = person.household
        target = person
    if not allows(user, "view", target):
        raise PermissionDenied("Người nhận ở ngoài địa bàn của bạn.")
    if person is not None and person.deceased_date is not None:
        raise ValidationError({"person": _("Người nhận «%(person)s»: đã mất ngày %(date)s.")
                               % {"person": person,
                                  "date": f"{person.deceased_date:%d/%m/%Y}"}})
    cycle = _lock_open_cycle(user, cycle)
    if (cycle.commune_id and target.commune_id != cycle.commune_id) or \
            target.province_id != cycle.province_id:
        raise ValidationError({"person": _("Người nhận: ngoài địa bàn của đợt «%(cycle)s».")
                               % {"cycle": cycle}})
    label = (_("hộ %(code)s") % {"code": household.code} if cycle.per_household
             else f"«{person}»")
    basis = selectors.basis_of(user, cycle, person=person, household=household)
    if basis is None:
        if not reason:
            raise ValidationError({"person": _(
                "Người nhận %(who)s: không thuộc tiêu chí của đợt «%(cycle)s» (%(criteria)s). "
                "Chỉ thêm được như ngoại lệ, ghi rõ lý do.") % {
                    "who": label, "cycle": cycle,
                    "criteria": criteria_display(cycle.criteria)}})
        basis = Basis.EXCEPTION
    key = {"household": household} if cycle.per_household else {"person": person}
    existing = Recipient.objects.filter(cycle=cycle, **key).exclude(
        status=LineStatus.CANCELLED)
    repeat = 0
    if existing.exists():
        if not reason:
            first = existing.select_related("recipient_list").order_by("repeat").first()
            raise ValidationError({"person": _(
                "Người nhận %(who)s: đã có trong đợt «%(cycle)s» (danh sách số %(number)s); mỗi "
                "đợt một suất, trừ ngoại lệ có lý do được phê duyệt.") % {
                    "who": label, "cycle": cycle, "number": first.recipient_list.number}})
        repeat = existing.aggregate(m=Max("repeat"))["m"] + 1
    _check_places(cycle, 1)
    draft = _draft_list(user, cycle)
    try:
        with transaction.atomic():
            line = Recipient.objects.create(
                recipient_list=draft, cycle=cycle, per_household=cycle.per_household,
                person=person, household=household, basis=basis, exception_reason=reason,
                repeat=repeat, cash=cycle.cash_per_recipient, commune_id=target.commune_id,
                province_id=target.province_id, created_by=_actor(user))
    except IntegrityError as exc:
        raise ValidationError({"person": _("Người nhận %(who)s: vừa được thêm vào đợt bởi "
                                           "người khác.") % {"who": label}}) from exc
    audit_record(AuditAction.CREATE, line, changes={
        "cycle": cycle.pk, "list": draft.pk, "person": line.person_id,
        "household": line.household_id, "basis": basis, "exception_reason": reason,
        "repeat": repeat})
    return line


@transaction.atomic
def recipient_cancel(user, line: Recipient, *, reason: str) -> Recipient:
    """Take a recipient off a list, with a reason; the line is kept, marked cancelled.

    Before approval the place simply goes back to the cycle. After approval (the recipient
    died, moved away or refused before the hand-out) his cash comes back to the fund as a
    dated return of the list's allocation (hoàn chi), and his goods, no longer promised, are
    free for the next approval. A package already handed out cannot be cancelled."""
    require(user, "funds", line.cycle)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Lý do hủy: bắt buộc.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Lý do hủy: tối đa 300 ký tự.")})
    allocation = (RecipientList.objects.select_related("allocation")
                  .get(pk=line.recipient_list_id).allocation)
    if allocation is not None:
        # The fund's pot before the list and the line: a snapshot being published holds the
        # pot while it waits for the cycles, and a hand-out holds its cycle while it waits for
        # the line, so taking the line first could close a circle.
        lock_pot_of(allocation)
    rlist = _locked_list(line.recipient_list)
    line = (Recipient.objects.select_for_update(of=("self",))
            .select_related("cycle", "person", "household").get(pk=line.pk))
    before = line.status
    if before == LineStatus.APPROVED and rlist.allocation_id != getattr(allocation, "pk", None):
        raise ValidationError({"status": _("Danh sách số %(number)s: vừa được phê duyệt, hãy "
                                           "tải lại trang và hủy lại.")
                               % {"number": rlist.number}})
    if before not in (LineStatus.PENDING, LineStatus.APPROVED):
        raise ValidationError({"status": _("Người nhận %(who)s: đang ở trạng thái «%(status)s», "
                                           "không hủy được.")
                               % {"who": _who(line), "status": _(line.get_status_display())}})
    returned = None
    if before == LineStatus.APPROVED and line.cash and allocation is not None:
        with translation.override("vi"):  # the return keeps its reason in Vietnamese
            who = _who(line)
        returned = allocation_return(
            user, allocation, amount=line.cash, distribution_line_id=line.pk,
            reason=f"Hủy người nhận {who}, {line.cycle.name} – danh sách số "
                   f"{rlist.number}: {reason}"[:300])
    line.status, line.cancel_reason = LineStatus.CANCELLED, reason
    line.save(update_fields=["status", "cancel_reason"])
    changes = {"status": [before, LineStatus.CANCELLED], "reason": reason}
    if before == LineStatus.APPROVED:
        changes |= {"returned_cash": returned.amount if returned else 0,
                    "allocation_return": returned.pk if returned else None,
                    "released_goods": [[i, q] for i, q in line.cycle.items.values_list(
                        "item_id", "quantity")]}
    audit_record(AuditAction.UPDATE, line, changes=changes)
    return line


def criteria_text(criteria: dict, *, reveal: bool = True) -> str:
    """The criteria in words, in Vietnamese, for the API (the pages and the services'
    messages use criteria_display in the reader's language). Without `reveal`, protected groups
    are named only as a group of social assistance: on a list of an orphans' cycle, naming
    the criterion would name every recipient's status."""
    with translation.override("vi"):
        return criteria_display(criteria, reveal=reveal)


# ---------------------------------------------------------------------------- review & approval

def _locked_list(rlist: RecipientList) -> RecipientList:
    return (RecipientList.objects.select_for_update(of=("self",)).select_related("cycle")
            .get(pk=rlist.pk))


@transaction.atomic
def list_submit(user, rlist: RecipientList) -> RecipientList:
    """The maker hands the reviewed list to a manager for approval."""
    require(user, "funds", rlist)
    rlist = _locked_list(rlist)
    if rlist.status != ListStatus.DRAFT:
        raise ValidationError({"status": _("Trạng thái: chỉ gửi duyệt được danh sách đang "
                                           "lập.")})
    if _actor(user) is None:
        raise ValidationError({"user": _("Người gửi duyệt: phải là một cán bộ quỹ (dùng "
                                         "--as).")})
    if not rlist.lines.exclude(status=LineStatus.CANCELLED).exists():
        raise ValidationError({"lines": _("Danh sách: chưa có người nhận.")})
    rlist.status, rlist.submitted_by, rlist.submitted_at = (ListStatus.SUBMITTED, user,
                                                            timezone.now())
    rlist.save(update_fields=["status", "submitted_by", "submitted_at"])
    audit_record(AuditAction.UPDATE, rlist, changes={
        "status": [ListStatus.DRAFT, ListStatus.SUBMITTED]})
    return rlist


def _checker(user, rlist: RecipientList) -> None:
    require(user, "fund_approve", rlist)
    if rlist.status != ListStatus.SUBMITTED:
        raise ValidationError({"status": _("Trạng thái: danh sách không ở trạng thái chờ "
                                           "phê duyệt.")})
    if _actor(user) is None or user.pk in (rlist.submitted_by_id, rlist.created_by_id):
        raise PermissionDenied("Người lập danh sách không được tự phê duyệt.")


def _check_stock(cycle: Cycle, recipients: int) -> list[dict]:
    """Lock the package's lots and check the warehouse still holds, after what is promised
    to approved recipients, enough for `recipients` more packages."""
    shortages, checked = [], []
    for comp in cycle.items.select_related("item").order_by("item_id"):
        list(StockLot.objects.select_for_update()
             .filter(warehouse_id=cycle.warehouse_id, item_id=comp.item_id)
             .order_by("id").values_list("id", flat=True))
        needed = comp.quantity * recipients
        available = selectors.stock_available(cycle.warehouse_id, comp.item_id)
        reserved = selectors.stock_reserved(cycle.warehouse_id, comp.item_id)
        unit = _(comp.item.get_unit_display())
        if needed > available - reserved:
            shortages.append(_(
                "«%(item)s» cần %(needed)s %(unit)s cho %(recipients)s suất, kho "
                "«%(warehouse)s» còn %(available)s %(unit)s có thể phát, trong đó %(reserved)s "
                "đã dành cho danh sách đã duyệt") % {
                    "item": comp.item.name, "needed": needed, "unit": unit,
                    "recipients": recipients, "warehouse": cycle.warehouse,
                    "available": available, "reserved": reserved})
        checked.append({"item": comp.item_id, "needed": needed, "available": available,
                        "reserved": reserved})
    if shortages:
        raise ValidationError({"stock": _("Không đủ hàng: %(shortages)s.")
                               % {"shortages": "; ".join(shortages)}})
    return checked


@transaction.atomic
def list_approve(user, rlist: RecipientList, *, note: str = "") -> RecipientList:
    """Approve a list (checker ≠ maker, `fund_approve`): checks the goods against stock and
    spends the cash through an allocation prepared by the maker and approved by the checker,
    all or nothing."""
    rlist = _locked_list(rlist)
    _checker(user, rlist)
    cycle = rlist.cycle
    lines = rlist.lines.filter(status=LineStatus.PENDING)
    count = lines.count()
    if count == 0:
        raise ValidationError({"lines": _("Danh sách: không còn người nhận nào.")})
    stock = _check_stock(cycle, count) if cycle.warehouse_id else []
    cash = lines.aggregate(s=Sum("cash"))["s"] or 0
    allocation = None
    if cash:
        allocation = allocation_prepare(
            rlist.submitted_by, fund=cycle.fund, restriction=cycle.restriction,
            campaign=cycle.campaign, amount=cash,
            purpose=f"{cycle.name} – danh sách số {rlist.number} ({count} suất)")
        allocation = allocation_approve(user, allocation, note=note)
    lines.update(status=LineStatus.APPROVED)
    rlist.status, rlist.decided_by, rlist.decided_at = (ListStatus.APPROVED, user,
                                                        timezone.now())
    rlist.decision_note, rlist.allocation = (note or "").strip(), allocation
    rlist.save(update_fields=["status", "decided_by", "decided_at", "decision_note",
                              "allocation"])
    audit_record(AuditAction.UPDATE, rlist, changes={
        "status": [ListStatus.SUBMITTED, ListStatus.APPROVED], "recipients": count,
        "cash": cash, "allocation": allocation, "stock": stock,
        "exceptions": rlist.lines.exclude(exception_reason="").count()})
    return rlist


@transaction.atomic
def list_reject(user, rlist: RecipientList, *, note: str) -> RecipientList:
    """Reject a list (checker ≠ maker): its recipients are cancelled and may be listed again."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"decision_note": _("Lý do từ chối: bắt buộc.")})
    rlist = _locked_list(rlist)
    _checker(user, rlist)
    rlist.lines.filter(status=LineStatus.PENDING).update(
        status=LineStatus.CANCELLED, cancel_reason=f"Danh sách bị từ chối: {note}"[:300])
    rlist.status, rlist.decided_by, rlist.decided_at, rlist.decision_note = (
        ListStatus.REJECTED, user, timezone.now(), note)
    rlist.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(AuditAction.UPDATE, rlist, changes={
        "status": [ListStatus.SUBMITTED, ListStatus.REJECTED], "note": note})
    return rlist


@transaction.atomic
def list_mark_printed(user, rlist: RecipientList) -> RecipientList:
    """Record that the signature list of an approved list was printed for the hand-out."""
    require(user, "funds", rlist)
    rlist = _locked_list(rlist)
    if rlist.status != ListStatus.APPROVED:
        raise ValidationError({"status": _("Danh sách ký nhận: chỉ in cho danh sách đã "
                                           "duyệt.")})
    if rlist.signature_printed_at is None:
        rlist.signature_printed_at = timezone.now()
        rlist.save(update_fields=["signature_printed_at"])
    audit_record(AuditAction.EXPORT, rlist, changes={"document": "signature_list"})
    return rlist


# ---------------------------------------------------------------------------- hand-out

def _check_photo(photo) -> None:
    if photo is None:
        raise ValidationError({"photo": _("Ảnh minh chứng: bắt buộc khi minh chứng bằng "
                                          "ảnh.")})
    if PurePath(photo.name or "").suffix.lower() not in PHOTO_EXTENSIONS:
        raise ValidationError({"photo": _("Ảnh minh chứng: chỉ nhận .jpg, .png, .webp hoặc "
                                          ".pdf.")})
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("Ảnh minh chứng: tối đa 10 MB.")})


@transaction.atomic
def handout_record(user, line: Recipient, *, proof_kind: str, photo=None,
                   handed_out_on: date | None = None, note: str = "") -> Recipient:
    """Hand a package to an approved recipient, with proof (a signature on the printed list,
    or a photo), issuing its goods from the cycle's warehouse in the same transaction."""
    require(user, "funds", line.cycle)
    handed_out_on = handed_out_on or _today()
    if handed_out_on > _today():
        raise ValidationError({"handed_out_on": _("Ngày nhận: không được sau ngày hôm nay.")})
    if proof_kind not in ProofKind.values:
        raise ValidationError({"proof_kind": _("Minh chứng: chọn ký nhận trên danh sách hoặc "
                                               "ảnh chụp.")})
    # The cycle's row first: a transparency snapshot being published holds it, so a hand-out
    # is either wholly before the snapshot's moment or wholly after it.
    Cycle.objects.select_for_update().filter(pk=line.cycle_id).first()
    line = (Recipient.objects.select_for_update(of=("self",))
            .select_related("cycle", "recipient_list", "person", "household")
            .get(pk=line.pk))
    if line.status == LineStatus.HANDED_OUT:
        raise ValidationError({"status": _("Người nhận %(who)s: đã nhận ngày %(date)s.")
                               % {"who": _who(line),
                                  "date": f"{line.handed_out_on:%d/%m/%Y}"}})
    if line.status != LineStatus.APPROVED:
        raise ValidationError({"status": _("Người nhận %(who)s: danh sách chưa được phê duyệt "
                                           "hoặc đã hủy.") % {"who": _who(line)}})
    rlist = line.recipient_list
    if handed_out_on < timezone.localdate(rlist.decided_at):
        raise ValidationError({"handed_out_on": _("Ngày nhận: trước ngày phê duyệt danh "
                                                  "sách.")})
    person = line.person
    if person is not None and person.deceased_date is not None \
            and person.deceased_date <= handed_out_on:
        raise ValidationError({"person": _("Người nhận «%(person)s»: đã mất ngày %(date)s.")
                               % {"person": person,
                                  "date": f"{person.deceased_date:%d/%m/%Y}"}})
    if proof_kind == ProofKind.SIGNATURE and rlist.signature_printed_at is None:
        raise ValidationError({"proof_kind": _("Minh chứng: danh sách ký nhận chưa được in.")})
    if proof_kind == ProofKind.PHOTO:
        _check_photo(photo)
    cycle = line.cycle
    for comp in cycle.items.select_related("item").order_by("item_id"):
        stock_issue(user, warehouse=cycle.warehouse, item=comp.item, quantity=comp.quantity,
                    recipient=person if person and allows(user, "view", person) else None,
                    distribution_line_id=line.pk, issued_on=handed_out_on,
                    note=f"{cycle.name} – danh sách số {rlist.number}")
    line.status, line.handed_out_on, line.handed_out_at = (LineStatus.HANDED_OUT,
                                                           handed_out_on, timezone.now())
    line.handed_out_by, line.proof_kind = _actor(user), proof_kind
    line.proof_note = (note or "").strip()[:300]
    if photo is not None and proof_kind == ProofKind.PHOTO:
        line.proof_file.save(PurePath(photo.name).name, photo, save=False)
    line.save(update_fields=["status", "handed_out_on", "handed_out_at", "handed_out_by",
                             "proof_kind", "proof_note", "proof_file"])
    audit_record(AuditAction.UPDATE, line, changes={
        "status": [LineStatus.APPROVED, LineStatus.HANDED_OUT], "on": handed_out_on,
        "proof_kind": proof_kind, "photo": line.proof_file.name or None, "cash": line.cash})
    return line


# ---------------------------------------------------------------------------- sponsorships

@transaction.atomic
def sponsorship_create(user, *, donor: Donor, household: Household, starts_on: date,
                       support: str, amount: int, campaign: Campaign | None = None,
                       note: str = "") -> Sponsorship:
    """A donor sponsors a poor or near-poor household from a date."""
    require(user, "funds", household)
    require(user, "funds", donor)
    if campaign is not None:
        require(user, "funds", campaign)
    if support not in SupportKind.values:
        raise ValidationError({"support": _("%(label)s: giá trị «%(value)s» không hợp lệ.")
                               % {"label": _("Hình thức hỗ trợ"), "value": support}})
    _whole(amount, "amount", _("Số tiền"), minimum=1)
    if starts_on is None:
        raise ValidationError({"starts_on": _("Đỡ đầu từ ngày: bắt buộc.")})
    if starts_on > _today():
        raise ValidationError({"starts_on": _("Đỡ đầu từ ngày: không được sau ngày hôm nay.")})
    if household.poverty_status not in selectors.POOR_STATUSES:
        raise ValidationError({"household": _("Hộ %(code)s: không phải hộ nghèo hoặc cận "
                                              "nghèo trong sổ hộ.") % {"code": household.code}})
    if Sponsorship.objects.filter(donor=donor, household=household,
                                  ended_on__isnull=True).exists():
        raise ValidationError({"household": _("Hộ %(code)s: đang được «%(donor)s» đỡ đầu.")
                               % {"code": household.code, "donor": donor}})
    sponsorship = Sponsorship.objects.create(
        donor=donor, household=household, campaign=campaign, starts_on=starts_on,
        support=support, amount=amount, note=(note or "").strip(),
        commune_id=household.commune_id, province_id=household.province_id,
        created_by=_actor(user))
    audit_record(AuditAction.CREATE, sponsorship, changes={
        "donor": donor.pk, "household": household.pk, "starts_on": starts_on,
        "support": support, "amount": amount, "campaign": campaign})
    return sponsorship


@transaction.atomic
def sponsorship_end(user, sponsorship: Sponsorship, *, ended_on: date,
                    reason: str = SponsorshipEnd.STOPPED) -> Sponsorship:
    require(user, "funds", sponsorship)
    sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
    if sponsorship.ended_on is not None:
        raise ValidationError({"ended_on": _("Ngày kết thúc: việc đỡ đầu đã kết thúc.")})
    if reason not in SponsorshipEnd.values:
        raise ValidationError({"reason": _("%(label)s: giá trị «%(value)s» không hợp lệ.")
                               % {"label": _("Lý do kết thúc"), "value": reason}})
    if ended_on is None or ended_on < sponsorship.starts_on or ended_on > _today():
        raise ValidationError({"ended_on": _("Ngày kết thúc: phải từ ngày bắt đầu đỡ đầu đến "
                                             "hôm nay.")})
    sponsorship.ended_on, sponsorship.end_reason = ended_on, reason
    sponsorship.save(update_fields=["ended_on", "end_reason"])
    audit_record(AuditAction.UPDATE, sponsorship, changes={"ended_on": ended_on,
                                                           "end_reason": reason})
    return sponsorship


@transaction.atomic
def sponsorships_follow_up(user, *, on: date | None = None) -> int:
    """End, as graduated, every running sponsorship in the user's area whose household the
    registry no longer lists as poor or near-poor. One update; idempotent."""
    on = on or _today()
    running = selectors.sponsorship_list(user).filter(
        ended_on__isnull=True, state=SponsorshipEnd.GRADUATED)
    ids = list(running.values_list("pk", flat=True))
    if not ids:
        return 0
    rows = list(Sponsorship.objects.filter(pk__in=ids))
    Sponsorship.objects.filter(pk__in=ids, ended_on__isnull=True).update(
        ended_on=on, end_reason=SponsorshipEnd.GRADUATED)
    audit_bulk(audit_row(AuditAction.UPDATE, s, changes={
        "ended_on": on, "end_reason": SponsorshipEnd.GRADUATED}) for s in rows)
    return len(ids)


def list_signature_pdf(user, rlist: RecipientList) -> bytes:
    """The printable signature list of an approved list; printing it is recorded, and makes
    signatures on it acceptable as proof of hand-out."""
    from .signature_list import render_pdf

    rlist = list_mark_printed(user, rlist)
    return render_pdf(rlist)
