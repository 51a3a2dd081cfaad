"""PostgreSQL only: the database itself refuses UPDATE and DELETE on audit rows."""

from django.db import migrations

from ansinh.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [append_only("audit_auditevent", name="audit_append_only",
                              message="audit_auditevent is append-only")]
