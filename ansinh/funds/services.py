"""Writes of the fund ledger. Each service checks the user's `funds` (or `fund_approve`) role
on the owning area, validates with messages naming the field, writes in one transaction and
leaves an audit row. The messages are built in the active language when raised: Vietnamese
(the API, the commands, a page by default), English on a page the reader switched.

Balance rule: for each pot (fund + restriction, none = unrestricted), available = issued
receipt lines − reversed receipts − approved allocations − pending allocations. Pending
allocations reserve their amount (decided so that the approval queue can never hold more than
the pot: a manager approving in any order never meets a refusal for lack of money, and an
officer sees what is really left). Every check runs while holding the pot's `BalanceLock`
row, so two allocations racing for the last đồng cannot both pass.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ansinh.access.scoping import require, scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.audit.services import diff as audit_diff
from ansinh.core.money_words import format_money
from ansinh.core.text import fold
from ansinh.geo.models import Level

from . import selectors
from .choices import (
    CASH_METHODS,
    MINOR_DIGITS,
    VND,
    AllocationStatus,
    Display,
    DonorKind,
    FundKind,
    Method,
    ReceiptKind,
    ReceiptStatus,
    RestrictionKind,
)
from .models import (
    Allocation,
    BalanceLock,
    Campaign,
    Donor,
    Fund,
    ImmutableError,
    Pledge,
    Receipt,
    ReceiptCounter,
    ReceiptLine,
    ReceiptReversal,
    Restriction,
)
from .pledge_history import lock_targets, pledge_revise

DONOR_FIELDS = ("kind", "name", "country", "currency", "contact_persons", "tax_code", "phone",
                "email", "bank_account", "bank_name", "display")


# ---------------------------------------------------------------------------- helpers

def _today() -> date:
    return timezone.localdate()


def _area(area) -> tuple:
    """(commune, province) of an owning area given as a commune or a province."""
    if area is None:
        raise ValidationError({"area": _("Đơn vị quản lý: bắt buộc (xã/phường hoặc tỉnh).")})
    if area.level == Level.PROVINCE:
        return None, area
    if area.level == Level.COMMUNE:
        return area, area.province
    raise ValidationError({"area": _("Đơn vị quản lý: phải là xã/phường hoặc "
                                     "tỉnh/thành phố.")})


def _require_area(user, action: str, commune, province) -> None:
    if not scope_for(user, action).covers(commune and commune.pk, province.pk):
        raise PermissionDenied("Bạn không có quyền quản lý quỹ tại địa bàn này.")


def _same_area(obj, owner) -> bool:
    return obj.commune_id == owner.commune_id and obj.province_id == owner.province_id


def _positive(value, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("%(label)s: phải là số nguyên đồng.") % {"label": label}})
    if value <= 0:
        raise ValidationError({field: _("%(label)s: phải lớn hơn 0 đồng.") % {"label": label}})
    return value


def _not_future(day: date, field: str, label: str) -> date:
    if day is None:
        raise ValidationError({field: _("%(label)s: bắt buộc.") % {"label": label}})
    if day > _today():
        raise ValidationError({field: _("%(label)s: không được sau ngày hôm nay.")
                               % {"label": label}})
    return day


def _choice(value, choices, field: str, label: str):
    if value not in choices.values:
        raise ValidationError({field: _("%(label)s: giá trị «%(value)s» không hợp lệ.")
                               % {"label": label, "value": value}})
    return value


def _audited_changes(values: dict) -> dict:
    # Bank details stay out of the audit log, which auditors without `donor_bank` may read.
    return {k: ("(đã ghi)" if k in selectors.BANK_FIELDS and v else v)
            for k, v in values.items()}


# ---------------------------------------------------------------------------- donors

def _clean_donor(values: dict) -> None:
    _choice(values.get("kind"), DonorKind, "kind", _("Loại nhà tài trợ"))
    _choice(values.get("display"), Display, "display", _("Hiển thị"))
    if not (values.get("name") or "").strip():
        raise ValidationError({"name": _("Tên nhà tài trợ: bắt buộc.")})
    currency = (values.get("currency") or VND).upper()
    values["currency"] = currency
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError({"currency": _("Đơn vị tiền tệ: mã ISO 4217 ba chữ cái.")})
    if values["kind"] == DonorKind.FOREIGN_NGO:
        country = (values.get("country") or "").upper()
        if len(country) != 2 or not country.isalpha() or country == "VN":
            raise ValidationError({"country": _("Quốc gia: bắt buộc với tổ chức nước ngoài "
                                                "(mã ISO hai chữ cái, khác VN).")})
        values["country"] = country


@transaction.atomic
def donor_create(user, *, area, kind: str, name: str, country: str = "", currency: str = VND,
                 contact_persons: str = "", tax_code: str = "", phone: str = "",
                 email: str = "", bank_account: str = "", bank_name: str = "",
                 display: str = Display.NAMED) -> Donor:
    commune, province = _area(area)
    _require_area(user, "funds", commune, province)
    values = {"kind": kind, "name": name.strip(), "country": country, "currency": currency,
              "contact_persons": contact_persons, "tax_code": tax_code, "phone": phone,
              "email": email, "bank_account": bank_account, "bank_name": bank_name,
              "display": display}
    _clean_donor(values)
    donor = Donor(commune=commune, province=province, name_folded=fold(values["name"])[:200],
                  **values)
    donor.full_clean()
    donor.save()
    audit_record(AuditAction.CREATE, donor, changes=_audited_changes(values))
    return donor


@transaction.atomic
def donor_update(user, donor: Donor, **changes) -> Donor:
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    require(user, "funds", donor)
    unknown = set(changes) - set(DONOR_FIELDS)
    if unknown:
        raise ValidationError({f: _("Trường không được sửa tại đây.") for f in unknown})
    if ({"bank_account", "bank_name"} & set(changes)):
        require(user, "donor_bank", donor)
    old = {f: getattr(donor, f) for f in DONOR_FIELDS}
    values = {**old, **changes}
    _clean_donor(values)
    for f, v in values.items():
        setattr(donor, f, v)
    donor.name = donor.name.strip()
    donor.name_folded = fold(donor.name)[:200]
    donor.full_clean()
    donor.save()
    changed = {f: [old[f], values[f]] for f in DONOR_FIELDS if old[f] != values[f]}
    for f in selectors.BANK_FIELDS:
        if f in changed:
            changed[f] = "(đã thay đổi)"
    audit_record(AuditAction.UPDATE, donor, changes=changed)
    return donor


# ---------------------------------------------------------------------------- funds, campaigns

@transaction.atomic
def fund_create(user, *, area, kind: str, name: str, code: str) -> Fund:
    commune, province = _area(area)
    _require_area(user, "funds", commune, province)
    _choice(kind, FundKind, "kind", _("Loại quỹ"))
    if not name.strip():
        raise ValidationError({"name": _("Tên quỹ: bắt buộc.")})
    if not code.strip():
        raise ValidationError({"code": _("Ký hiệu quỹ: bắt buộc (dùng trong số biên nhận).")})
    fund = Fund.objects.create(kind=kind, name=name.strip(), code=code.strip().upper(),
                               commune=commune, province=province)
    audit_record(AuditAction.CREATE, fund, changes={"kind": kind, "name": fund.name,
                                                    "code": fund.code})
    return fund


@transaction.atomic
def campaign_create(user, *, area, name: str, starts_on: date, ends_on: date | None = None,
                    target_amount: int | None = None, responsible_unit: str = "",
                    funds: list[Fund] = ()) -> Campaign:
    commune, province = _area(area)
    _require_area(user, "funds", commune, province)
    if not name.strip():
        raise ValidationError({"name": _("Tên chiến dịch: bắt buộc.")})
    if target_amount is not None:
        _positive(target_amount, "target_amount", _("Mục tiêu"))
    if starts_on is None:
        raise ValidationError({"starts_on": _("Ngày bắt đầu: bắt buộc.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("Ngày kết thúc: không được trước ngày bắt đầu.")})
    for f in funds:
        require(user, "funds", f)
    campaign = Campaign.objects.create(name=name.strip(), starts_on=starts_on, ends_on=ends_on,
                                       target_amount=target_amount,
                                       responsible_unit=responsible_unit,
                                       commune=commune, province=province)
    campaign.funds.set(funds)
    audit_record(AuditAction.CREATE, campaign, changes={
        "name": campaign.name, "target_amount": target_amount, "starts_on": starts_on,
        "ends_on": ends_on, "funds": [f.pk for f in funds]})
    return campaign


@transaction.atomic
def restriction_create(user, *, fund: Fund, kind: str, description: str,
                       campaign: Campaign | None = None, donor: Donor | None = None,
                       ends_on: date | None = None) -> Restriction:
    require(user, "funds", fund)
    _choice(kind, RestrictionKind, "kind", _("Loại hạn chế"))
    if kind == RestrictionKind.CAMPAIGN:
        if campaign is None:
            raise ValidationError({"campaign": _("Chiến dịch: bắt buộc với hạn chế theo "
                                                 "chiến dịch.")})
        require(user, "funds", campaign)
        description = description or campaign.name
    elif campaign is not None:
        raise ValidationError({"campaign": _("Chiến dịch: chỉ dùng với hạn chế theo "
                                             "chiến dịch.")})
    if not (description or "").strip():
        raise ValidationError({"description": _("Chương trình/mục đích: bắt buộc.")})
    if donor is not None:
        require(user, "funds", donor)
    restriction = Restriction.objects.create(
        fund=fund, kind=kind, description=description.strip(), campaign=campaign, donor=donor,
        ends_on=ends_on, commune=fund.commune, province=fund.province)
    audit_record(AuditAction.CREATE, restriction, changes={
        "fund": fund.pk, "kind": kind, "description": restriction.description,
        "campaign": campaign, "donor": donor, "ends_on": ends_on})
    return restriction


# ---------------------------------------------------------------------------- pledges

@transaction.atomic
def pledge_create(user, *, donor: Donor, pledged_on: date, amount: int | None = None,
                  in_kind: str = "", campaign: Campaign | None = None,
                  fund: Fund | None = None) -> Pledge:
    require(user, "funds", donor)
    owner = campaign or fund
    if owner is None:
        raise ValidationError({"campaign": _("Chiến dịch hoặc quỹ: phải chọn một.")})
    require(user, "funds", owner)
    if fund is not None and campaign is not None:
        require(user, "funds", fund)
    if amount is None and not in_kind.strip():
        raise ValidationError({"amount": _("Số tiền cam kết: bắt buộc, hoặc mô tả hiện vật.")})
    if amount is not None:
        _positive(amount, "amount", _("Số tiền cam kết"))
    _not_future(pledged_on, "pledged_on", _("Ngày cam kết"))
    lock_targets(campaign, fund)  # a snapshot being published waits, see pledge_history
    pledge = Pledge.objects.create(donor=donor, campaign=campaign, fund=fund, amount=amount,
                                   in_kind=in_kind.strip(), pledged_on=pledged_on,
                                   commune=owner.commune, province=owner.province,
                                   created_by=user)
    audit_record(AuditAction.CREATE, pledge, changes={
        "donor": donor, "campaign": campaign, "fund": fund, "amount": amount,
        "in_kind": pledge.in_kind, "pledged_on": pledged_on})
    return pledge


# ---------------------------------------------------------------------------- corrections

def _diff(obj, values: dict) -> dict:
    """{field: [old, new]} for the values that change `obj`; the audit row keeps both."""
    out = {}
    for f, new in values.items():
        old = getattr(obj, f)
        if old != new:
            out[f] = [old, new]
    return out


def _only(changes: dict, allowed: tuple) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({f: _("Trường không được sửa tại đây.") for f in sorted(unknown)})


def _audit_update(obj, changed: dict) -> None:
    if changed:
        audit_record(AuditAction.UPDATE, obj, changes={
            f: [_plain(o), _plain(n)] for f, (o, n) in changed.items()})


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return value


FUND_FIELDS = ("kind", "name", "code")


@transaction.atomic
def fund_update(user, fund: Fund, **changes) -> Fund:
    """Name, kind and code of a fund. The code is printed in every receipt number, so it is
    fixed once the fund has numbered a receipt. The owning area never changes."""
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    require(user, "funds", fund)
    _only(changes, FUND_FIELDS)
    values = {f: changes[f] for f in FUND_FIELDS if f in changes}
    if "kind" in values:
        _choice(values["kind"], FundKind, "kind", _("Loại quỹ"))
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise ValidationError({"name": _("Tên quỹ: bắt buộc.")})
    if "code" in values:
        values["code"] = (values["code"] or "").strip().upper()
        if not values["code"]:
            raise ValidationError({"code": _("Ký hiệu quỹ: bắt buộc (dùng trong số biên "
                                             "nhận).")})
        if values["code"] != fund.code and ReceiptCounter.objects.filter(fund=fund).exists():
            raise ValidationError({"code": _("Ký hiệu quỹ: đã dùng trong số biên nhận đã cấp, "
                                             "không được đổi.")})
    changed = _diff(fund, values)
    for f, (_old, new) in changed.items():
        setattr(fund, f, new)
    fund.full_clean()
    fund.save()
    _audit_update(fund, changed)
    return fund


CAMPAIGN_FIELDS = ("name", "target_amount", "starts_on", "ends_on", "responsible_unit",
                   "funds")


@transaction.atomic
def campaign_update(user, campaign: Campaign, **changes) -> Campaign:
    """A campaign's name, target, dates, unit and receiving funds. A fund that already
    received money for the campaign stays among its funds."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    require(user, "funds", campaign)
    _only(changes, CAMPAIGN_FIELDS)
    values = {f: changes[f] for f in CAMPAIGN_FIELDS if f in changes and f != "funds"}
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise ValidationError({"name": _("Tên chiến dịch: bắt buộc.")})
    if values.get("target_amount") is not None:
        _positive(values["target_amount"], "target_amount", _("Mục tiêu"))
    if "starts_on" in values and values["starts_on"] is None:
        raise ValidationError({"starts_on": _("Ngày bắt đầu: bắt buộc.")})
    if "responsible_unit" in values:
        values["responsible_unit"] = (values["responsible_unit"] or "").strip()
    starts_on = values.get("starts_on", campaign.starts_on)
    ends_on = values.get("ends_on", campaign.ends_on)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("Ngày kết thúc: không được trước ngày bắt đầu.")})
    changed = _diff(campaign, values)
    if "funds" in changes:
        funds = list(dict.fromkeys(changes["funds"] or ()))
        for f in funds:
            require(user, "funds", f)
        old_ids = set(campaign.funds.values_list("pk", flat=True))
        new_ids = {f.pk for f in funds}
        dropped = old_ids - new_ids
        used = (Fund.objects.filter(pk__in=dropped, receipt_lines__campaign=campaign)
                .distinct().order_by("name").first())
        if used is not None:
            raise ValidationError({"funds": _("Quỹ tiếp nhận: «%(fund)s» đã nhận tiền cho "
                                              "chiến dịch, không bỏ ra được.")
                                   % {"fund": used.name}})
        if old_ids != new_ids:
            campaign.funds.set(funds)
            changed["funds"] = [sorted(old_ids), sorted(new_ids)]
    for f, (_old, new) in changed.items():
        if f != "funds":
            setattr(campaign, f, new)
    campaign.full_clean()
    campaign.save()
    _audit_update(campaign, changed)
    return campaign


