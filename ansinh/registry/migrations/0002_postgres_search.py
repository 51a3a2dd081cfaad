"""PostgreSQL only: a trigram index for diacritic-free name search, and byte collation for the
Vietnamese sort key (the key is built so that byte order is Vietnamese order)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        'ALTER TABLE registry_person ALTER COLUMN sort_key TYPE varchar(255) COLLATE "C"',
        "CREATE INDEX IF NOT EXISTS person_search_trgm ON registry_person "
        "USING gin (search_name gin_trgm_ops)",
    ):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
