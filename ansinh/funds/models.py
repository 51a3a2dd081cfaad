"""The money side of a social-security fund: donors, funds, campaigns, donor restrictions,
pledges, receipts and allocations.

Money is a whole number of đồng. Balances are never stored: they are sums over receipt lines,
reversals and allocations, computed while holding the `BalanceLock` row of the fund and
restriction, so the ledger rows stay the only source of truth. An issued receipt is final:
the model refuses edits and deletes (and on PostgreSQL a trigger refuses them at the
database); a mistake is undone by a linked `ReceiptReversal`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    VND,
    AllocationStatus,
    Direction,
    Display,
    DonorKind,
    DonorReportKind,
    FundKind,
    LineStatus,
    MatchKind,
    Method,
    ReceiptKind,
    ReceiptStatus,
    RestrictionKind,
    SendChannel,
    StatementStatus,
)


class ImmutableError(RuntimeError):
    """An issued receipt, its lines or a reversal was about to be changed or deleted."""


def area_fields():
    # Owning area: a commune, or a whole province (commune left empty), e.g. a city centre.
    # Shared by the fund's records and its distributions.
    return (
        models.ForeignKey("geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT,
                          related_name="+", verbose_name="Xã/phường"),
        models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+",
                          verbose_name="Tỉnh/thành phố"),
    )


class Donor(models.Model):
    scope_fields = ("commune", "province")

    kind = models.CharField("Loại nhà tài trợ", max_length=20, choices=DonorKind.choices)
    name = models.CharField("Tên nhà tài trợ", max_length=200)
    # The name lower-cased without diacritics (`ansinh.core.text.fold`), written by the
    # donor services, so that search and matching run in SQL.
    name_folded = models.CharField(max_length=200, blank=True, editable=False)
    country = models.CharField("Quốc gia", max_length=2, blank=True,
                               help_text="Mã ISO 3166-1 hai chữ cái, cho nhà tài trợ nước ngoài")
    currency = models.CharField("Đơn vị tiền tệ", max_length=3, default=VND)
    contact_persons = models.TextField("Người liên hệ", blank=True)
    tax_code = models.CharField("Mã số thuế", max_length=20, blank=True)
    phone = models.CharField("Điện thoại", max_length=30, blank=True)
    email = models.EmailField("Thư điện tử", blank=True)
    bank_account = models.CharField("Số tài khoản", max_length=40, blank=True)
    bank_name = models.CharField("Ngân hàng", max_length=120, blank=True)
    display = models.CharField("Hiển thị trong danh sách công khai", max_length=10,
                               choices=Display.choices, default=Display.NAMED)
    commune, province = area_fields()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "nhà tài trợ"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["province", "name_folded"],
                                name="donor_province_folded")]

    def __str__(self) -> str:
        return self.name


class Fund(models.Model):
    scope_fields = ("commune", "province")

    kind = models.CharField("Loại quỹ", max_length=20, choices=FundKind.choices)
    name = models.CharField("Tên quỹ", max_length=200)
    code = models.CharField("Ký hiệu", max_length=20,
                            help_text="Dùng trong số biên nhận, ví dụ ASXH")
    commune, province = area_fields()

    class Meta:
        verbose_name = "quỹ"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    scope_fields = ("commune", "province")

    name = models.CharField("Tên chiến dịch", max_length=200)
    target_amount = models.BigIntegerField("Mục tiêu (đồng)", null=True, blank=True)
    starts_on = models.DateField("Từ ngày")
    ends_on = models.DateField("Đến ngày", null=True, blank=True)
    responsible_unit = models.CharField("Đơn vị phụ trách", max_length=200, blank=True)
    funds = models.ManyToManyField(Fund, related_name="campaigns", blank=True,
                                   verbose_name="Quỹ tiếp nhận")
    commune, province = area_fields()

    class Meta:
        verbose_name = "chiến dịch vận động"
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target_amount__isnull=True)
                                   | Q(target_amount__gt=0), name="campaign_target_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Restriction(models.Model):
    """A donor's condition on money: only for this campaign, programme or purpose (until an
    optional end date). Money without a restriction is unrestricted."""

    scope_fields = ("commune", "province")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="restrictions",
                             verbose_name="Quỹ")
    kind = models.CharField("Loại hạn chế", max_length=20, choices=RestrictionKind.choices)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="restrictions", verbose_name="Chiến dịch")
    description = models.CharField("Chương trình/mục đích", max_length=300)
    donor = models.ForeignKey(Donor, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="restrictions", verbose_name="Nhà tài trợ")
    ends_on = models.DateField("Hạn sử dụng", null=True, blank=True)
    commune, province = area_fields()

    class Meta:
        verbose_name = "hạn chế sử dụng"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class Pledge(models.Model):
    """Cam kết tài trợ: a promise, never money received."""

    scope_fields = ("commune", "province")

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges",
                              verbose_name="Nhà tài trợ")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="pledges", verbose_name="Chiến dịch")
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="pledges", verbose_name="Quỹ")
    amount = models.BigIntegerField("Số tiền cam kết (đồng)", null=True, blank=True)
    in_kind = models.TextField("Hiện vật cam kết", blank=True)
    pledged_on = models.DateField("Ngày cam kết")
    # A pledge the donor withdrew is kept, with why and when, and no longer owed.
    cancelled_on = models.DateField("Ngày hủy cam kết", null=True, blank=True)
    cancel_reason = models.CharField("Lý do hủy cam kết", max_length=300, blank=True)
    # When the cancellation was recorded (cancelled_on may be an earlier day): a published
    # snapshot counts a pledge cancelled after its moment as still standing.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    commune, province = area_fields()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = "cam kết tài trợ"
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0),
                                   name="pledge_amount_positive"),
            models.CheckConstraint(condition=Q(campaign__isnull=False) | Q(fund__isnull=False),
                                   name="pledge_has_target"),
        ]

    def __str__(self) -> str:
        return f"Cam kết #{self.pk} của {self.donor}"

    @property
    def cancelled(self) -> bool:
        return self.cancelled_on is not None


class PledgeRevision(models.Model):
    """A pledge as it stood until an edit replaced it, written by the edit in the same
    transaction. The figures of a past moment (a published snapshot) take each pledge from
    the earliest revision superseded after that moment, or from the pledge row when none
    was: the row holds only the latest version. Never changed or deleted."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="revisions")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    amount = models.BigIntegerField(null=True, blank=True)
    in_kind = models.TextField(blank=True)
    pledged_on = models.DateField()
    superseded_at = models.DateTimeField()
    superseded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "phiên bản cam kết tài trợ"
        indexes = [models.Index(fields=["superseded_at", "pledge"],
                                name="pledge_revision_moment")]

    def __str__(self) -> str:
        return f"Cam kết #{self.pledge_id} đến {self.superseded_at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("Phiên bản cũ của cam kết không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Phiên bản cũ của cam kết không được xóa.")


