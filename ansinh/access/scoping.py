"""Area scoping, in one place. Every page, search, export and API call filters through here.

A model opts in by naming the fields that hold its commune and its province:

    class Household(models.Model):
        scope_fields = ("commune", "province")

`restrict(qs, user, action)` then keeps only the rows inside the areas where the user holds a
role granting `action`. No role, no rows.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from ansinh.geo.models import Level

from .roles import ROLE_ACTIONS


@dataclass
class Scope:
    national: bool = False
    provinces: set[int] = field(default_factory=set)
    communes: set[int] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.national or self.provinces or self.communes)

    def covers(self, commune_id: int | None, province_id: int | None) -> bool:
        if self.national:
            return True
        return (commune_id is not None and commune_id in self.communes) or (
            province_id is not None and province_id in self.provinces
        )


def scope_for(user, action: str) -> Scope:
    """The areas where `user` may do `action`. Cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cache = user.__dict__.setdefault("_ansinh_scopes", {})
    if action in cache:
        return cache[action]
    scope = Scope(national=user.is_superuser)
    if not scope.national:
        for ra in user.role_assignments.select_related("area"):
            if action not in ROLE_ACTIONS.get(ra.role, ()):
                continue
            if ra.area_id is None:
                scope.national = True
            elif ra.area.level == Level.PROVINCE:
                scope.provinces.add(ra.area_id)
            else:
                scope.communes.add(ra.area_id)
    cache[action] = scope
    return scope


def can(user, action: str) -> bool:
    """May the user do `action` anywhere at all (used to show or hide menu entries)?"""
    return not scope_for(user, action).empty


def _fields(model) -> tuple[str, str]:
    try:
        return model.scope_fields
    except AttributeError as exc:  # a model without scope fields must never be listed unscoped
        raise TypeError(f"{model.__name__} has no scope_fields") from exc


def scope_q(model, scope: Scope) -> Q:
    commune_field, province_field = _fields(model)
    parts = []
    if scope.communes:
        parts.append(Q(**{f"{commune_field}__in": scope.communes}))
    if scope.provinces:
        parts.append(Q(**{f"{province_field}__in": scope.provinces}))
    return reduce(or_, parts)


def restrict(qs: QuerySet, user, action: str = "view") -> QuerySet:
    scope = scope_for(user, action)
    if scope.national:
        return qs
    if scope.empty:
        return qs.none()
    return qs.filter(scope_q(qs.model, scope))


def allows(user, action: str, obj) -> bool:
    commune_field, province_field = _fields(type(obj))
    return scope_for(user, action).covers(
        getattr(obj, f"{commune_field}_id"), getattr(obj, f"{province_field}_id")
    )


def require(user, action: str, obj) -> None:
    if not allows(user, action, obj):
        raise PermissionDenied("Bạn không có quyền với bản ghi này (ngoài địa bàn hoặc vai trò).")


def require_area(user, action: str, commune) -> None:
    """Check an action on a commune before anything is created in it."""
    if commune is None or not scope_for(user, action).covers(commune.pk, commune.province_id):
        raise PermissionDenied("Bạn không có quyền thao tác trên xã/phường này.")


def communes_for(user, action: str):
    """The current communes where the user may do `action` (for pickers and import checks)."""
    from ansinh.geo.models import AdminUnit

    scope = scope_for(user, action)
    qs = AdminUnit.objects.communes()
    if scope.national:
        return qs
    if scope.empty:
        return qs.none()
    return qs.filter(Q(pk__in=scope.communes) | Q(province_id__in=scope.provinces))
