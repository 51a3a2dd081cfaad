"""PostgreSQL only: the database itself refuses to change or delete an issued receipt, its
lines or a reversal, so a raw SQL session cannot rewrite the books either."""

from django.db import migrations

from ansinh.core.append_only import create_sql, drop_sql

CREATE = """
CREATE OR REPLACE FUNCTION funds_receipt_final() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'issued' THEN
    RAISE EXCEPTION 'funds_receipt %: an issued receipt is final', OLD.id;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS funds_receipt_final ON funds_receipt;
CREATE TRIGGER funds_receipt_final BEFORE UPDATE OR DELETE ON funds_receipt
  FOR EACH ROW EXECUTE FUNCTION funds_receipt_final();

CREATE OR REPLACE FUNCTION funds_receiptline_final() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM funds_receipt WHERE id = OLD.receipt_id AND status = 'issued') THEN
    RAISE EXCEPTION 'funds_receiptline %: lines of an issued receipt are final', OLD.id;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS funds_receiptline_final ON funds_receiptline;
CREATE TRIGGER funds_receiptline_final BEFORE UPDATE OR DELETE ON funds_receiptline
  FOR EACH ROW EXECUTE FUNCTION funds_receiptline_final();
"""
# A reversal is plain history: no row is ever changed or deleted.
CREATE += create_sql("funds_receiptreversal", name="funds_reversal_final",
                     message="funds_receiptreversal is append-only")

DROP = """
DROP TRIGGER IF EXISTS funds_receipt_final ON funds_receipt;
DROP TRIGGER IF EXISTS funds_receiptline_final ON funds_receiptline;
DROP FUNCTION IF EXISTS funds_receipt_final();
DROP FUNCTION IF EXISTS funds_receiptline_final();
""" + drop_sql("funds_receiptreversal", name="funds_reversal_final")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # the RAISE formats use %


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