def donor_report_path(instance, filename: str) -> str:
    return f"funds/donor-reports/{instance.donor_id}/{filename}"


class DonorReport(models.Model):
    """A report or letter sent to a donor: what was sent, for which period, when and how,
    with the file as it was sent (kept, so the centre can show years later what it wrote)."""

    scope_fields = ("commune", "province")

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="reports",
                              verbose_name="Nhà tài trợ")
    kind = models.CharField("Loại báo cáo", max_length=20, choices=DonorReportKind.choices)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="Chiến dịch")
    period_start = models.DateField("Từ ngày", null=True, blank=True)
    period_end = models.DateField("Đến ngày")
    sent_on = models.DateField("Ngày gửi")
    channel = models.CharField("Hình thức gửi", max_length=10, choices=SendChannel.choices)
    note = models.CharField("Ghi chú", max_length=300, blank=True)
    file = models.FileField("Tệp đã gửi", upload_to=donor_report_path, max_length=255)
    file_name = models.CharField("Tên tệp", max_length=255)
    content_type = models.CharField(max_length=100)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.BigIntegerField(default=0)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name="Người gửi")
    created_at = models.DateTimeField(auto_now_add=True)
    commune, province = area_fields()

    class Meta:
        verbose_name = "báo cáo gửi nhà tài trợ"
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_start__isnull=True)
                                   | Q(period_start__lte=models.F("period_end")),
                                   name="donor_report_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} gửi {self.donor} ngày {self.sent_on:%d/%m/%Y}"


