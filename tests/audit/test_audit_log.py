import pytest
from django.db import connection, transaction

from ansinh.access.context import acting
from ansinh.audit.models import AppendOnlyError, AuditEvent
from ansinh.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_an_audit_row_cannot_be_edited_or_deleted_through_the_app():
    with acting(username="canbo", source="cli"):
        event = audit_record("create", object_type="person", object_id=1, object_repr="A")
    assert (event.username, event.source) == ("canbo", "cli")
    event.object_repr = "B"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "A"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgres_refuses_update_and_delete_of_audit_rows():
    from django.db import DatabaseError

    event = audit_record("create", object_type="person", object_id=1, object_repr="A")
    for statement in ("UPDATE audit_auditevent SET object_repr='B' WHERE id=%s",
                      "DELETE FROM audit_auditevent WHERE id=%s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "A"

