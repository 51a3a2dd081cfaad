"""Published figures of a campaign or a fund, frozen at publication.

A `Snapshot` holds every figure the public page shows as JSON, and the ledger's high-water
marks (the last receipt line, reversal, allocation, stock movement and pledge ids, and the
moment they were read), so anyone can recompute the figures from the ledger and find the same
numbers to the đồng. Once published its figures never change: a mistake is withdrawn (with a
reason, by a manager) and a new snapshot published. The public page reads only these rows.
"""

import copy

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImmutableError(RuntimeError):
    """A published snapshot was about to be changed or deleted."""


class SnapshotQuerySet(models.QuerySet):
    # Bulk update()/delete() would skip the checks of save()/delete().
    def update(self, **kwargs):
        raise ImmutableError("Bản công khai không được sửa hàng loạt.")

    def delete(self):
        raise ImmutableError("Bản công khai không được xóa; hãy thu hồi.")


class SubjectKind(models.TextChoices):
    CAMPAIGN = "campaign", "Chiến dịch"
    FUND = "fund", "Quỹ"


# Everything but the withdrawal may never change after publication.
FROZEN_FIELDS = ("kind", "campaign_id", "fund_id", "title", "period_start", "period_end",
                 "figures", "marks", "published_at", "published_by_id", "commune_id",
                 "province_id")


class Snapshot(models.Model):
    scope_fields = ("commune", "province")

    kind = models.CharField("Đối tượng công khai", max_length=10, choices=SubjectKind.choices)
    campaign = models.ForeignKey("funds.Campaign", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="snapshots",
                                 verbose_name="Chiến dịch")
    fund = models.ForeignKey("funds.Fund", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="snapshots", verbose_name="Quỹ")
    title = models.CharField("Tiêu đề", max_length=200)
    period_start = models.DateField("Từ ngày")
    period_end = models.DateField("Đến ngày")
    figures = models.JSONField("Số liệu công bố")
    marks = models.JSONField("Mốc sổ sách")
    published_at = models.DateTimeField("Thời điểm công bố")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="Người công bố")
    withdrawn_at = models.DateTimeField("Thời điểm thu hồi", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name="Người thu hồi")
    withdrawn_reason = models.CharField("Lý do thu hồi", max_length=300, blank=True)
    commune = models.ForeignKey("geo.AdminUnit", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "bản công khai"
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["kind", "campaign", "fund", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="campaign", campaign__isnull=False, fund__isnull=True)
                           | Q(kind="fund", fund__isnull=False, campaign__isnull=True)),
                name="snapshot_one_subject"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="snapshot_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        stored = getattr(self, "_stored", None)
        if self.pk is not None and stored is not None:
            if any(getattr(self, f) != stored[f] for f in FROZEN_FIELDS):
                raise ImmutableError("Bản công khai đã công bố không được sửa; hãy thu hồi và "
                                     "công bố bản mới.")
            if self._stored_withdrawn is not None:
                raise ImmutableError("Bản công khai đã thu hồi không được sửa.")
        super().save(*args, **kwargs)
        # A deep copy: the JSON fields are dicts a caller may change in place.
        self._stored = copy.deepcopy({f: getattr(self, f) for f in FROZEN_FIELDS})
        self._stored_withdrawn = self.withdrawn_at

    def delete(self, *args, **kwargs):
        raise ImmutableError("Bản công khai không được xóa; hãy thu hồi.")

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._stored = copy.deepcopy({f: obj.__dict__.get(f) for f in FROZEN_FIELDS})
        obj._stored_withdrawn = obj.__dict__.get("withdrawn_at")
        return obj

    @property
    def subject(self):
        return self.campaign if self.kind == SubjectKind.CAMPAIGN else self.fund

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class GivingInfo(models.Model):
    """How to give to a fund, in the fund's own words: its receiving bank account, the address
    where goods are taken in, a hotline. Shown on the public page as the fund sets it."""

    scope_fields = ("commune", "province")

    fund = models.OneToOneField("funds.Fund", on_delete=models.CASCADE,
                                related_name="giving_info", verbose_name="Quỹ")
    bank_account = models.CharField("Số tài khoản tiếp nhận", max_length=40, blank=True)
    bank_name = models.CharField("Ngân hàng", max_length=120, blank=True)
    account_holder = models.CharField("Chủ tài khoản", max_length=200, blank=True)
    address = models.CharField("Địa chỉ nhận hiện vật", max_length=300, blank=True)
    phone = models.CharField("Điện thoại", max_length=30, blank=True)
    text = models.TextField("Hướng dẫn đóng góp", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    commune = models.ForeignKey("geo.AdminUnit", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "hướng dẫn đóng góp"

    def __str__(self) -> str:
        return f"Hướng dẫn đóng góp – {self.fund}"