class ReceiptQuerySet(models.QuerySet):
    # Bulk update()/delete() skip the model's save()/delete(); refuse them on issued rows too.
    def update(self, **kwargs):
        if self.filter(status=ReceiptStatus.ISSUED).exists():
            raise ImmutableError("Biên nhận đã cấp không được sửa.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=ReceiptStatus.ISSUED).exists():
            raise ImmutableError("Biên nhận đã cấp không được xóa.")
        return super().delete()


class Receipt(models.Model):
    """Tiền nhận: one payment from one donor, split into lines per fund and restriction."""

    scope_fields = ("commune", "province")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="receipts",
                             verbose_name="Quỹ cấp biên nhận")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="receipts",
                              verbose_name="Nhà tài trợ")
    pledge = models.ForeignKey(Pledge, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="receipts", verbose_name="Thực hiện cam kết")
    method = models.CharField("Hình thức", max_length=20, choices=Method.choices)
    # Money counts in the balances; goods and services are valued in đồng but never spent.
    kind = models.CharField("Loại biên nhận", max_length=10, choices=ReceiptKind.choices,
                            default=ReceiptKind.CASH)
    document_ref = models.CharField("Số chứng từ (phiếu thu / mã giao dịch)", max_length=100,
                                    blank=True)
    received_on = models.DateField("Ngày nhận")
    total = models.BigIntegerField("Tổng số tiền (đồng)")
    currency = models.CharField("Đơn vị tiền tệ", max_length=3, default=VND)
    original_amount_minor = models.BigIntegerField("Số tiền nguyên tệ (đơn vị nhỏ nhất)",
                                                   null=True, blank=True)
    exchange_rate = models.DecimalField("Tỷ giá (đồng / 1 đơn vị nguyên tệ)", max_digits=18,
                                        decimal_places=6, null=True, blank=True)
    aid_approval_ref = models.CharField("Số quyết định phê duyệt viện trợ", max_length=100,
                                        blank=True)
    description = models.CharField("Nội dung", max_length=300, blank=True)
    status = models.CharField("Trạng thái", max_length=10, choices=ReceiptStatus.choices,
                              default=ReceiptStatus.DRAFT)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField("Số biên nhận", max_length=40, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    commune, province = area_fields()

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = "biên nhận tiền tài trợ"
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="receipt_total_positive"),
            models.UniqueConstraint(fields=["fund", "year", "sequence"],
                                    condition=Q(sequence__isnull=False),
                                    name="receipt_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number or f"Biên nhận nháp #{self.pk}"

    def save(self, *args, **kwargs):
        # What was read from the database decides, not the attribute a caller may have reset.
        if self.pk is not None and getattr(self, "_stored_status", None) == ReceiptStatus.ISSUED:
            raise ImmutableError("Biên nhận đã cấp không được sửa; hãy lập bút toán hủy.")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        if Receipt.objects.filter(pk=self.pk, status=ReceiptStatus.ISSUED).exists():
            raise ImmutableError("Biên nhận đã cấp không được xóa; hãy lập bút toán hủy.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._stored_status = obj.__dict__.get("status")
        return obj

    @property
    def issued(self) -> bool:
        return self.status == ReceiptStatus.ISSUED


class IssuedLineQuerySet(models.QuerySet):
    # Bulk update()/delete() skip the model's save()/delete(); refuse them on issued rows too.
    def update(self, **kwargs):
        if self.filter(receipt__status=ReceiptStatus.ISSUED).exists():
            raise ImmutableError("Dòng của biên nhận đã cấp không được sửa.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(receipt__status=ReceiptStatus.ISSUED).exists():
            raise ImmutableError("Dòng của biên nhận đã cấp không được xóa.")
        return super().delete()


class IssuedLine(models.Model):
    """A line of a receipt (cash, goods or services), final once its receipt is issued."""

    objects = IssuedLineQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._receipt_issued():
            raise ImmutableError("Dòng của biên nhận đã cấp không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._receipt_issued():
            raise ImmutableError("Dòng của biên nhận đã cấp không được xóa.")
        return super().delete(*args, **kwargs)

    def _receipt_issued(self) -> bool:
        return Receipt.objects.filter(pk=self.receipt_id, status=ReceiptStatus.ISSUED).exists()


class ReceiptLine(IssuedLine):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="receipt_lines",
                             verbose_name="Quỹ")
    restriction = models.ForeignKey(Restriction, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="receipt_lines",
                                    verbose_name="Hạn chế sử dụng")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="receipt_lines", verbose_name="Chiến dịch")
    amount = models.BigIntegerField("Số tiền (đồng)")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_line_positive"),
        ]

    def __str__(self) -> str:
        return f"Dòng biên nhận #{self.receipt_id}: {self.amount} đ"


class ReceiptReversal(models.Model):
    """Bút toán hủy: takes a whole issued receipt back out of the balances. Final itself."""

    scope_fields = ("commune", "province")

    receipt = models.OneToOneField(Receipt, on_delete=models.PROTECT, related_name="reversal")
    reason = models.CharField("Lý do hủy", max_length=300)
    reversed_on = models.DateField("Ngày hủy")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    commune, province = area_fields()

    class Meta:
        verbose_name = "bút toán hủy biên nhận"

    def __str__(self) -> str:
        return f"Hủy biên nhận #{self.receipt_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("Bút toán hủy không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Bút toán hủy không được xóa.")


class ReceiptCounter(models.Model):
    """The last receipt number of a fund in a year, taken under a row lock."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "year"],
                                               name="receipt_counter_unique")]

    def __str__(self) -> str:
        return f"{self.fund_id}/{self.year}: {self.last}"


class BalanceLock(models.Model):
    """One row per fund and restriction (none = unrestricted money). Every write that changes
    what may be spent from that pot locks this row first, so checks and writes serialise."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    restriction = models.ForeignKey(Restriction, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "restriction"],
                                    condition=Q(restriction__isnull=False),
                                    name="balance_lock_restricted"),
            models.UniqueConstraint(fields=["fund"], condition=Q(restriction__isnull=True),
                                    name="balance_lock_unrestricted"),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id}/{self.restriction_id or '-'}"


