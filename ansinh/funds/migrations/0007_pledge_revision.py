import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ansinh.core.append_only import append_only


class Migration(migrations.Migration):

    dependencies = [
        ("funds", "0006_allocation_return"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PledgeRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("amount", models.BigIntegerField(blank=True, null=True)),
                ("in_kind", models.TextField(blank=True)),
                ("pledged_on", models.DateField()),
                ("superseded_at", models.DateTimeField()),
                ("campaign", models.ForeignKey(blank=True, null=True,
                                               on_delete=django.db.models.deletion.PROTECT,
                                               related_name="+", to="funds.campaign")),
                ("donor", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to="funds.donor")),
                ("fund", models.ForeignKey(blank=True, null=True,
                                           on_delete=django.db.models.deletion.PROTECT,
                                           related_name="+", to="funds.fund")),
                ("pledge", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                             related_name="revisions", to="funds.pledge")),
                ("superseded_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "phiên bản cam kết tài trợ",
                "indexes": [models.Index(fields=["superseded_at", "pledge"],
                                         name="pledge_revision_moment")],
            },
        ),
        # A revision is history: the database refuses to change or delete it, as it does a reversal.
        append_only("funds_pledgerevision", name="funds_pledgerevision_final",
                    message="funds_pledgerevision is append-only"),
    ]
