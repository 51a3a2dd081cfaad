"""Staged rows keep what was read as the three lookup keys plus one compact array instead of a
keyed JSON copy, and the registry ids they will write; households get a staging table; a batch remembers the
fingerprint of the registry rows its plan compared against. The staged tables keep no
database constraint towards their batch (it was checked once per row).

Rows staged before keep their values (moved from the old JSON); their batches carry no
fingerprint, so applying them plans them again first, which also reserves their ids."""

import django.db.models.deletion
from django.db import migrations, models

# parsing.PARSED_FIELDS when this migration was written; the array keeps them less the three
# lookup keys, in this order.
FIELDS = ("ho", "ten_dem", "ten", "full_name", "search_name", "sort_key", "birth_date",
          "birth_date_precision", "sex", "ethnicity", "id_number", "phone", "disability_level",
          "relationship", "household_code", "address", "poverty_status", "commune_id",
          "province_id")
FILLED = ["id_number", "commune_id", "household_code", "parsed_values", "local_errors"]


def move_parsed(apps, schema_editor):
    ImportRow = apps.get_model("imports", "ImportRow")
    batch = []
    for row in ImportRow.objects.only("id", "parsed", "errors").iterator(chunk_size=2000):
        parsed = row.parsed or {}
        values = {name: parsed.get(name, None if name in ("birth_date", "commune_id",
                                                           "province_id") else "")
                  for name in FIELDS}
        row.id_number = values.pop("id_number")
        row.commune_id = values.pop("commune_id")
        row.household_code = values.pop("household_code")
        row.parsed_values = list(values.values())
        row.local_errors = parsed.get("_local_errors", len(row.errors or []))
        batch.append(row)
        if len(batch) == 2000:
            ImportRow.objects.bulk_update(batch, FILLED)
            batch = []
    if batch:
        ImportRow.objects.bulk_update(batch, FILLED)


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='importbatch',
            name='plan_digest',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='importrow',
            name='changes',
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name='importrow',
            name='household_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='importrow',
            name='local_errors',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='importrow',
            name='id_number',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='importrow',
            name='commune_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='importrow',
            name='household_code',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='importrow',
            name='parsed_values',
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(move_parsed, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='importrow',
            name='batch',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='imports.importbatch'),
        ),
        migrations.RemoveField(
            model_name='importrow',
            name='parsed',
        ),
        migrations.CreateModel(
            name='ImportHousehold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('household_id', models.BigIntegerField()),
                ('is_new', models.BooleanField()),
                ('code', models.TextField()),
                ('commune_id', models.BigIntegerField()),
                ('province_id', models.BigIntegerField()),
                ('address', models.TextField(blank=True)),
                ('poverty_status', models.CharField(blank=True, max_length=10)),
                ('head_person_id', models.BigIntegerField(blank=True, null=True)),
                ('changes', models.JSONField(default=dict)),
                ('batch', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='households', to='imports.importbatch')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('batch', 'household_id'), name='importhousehold_unique')],
            },
        ),
    ]