class Allocation(models.Model):
    """Chi: money leaving a fund for a purpose. Prepared by one officer, approved by another.

    A pending allocation already reserves its amount, so the balance an officer sees is what
    is left after everything in the approval queue; only an approved one counts as spent."""

    scope_fields = ("commune", "province")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="allocations",
                             verbose_name="Quỹ")
    restriction = models.ForeignKey(Restriction, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="allocations",
                                    verbose_name="Hạn chế sử dụng")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="allocations", verbose_name="Chiến dịch")
    amount = models.BigIntegerField("Số tiền (đồng)")
    purpose = models.CharField("Mục đích chi", max_length=300)
    allocated_on = models.DateField("Ngày chi")
    status = models.CharField("Trạng thái", max_length=10, choices=AllocationStatus.choices,
                              default=AllocationStatus.PENDING)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("Ghi chú phê duyệt", max_length=300, blank=True)
    commune, province = area_fields()

    class Meta:
        verbose_name = "khoản chi"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"Chi #{self.pk}: {self.purpose}"


class AllocationReturn(models.Model):
    """Hoàn chi: part of an approved allocation that was not used (a recipient of a
    distribution died, moved away or refused before the hand-out) goes back to its pot.

    The allocation itself is never edited: spending is approved allocations less their
    returns, each return dated, so a month already reported and a snapshot already published
    stay as they were and the return shows in the month of its own date. Append-only."""

    scope_fields = ("commune", "province")

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="returns",
                                   verbose_name="Khoản chi")
    # The allocation's pot, repeated so balances and statements group returns like receipts.
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+",
                             verbose_name="Quỹ")
    restriction = models.ForeignKey(Restriction, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name="Hạn chế sử dụng")
    amount = models.BigIntegerField("Số tiền hoàn (đồng)")
    returned_on = models.DateField("Ngày hoàn")
    reason = models.CharField("Lý do hoàn", max_length=300)
    # The distribution line whose share comes back (a plain id: distributions depend on funds).
    distribution_line_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    commune, province = area_fields()

    class Meta:
        verbose_name = "khoản hoàn chi"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_return_positive"),
            models.UniqueConstraint(fields=["distribution_line_id"],
                                    condition=Q(distribution_line_id__isnull=False),
                                    name="allocation_return_once_per_line"),
        ]

    def __str__(self) -> str:
        return f"Hoàn chi #{self.allocation_id}: {self.amount} đ"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("Khoản hoàn chi không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Khoản hoàn chi không được xóa.")


