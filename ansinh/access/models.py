import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from ansinh.geo.models import AdminUnit, Level

from .roles import ROLE_LEVELS, Role


class RoleAssignment(models.Model):
    """A user holds a role on an area: a current commune or province, or the nation (null)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    area = models.ForeignKey(
        AdminUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="role_once_per_area")
        ]

    def __str__(self) -> str:
        where = self.area.name if self.area_id else "Toàn quốc"
        return f"{self.get_role_display()} — {where}"

    def clean(self):
        allowed = ROLE_LEVELS[self.role]
        level = self.area.level if self.area_id else None
        if level not in allowed:
            raise ValidationError(
                {"area": f"Vai trò «{self.get_role_display()}» không gán được cho cấp này."}
            )
        if self.area_id and not self.area.is_current:
            raise ValidationError({"area": "Chỉ gán vai trò trên đơn vị hành chính hiện hành."})
        if level not in (None, Level.COMMUNE, Level.PROVINCE):
            raise ValidationError({"area": "Chỉ gán vai trò cho xã, tỉnh hoặc toàn quốc."})


class ApiToken(models.Model):
    """Bearer token for the API. Only a hash is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str = "") -> tuple["ApiToken", str]:
        secret = "ans_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=secret[:8], digest=cls.hash(secret))
        return token, secret
