"""Administrative units: the 2025 two-level system and the retired 2004 three-level one.

Codes are strings with their official width (province 2 digits, district 3, commune 5) and are
unique within a scheme and level. A retired unit keeps its validity dates and points to its
successor, so an address written before 01/07/2025 still resolves.
"""

from datetime import date

from django.db import models

REFORM_DATE = date(2025, 7, 1)


class Scheme(models.TextChoices):
    CURRENT = "2025", "QĐ 19/2025/QĐ-TTg (từ 01/07/2025)"
    RETIRED = "2004", "QĐ 124/2004/QĐ-TTg (đến 30/06/2025)"


class Level(models.TextChoices):
    PROVINCE = "province", "Tỉnh/thành phố"
    DISTRICT = "district", "Quận/huyện"
    COMMUNE = "commune", "Xã/phường/đặc khu"


CODE_WIDTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}


class AdminUnitQuerySet(models.QuerySet):
    def current(self):
        return self.filter(scheme=Scheme.CURRENT)

    def provinces(self):
        return self.current().filter(level=Level.PROVINCE)

    def communes(self):
        return self.current().filter(level=Level.COMMUNE)


class AdminUnit(models.Model):
    scheme = models.CharField(max_length=4, choices=Scheme.choices, default=Scheme.CURRENT)
    level = models.CharField(max_length=10, choices=Level.choices)
    code = models.CharField(max_length=5)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=40, blank=True)  # xã, phường, đặc khu, tỉnh, …
    search_name = models.CharField(max_length=120, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The current province a unit lies in; for a current province, itself. Lets every scoping
    # filter reach the province in one join, whatever the unit's level or scheme.
    province = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "level", "code"], name="unit_code_unique")
        ]
        ordering = ["scheme", "level", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.scheme == Scheme.CURRENT

    @property
    def label(self) -> str:
        """Name with its province, as shown in pickers: 'Phường Ba Đình, Thành phố Hà Nội'."""
        if self.level == Level.PROVINCE or not self.parent_id:
            return self.name
        return f"{self.name}, {self.parent.name}"
