import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ansinh.core.append_only import append_only


class Migration(migrations.Migration):

    dependencies = [
        ("funds", "0005_pledge_cancelled_at"),
        ("geo", "0002_load_units"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AllocationReturn",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("amount", models.BigIntegerField(verbose_name="Số tiền hoàn (đồng)")),
                ("returned_on", models.DateField(verbose_name="Ngày hoàn")),
                ("reason", models.CharField(max_length=300, verbose_name="Lý do hoàn")),
                ("distribution_line_id", models.BigIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("allocation", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="returns",
                    to="funds.allocation", verbose_name="Khoản chi")),
                ("commune", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="+", to="geo.adminunit", verbose_name="Xã/phường")),
                ("created_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="+", to=settings.AUTH_USER_MODEL)),
                ("fund", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="funds.fund", verbose_name="Quỹ")),
                ("province", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="geo.adminunit", verbose_name="Tỉnh/thành phố")),
                ("restriction", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="+", to="funds.restriction",
                    verbose_name="Hạn chế sử dụng")),
            ],
            options={
                "verbose_name": "khoản hoàn chi",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("amount__gt", 0)),
                                           name="allocation_return_positive"),
                    models.UniqueConstraint(
                        condition=models.Q(("distribution_line_id__isnull", False)),
                        fields=("distribution_line_id",),
                        name="allocation_return_once_per_line"),
                ],
            },
        ),
        # A return is final, like a receipt reversal: the database refuses to change or delete it.
        append_only("funds_allocationreturn", name="funds_allocationreturn_final",
                    message="funds_allocationreturn is append-only"),
    ]
