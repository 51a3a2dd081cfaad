# Published snapshots of the public transparency page and the funds' "how to give" text.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('funds', '0002_issued_receipts_final'),
        ('geo', '0002_load_units'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='GivingInfo',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('bank_account', models.CharField(blank=True, max_length=40, verbose_name='Số tài khoản tiếp nhận')),
                ('bank_name', models.CharField(blank=True, max_length=120, verbose_name='Ngân hàng')),
                ('account_holder', models.CharField(blank=True, max_length=200, verbose_name='Chủ tài khoản')),
                ('address', models.CharField(blank=True, max_length=300, verbose_name='Địa chỉ nhận hiện vật')),
                ('phone', models.CharField(blank=True, max_length=30, verbose_name='Điện thoại')),
                ('text', models.TextField(blank=True, verbose_name='Hướng dẫn đóng góp')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('commune', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.adminunit')),
                ('fund', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='giving_info', to='funds.fund', verbose_name='Quỹ')),
                ('province', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.adminunit')),
            ],
            options={
                'verbose_name': 'hướng dẫn đóng góp',
            },
        ),
        migrations.CreateModel(
            name='Snapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('campaign', 'Chiến dịch'), ('fund', 'Quỹ')], max_length=10, verbose_name='Đối tượng công khai')),
                ('title', models.CharField(max_length=200, verbose_name='Tiêu đề')),
                ('period_start', models.DateField(verbose_name='Từ ngày')),
                ('period_end', models.DateField(verbose_name='Đến ngày')),
                ('figures', models.JSONField(verbose_name='Số liệu công bố')),
                ('marks', models.JSONField(verbose_name='Mốc sổ sách')),
                ('published_at', models.DateTimeField(verbose_name='Thời điểm công bố')),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='Thời điểm thu hồi')),
                ('withdrawn_reason', models.CharField(blank=True, max_length=300, verbose_name='Lý do thu hồi')),
                ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='funds.campaign', verbose_name='Chiến dịch')),
                ('commune', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.adminunit')),
                ('fund', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='funds.fund', verbose_name='Quỹ')),
                ('province', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.adminunit')),
                ('published_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Người công bố')),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Người thu hồi')),
            ],
            options={
                'verbose_name': 'bản công khai',
                'ordering': ['-published_at', '-id'],
                'indexes': [models.Index(fields=['kind', 'campaign', 'fund', 'published_at'], name='transparenc_kind_5bb860_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('campaign__isnull', False), ('fund__isnull', True), ('kind', 'campaign')), models.Q(('campaign__isnull', True), ('fund__isnull', False), ('kind', 'fund')), _connector='OR'), name='snapshot_one_subject'), models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='snapshot_period_ordered')],
            },
        ),
    ]
