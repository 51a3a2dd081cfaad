"""A staged import: the batch (one uploaded file) and its rows, kept so that the preview, the
apply step and the rejects report all work from the same stored data."""

from django.conf import settings
from django.db import models

from ansinh.core.fields import UncheckedJSONField


class BatchStatus(models.TextChoices):
    STAGED = "staged", "Đã tải lên"
    VALIDATED = "validated", "Đã kiểm tra"
    APPLIED = "applied", "Đã áp dụng"
    FAILED = "failed", "Lỗi"


# progress_step of a validated batch whose apply waits for or runs in a background task, and of
# one whose apply failed there (its transaction wrote nothing; `error` says why).
APPLY_QUEUED = "apply-queued"
APPLY_FAILED = "apply-failed"


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
    # Fingerprint of the registry rows the validation compared against, and of the scope it
    # checked (planning.RegistrySnapshot.digest). Apply skips planning again when it matches.
    plan_digest = models.CharField(max_length=64, blank=True)
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
    def applying(self) -> bool:
        return self.status == BatchStatus.VALIDATED and self.progress_step == APPLY_QUEUED

    @property
    def apply_failed(self) -> bool:
        return self.status == BatchStatus.VALIDATED and self.progress_step == APPLY_FAILED

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))


class ImportRow(models.Model):
    """One data row of the file: its cells, what was read from them, and what it will do.

    What was read is split in two: the keys the registry is searched by (ID number, commune,
    household code) are columns; the rest is one compact JSON array (`parsed_values`, in
    parsing.CARRIED_FIELDS order) that apply unpacks inside the database. A column per field
    would cost SQLite's driver twice as much per row to bind."""

    # No index of its own: the unique (batch, row_number) constraint serves every lookup. No
    # constraint in the database either: it would check the same batch once per row (100,000
    # checks at commit on PostgreSQL); rows are only written for a batch in hand, and Django
    # deletes them with it.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows",
                              db_index=False, db_constraint=False)
    # The row number Excel shows (1-based, counting title and header rows).
    row_number = models.PositiveIntegerField()
    raw = UncheckedJSONField(default=list)
    id_number = models.TextField(blank=True)
    commune_id = models.BigIntegerField(null=True, blank=True)
    household_code = models.TextField(blank=True)
    parsed_values = UncheckedJSONField(default=list)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    errors = UncheckedJSONField(default=list)  # [{"field": ..., "message": ...}]
    # How many of `errors` the row shows by itself; the others come from other rows or the
    # registry and are recomputed when the batch is planned again.
    local_errors = models.PositiveSmallIntegerField(default=0)
    diff = UncheckedJSONField(default=dict)  # {"field": [old, new]} as the preview shows it
    changes = UncheckedJSONField(default=dict)  # {"field": [old, new]} as stored and audited
    # The registry person the row updates or leaves unchanged, or the id reserved for the
    # person it creates; and the registry household (existing or reserved) it belongs to.
    target_person_id = models.BigIntegerField(null=True, blank=True)
    household_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="importrow_unique")
        ]
        # The preview's pages of one outcome. New rows, usually nearly all of them, stay out
        # of the index: writing 100,000 entries cost more than reading past the few other
        # rows does when a page of new rows is asked for (the unique index serves that).
        indexes = [models.Index(fields=["batch", "outcome", "row_number"], name="importrow_outcome",
                                condition=~models.Q(outcome="new"))]

    def __str__(self) -> str:
        return f"Dòng {self.row_number}: {self.get_outcome_display()}"

    @property
    def parsed(self) -> dict:
        """The values read, as a dict holding only the fields the row has."""
        from .parsing import CARRIED_FIELDS, KEY_FIELDS, parsed_dict

        values = dict(zip(CARRIED_FIELDS, self.parsed_values, strict=False))
        values.update({name: getattr(self, name) for name in KEY_FIELDS})
        return parsed_dict(values)


class ImportHousehold(models.Model):
    """A household the batch creates or changes, with the values the plan settled on (the
    head's address wins over the first member's, and so on)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="households",
                              db_index=False, db_constraint=False)  # as ImportRow.batch
    household_id = models.BigIntegerField()  # existing, or reserved for a new household
    is_new = models.BooleanField()
    code = models.TextField()
    commune_id = models.BigIntegerField()
    province_id = models.BigIntegerField()
    address = models.TextField(blank=True)
    poverty_status = models.CharField(max_length=10, blank=True)
    head_person_id = models.BigIntegerField(null=True, blank=True)
    changes = UncheckedJSONField(default=dict)  # {"field": [old, new]} for an existing household

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "household_id"],
                                               name="importhousehold_unique")]

    def __str__(self) -> str:
        return f"Hộ {self.code}"
