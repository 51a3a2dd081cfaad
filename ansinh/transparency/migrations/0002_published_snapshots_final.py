"""PostgreSQL only: the database itself refuses to change the figures of a published snapshot
or to delete one; only a single withdrawal may be written."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION transparency_snapshot_final() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'transparency_snapshot %: a published snapshot is never deleted', OLD.id;
  END IF;
  IF OLD.withdrawn_at IS NOT NULL
     OR (NEW.kind, NEW.campaign_id, NEW.fund_id, NEW.title, NEW.period_start, NEW.period_end,
         NEW.figures::text, NEW.marks::text, NEW.published_at, NEW.published_by_id,
         NEW.commune_id, NEW.province_id)
        IS DISTINCT FROM
        (OLD.kind, OLD.campaign_id, OLD.fund_id, OLD.title, OLD.period_start, OLD.period_end,
         OLD.figures::text, OLD.marks::text, OLD.published_at, OLD.published_by_id,
         OLD.commune_id, OLD.province_id) THEN
    RAISE EXCEPTION 'transparency_snapshot %: a published snapshot is final', OLD.id;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS transparency_snapshot_final ON transparency_snapshot;
CREATE TRIGGER transparency_snapshot_final BEFORE UPDATE OR DELETE ON transparency_snapshot
  FOR EACH ROW EXECUTE FUNCTION transparency_snapshot_final();
"""

DROP = """
DROP TRIGGER IF EXISTS transparency_snapshot_final ON transparency_snapshot;
DROP FUNCTION IF EXISTS transparency_snapshot_final();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("transparency", "0001_snapshots")]

    operations = [migrations.RunPython(forwards, backwards)]