RESTRICTION_FIELDS = ("fund", "kind", "campaign", "donor", "description", "ends_on")
# What decides where the money is and on what it may be spent: fixed once money uses it.
RESTRICTION_MONEY_FIELDS = ("fund", "kind", "campaign", "donor")


@transaction.atomic
def restriction_update(user, restriction: Restriction, **changes) -> Restriction:
    """The purpose text and end date of a restriction, and — while no receipt or allocation
    uses it — its fund, kind, campaign and donor. The end date may not move before a
    spending already made from it."""
    restriction = Restriction.objects.select_for_update().get(pk=restriction.pk)
    require(user, "funds", restriction)
    _only(changes, RESTRICTION_FIELDS)
    values = {f: changes[f] for f in RESTRICTION_FIELDS if f in changes}
    changed = _diff(restriction, values)
    money = [f for f in RESTRICTION_MONEY_FIELDS if f in changed]
    if money and (ReceiptLine.objects.filter(restriction=restriction).exists()
                  or Allocation.objects.filter(restriction=restriction).exists()):
        raise ValidationError({money[0]: _("Hạn chế sử dụng: đã có biên nhận hoặc khoản chi "
                                           "dùng hạn chế này, không được đổi quỹ, loại, chiến "
                                           "dịch hay nhà tài trợ.")})
    fund = values.get("fund", restriction.fund)
    kind = values.get("kind", restriction.kind)
    campaign = values.get("campaign", restriction.campaign)
    donor = values.get("donor", restriction.donor)
    if "fund" in changed:
        require(user, "funds", fund)
        if not _same_area(fund, restriction):
            raise ValidationError({"fund": _("Quỹ: phải cùng đơn vị quản lý với hạn chế.")})
    _choice(kind, RestrictionKind, "kind", _("Loại hạn chế"))
    if kind == RestrictionKind.CAMPAIGN and campaign is None:
        raise ValidationError({"campaign": _("Chiến dịch: bắt buộc với hạn chế theo "
                                             "chiến dịch.")})
    if kind != RestrictionKind.CAMPAIGN and campaign is not None:
        raise ValidationError({"campaign": _("Chiến dịch: chỉ dùng với hạn chế theo "
                                             "chiến dịch.")})
    if "campaign" in changed and campaign is not None:
        require(user, "funds", campaign)
    if "donor" in changed and donor is not None:
        require(user, "funds", donor)
    if "description" in values:
        values["description"] = (values["description"] or "").strip()
        if not values["description"]:
            raise ValidationError({"description": _("Chương trình/mục đích: bắt buộc.")})
        changed = _diff(restriction, values)
    if "ends_on" in changed and values["ends_on"] is not None:
        # Under the pot's lock, so no allocation slips in after the date while it moves.
        _lock_pot(restriction.fund_id, restriction.pk)
        last = (Allocation.objects.filter(restriction=restriction)
                .exclude(status=AllocationStatus.REJECTED)
                .order_by("-allocated_on").values_list("allocated_on", flat=True).first())
        if last is not None and values["ends_on"] < last:
            raise ValidationError({"ends_on": _("Hạn sử dụng: đã có khoản chi ngày "
                                                "%(date)s, không được đặt hạn trước ngày đó.")
                                   % {"date": f"{last:%d/%m/%Y}"}})
    for f, (_old, new) in changed.items():
        setattr(restriction, f, new)
    if "fund" in changed:
        restriction.commune, restriction.province = fund.commune, fund.province
    restriction.full_clean()
    restriction.save()
    _audit_update(restriction, changed)
    return restriction


