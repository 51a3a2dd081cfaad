"""The month ledger: what each entitlement was owed in each month, and in which payroll.

A payroll month (per commune) is prepared as a draft, approved by another user, and then
frozen. Its lines are the ledger: a `regular` line is the amount owed for the payroll's own
month; `arrears` (truy lĩnh) and `recovery` (truy thu) lines correct an earlier, already
approved month and say which month they cover and why. What entitlement E was owed for month
M is the sum of its lines for M over approved payrolls; nothing approved is ever edited.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ansinh.enrolment.choices import Benefit, Channel


class PayrollMonth(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        APPROVED = "approved", "Đã phê duyệt"

    scope_fields = ("commune", "province")

    month = models.DateField("Tháng chi trả")
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    # What the draft was computed from, so an approval can refuse a stale draft and an
    # auditor can recompute an approved month and compare.
    inputs_digest = models.CharField(max_length=64, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    beneficiaries = models.PositiveIntegerField(default=0)
    regular_total = models.BigIntegerField(default=0)
    adjustment_total = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "bảng chi trả tháng"
        constraints = [
            models.UniqueConstraint(fields=["commune", "month"], name="payroll_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} – {self.commune}"

    @property
    def total(self) -> int:
        return self.regular_total + self.adjustment_total


class LedgerLine(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "Hằng tháng"
        ARREARS = "arrears", "Truy lĩnh"
        RECOVERY = "recovery", "Truy thu"

    scope_fields = ("commune", "province")

    # A payroll writes a million lines at a time, every one built from rows it has just read.
    # Foreign-key triggers and one index per reference would cost more than the COPY itself
    # (each is checked row by row at commit), so the references are plain columns here and
    # only the three indexes below are kept.
    payroll = models.ForeignKey(PayrollMonth, on_delete=models.CASCADE, related_name="lines",
                                db_constraint=False, db_index=False)
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+",
                                db_constraint=False, db_index=False)
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+",
                                 db_constraint=False, db_index=False)
    entitlement = models.ForeignKey("enrolment.Entitlement", on_delete=models.PROTECT,
                                    related_name="ledger", db_constraint=False,
                                    db_index=False)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               db_constraint=False, db_index=False)
    recipient = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False, db_index=False)
    benefit = models.CharField(max_length=20, choices=Benefit.choices)
    category = models.CharField(max_length=40)
    month = models.DateField("Tháng được hưởng")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    standard_level = models.BigIntegerField()
    coefficient = models.CharField(max_length=12)
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=255, blank=True)
    payment_channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = "dòng sổ chi trả"
        indexes = [
            models.Index(fields=["payroll"], name="ledger_payroll"),
            models.Index(fields=["entitlement", "month"], name="ledger_entitlement_month"),
        ]
        constraints = [
            # One regular line per entitlement and month across all payrolls: the database
            # itself refuses paying a month twice.
            models.UniqueConstraint(fields=["entitlement", "month"],
                                    condition=Q(kind="regular"), name="ledger_regular_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%m/%Y}: {self.amount}"


class Payment(models.Model):
    """What one recipient is handed for one benefit in an approved month: the ledger's amount
    plus whatever an earlier month left unpaid. Created when the month is approved."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ chi trả"
        PAID = "paid", "Đã nhận"
        UNPAID = "unpaid", "Chưa nhận"
        CARRIED = "carried", "Chuyển sang tháng sau"
        # Recoveries larger than what the month pays: the rest is owed back and is deducted
        # from the next months' payments until it is settled.
        DEBT = "debt", "Còn phải thu hồi"
        SETTLED = "settled", "Đã bù trừ, không chi"

    scope_fields = ("commune", "province")

    # Created set-wise from the ledger at approval: as for ledger lines, the references to
    # areas and persons are plain columns, not keys checked row by row.
    payroll = models.ForeignKey(PayrollMonth, on_delete=models.PROTECT, related_name="payments",
                                db_index=False)
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+",
                                db_constraint=False, db_index=False)
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+",
                                 db_constraint=False, db_index=False)
    recipient = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False, db_index=False)
    benefit = models.CharField(max_length=20, choices=Benefit.choices)
    payment_channel = models.CharField(max_length=10, choices=Channel.choices)
    account_number = models.CharField(max_length=40, blank=True)
    amount = models.BigIntegerField("Số tiền tháng này")
    # Positive: earlier months' payment not collected; negative: earlier recovery still owed.
    carried = models.BigIntegerField("Chuyển từ tháng trước", default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    paid_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=80, blank=True)
    carried_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="carried_from")

    class Meta:
        verbose_name = "khoản chi trả"
        constraints = [
            models.UniqueConstraint(fields=["payroll", "recipient", "benefit"],
                                    name="payment_once_per_month"),
        ]
        indexes = [
            models.Index(fields=["recipient", "benefit", "status"], name="payment_recipient"),
            models.Index(fields=["commune", "status"], name="payment_commune_status"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.benefit} {self.due}"

    @property
    def due(self) -> int:
        return self.amount + self.carried


class ReturnFile(models.Model):
    """A payment provider's report of what was paid (Art. 34.5: before the 20th)."""

    month = models.DateField()
    name = models.CharField(max_length=255)
    digest = models.CharField(max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    paid = models.PositiveIntegerField(default=0)
    unpaid = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class ReturnLine(models.Model):
    """One provider line, kept by its reference: the same reference can only ever say the
    same thing."""

    return_file = models.ForeignKey(ReturnFile, on_delete=models.PROTECT, related_name="lines")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="returns")
    reference = models.CharField(max_length=80, unique=True)
    status = models.CharField(max_length=10)
    paid_on = models.DateField(null=True, blank=True)
    amount = models.BigIntegerField()

    def __str__(self) -> str:
        return self.reference


class Proposal(models.Model):
    """A suggestion the system raises for an officer to decide, e.g. suspending a benefit
    not collected for three consecutive months (Circular 02/2021 Art. 2.3.a)."""

    class Status(models.TextChoices):
        OPEN = "open", "Chờ xử lý"
        ACCEPTED = "accepted", "Đã lập quyết định"
        DISMISSED = "dismissed", "Bỏ qua"

    scope_fields = ("commune", "province")

    entitlement = models.ForeignKey("enrolment.Entitlement", on_delete=models.PROTECT,
                                    related_name="proposals")
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, default="suspend")
    reason = models.CharField(max_length=255)
    month = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "kind", "month"],
                                    name="proposal_once"),
        ]

    def __str__(self) -> str:
        return self.reason


class PayrollRun(models.Model):
    """One request to prepare a payroll month, run by a worker so that a province-wide run
    (hundreds of thousands of lines) never holds a web request. The page polls it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang lập"
        DONE = "done", "Đã xong"
        FAILED = "failed", "Lỗi"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    month = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    communes = models.PositiveIntegerField(default=0)
    beneficiaries = models.PositiveIntegerField(default=0)
    regular_total = models.BigIntegerField(default=0)
    adjustment_total = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One active run per officer and month: pressing the button twice queues one.
            models.UniqueConstraint(fields=["requested_by", "month"],
                                    condition=Q(status__in=["queued", "running"]),
                                    name="payroll_run_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} – {self.get_status_display()}"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE
