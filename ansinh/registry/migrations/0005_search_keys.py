"""Search keys: one row per person and key (each distinct word of the folded name, `#yyyy`
for the year of birth), read in Vietnamese order from one index (see registry.search).

PostgreSQL only. Statement-level triggers with transition tables keep the table in step with
`registry_person` for every writer — the ORM, the import's bulk writer, COPY — one set-wise
statement per statement, whatever its size; an UPDATE rewrites the keys of the rows whose
name, sort key, birth date or area changed, and no others. The keys of a person are deleted
by (word, sort_key, person_id), recomputed from the old row, so the order index is the only
index the table needs (and a later change to how keys are derived rebuilds the table).

The GIN index over the name's words, which this replaces, goes.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = """
CREATE TABLE registry_searchkey (
    person_id bigint NOT NULL,
    commune_id integer NOT NULL,
    province_id integer NOT NULL,
    birth_date date,
    word varchar(180) COLLATE "C" NOT NULL,
    sort_key bytea NOT NULL,
    words varchar(182) COLLATE "C" NOT NULL
)
"""

# The person's sort key, two characters a byte: a key is made of digits, '.' and ' ' only,
# and the nibbles keep their order (' ' < '.' < '0' … '9', and 0 for the odd one out,
# lower than any), so the bytes sort as the text does in collation "C" — in half the room,
# in a table and an index that hold it once per key. Other characters, which name_sort_key
# never writes, are dropped rather than fail the write of a person.
PACK_FUNCTION = """
CREATE FUNCTION registry_pack_sort_key(sort_key text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT decode(t || repeat('0', mod(length(t), 2)), 'hex')
    FROM translate(regexp_replace(sort_key, '[^ .0-9]', '', 'g'), ' .0123456789',
                   '123456789abc') AS t
$$
"""

# Enough most-common values for a country's given names and birth years: the search picks
# its key by them. The sort key is only ever ordered by: no statistics to gather.
STATISTICS = ("ALTER TABLE registry_searchkey ALTER COLUMN word SET STATISTICS 1000, "
              "ALTER COLUMN sort_key SET STATISTICS 0")

KEYS_FUNCTION = """
CREATE FUNCTION registry_search_keys(search_name text, birth_date date) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT w FROM unnest(string_to_array(search_name, ' ')) AS w WHERE w <> ''
    UNION ALL
    SELECT '#' || extract(year FROM birth_date)::int WHERE birth_date IS NOT NULL
$$
"""

# The same rows as ansinh.synth.load.key_rows, which writes them itself in a bulk load.
_KEY_ROWS = """
    SELECT r.id, r.commune_id, r.province_id, r.birth_date, k.word,
           registry_pack_sort_key(r.sort_key), ' ' || r.search_name || ' '
    FROM {rows} r CROSS JOIN LATERAL registry_search_keys(r.search_name, r.birth_date)
         AS k(word)
"""
_INSERT = "INSERT INTO registry_searchkey (person_id, commune_id, province_id, birth_date, " \
          "word, sort_key, words)"
_DELETE = """
    DELETE FROM registry_searchkey s
    USING old_rows o CROSS JOIN LATERAL registry_search_keys(o.search_name, o.birth_date)
          AS k(word)
    WHERE s.word = k.word AND s.sort_key = registry_pack_sort_key(o.sort_key)
          AND s.person_id = o.id
"""
_SAME = """
    {a}.id = {b}.id AND {a}.search_name = {b}.search_name AND {a}.sort_key = {b}.sort_key
    AND {a}.birth_date IS NOT DISTINCT FROM {b}.birth_date
    AND {a}.commune_id = {b}.commune_id AND {a}.province_id = {b}.province_id
"""

SYNC_FUNCTION = f"""
CREATE FUNCTION registry_searchkey_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_INSERT} {_KEY_ROWS.format(rows="new_rows")};
    ELSIF TG_OP = 'UPDATE' THEN
        {_DELETE} AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE {_SAME.format(a="n", b="o")});
        {_INSERT} {_KEY_ROWS.format(rows="new_rows")}
            WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE {_SAME.format(a="o", b="r")});
    ELSIF TG_OP = 'DELETE' THEN
        {_DELETE};
    ELSE
        TRUNCATE registry_searchkey;
    END IF;
    RETURN NULL;
END
$$
"""

# A trigger with transition tables serves one event, hence one per event.
TRIGGERS = (
    "CREATE TRIGGER registry_person_keys_insert AFTER INSERT ON registry_person "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION registry_searchkey_sync()",
    "CREATE TRIGGER registry_person_keys_update AFTER UPDATE ON registry_person "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION registry_searchkey_sync()",
    "CREATE TRIGGER registry_person_keys_delete AFTER DELETE ON registry_person "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION registry_searchkey_sync()",
    # Django's test flush truncates registry_person but not this unmanaged table.
    "CREATE TRIGGER registry_person_keys_truncate AFTER TRUNCATE ON registry_person "
    "FOR EACH STATEMENT EXECUTE FUNCTION registry_searchkey_sync()",
)

INDEXES = (
    "CREATE INDEX searchkey_order ON registry_searchkey (word, sort_key, person_id) "
    "INCLUDE (commune_id, province_id, birth_date, words)",
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (TABLE, STATISTICS, PACK_FUNCTION, KEYS_FUNCTION, SYNC_FUNCTION, *TRIGGERS):
        schema_editor.execute(sql)
    schema_editor.execute("SET LOCAL jit = off")
    schema_editor.execute(f"{_INSERT} {_KEY_ROWS.format(rows='registry_person')}")
    for sql in INDEXES:
        schema_editor.execute(sql)
    schema_editor.execute("DROP INDEX IF EXISTS person_words")
    schema_editor.execute("ANALYZE registry_searchkey")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (
        "DROP TRIGGER IF EXISTS registry_person_keys_insert ON registry_person",
        "DROP TRIGGER IF EXISTS registry_person_keys_update ON registry_person",
        "DROP TRIGGER IF EXISTS registry_person_keys_delete ON registry_person",
        "DROP TRIGGER IF EXISTS registry_person_keys_truncate ON registry_person",
        "DROP FUNCTION IF EXISTS registry_searchkey_sync()",
        "DROP TABLE IF EXISTS registry_searchkey",
        "DROP FUNCTION IF EXISTS registry_search_keys(text, date)",
        "DROP FUNCTION IF EXISTS registry_pack_sort_key(text)",
        "CREATE INDEX IF NOT EXISTS person_words ON registry_person "
        "USING gin ((string_to_array(search_name, ' ')))",
    ):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0002_load_units"),
        ("registry", "0004_area_sort_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchKey",
            fields=[
                ("pk", models.CompositePrimaryKey("person", "word", blank=True, editable=False,
                                                  primary_key=True, serialize=False)),
                ("word", models.CharField(max_length=180)),
                ("sort_key", models.BinaryField()),
                ("words", models.CharField(max_length=182)),
                ("birth_date", models.DateField(null=True)),
                ("commune", models.ForeignKey(
                    db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                    related_name="+", to="geo.adminunit")),
                ("person", models.ForeignKey(
                    db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                    related_name="search_keys", to="registry.person")),
                ("province", models.ForeignKey(
                    db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                    related_name="+", to="geo.adminunit")),
            ],
            options={"db_table": "registry_searchkey", "managed": False},
        ),
        migrations.RunPython(forwards, backwards),
    ]
