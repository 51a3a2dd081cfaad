"""Cheaper writes of persons, cheaper searches of a commune.

- The area foreign keys of persons and households lose their own indexes: the composite
  indexes that lead with the same column ((commune, sort_key), (province, sort_key),
  (commune, code), (province, commune)) serve every filter on them, and each index is work on
  every insert (an import writes 100,000 persons at once).
- PostgreSQL: the sort key is packed by one inlinable expression (the same bytes as before),
  and the key triggers pack it once per person instead of once per key row: the function
  with a FROM clause ran as a separate SQL call for each of the ~4 keys of every person, which
  was most of the cost of writing persons.
- PostgreSQL: a second order of the key index, led by the commune. A commune officer — most
  users — searches her own commune: from (word, sort_key) she read the key's entries of the
  whole province and dropped the other communes' (for a common given name, thousands for a
  page and tens of thousands for the count); from (commune, word, sort_key) she reads her
  own entries only, still in Vietnamese order.
"""

import django.db.models.deletion
from django.db import migrations, models

# Same bytes as migration 0005's function: a sort key holds only ' ', '.' and digits, which
# translate to hex nibbles keeping their order. Other characters (never written by
# name_sort_key) are dropped, as before, on the slow path. No FROM clause and not STRICT, so
# that PostgreSQL inlines it into the statement that calls it.
PACK_FUNCTION = """
CREATE OR REPLACE FUNCTION registry_pack_sort_key(sort_key text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN sort_key !~ '[^ .0-9]' THEN
            decode(translate(sort_key, ' .0123456789', '123456789abc')
                   || repeat('0', mod(length(sort_key), 2)), 'hex')
        ELSE
            decode(translate(regexp_replace(sort_key, '[^ .0-9]', '', 'g'),
                             ' .0123456789', '123456789abc')
                   || repeat('0', mod(length(regexp_replace(sort_key, '[^ .0-9]', '', 'g')), 2)),
                   'hex')
    END
$$
"""

OLD_PACK_FUNCTION = """
CREATE OR REPLACE FUNCTION registry_pack_sort_key(sort_key text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT decode(t || repeat('0', mod(length(t), 2)), 'hex')
    FROM translate(regexp_replace(sort_key, '[^ .0-9]', '', 'g'), ' .0123456789',
                   '123456789abc') AS t
$$
"""

# The key rows of a set of persons; the packed sort key computed once per person (OFFSET 0
# keeps the planner from pulling it up into each key row).
_KEY_ROWS = """
    SELECT r.id, r.commune_id, r.province_id, r.birth_date, k.word, p.packed,
           ' ' || r.search_name || ' '
    FROM {rows} r
         CROSS JOIN LATERAL (SELECT registry_pack_sort_key(r.sort_key) AS packed OFFSET 0) p
         CROSS JOIN LATERAL registry_search_keys(r.search_name, r.birth_date) AS k(word)
"""
_OLD_KEY_ROWS = """
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


def _sync_function(key_rows: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION registry_searchkey_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_INSERT} {key_rows.format(rows="new_rows")};
    ELSIF TG_OP = 'UPDATE' THEN
        {_DELETE} AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE {_SAME.format(a="n", b="o")});
        {_INSERT} {key_rows.format(rows="new_rows")}
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


COMMUNE_INDEX = (
    "CREATE INDEX IF NOT EXISTS searchkey_commune_order ON registry_searchkey "
    "(commune_id, word, sort_key, person_id) INCLUDE (province_id, birth_date, words)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PACK_FUNCTION)
    schema_editor.execute(_sync_function(_KEY_ROWS))
    schema_editor.execute(COMMUNE_INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS searchkey_commune_order")
    schema_editor.execute(_sync_function(_OLD_KEY_ROWS))
    schema_editor.execute(OLD_PACK_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0002_load_units"),
        ("registry", "0005_search_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="household",
            name="commune",
            field=models.ForeignKey(db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="geo.adminunit",
                                    verbose_name="Xã/phường"),
        ),
        migrations.AlterField(
            model_name="household",
            name="province",
            field=models.ForeignKey(db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="geo.adminunit",
                                    verbose_name="Tỉnh/thành phố"),
        ),
        migrations.AlterField(
            model_name="person",
            name="commune",
            field=models.ForeignKey(db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="geo.adminunit",
                                    verbose_name="Xã/phường cư trú"),
        ),
        migrations.AlterField(
            model_name="person",
            name="province",
            field=models.ForeignKey(db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="geo.adminunit",
                                    verbose_name="Tỉnh/thành phố"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
