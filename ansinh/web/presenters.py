"""Turning audit rows into what a person reads: field labels, choice labels, dd/mm/yyyy dates,
names instead of ids, and sensitive values masked for users who may not see them."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from ansinh.access.scoping import scope_for
from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Household, Person
from ansinh.web import labels

MASK = "••••••"
SENSITIVE = frozenset(Person.SENSITIVE_FIELDS)
_DATE_FIELDS = {"birth_date", "deceased_date"}
_UNIT_FIELDS = {"commune", "province"}


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str
    is_update: bool


class ChangePresenter:
    """Presents the `changes` of many audit events with two queries for the names they cite.

    Sensitive values stay masked unless `reveal` is set, which only the logged reveal of a
    person does, and even then only for events in an area where the user holds "sensitive".
    """

    def __init__(self, events, user, *, reveal: bool = False):
        self.events = list(events)
        self.reveal = reveal
        self.sensitive_scope = scope_for(user, "sensitive")
        unit_ids, household_ids = set(), set()
        for event in self.events:
            for field, value in self._pairs(event):
                for v in value:
                    if isinstance(v, int) and field in _UNIT_FIELDS:
                        unit_ids.add(v)
                    elif isinstance(v, int) and field == "household":
                        household_ids.add(v)
        self.units = dict(AdminUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
        self.households = dict(
            Household.objects.filter(pk__in=household_ids).values_list("pk", "code")
        )

    @staticmethod
    def _pairs(event):
        changes = event.changes if isinstance(event.changes, dict) else {}
        for field, value in changes.items():
            if event.action == "update" and isinstance(value, list) and len(value) == 2:
                yield field, value
            else:
                yield field, [value]

    def may_see_sensitive(self, event) -> bool:
        return self.reveal and self.sensitive_scope.covers(event.commune_id, event.province_id)

    def value(self, field, value) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if field in _DATE_FIELDS and isinstance(value, str):
            try:
                return date.fromisoformat(value).strftime("%d/%m/%Y")
            except ValueError:
                return value
        if field in _UNIT_FIELDS:
            return self.units.get(value, str(value))
        if field == "household":
            code = self.households.get(value)
            return _("Hộ %(code)s") % {"code": code} if code else str(value)
        if isinstance(value, bool):
            return _("Có") if value else _("Không")
        if field in labels.CHOICES:
            return labels.choice_label(field, value)
        if isinstance(value, (list, dict)):
            return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        return str(value)

    def changes(self, event) -> list[Change]:
        if event.action == "read_sensitive" or not isinstance(event.changes, dict):
            fields = event.changes.get("fields", []) if isinstance(event.changes, dict) else []
            return [Change(f, labels.field_label(f), "", "", False) for f in fields]
        show_sensitive = self.may_see_sensitive(event)
        out = []
        for field, value in self._pairs(event):
            if field in ("filters", "rows"):
                out.append(Change(field, field, "", self.value(field, value[0]), False))
                continue
            if field in SENSITIVE and not show_sensitive:
                shown = [MASK for _v in value]
            else:
                shown = [self.value(field, v) for v in value]
            if len(shown) == 2:
                out.append(Change(field, labels.field_label(field), shown[0], shown[1], True))
            else:
                out.append(Change(field, labels.field_label(field), "", shown[0], False))
        return out

    def rows(self):
        return [(event, self.changes(event)) for event in self.events]
