"""Writes to the parameter tables: an authorised officer adds a dated value with its legal basis.

Every write checks the actor holds `policy` where the value applies (a province's own value: a
role on that province; a national value or a coefficient: national scope), validates, saves and
audits in one transaction. Setting the same key again with the same value changes nothing;
with another value it replaces it (audited old → new), which is how a typo is corrected.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ansinh.access.scoping import scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.geo.models import AdminUnit

from .categories import BANDS, CATEGORIES
from .models import BenefitAmount, Coefficient, Origin, Series, StandardLevel
from .params import Parameters
from .schema import _hundredths

BASIS_MAX = 300
SOURCE_MAX = 500


def _money(amount: int) -> str:
    return f"{amount:,} đ".replace(",", ".")


def _check_amount(amount) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": "Mức phải là số nguyên dương (đồng) / the amount must "
                                         "be a positive whole number of đồng."})
    return amount


def _check_effective(effective) -> date:
    if isinstance(effective, datetime) or not isinstance(effective, date):
        raise ValidationError({"effective": "Ngày hiệu lực phải là một ngày (YYYY-MM-DD) / the "
                                            "effective date must be a date."})
    return effective


def _check_text(basis: str, source_url: str) -> tuple[str, str]:
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError({"basis": "Phải ghi căn cứ pháp lý (số văn bản, điều, khoản) / the "
                                        "legal basis is required."})
    if len(basis) > BASIS_MAX:
        raise ValidationError({"basis": f"Căn cứ dài quá {BASIS_MAX} ký tự / basis longer than "
                                        f"{BASIS_MAX} characters."})
    source_url = (source_url or "").strip()
    if source_url and (not source_url.startswith(("https://", "http://"))
                       or len(source_url) > SOURCE_MAX):
        raise ValidationError({"source_url": "Nguồn phải là một địa chỉ http(s) / the source "
                                             "must be an http(s) URL."})
    return basis, source_url


def _province(province_code: str | None) -> AdminUnit | None:
    if province_code is None:
        return None
    province = AdminUnit.objects.provinces().filter(code=province_code).first()
    if province is None:
        raise ValidationError({"province_code": f"«{province_code}» không phải mã tỉnh/thành "
                                                "phố hiện hành (QĐ 19/2025) / not a 2025 "
                                                "province code."})
    return province


def _require_policy(user, province: AdminUnit | None) -> None:
    scope = scope_for(user, "policy")
    if province is None:
        if not scope.national:
            raise PermissionDenied("Chỉ người có quyền chính sách toàn quốc mới đặt được giá trị "
                                   "toàn quốc / only a national policy role may set a national "
                                   "value.")
    elif not scope.covers(None, province.pk):
        raise PermissionDenied(f"Bạn không có quyền chính sách tại {province.name} / you hold no "
                               "policy role on this province.")


def _save(model, key: dict, values: dict, user, province: AdminUnit | None):
    row = model.objects.filter(**key).first()
    created_by = user if getattr(user, "pk", None) is not None else None
    if row is None:
        row = model.objects.create(**key, **values, origin=Origin.OFFICER, created_by=created_by)
        audit_record(AuditAction.CREATE, row, changes={**key, **values},
                     province_id=province.pk if province else None)
        return row
    changes = {f: [getattr(row, f), v] for f, v in values.items() if getattr(row, f) != v}
    if not changes:
        return row
    for name, (_old, new) in changes.items():
        setattr(row, name, new)
    if row.origin != Origin.OFFICER:
        changes["origin"] = [row.origin, Origin.OFFICER.value]
        row.origin = Origin.OFFICER  # from now on the loader leaves it alone
    row.save()
    audit_record(AuditAction.UPDATE, row, changes=changes,
                 province_id=province.pk if province else None)
    return row


@transaction.atomic
def standard_level_set(amount: int, effective: date, province_code: str | None = None,
                       basis: str = "", user=None, source_url: str = "") -> StandardLevel:
    """Add (or correct) a standard level: national when `province_code` is None."""
    amount = _check_amount(amount)
    effective = _check_effective(effective)
    basis, source_url = _check_text(basis, source_url)
    province = _province(province_code)
    _require_policy(user, province)
    if province is not None:
        # Art. 4.3: a province may only go above the central level. A lower value would never
        # apply (the higher one wins), so it is almost surely a typing mistake.
        national = Parameters.load().national_in_force("standard_level", effective)
        if national is not None and amount < national:
            raise ValidationError({"amount": (
                f"Mức của tỉnh ({_money(amount)}) thấp hơn mức chuẩn trung ương đang áp dụng "
                f"({_money(national)}) / a provincial level below the national level in force "
                "never applies (Decree 20/2021, Art. 4.3).")})
    return _save(StandardLevel, {"province_code": province_code, "effective": effective},
                 {"amount": amount, "basis": basis, "source_url": source_url}, user, province)


@transaction.atomic
def social_pension_set(amount: int, effective: date, province_code: str | None = None,
                       basis: str = "", user=None, source_url: str = "") -> BenefitAmount:
    """Add (or correct) a social pension amount: national, or a province's top-up level."""
    amount = _check_amount(amount)
    effective = _check_effective(effective)
    basis, source_url = _check_text(basis, source_url)
    province = _province(province_code)
    _require_policy(user, province)
    return _save(BenefitAmount, {"series": Series.SOCIAL_PENSION.value,
                                 "province_code": province_code, "effective": effective},
                 {"amount": amount, "basis": basis, "source_url": source_url}, user, province)


@transaction.atomic
def coefficient_set(benefit: str, category: str, band: str, value: Decimal | str | int,
                    effective: date, basis: str = "", user=None,
                    source_url: str = "") -> Coefficient:
    """Add (or correct) a coefficient cell. Coefficients are national (Decree 20, Art. 6 and
    20), so this needs national scope."""
    bands = BANDS.get((benefit, category))
    if bands is None:
        known = ", ".join(f"{b}/{c}" for b, cats in CATEGORIES.items() for c in cats
                          if (b, c) in BANDS)
        raise ValidationError({"category": f"Không có nhóm «{benefit}/{category}» / unknown "
                                           f"benefit/category (known: {known})."})
    if band not in bands:
        raise ValidationError({"band": f"Không có mức «{band}» cho {category} / unknown band "
                                       f"(known: {', '.join(bands)})."})
    try:
        hundredths = _hundredths(value)
    except ValueError as exc:
        raise ValidationError({"value": f"Hệ số không hợp lệ / invalid coefficient: {exc}."}) \
            from exc
    effective = _check_effective(effective)
    basis, source_url = _check_text(basis, source_url)
    _require_policy(user, None)
    return _save(Coefficient, {"benefit": benefit, "category": category, "band": band,
                               "effective": effective},
                 {"hundredths": hundredths, "basis": basis, "source_url": source_url},
                 user, None)
