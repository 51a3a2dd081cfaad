"""A staged import: the batch (one uploaded file) and its rows, kept so that the preview, the
apply step and the rejects report all work from the same stored data."""

from django.conf import settings
from django.db import models


class BatchStatus(models.TextChoices):
    STAGED = "staged", "Đã tải lên"
    VALIDATED = "validated", "Đã kiểm tra"
    APPLIED = "applied", "Đã áp dụng"
    FAILED = "failed", "Lỗi"


class Outcome(models.TextChoices):
    NEW = "new", "Thêm mới"
    CHANGED = "changed", "Thay đổi"
    UNCHANGED = "unchanged", "Không đổi"
    REJECTED = "rejected", "Bị từ chối"


class ImportBatch(models.Model):
    # Scoped like the registry: a batch is seen by whoever may import into its commune or
    # province. A file spanning provinces has neither and is seen only nationally.
    scope_fields = ("commune", "province")

    file_name = models.CharField("Tên tệp", max_length=255)
    # The uploaded file is kept: staging may run later in a worker, and the original is
    # evidence of what was imported.
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    commune = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="Xã/phường",
    )
    province = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="Tỉnh/thành phố",
    )
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.STAGED, db_index=True
    )
    # {"header_row": n (1-based), "columns": {"0": "full_name", ...}, "headers": [...]}
    mapping = models.JSONField(default=dict, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    # What the apply step wrote: {"households_created": n, "persons_created": n, ...}
    applied_counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Progress of the current step, for the progress bar (UI polls it, CLI draws it).
    progress_step = models.CharField(max_length=20, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "lần nhập dữ liệu"
        verbose_name_plural = "lần nhập dữ liệu"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["province", "commune"], name="importbatch_area")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": self.new_count,
            "changed": self.changed_count,
            "unchanged": self.unchanged_count,
            "rejected": self.rejected_count,
        }

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))


class ImportRow(models.Model):
    # No index of its own: the unique (batch, row_number) constraint serves every lookup.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows",
                              db_index=False)
    # The row number Excel shows (1-based, counting title and header rows).
    row_number = models.PositiveIntegerField()
    raw = models.JSONField(default=list)
    parsed = models.JSONField(default=dict)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    errors = models.JSONField(default=list)  # [{"field": ..., "message": ...}]
    diff = models.JSONField(default=dict)  # {"field": [old, new]}
    target_person_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="importrow_unique")
        ]
        indexes = [models.Index(fields=["batch", "outcome", "row_number"], name="importrow_outcome")]

    def __str__(self) -> str:
        return f"Dòng {self.row_number}: {self.get_outcome_display()}"
