"""Dated parameter values, mirrored from `parameters/*.yaml` and extended by officers.

Money is a whole number of đồng; a coefficient is a whole number of hundredths (2.5 → 250), so
every amount is computed exactly in integers on both databases. A row is never deleted: a
correction is a new value, or the same (key, effective date) set again, which the audit log
records old → new.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from .categories import format_hundredths


class Origin(models.TextChoices):
    LAW = "law", "Văn bản pháp luật (tệp tham số)"
    OFFICER = "officer", "Cán bộ có thẩm quyền nhập"


class Series(models.TextChoices):
    STANDARD_LEVEL = "standard_level", "Mức chuẩn trợ giúp xã hội"
    SOCIAL_PENSION = "social_pension", "Trợ cấp hưu trí xã hội"


class DatedValue(models.Model):
    effective = models.DateField("hiệu lực từ")
    basis = models.CharField("căn cứ pháp lý", max_length=300)
    source_url = models.URLField("nguồn", max_length=500, blank=True)
    # The loader refreshes "law" rows from the YAML files; "officer" rows are never overwritten.
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.OFFICER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What `changes_since` reads: any insert or change of a value moves it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class StandardLevel(DatedValue):
    """Mức chuẩn trợ giúp xã hội: national (province_code null) or a province's own level."""

    # NULL, not "", is "national": it is what callers get back (changes_since, level tables)
    # and what the partial unique constraints below key on.
    province_code = models.CharField("mã tỉnh", max_length=2, null=True, blank=True)  # noqa: DJ001
    amount = models.PositiveBigIntegerField("mức (đồng/tháng)")

    class Meta:
        ordering = ["province_code", "effective"]
        constraints = [
            # Two partial constraints because NULLs never collide in a plain unique index.
            models.UniqueConstraint(fields=["effective"], condition=Q(province_code__isnull=True),
                                    name="standard_level_national_once"),
            models.UniqueConstraint(fields=["province_code", "effective"],
                                    condition=Q(province_code__isnull=False),
                                    name="standard_level_province_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="standard_level_positive"),
        ]

    def __str__(self) -> str:
        where = self.province_code or "toàn quốc"
        return f"Mức chuẩn {where} từ {self.effective:%d/%m/%Y}: {self.amount:,} đ".replace(",", ".")


class BenefitAmount(DatedValue):
    """A benefit paid as a fixed dated amount rather than a multiple of the standard level
    (the social pension)."""

    series = models.CharField(max_length=20, choices=[(Series.SOCIAL_PENSION.value,
                                                       Series.SOCIAL_PENSION.label)])
    province_code = models.CharField("mã tỉnh", max_length=2, null=True, blank=True)  # noqa: DJ001
    amount = models.PositiveBigIntegerField("số tiền (đồng/tháng)")

    class Meta:
        ordering = ["series", "province_code", "effective"]
        constraints = [
            models.UniqueConstraint(fields=["series", "effective"],
                                    condition=Q(province_code__isnull=True),
                                    name="benefit_amount_national_once"),
            models.UniqueConstraint(fields=["series", "province_code", "effective"],
                                    condition=Q(province_code__isnull=False),
                                    name="benefit_amount_province_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="benefit_amount_positive"),
        ]

    def __str__(self) -> str:
        where = self.province_code or "toàn quốc"
        return (f"{self.get_series_display()} {where} từ {self.effective:%d/%m/%Y}: "
                f"{self.amount:,} đ").replace(",", ".")


class Coefficient(DatedValue):
    """Hệ số: one cell of the coefficient tables (see `categories.BANDS`), in hundredths."""

    benefit = models.CharField(max_length=20)
    category = models.CharField(max_length=30)
    band = models.CharField(max_length=40)
    hundredths = models.PositiveIntegerField("hệ số × 100")

    class Meta:
        ordering = ["benefit", "category", "band", "effective"]
        constraints = [
            models.UniqueConstraint(fields=["benefit", "category", "band", "effective"],
                                    name="coefficient_once"),
            models.CheckConstraint(condition=Q(hundredths__gt=0), name="coefficient_positive"),
        ]

    def __str__(self) -> str:
        return (f"Hệ số {self.benefit} {self.category} {self.band} từ "
                f"{self.effective:%d/%m/%Y}: {format_hundredths(self.hundredths)}")

    @property
    def value(self) -> Decimal:
        return Decimal(self.hundredths) / 100

