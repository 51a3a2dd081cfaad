"""Append-only audit log. The app never updates or deletes a row; on PostgreSQL a trigger
refuses it at the database too."""

from django.db import models

from ansinh.core.fields import UncheckedJSONField


class AuditAction(models.TextChoices):
    CREATE = "create", "Tạo mới"
    UPDATE = "update", "Sửa"
    DELETE = "delete", "Xóa"
    READ_SENSITIVE = "read_sensitive", "Xem thông tin nhạy cảm"
    EXPORT = "export", "Xuất dữ liệu"
    IMPORT = "import", "Nhập dữ liệu"
    LOGIN = "login", "Đăng nhập"


class AppendOnlyError(RuntimeError):
    pass


class AuditEvent(models.Model):
    scope_fields = ("commune", "province")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=20)
    # Shown and exported with each row, never searched by: no index (on PostgreSQL it had
    # two, the second for LIKE), which every audited write paid for.
    request_id = models.CharField(max_length=32, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    import_batch_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # {"field": [old, new]} for updates; {"field": value} for creates; fields read for reads.
    changes = UncheckedJSONField(default=dict, blank=True)
    # Where the record lives, so the log itself is scoped by area like everything else.
    commune = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    province = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Nhật ký không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Nhật ký không được xóa.")
