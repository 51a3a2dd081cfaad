"""Writes to the registry. Every write checks the actor's area, validates, saves and audits in
one transaction. Views, the API and the CLI call these; none of them saves models directly."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ansinh.access.scoping import require, require_area
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record, diff

from .choices import Relationship
from .models import Household, Person

HOUSEHOLD_FIELDS = ("code", "address", "commune", "poverty_status", "poverty_year", "head")


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f + "_id") if _is_fk(obj, f) else getattr(obj, f) for f in fields}


def _is_fk(obj, name) -> bool:
    field = obj._meta.get_field(name)
    return field.is_relation and field.many_to_one


def _check_duplicate_id(person: Person) -> None:
    if person.id_number and (
        Person.objects.filter(id_number=person.id_number).exclude(pk=person.pk).exists()
    ):
        raise ValidationError({"id_number": "Số định danh này đã có trong cơ sở dữ liệu."})


@transaction.atomic
def household_create(user, **data) -> Household:
    household = Household(**data)
    require_area(user, "add", household.commune)
    household.province_id = household.commune.province_id
    household.full_clean()
    household.save()
    audit_record(AuditAction.CREATE, household, changes=_snapshot(household, HOUSEHOLD_FIELDS))
    return household


@transaction.atomic
def household_update(user, household: Household, **data) -> Household:
    require(user, "change", household)
    before = _snapshot(household, HOUSEHOLD_FIELDS)
    for key, value in data.items():
        setattr(household, key, value)
    if "commune" in data:
        require_area(user, "change", household.commune)
        household.province_id = household.commune.province_id
    household.full_clean()
    changes = diff(before, _snapshot(household, HOUSEHOLD_FIELDS))
    if changes:
        household.save()
        audit_record(AuditAction.UPDATE, household, changes=changes)
    return household


@transaction.atomic
def person_create(user, **data) -> Person:
    person = Person(**data)
    if person.household_id and not person.commune_id:
        person.commune_id = person.household.commune_id
    if not person.commune_id:
        raise ValidationError({"commune": "Chưa chọn xã/phường cư trú."})
    require_area(user, "add", person.commune)
    person.province_id = person.commune.province_id
    person.refresh_derived()
    _check_duplicate_id(person)  # first, so the officer reads our message, not Django's
    person.full_clean()
    person.save()
    _sync_head(person)
    audit_record(AuditAction.CREATE, person, changes=_snapshot(person, Person.AUDITED_FIELDS))
    return person


@transaction.atomic
def person_update(user, person: Person, **data) -> Person:
    require(user, "change", person)
    before = _snapshot(person, Person.AUDITED_FIELDS)
    for key, value in data.items():
        setattr(person, key, value)
    if person.household_id and "household" in data and "commune" not in data:
        person.commune_id = person.household.commune_id
    if before["commune"] != person.commune_id:
        require_area(user, "change", person.commune)
        person.province_id = person.commune.province_id
    person.refresh_derived()
    _check_duplicate_id(person)  # first, so the officer reads our message, not Django's
    person.full_clean()
    changes = diff(before, _snapshot(person, Person.AUDITED_FIELDS))
    if changes:
        person.save()
        _sync_head(person)
        audit_record(AuditAction.UPDATE, person, changes=changes)
    return person


def _sync_head(person: Person) -> None:
    """The head of a household is the member whose relationship is 'head'."""
    if person.household_id and person.relationship == Relationship.HEAD:
        Household.objects.filter(pk=person.household_id).update(head=person)