# ---------------------------------------------------------------------------- in-kind receipts

class GoodsReceiptLine(IssuedLine):
    """Hàng hóa, hiện vật nhận: valued in đồng, put into a warehouse when the receipt is
    issued (the stock movement names this line in `source_receipt_line_id`)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="goods_lines")
    item = models.ForeignKey("stock.Item", on_delete=models.PROTECT, related_name="+",
                             verbose_name="Mặt hàng")
    warehouse = models.ForeignKey("stock.Warehouse", on_delete=models.PROTECT,
                                  related_name="+", verbose_name="Kho nhập")
    quantity = models.BigIntegerField("Số lượng")
    unit_value = models.BigIntegerField("Đơn giá (đồng)")
    value = models.BigIntegerField("Thành tiền (đồng)")
    expiry_date = models.DateField("Hạn sử dụng", null=True, blank=True)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="goods_lines", verbose_name="Chiến dịch")

    class Meta:
        verbose_name = "dòng hàng hóa nhận"
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(unit_value__gt=0)
                                   & Q(value=models.F("quantity") * models.F("unit_value")),
                                   name="goods_line_valued"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id} (biên nhận #{self.receipt_id})"


class ServiceReceiptLine(IssuedLine):
    """Dịch vụ nhận: places a donor offers (vocational training, medical check-ups), each
    place given to one person by the distributions module."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE,
                                related_name="service_lines")
    service = models.CharField("Dịch vụ", max_length=200)
    unit = models.CharField("Đơn vị tính", max_length=30, default="suất")
    places = models.PositiveIntegerField("Số suất")
    unit_value = models.BigIntegerField("Giá trị một suất (đồng)")
    value = models.BigIntegerField("Thành tiền (đồng)")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="service_lines", verbose_name="Chiến dịch")

    class Meta:
        verbose_name = "dòng dịch vụ nhận"
        constraints = [
            models.CheckConstraint(condition=Q(places__gt=0) & Q(unit_value__gt=0)
                                   & Q(value=models.F("places") * models.F("unit_value")),
                                   name="service_line_valued"),
        ]

    def __str__(self) -> str:
        return f"{self.places} {self.unit} {self.service}"


# ---------------------------------------------------------------------------- bank statements

class BankAccount(models.Model):
    """A bank account of the fund itself: statements are imported only for these."""

    scope_fields = ("commune", "province")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="bank_accounts",
                             verbose_name="Quỹ")
    # Digits only, so "0071 0012 34567" and "0071001234567" are one account.
    account_number = models.CharField("Số tài khoản", max_length=40, unique=True)
    bank_name = models.CharField("Ngân hàng", max_length=120)
    branch = models.CharField("Chi nhánh", max_length=120, blank=True)
    active = models.BooleanField("Đang sử dụng", default=True)
    commune, province = area_fields()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tài khoản ngân hàng của quỹ"
        ordering = ["fund", "account_number"]

    def __str__(self) -> str:
        return f"{self.account_number} – {self.bank_name}"