PLEDGE_FIELDS = ("amount", "in_kind", "pledged_on", "campaign", "fund")


def _paid_on_pledge(pledge: Pledge) -> int:
    return selectors._received_per_pledge([pledge.pk]).get(pledge.pk, 0)


@transaction.atomic
def pledge_update(user, pledge: Pledge, **changes) -> Pledge:
    """What a donor promised, when, and for which campaign or fund. The donor never changes;
    a cancelled pledge is not edited; the amount does not go below what was already paid on
    it; the campaign and fund stay once a receipt pays on the pledge."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    require(user, "funds", pledge)
    _only(changes, PLEDGE_FIELDS)
    if pledge.cancelled:
        raise ValidationError({"status": _("Cam kết: đã hủy, không được sửa.")})
    values = {f: changes[f] for f in PLEDGE_FIELDS if f in changes}
    if "in_kind" in values:
        values["in_kind"] = (values["in_kind"] or "").strip()
    changed = _diff(pledge, values)
    amount = values.get("amount", pledge.amount)
    in_kind = values.get("in_kind", pledge.in_kind)
    campaign = values.get("campaign", pledge.campaign)
    fund = values.get("fund", pledge.fund)
    if amount is None and not in_kind:
        raise ValidationError({"amount": _("Số tiền cam kết: bắt buộc, hoặc mô tả hiện vật.")})
    if "amount" in changed and amount is not None:
        _positive(amount, "amount", _("Số tiền cam kết"))
        paid = _paid_on_pledge(pledge)
        if amount < paid:
            raise ValidationError({"amount": _("Số tiền cam kết: đã nhận %(paid)s theo cam kết "
                                               "này, không được nhỏ hơn.")
                                   % {"paid": format_money(paid)}})
    if "pledged_on" in changed:
        _not_future(values["pledged_on"], "pledged_on", _("Ngày cam kết"))
    if {"campaign", "fund"} & set(changed):
        owner = campaign or fund
        if owner is None:
            raise ValidationError({"campaign": _("Chiến dịch hoặc quỹ: phải chọn một.")})
        for target in (campaign, fund):
            if target is not None:
                require(user, "funds", target)
        if not _same_area(owner, pledge):
            raise ValidationError({"campaign": _("Chiến dịch hoặc quỹ: phải cùng đơn vị quản "
                                                 "lý với cam kết.")})
        if Receipt.objects.filter(pledge=pledge).exists():
            field = "campaign" if "campaign" in changed else "fund"
            raise ValidationError({field: _("Cam kết: đã có biên nhận theo cam kết này, không "
                                            "được đổi chiến dịch hay quỹ.")})
    if changed:
        # The version replaced is kept for the figures frozen before this edit.
        lock_targets(pledge.campaign, pledge.fund, campaign, fund)
        pledge_revise(user, pledge)
    for f, (_old, new) in changed.items():
        setattr(pledge, f, new)
    pledge.full_clean()
    pledge.save()
    _audit_update(pledge, changed)
    return pledge


@transaction.atomic
def pledge_cancel(user, pledge: Pledge, *, reason: str,
                  cancelled_on: date | None = None) -> Pledge:
    """The donor withdrew: the pledge stays on record with the reason and stops being owed.
    What was already paid on it stays received."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    require(user, "funds", pledge)
    if pledge.cancelled:
        raise ValidationError({"status": _("Cam kết: đã hủy ngày %(date)s.")
                               % {"date": f"{pledge.cancelled_on:%d/%m/%Y}"}})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Lý do hủy cam kết: bắt buộc.")})
    cancelled_on = _not_future(cancelled_on or _today(), "cancelled_on", _("Ngày hủy cam kết"))
    if cancelled_on < pledge.pledged_on:
        raise ValidationError({"cancelled_on": _("Ngày hủy cam kết: không được trước ngày cam "
                                                 "kết.")})
    lock_targets(pledge.campaign, pledge.fund)  # see pledge_history
    pledge.cancelled_on = cancelled_on
    pledge.cancel_reason = reason.strip()
    pledge.cancelled_by = user
    pledge.cancelled_at = timezone.now()
    pledge.save(update_fields=["cancelled_on", "cancel_reason", "cancelled_by", "cancelled_at"])
    audit_record(AuditAction.UPDATE, pledge, changes={
        "cancelled_on": [None, cancelled_on.isoformat()],
        "cancel_reason": [None, pledge.cancel_reason],
        "outstanding_cancelled": max((pledge.amount or 0) - _paid_on_pledge(pledge), 0)})
    return pledge


