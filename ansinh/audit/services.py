"""Writing audit rows. Single records go through `audit_record`; bulk paths build rows with
`audit_row` and write them with `audit_bulk` in the same transaction as the change."""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from ansinh.access.context import current

from .models import AuditAction, AuditEvent


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def diff(old: dict, new: dict) -> dict:
    """{"field": [old, new]} for the fields whose value changed."""
    return {
        k: [_jsonable(old.get(k)), _jsonable(v)]
        for k, v in new.items()
        if _jsonable(old.get(k)) != _jsonable(v)
    }


def audit_values(action: str, *, object_type: str, object_id=None, object_repr: str = "",
                 changes: dict | None = None, commune_id=None, province_id=None,
                 at=None, ctx=None) -> dict:
    """One audit row as a dict of AuditEvent attnames: who and from where (the current actor
    context), what, and the JSON form of the changes. Bulk writers insert these directly."""
    ctx = ctx or current()
    return {
        "at": at or timezone.now(), "user_id": ctx.user_id, "username": ctx.username,
        "source": ctx.source, "request_id": ctx.request_id or "", "ip": ctx.ip,
        "import_batch_id": ctx.import_batch_id, "action": action,
        "object_type": object_type, "object_id": object_id,
        "object_repr": (object_repr or "")[:200],
        "changes": {k: _jsonable(v) for k, v in (changes or {}).items()},
        "commune_id": commune_id, "province_id": province_id,
    }


def audit_row(action: str, obj=None, *, object_type: str = "", object_id=None,
              object_repr: str = "", changes: dict | None = None,
              commune_id=None, province_id=None) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id if object_id is not None else obj.pk
        object_repr = object_repr or str(obj)[:200]
        fields = getattr(type(obj), "scope_fields", None)
        if fields:
            commune_id = commune_id or getattr(obj, f"{fields[0]}_id", None)
            province_id = province_id or getattr(obj, f"{fields[1]}_id", None)
    return AuditEvent(**audit_values(
        action, object_type=object_type, object_id=object_id, object_repr=object_repr,
        changes=changes, commune_id=commune_id, province_id=province_id,
    ))


def audit_record(action: str, obj=None, **kwargs) -> AuditEvent:
    row = audit_row(action, obj, **kwargs)
    row.save()
    return row


def audit_bulk(rows: Iterable[AuditEvent], batch_size: int = 5000) -> int:
    rows = list(rows)
    AuditEvent.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def audit_sensitive_read(obj, fields: list[str]) -> AuditEvent:
    return audit_record(AuditAction.READ_SENSITIVE, obj, changes={"fields": fields})
