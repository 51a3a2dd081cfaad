"""Households (hộ gia đình) and persons (nhân khẩu).

Every person and household carries its commune and province so that area scoping is a plain
indexed filter, and a folded name and a Vietnamese sort key so that search and lists need no
function at query time.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from ansinh.core.dates import DAY, PRECISIONS, format_partial
from ansinh.core.ethnicity import ETHNIC_GROUPS
from ansinh.core.identity import InvalidIdNumber, check_id_number
from ansinh.core.text import clean_name, fold, name_sort_key

from .choices import DisabilityLevel, DisabilityType, Poverty, Relationship, Sex
from .search import PersonQuerySet


class Household(models.Model):
    scope_fields = ("commune", "province")

    code = models.CharField("Mã hộ", max_length=30)
    address = models.CharField("Địa chỉ", max_length=255, blank=True)
    # No index of their own: (commune, code) and (province, commune) lead with them.
    commune = models.ForeignKey(
        "geo.AdminUnit", verbose_name="Xã/phường", on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    province = models.ForeignKey(
        "geo.AdminUnit", verbose_name="Tỉnh/thành phố", on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    poverty_status = models.CharField(
        "Diện hộ", max_length=10, choices=Poverty.choices, blank=True, default=""
    )
    poverty_year = models.PositiveSmallIntegerField("Năm xét duyệt", null=True, blank=True)
    head = models.ForeignKey(
        "Person", verbose_name="Chủ hộ", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hộ gia đình"
        verbose_name_plural = "hộ gia đình"
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="household_code_in_commune")
        ]
        indexes = [models.Index(fields=["province", "commune"])]

    def __str__(self) -> str:
        return f"Hộ {self.code}"

    def clean(self):
        if self.commune_id and (self.commune.level != "commune" or not self.commune.is_current):
            raise ValidationError({"commune": "Phải là xã/phường/đặc khu hiện hành (sau 01/07/2025)."})
        if self.commune_id:
            self.province_id = self.commune.province_id


class Person(models.Model):
    scope_fields = ("commune", "province")
    SENSITIVE_FIELDS = ("disability_type", "disability_notes", "hiv_status")
    AUDITED_FIELDS = (
        "ho", "ten_dem", "ten", "birth_date", "birth_date_precision", "sex", "ethnicity",
        "id_number", "documents", "phone", "disability_level", "disability_type",
        "disability_notes", "hiv_status", "deceased_date", "household", "relationship",
        "commune",
    )

    household = models.ForeignKey(
        Household, verbose_name="Hộ gia đình", null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    relationship = models.CharField(
        "Quan hệ với chủ hộ", max_length=20, choices=Relationship.choices, blank=True
    )
    ho = models.CharField("Họ", max_length=50, blank=True)
    ten_dem = models.CharField("Tên đệm", max_length=80, blank=True)
    ten = models.CharField("Tên", max_length=50)
    full_name = models.CharField("Họ và tên", max_length=180, editable=False)
    search_name = models.CharField(max_length=180, editable=False, db_index=False)
    sort_key = models.CharField(max_length=255, editable=False)
    birth_date = models.DateField("Ngày sinh", null=True, blank=True)
    birth_date_precision = models.CharField(
        "Độ chính xác ngày sinh", max_length=1, choices=PRECISIONS, default=DAY
    )
    sex = models.CharField("Giới tính", max_length=1, choices=Sex.choices)
    ethnicity = models.CharField("Dân tộc", max_length=2, choices=ETHNIC_GROUPS, blank=True)
    # NULL, not "", for people without an ID: the unique constraint ignores NULLs.
    id_number = models.CharField(  # noqa: DJ001
        "Số định danh cá nhân", max_length=12, null=True, blank=True
    )
    documents = models.JSONField("Giấy tờ khác", default=list, blank=True)
    phone = models.CharField("Số điện thoại", max_length=20, blank=True)
    disability_level = models.CharField(
        "Mức độ khuyết tật", max_length=20, choices=DisabilityLevel.choices, blank=True
    )
    disability_type = models.CharField(
        "Dạng khuyết tật", max_length=20, choices=DisabilityType.choices, blank=True
    )
    disability_notes = models.TextField("Ghi chú khuyết tật", blank=True)
    hiv_status = models.BooleanField("Nhiễm HIV", null=True, blank=True)
    deceased_date = models.DateField("Ngày mất", null=True, blank=True)
    # No index of their own: the area sort indexes (commune, sort_key) and (province,
    # sort_key) lead with them and serve every filter on the area; one index fewer each to
    # keep up on every write (an import of 100,000 persons).
    commune = models.ForeignKey(
        "geo.AdminUnit", verbose_name="Xã/phường cư trú", on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    province = models.ForeignKey(
        "geo.AdminUnit", verbose_name="Tỉnh/thành phố", on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "cá nhân"
        verbose_name_plural = "cá nhân"
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="person_id_number_unique"),
        ]
        indexes = [
            # A commune officer's list is (commune, sort_key); a province officer's is
            # (province, sort_key): each walks its own index in Vietnamese order.
            models.Index(fields=["commune", "sort_key"], name="person_commune_sort"),
            models.Index(fields=["province", "sort_key"], name="person_province_sort"),
            models.Index(fields=["sort_key"], name="person_sort"),
            models.Index(fields=["birth_date"], name="person_birth"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def refresh_derived(self) -> None:
        """Recompute the stored name forms and area from the editable fields."""
        self.ho, self.ten_dem, self.ten = (
            clean_name(self.ho), clean_name(self.ten_dem), clean_name(self.ten)
        )
        self.full_name = " ".join(p for p in (self.ho, self.ten_dem, self.ten) if p)
        self.search_name = fold(self.full_name)
        self.sort_key = name_sort_key(self.ho, self.ten_dem, self.ten)
        self.id_number = self.id_number or None
        if self.commune_id and not self.province_id:
            self.province_id = self.commune.province_id

    @property
    def birth_display(self) -> str:
        return format_partial(self.birth_date, self.birth_date_precision)

    def age_on(self, day: date) -> int | None:
        if not self.birth_date:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def clean(self):
        errors = {}
        if not self.ten:
            errors["ten"] = "Chưa có tên."
        today = date.today()
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = "Ngày sinh ở tương lai."
        if self.birth_date and self.birth_date.year < 1880:
            errors["birth_date"] = "Năm sinh không hợp lý (trước 1880)."
        if self.deceased_date:
            if self.deceased_date > today:
                errors["deceased_date"] = "Ngày mất ở tương lai."
            elif self.birth_date and self.deceased_date < self.birth_date:
                errors["deceased_date"] = "Ngày mất trước ngày sinh."
        if self.id_number:
            try:
                check_id_number(
                    self.id_number, sex=self.sex,
                    birth_year=self.birth_date.year if self.birth_date else None,
                )
            except InvalidIdNumber as exc:
                errors["id_number"] = str(exc)
        if self.disability_type and not self.disability_level:
            errors["disability_level"] = "Có dạng khuyết tật thì phải có mức độ khuyết tật."
        if self.commune_id and (self.commune.level != "commune" or not self.commune.is_current):
            errors["commune"] = "Phải là xã/phường/đặc khu hiện hành (sau 01/07/2025)."
        if self.household_id and not self.relationship:
            errors["relationship"] = "Thành viên hộ phải có quan hệ với chủ hộ."
        if self.household_id and self.commune_id and self.household.commune_id != self.commune_id:
            errors["household"] = "Hộ gia đình thuộc xã khác với nơi cư trú của người này."
        if errors:
            raise ValidationError(errors)


class SearchKey(models.Model):
    """The search keys of a person, one row each: every distinct word of the folded name, and
    `#yyyy` for the year of birth. PostgreSQL only.

    Its index (word, sort_key, person_id) holds every key's persons already in Vietnamese
    order, with what a search filters on beside it (area, date of birth, the other words), so
    a search reads one key's range of that index in order and stops after a page, and counts
    without touching `registry_person` (see registry.search). A second index leads with the
    commune, (commune, word, sort_key, person_id), for a commune officer's searches.

    Not written by Django: statement-level triggers on `registry_person` keep it in step with
    every write (ORM, bulk imports, COPY), and the bulk synthetic load writes it set-wise
    (migration 0005). `words`, `birth_date` and the areas are copies of the person's, for
    index-only reads; `sort_key` is the person's packed two characters a byte, which sorts
    the same (registry_pack_sort_key, migrations 0005 and 0006).
    """

    pk = models.CompositePrimaryKey("person", "word")
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, db_constraint=False, related_name="search_keys"
    )
    word = models.CharField(max_length=180)
    sort_key = models.BinaryField()
    # The folded name between spaces, so that a whole word is a plain `LIKE '% word %'`.
    words = models.CharField(max_length=182)
    birth_date = models.DateField(null=True)
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        managed = False
        db_table = "registry_searchkey"

    def __str__(self) -> str:
        return f"{self.word} → {self.person_id}"
