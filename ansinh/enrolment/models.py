"""Applications, numbered decisions and entitlements.

An entitlement (đối tượng hưởng) is one stretch of constant terms: a person, a benefit, a
category and the commune that pays, from a first month to a last month. A decision that
changes the terms (a new category, a move to another commune) closes one entitlement and
opens the next, so every month is priced from exactly one set of terms and the history reads
as the decisions that made it. Suspensions are cut out of an entitlement by `Pause` rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import Benefit, Channel, DecisionKind


class Application(models.Model):
    """Hồ sơ đề nghị: received, reviewed, posted publicly, then decided."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Đã tiếp nhận"
        POSTED = "posted", "Đang niêm yết"
        APPROVED = "approved", "Đã có quyết định"
        REJECTED = "rejected", "Từ chối"

    class Via(models.TextChoices):
        IN_PERSON = "in_person", "Trực tiếp"
        POST = "post", "Qua bưu chính"
        ONLINE = "online", "Trực tuyến"

    scope_fields = ("commune", "province")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="Người nhận (chăm sóc)",
    )
    benefit = models.CharField("Chế độ", max_length=20, choices=Benefit.choices)
    category = models.CharField("Nhóm đối tượng", max_length=40)
    disability_level = models.CharField("Mức độ khuyết tật", max_length=20, blank=True)
    disability_certified_on = models.DateField("Ngày cấp giấy xác nhận khuyết tật", null=True,
                                               blank=True)
    children_count = models.PositiveSmallIntegerField("Số con đang nuôi", null=True, blank=True)
    studying = models.BooleanField("Đang đi học", default=False)
    household_poverty = models.CharField("Hộ nghèo/cận nghèo", max_length=10, blank=True)
    payment_channel = models.CharField("Hình thức nhận", max_length=10, choices=Channel.choices,
                                       default=Channel.CASH)
    account_number = models.CharField("Số tài khoản", max_length=40, blank=True)
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField("Ngày tiếp nhận")
    submitted_via = models.CharField("Hình thức nộp", max_length=10, choices=Via.choices,
                                     default=Via.IN_PERSON)
    form_data = models.JSONField("Tờ khai", default=dict, blank=True)
    review_due = models.DateField("Hạn xử lý")
    posted_from = models.DateField("Niêm yết từ", null=True, blank=True)
    posted_until = models.DateField("Niêm yết đến", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    rejection_reason = models.TextField("Lý do từ chối", blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hồ sơ đề nghị"
        indexes = [models.Index(fields=["commune", "status"], name="application_commune")]

    def __str__(self) -> str:
        return f"Hồ sơ #{self.pk}"


def attachment_path(instance, filename: str) -> str:
    return f"applications/{instance.application_id}/{filename}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="attachments")
    title = models.CharField("Giấy tờ", max_length=120)
    file = models.FileField(upload_to=attachment_path)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """Quyết định: numbered per commune and year once signed; never edited after."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        SIGNED = "signed", "Đã ký"

    scope_fields = ("commune", "province")

    kind = models.CharField("Loại quyết định", max_length=12, choices=DecisionKind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField("Số quyết định", max_length=40, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    signed_on = models.DateField("Ngày ký", null=True, blank=True)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField("Người ký", max_length=120, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(Application, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="decisions")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    # Who is paid when it is not the person: the carer, or whoever arranged a funeral.
    recipient = models.ForeignKey("registry.Person", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    entitlement = models.ForeignKey("Entitlement", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="decisions")
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    benefit = models.CharField("Chế độ", max_length=20, choices=Benefit.choices)
    category = models.CharField("Nhóm đối tượng", max_length=40, blank=True)
    effective_month = models.DateField("Hưởng/áp dụng từ tháng")
    monthly_amount = models.BigIntegerField("Mức hưởng (đồng/tháng)", null=True, blank=True)
    coefficient = models.CharField("Hệ số", max_length=10, blank=True)
    basis = models.TextField("Căn cứ", blank=True)
    reason = models.TextField("Lý do", blank=True)
    back_pay = models.BooleanField("Truy lĩnh", default=False)
    migrated = models.BooleanField("Chuyển từ sổ cũ", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "quyết định"
        constraints = [
            models.UniqueConstraint(fields=["commune", "year", "sequence"],
                                    condition=Q(sequence__isnull=False),
                                    name="decision_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number or f"Dự thảo #{self.pk}"


class DecisionCounter(models.Model):
    """The last decision number of a commune in a year, taken under a row lock."""

    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "year"],
                                               name="decision_counter_unique")]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.year}: {self.last}"


class Entitlement(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Đang hưởng"
        SUSPENDED = "suspended", "Tạm dừng"
        ENDED = "ended", "Đã thôi hưởng"

    scope_fields = ("commune", "province")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT,
                               related_name="entitlements")
    recipient = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="Người nhận tiền")
    benefit = models.CharField("Chế độ", max_length=20, choices=Benefit.choices)
    category = models.CharField("Nhóm đối tượng", max_length=40)
    disability_level = models.CharField("Mức độ khuyết tật", max_length=20, blank=True)
    children_count = models.PositiveSmallIntegerField("Số con đang nuôi", null=True, blank=True)
    studying = models.BooleanField("Đang đi học", default=False)
    household_poverty = models.CharField("Hộ nghèo/cận nghèo", max_length=10, blank=True)
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+",
                                verbose_name="Xã chi trả")
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    start_month = models.DateField("Hưởng từ tháng")
    # The last month paid; before start_month when stopped before the first payment.
    end_month = models.DateField("Đến hết tháng", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    stop_reason = models.CharField("Lý do thôi hưởng", max_length=12, blank=True)
    payment_channel = models.CharField("Hình thức nhận", max_length=10, choices=Channel.choices,
                                       default=Channel.CASH)
    account_number = models.CharField("Số tài khoản", max_length=40, blank=True)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="next")
    # The earliest month whose amount a change may have altered, until a payroll approval
    # has taken it into account; with its reason, shown on the arrears/recovery line.
    recalc_from = models.DateField(null=True, blank=True)
    recalc_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "đối tượng hưởng"
        verbose_name_plural = "đối tượng hưởng"
        indexes = [
            models.Index(fields=["commune", "status"], name="entitlement_commune"),
            models.Index(fields=["person", "benefit"], name="entitlement_person"),
            models.Index(fields=["recalc_from"], name="entitlement_recalc",
                         condition=Q(recalc_from__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_benefit_display()} {self.category}"


class Pause(models.Model):
    """A suspension: months from `from_month` (to `to_month`, or still running) not paid —
    unless the resumption decision granted back pay, which makes them owed again."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="pauses")
    from_month = models.DateField()
    to_month = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=20)
    back_pay = models.BooleanField(default=False)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    resume_decision = models.ForeignKey(Decision, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Tạm dừng từ {self.from_month:%m/%Y}"