# ---------------------------------------------------------------------------- receipts

def _is_foreign_aid(receipt: Receipt) -> bool:
    return receipt.donor.kind == DonorKind.FOREIGN_NGO or receipt.currency != VND


def _check_foreign_amount(currency: str, original_minor, rate, total: int) -> None:
    if currency == VND:
        if original_minor is not None or rate is not None:
            raise ValidationError({"currency": _("Đơn vị tiền tệ: tiền đồng không có nguyên "
                                                 "tệ và tỷ giá.")})
        return
    if original_minor is None or isinstance(original_minor, bool) or original_minor <= 0:
        raise ValidationError({"original_amount_minor": _("Số tiền nguyên tệ: bắt buộc và lớn "
                                                          "hơn 0 với ngoại tệ.")})
    if rate is None or Decimal(rate) <= 0:
        raise ValidationError({"exchange_rate": _("Tỷ giá: bắt buộc và lớn hơn 0 với "
                                                  "ngoại tệ.")})
    digits = MINOR_DIGITS.get(currency, 2)
    expected = (Decimal(original_minor) / (10 ** digits) * Decimal(rate)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP)
    # Banks round once; more than one đồng apart means a typing mistake in one of the three.
    if abs(expected - total) > 1:
        raise ValidationError({"total": _("Tổng số tiền: %(total)s không khớp nguyên tệ × tỷ "
                                          "giá = %(expected)s.")
                               % {"total": format_money(total),
                                  "expected": format_money(int(expected))}})