class BankStatement(models.Model):
    """One uploaded statement file, staged and validated; applied at most once."""

    scope_fields = ("commune", "province")

    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT,
                                related_name="statements", verbose_name="Tài khoản")
    file_name = models.CharField("Tên tệp", max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    header_row = models.PositiveIntegerField(default=0)
    status = models.CharField("Trạng thái", max_length=10, choices=StatementStatus.choices,
                              default=StatementStatus.STAGED)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # {"rows", "credit_new", "debit_new", "known", "rejected", "matched", "credit_amount"}
    counts = models.JSONField(default=dict)
    # {"receipts", "transactions", "known", "unmatched", "receipt_ids"}
    applied_counts = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    commune, province = area_fields()

    class Meta:
        verbose_name = "sao kê ngân hàng"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Sao kê {self.file_name} ({self.get_status_display()})"


class BankTransaction(models.Model):
    """A statement line the fund knows: the first statement that brought it wrote it, later
    statements holding the same line find it by its identity and write nothing. At most one
    receipt comes from it (the one-to-one link), and debits never get one."""

    scope_fields = ("commune", "province")

    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT,
                                related_name="transactions")
    # "ref:<bank reference>" or "h:<sha256 of date, amount, description, running balance and
    # the occurrence number of that combination>".
    identity = models.CharField(max_length=120)
    booked_on = models.DateField("Ngày giao dịch")
    direction = models.CharField(max_length=6, choices=Direction.choices)
    amount = models.BigIntegerField("Số tiền (đồng)")
    description = models.TextField("Nội dung", blank=True)
    reference = models.CharField("Số tham chiếu", max_length=100, blank=True)
    counterparty_name = models.CharField("Người chuyển", max_length=200, blank=True)
    counterparty_account = models.CharField("Tài khoản người chuyển", max_length=40,
                                            blank=True)
    running_balance = models.BigIntegerField(null=True, blank=True)
    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="+")
    row_number = models.PositiveIntegerField()
    receipt = models.OneToOneField(Receipt, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="bank_transaction")
    commune, province = area_fields()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "giao dịch ngân hàng"
        ordering = ["booked_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "identity"],
                                    name="bank_transaction_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_transaction_positive"),
            models.CheckConstraint(condition=Q(receipt__isnull=True) | Q(direction="credit"),
                                   name="bank_transaction_receipt_credit_only"),
        ]

    def __str__(self) -> str:
        return f"{self.booked_on:%d/%m/%Y} {self.get_direction_display()} {self.amount} đ"


class BankStatementLine(models.Model):
    """One data row of an uploaded statement as read, with its problems and the donor or
    pledge it is proposed to (or, after the officer's choice, will) become a receipt of."""

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE,
                                  related_name="lines")
    row_number = models.PositiveIntegerField("Dòng")
    raw = models.JSONField(default=list)
    booked_on = models.DateField(null=True, blank=True)
    direction = models.CharField(max_length=6, choices=Direction.choices, blank=True)
    amount = models.BigIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    reference = models.CharField(max_length=100, blank=True)
    counterparty_name = models.CharField(max_length=200, blank=True)
    counterparty_account = models.CharField(max_length=40, blank=True)
    running_balance = models.BigIntegerField(null=True, blank=True)
    identity = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=LineStatus.choices)
    errors = models.JSONField(default=list)  # [{"field", "message"}]
    match_kind = models.CharField(max_length=10, choices=MatchKind.choices, blank=True)
    match_note = models.CharField(max_length=300, blank=True)
    donor = models.ForeignKey(Donor, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    pledge = models.ForeignKey(Pledge, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    skip = models.BooleanField("Không lập biên nhận", default=False)
    transaction = models.ForeignKey(BankTransaction, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["statement", "row_number"]
        constraints = [models.UniqueConstraint(fields=["statement", "row_number"],
                                               name="bank_statement_line_unique")]

    def __str__(self) -> str:
        return f"Dòng {self.row_number}: {self.get_status_display()}"
