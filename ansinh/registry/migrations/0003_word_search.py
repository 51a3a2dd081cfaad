"""Name search matches whole folded words.

PostgreSQL: a GIN index over the words of `search_name` (`string_to_array(search_name, ' ')`).
Unlike the trigram index it replaces, ANALYZE keeps per-word frequencies for it, so the
planner — and `registry.search` — know how common a word is. The unused prefix index goes.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_search_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_words ON registry_person "
        "USING gin ((string_to_array(search_name, ' ')))"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_words")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_search_trgm ON registry_person "
        "USING gin (search_name gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_postgres_search")]
    operations = [
        migrations.RemoveIndex(model_name="person", name="person_search_prefix"),
        migrations.RunPython(forwards, backwards),
    ]