def _clean_line(user, receipt_fund: Fund, line: dict, index: int) -> ReceiptLine:
    where = {"where": _("Dòng %(n)s") % {"n": index}}
    fund = line.get("fund")
    if fund is None:
        raise ValidationError({"lines": _("%(where)s – Quỹ: bắt buộc.") % where})
    require(user, "funds", fund)
    if not _same_area(fund, receipt_fund):
        raise ValidationError({"lines": _("%(where)s – Quỹ: phải cùng đơn vị quản lý với quỹ "
                                          "cấp biên nhận.") % where})
    amount = line.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"lines": _("%(where)s – Số tiền: phải là số nguyên đồng lớn "
                                          "hơn 0.") % where})
    restriction = line.get("restriction")
    campaign = line.get("campaign")
    if restriction is not None:
        if restriction.fund_id != fund.pk:
            raise ValidationError({"lines": _("%(where)s – Hạn chế sử dụng: thuộc quỹ khác.")
                                   % where})
        if restriction.campaign_id:
            if campaign is not None and campaign.pk != restriction.campaign_id:
                raise ValidationError({"lines": _("%(where)s – Chiến dịch: khác chiến dịch của "
                                                  "hạn chế sử dụng.") % where})
            campaign = restriction.campaign
    if campaign is not None:
        require(user, "funds", campaign)
    return ReceiptLine(fund=fund, restriction=restriction, campaign=campaign, amount=amount)


def _clean_cash(user, v: dict, *, cancelled: dict | None = None) -> list[ReceiptLine]:
    """Check the head and lines of a cash receipt (`v` holds the receipt's fields, objects
    for the relations, "lines" as dicts) and normalise `v` in place; return the unsaved
    lines. One place for the rules of a draft, whether created, edited or issued in bulk
    (`cancelled`: pledge id → cancellation date, read by the caller for all its drafts)."""
    fund, donor, pledge = v["fund"], v["donor"], v.get("pledge")
    require(user, "funds", fund)
    require(user, "funds", donor)
    _choice(v["method"], Method, "method", pgettext("payment method", "Hình thức"))
    if v["method"] not in CASH_METHODS:
        raise ValidationError({"method": _("Hình thức: biên nhận tiền là chuyển khoản hoặc "
                                           "tiền mặt; hàng hóa, dịch vụ lập biên nhận hiện "
                                           "vật.")})
    _positive(v["total"], "total", _("Tổng số tiền"))
    _not_future(v["received_on"], "received_on", _("Ngày nhận"))
    v["currency"] = (v.get("currency") or VND).upper()
    if v.get("exchange_rate") is not None:
        v["exchange_rate"] = Decimal(str(v["exchange_rate"]))
    _check_foreign_amount(v["currency"], v.get("original_amount_minor"),
                          v.get("exchange_rate"), v["total"])
    v["document_ref"] = (v.get("document_ref") or "").strip()
    v["aid_approval_ref"] = (v.get("aid_approval_ref") or "").strip()
    v["description"] = v.get("description") or ""
    if v["method"] == Method.CASH and not v["document_ref"]:
        raise ValidationError({"document_ref": _("Số phiếu thu: bắt buộc khi nhận tiền mặt.")})
    if pledge is not None:
        require(user, "funds", pledge)
        if pledge.donor_id != donor.pk:
            raise ValidationError({"pledge": _("Cam kết: của nhà tài trợ khác.")})
        # Read from the database: the caller's copy may predate a cancellation.
        cancelled_on = (cancelled.get(pledge.pk) if cancelled is not None else
                        Pledge.objects.filter(pk=pledge.pk).values_list("cancelled_on",
                                                                       flat=True).first())
        if cancelled_on is not None:
            raise ValidationError({"pledge": _("Cam kết: đã hủy ngày %(date)s.")
                                   % {"date": f"{cancelled_on:%d/%m/%Y}"}})
    if not v.get("lines"):
        raise ValidationError({"lines": _("Các dòng phân bổ: cần ít nhất một dòng.")})
    clean = [_clean_line(user, fund, line, i) for i, line in enumerate(v["lines"], start=1)]
    line_sum = sum(line.amount for line in clean)
    if line_sum != v["total"]:
        raise ValidationError({"lines": _("Các dòng phân bổ: cộng lại %(sum)s, khác tổng số "
                                          "tiền %(total)s.")
                               % {"sum": format_money(line_sum),
                                  "total": format_money(v["total"])}})
    return clean


def _cash_detail(lines) -> list:
    return [[ln.fund_id, ln.restriction_id, ln.campaign_id, ln.amount] for ln in lines]


@transaction.atomic
def receipt_create(user, *, fund: Fund, donor: Donor, received_on: date, method: str,
                   total: int, lines: list[dict], currency: str = VND,
                   original_amount_minor: int | None = None,
                   exchange_rate: Decimal | str | None = None, document_ref: str = "",
                   aid_approval_ref: str = "", pledge: Pledge | None = None,
                   description: str = "") -> Receipt:
    """A draft receipt with its lines. Each line: {"fund", "amount", optional "restriction",
    optional "campaign"}. It counts in no balance until `receipt_issue`."""
    v = {"fund": fund, "donor": donor, "received_on": received_on, "method": method,
         "total": total, "lines": lines, "currency": currency,
         "original_amount_minor": original_amount_minor, "exchange_rate": exchange_rate,
         "document_ref": document_ref, "aid_approval_ref": aid_approval_ref,
         "pledge": pledge, "description": description}
    clean = _clean_cash(user, v)
    v.pop("lines")
    receipt = Receipt.objects.create(**v, created_by=user, commune=fund.commune,
                                     province=fund.province)
    for line in clean:
        line.receipt = receipt
    ReceiptLine.objects.bulk_create(clean)
    audit_record(AuditAction.CREATE, receipt, changes={
        "donor": donor, "total": total, "currency": v["currency"], "received_on": received_on,
        "lines": _cash_detail(clean)})
    return receipt


# What an edit of a draft may change, per kind; `lines` replaces all the lines.
RECEIPT_FIELDS = {
    ReceiptKind.CASH: ("fund", "donor", "pledge", "method", "document_ref", "received_on",
                       "total", "currency", "original_amount_minor", "exchange_rate",
                       "aid_approval_ref", "description", "lines"),
    ReceiptKind.GOODS: ("fund", "donor", "pledge", "document_ref", "received_on", "total",
                        "aid_approval_ref", "description", "lines"),
}
RECEIPT_FIELDS[ReceiptKind.SERVICES] = RECEIPT_FIELDS[ReceiptKind.GOODS]


@transaction.atomic
def receipt_update(user, receipt: Receipt, **changes) -> Receipt:
    """Edit a draft in place, keeping its id: the head fields given, and with `lines` all
    its lines replaced (cash: {"fund", "amount", …}; goods and services: as
    `goods_receipt_create` / `service_receipt_create` take them). The whole draft is then
    checked by the rules of its creation, and the audit row holds old → new. For goods and
    services `total` is only checked against the lines, whose sum it always is. An issued
    receipt is final (ImmutableError): it can only be reversed."""
    from . import in_kind  # it builds on this module

    receipt = Receipt.objects.select_for_update(of=("self",)).select_related(
        "fund", "donor", "pledge").get(pk=receipt.pk)
    require(user, "funds", receipt)
    if receipt.status != ReceiptStatus.DRAFT:
        raise ImmutableError("Biên nhận đã cấp không được sửa; hãy lập bút toán hủy.")
    allowed = RECEIPT_FIELDS[receipt.kind]
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({f: _("Trường không sửa được ở loại biên nhận này.")
                               for f in sorted(unknown)})
    old = {f: getattr(receipt, f) for f in allowed if f != "lines"}
    if receipt.kind == ReceiptKind.CASH:
        old_lines = list(receipt.lines.select_related("fund", "restriction", "campaign")
                         .order_by("pk"))
        old_detail = _cash_detail(old_lines)
        current = [{"fund": ln.fund, "restriction": ln.restriction, "campaign": ln.campaign,
                    "amount": ln.amount} for ln in old_lines]
        v = {**old, "lines": current, **changes}
        clean = _clean_cash(user, v)
        new_detail = _cash_detail(clean)
        line_model = ReceiptLine
    else:
        old_detail, current = in_kind.current_lines(receipt)
        v = {**old, "lines": current, **changes}
        if "total" not in changes:
            v["total"] = None
        clean = in_kind.clean_draft(user, receipt.kind, v)
        v["total"] = sum(line.value for line in clean)
        new_detail = in_kind.line_detail(receipt.kind, clean)
        line_model = type(clean[0])
    v.pop("lines")
    # A rate is a Decimal, which the audit's JSON does not take; its text is exact.
    diff = {f: [str(x) if isinstance(x, Decimal) else x for x in pair]
            for f, pair in audit_diff(old, {f: v[f] for f in old}).items()}
    if new_detail != old_detail:
        diff["lines"] = [old_detail, new_detail]
    if not diff:
        return receipt
    for f, value in v.items():
        setattr(receipt, f, value)
    receipt.commune, receipt.province = receipt.fund.commune, receipt.fund.province
    receipt.save()
    if "lines" in diff:
        line_model.objects.filter(receipt=receipt).delete()
        for line in clean:
            line.receipt = receipt
        line_model.objects.bulk_create(clean)
    audit_record(AuditAction.UPDATE, receipt, changes=diff)
    return receipt


def receipt_number(fund: Fund, year: int, sequence: int) -> str:
    return f"{sequence:05d}/{year}/BN-{fund.code}"


def _take_receipt_numbers(fund: Fund, year: int, count: int = 1) -> int:
    """Take `count` consecutive numbers of the fund's series for the year under the
    counter's row lock (held until the transaction ends); return the first."""
    try:
        with transaction.atomic():
            ReceiptCounter.objects.get_or_create(fund=fund, year=year)
    except IntegrityError:
        pass  # created by a concurrent issuer a moment ago
    counter = ReceiptCounter.objects.select_for_update().get(fund=fund, year=year)
    counter.last += count
    counter.save(update_fields=["last"])
    return counter.last - count + 1


def _next_receipt_number(fund: Fund, year: int) -> tuple[int, str]:
    sequence = _take_receipt_numbers(fund, year)
    return sequence, receipt_number(fund, year, sequence)


def _check_aid_approval(receipt: Receipt) -> None:
    if _is_foreign_aid(receipt) and not receipt.aid_approval_ref:
        raise ValidationError({"aid_approval_ref": _("Số quyết định phê duyệt viện trợ: bắt "
                                                     "buộc với viện trợ nước ngoài (Nghị định "
                                                     "313/2025/NĐ-CP, trước đây 80/2020).")})


@transaction.atomic
def receipt_issue(user, receipt: Receipt) -> Receipt:
    """Validate a draft and give it its number (per issuing fund and year). Final afterwards.
    Foreign aid (a foreign donor or foreign money) needs its approval decision under Decree
    313/2025 (formerly 80/2020): aid may be received only after approval."""
    receipt = Receipt.objects.select_for_update().select_related("donor", "fund").get(
        pk=receipt.pk)
    require(user, "funds", receipt)
    if receipt.status != ReceiptStatus.DRAFT:
        raise ValidationError({"status": _("Trạng thái: biên nhận đã được cấp.")})
    from . import in_kind  # it builds on this module

    lines = list(receipt.lines.all())  # money lines; goods and services receipts have none
    if in_kind.lines_total(receipt) != receipt.total:
        raise ValidationError({"lines": _("Các dòng phân bổ: không khớp tổng số tiền.")})
    _check_aid_approval(receipt)
    # Take the pot locks so a balance read under a lock never sees half an issue.
    for pot in sorted({(ln.fund_id, ln.restriction_id) for ln in lines},
                      key=lambda p: (p[0], p[1] or 0)):
        _lock_pot(*pot)
    year = receipt.received_on.year
    receipt.sequence, receipt.number = _next_receipt_number(receipt.fund, year)
    receipt.year = year
    receipt.status = ReceiptStatus.ISSUED
    receipt.issued_at = timezone.now()
    receipt.issued_by = user
    receipt.save()
    if receipt.kind == ReceiptKind.GOODS:
        in_kind.goods_into_stock(user, receipt)
    audit_record(AuditAction.UPDATE, receipt, changes={
        "status": [ReceiptStatus.DRAFT, ReceiptStatus.ISSUED], "number": receipt.number})
    return receipt


@transaction.atomic
def receipt_reverse(user, receipt: Receipt, *, reason: str,
                    reversed_on: date | None = None) -> ReceiptReversal:
    """Take an issued receipt back out of the balances with a linked reversal entry.
    Refused when the money has already been allocated: the allocations must go first."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    require(user, "funds", receipt)
    if receipt.status != ReceiptStatus.ISSUED:
        raise ValidationError({"receipt": _("Biên nhận: chỉ hủy được biên nhận đã cấp.")})
    if ReceiptReversal.objects.filter(receipt=receipt).exists():
        raise ValidationError({"receipt": _("Biên nhận: đã có bút toán hủy.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Lý do hủy: bắt buộc.")})
    reversed_on = _not_future(reversed_on or _today(), "reversed_on", _("Ngày hủy"))
    if reversed_on < receipt.received_on:
        raise ValidationError({"reversed_on": _("Ngày hủy: không được trước ngày nhận.")})
    per_pot: dict[tuple, int] = {}
    for ln in receipt.lines.all():
        key = (ln.fund_id, ln.restriction_id)
        per_pot[key] = per_pot.get(key, 0) + ln.amount
    for (fund_id, restriction_id), amount in sorted(per_pot.items(),
                                                   key=lambda i: (i[0][0], i[0][1] or 0)):
        _lock_pot(fund_id, restriction_id)
        if selectors.balance_of(fund_id, restriction_id).available < amount:
            raise ValidationError({"receipt": _("Biên nhận: số tiền đã được phân bổ chi, không "
                                                "đủ số dư để hủy; hãy từ chối/thu hồi khoản "
                                                "chi trước.")})
    if receipt.kind == ReceiptKind.GOODS:
        from .in_kind import goods_out_of_stock

        goods_out_of_stock(user, receipt, reversed_on)
    reversal = ReceiptReversal.objects.create(
        receipt=receipt, reason=reason.strip(), reversed_on=reversed_on, created_by=user,
        commune=receipt.commune, province=receipt.province)
    audit_record(AuditAction.CREATE, reversal, changes={
        "receipt": receipt.pk, "number": receipt.number, "reason": reversal.reason})
    return reversal


# ---------------------------------------------------------------------------- allocations

def _lock_pot(fund_id: int, restriction_id: int | None) -> BalanceLock:
    """Lock (creating on first use) the balance row of a pot until the transaction ends.
    Callers lock several pots in (fund, restriction) order so two writers cannot deadlock."""
    try:
        with transaction.atomic():
            BalanceLock.objects.get_or_create(fund_id=fund_id, restriction_id=restriction_id)
    except IntegrityError:
        pass  # created by a concurrent writer a moment ago
    return BalanceLock.objects.select_for_update().get(fund_id=fund_id,
                                                       restriction_id=restriction_id)


def _check_restriction(restriction: Restriction | None, campaign: Campaign | None,
                       on: date) -> None:
    if restriction is None:
        return
    if restriction.campaign_id and (campaign is None or campaign.pk != restriction.campaign_id):
        raise ValidationError({"campaign": _("Chiến dịch: tiền hạn chế cho chiến dịch "
                                             "«%(campaign)s» chỉ được chi cho chiến dịch đó.")
                               % {"campaign": restriction.campaign}})
    if restriction.ends_on is not None and on > restriction.ends_on:
        raise ValidationError({"restriction": _("Hạn chế sử dụng: đã hết hạn ngày %(date)s.")
                               % {"date": f"{restriction.ends_on:%d/%m/%Y}"}})


def _insufficient(available: int) -> ValidationError:
    return ValidationError({"amount": _("Số tiền: vượt số dư khả dụng %(available)s.")
                            % {"available": format_money(available)}})


@transaction.atomic
def allocation_prepare(user, *, fund: Fund, amount: int, purpose: str,
                       restriction: Restriction | None = None,
                       campaign: Campaign | None = None,
                       allocated_on: date | None = None) -> Allocation:
    """Prepare a spending (maker). Reserves the amount at once, under the pot's lock."""
    require(user, "funds", fund)
    _positive(amount, "amount", _("Số tiền"))
    if not (purpose or "").strip():
        raise ValidationError({"purpose": _("Mục đích chi: bắt buộc.")})
    allocated_on = allocated_on or _today()
    if restriction is not None and restriction.fund_id != fund.pk:
        raise ValidationError({"restriction": _("Hạn chế sử dụng: thuộc quỹ khác.")})
    if campaign is not None:
        require(user, "funds", campaign)
    _check_restriction(restriction, campaign, allocated_on)
    _lock_pot(fund.pk, restriction and restriction.pk)
    available = selectors.balance_of(fund.pk, restriction and restriction.pk).available
    if amount > available:
        raise _insufficient(available)
    allocation = Allocation.objects.create(
        fund=fund, restriction=restriction, campaign=campaign, amount=amount,
        purpose=purpose.strip(), allocated_on=allocated_on, prepared_by=user,
        commune=fund.commune, province=fund.province)
    audit_record(AuditAction.CREATE, allocation, changes={
        "fund": fund.pk, "restriction": restriction, "campaign": campaign, "amount": amount,
        "purpose": allocation.purpose, "allocated_on": allocated_on})
    return allocation


def _decide(user, allocation: Allocation) -> Allocation:
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    require(user, "fund_approve", allocation)
    if allocation.prepared_by_id == user.pk:
        raise PermissionDenied("Người lập khoản chi không được tự phê duyệt.")
    if allocation.status != AllocationStatus.PENDING:
        raise ValidationError({"status": _("Trạng thái: khoản chi đã được quyết định.")})
    return allocation


@transaction.atomic
def allocation_approve(user, allocation: Allocation, *, note: str = "") -> Allocation:
    """Approve (checker ≠ maker, `fund_approve`). Rechecks the restriction and the balance
    under the lock: a reversal may have taken money out since it was prepared."""
    _lock_pot(allocation.fund_id, allocation.restriction_id)
    allocation = _decide(user, allocation)
    _check_restriction(allocation.restriction, allocation.campaign,
                       max(allocation.allocated_on, _today()))
    available = selectors.balance_of(allocation.fund_id, allocation.restriction_id,
                                     exclude_allocation=allocation.pk).available
    if allocation.amount > available:
        raise _insufficient(available)
    allocation.status = AllocationStatus.APPROVED
    allocation.decided_by = user
    allocation.decided_at = timezone.now()
    allocation.decision_note = note
    allocation.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(AuditAction.UPDATE, allocation, changes={
        "status": [AllocationStatus.PENDING, AllocationStatus.APPROVED]})
    return allocation


@transaction.atomic
def allocation_reject(user, allocation: Allocation, *, note: str) -> Allocation:
    """Reject (checker ≠ maker): the reserved amount goes back to the pot."""
    if not (note or "").strip():
        raise ValidationError({"decision_note": _("Lý do từ chối: bắt buộc.")})
    _lock_pot(allocation.fund_id, allocation.restriction_id)
    allocation = _decide(user, allocation)
    allocation.status = AllocationStatus.REJECTED
    allocation.decided_by = user
    allocation.decided_at = timezone.now()
    allocation.decision_note = note.strip()
    allocation.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(AuditAction.UPDATE, allocation, changes={
        "status": [AllocationStatus.PENDING, AllocationStatus.REJECTED], "note": note})
    return allocation
