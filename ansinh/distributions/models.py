"""Distributions from a social-security fund to people and households of the registry.

A cycle (đợt) defines one package — cash per recipient, goods from one warehouse, or a place
offered by a donor — and the criteria of who may receive it. Recipients are gathered into
lists; a list is approved by a different user holding `fund_approve`, which spends the cash
(an approved `funds.Allocation`) and reserves the goods; each recipient is then handed out
with proof, issuing the goods in the same transaction.

One package per recipient per cycle is a database rule: a second package for the same person
(or household) needs `repeat` > 0, which the check constraint allows only with a written
exception reason, and which takes effect only once its list is approved.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ansinh.funds.models import area_fields

from .choices import (
    Basis,
    CycleKind,
    CycleStatus,
    LineStatus,
    ListStatus,
    ProofKind,
    RecipientUnit,
    SponsorshipEnd,
    SupportKind,
)


def _user(**kwargs):
    # Null for the console operator, who has no database user.
    return models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", **kwargs)


class Cycle(models.Model):
    """Đợt phân phối: e.g. "Quà Tết 2026", 50 scholarships of 3,000,000 đ, 30 training places."""

    scope_fields = ("commune", "province")

    name = models.CharField("Tên đợt", max_length=200)
    kind = models.CharField("Loại hỗ trợ", max_length=20, choices=CycleKind.choices)
    unit = models.CharField("Đơn vị nhận", max_length=10, choices=RecipientUnit.choices,
                            default=RecipientUnit.PERSON)
    campaign = models.ForeignKey("funds.Campaign", on_delete=models.PROTECT,
                                 related_name="distribution_cycles", verbose_name="Chiến dịch")
    fund = models.ForeignKey("funds.Fund", on_delete=models.PROTECT,
                             related_name="distribution_cycles", verbose_name="Quỹ")
    restriction = models.ForeignKey("funds.Restriction", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="distribution_cycles",
                                    verbose_name="Hạn chế sử dụng")
    donor = models.ForeignKey("funds.Donor", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="distribution_cycles",
                              verbose_name="Nhà tài trợ suất dịch vụ")
    cash_per_recipient = models.BigIntegerField("Tiền mỗi suất (đồng)", default=0)
    warehouse = models.ForeignKey("stock.Warehouse", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="distribution_cycles",
                                  verbose_name="Kho/điểm phát")
    places = models.PositiveIntegerField("Số suất", null=True, blank=True,
                                         help_text="Số suất dịch vụ được tài trợ (học nghề, "
                                                   "khám bệnh); để trống nếu không giới hạn")
    criteria = models.JSONField("Tiêu chí", default=dict, blank=True)
    starts_on = models.DateField("Ngày bắt đầu (ngày xét tuổi)")
    ends_on = models.DateField("Ngày kết thúc", null=True, blank=True)
    status = models.CharField("Trạng thái", max_length=10, choices=CycleStatus.choices,
                              default=CycleStatus.OPEN)
    commune, province = area_fields()
    created_by = _user()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "đợt phân phối"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(cash_per_recipient__gte=0),
                                   name="distribution_cycle_cash_not_negative"),
            models.CheckConstraint(condition=Q(places__isnull=True) | Q(places__gt=0),
                                   name="distribution_cycle_places_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def per_household(self) -> bool:
        return self.unit == RecipientUnit.HOUSEHOLD


class PackageItem(models.Model):
    """Goods in one package: `quantity` units of `item` per recipient."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey("stock.Item", on_delete=models.PROTECT, related_name="+",
                             verbose_name="Mặt hàng")
    quantity = models.PositiveIntegerField("Số lượng mỗi suất")

    class Meta:
        verbose_name = "hiện vật trong suất"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "item"], name="distribution_item_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="distribution_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item}"


class RecipientList(models.Model):
    """Danh sách: recipients reviewed and approved together (maker ≠ checker)."""

    scope_fields = ("commune", "province")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="lists")
    number = models.PositiveIntegerField("Số danh sách trong đợt")
    status = models.CharField("Trạng thái", max_length=10, choices=ListStatus.choices,
                              default=ListStatus.DRAFT)
    created_by = _user()
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = _user()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = _user()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("Ghi chú phê duyệt", max_length=300, blank=True)
    allocation = models.OneToOneField("funds.Allocation", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="distribution_list",
                                      verbose_name="Khoản chi")
    signature_printed_at = models.DateTimeField("In danh sách ký nhận lúc", null=True,
                                                blank=True)
    commune, province = area_fields()

    class Meta:
        verbose_name = "danh sách nhận hỗ trợ"
        ordering = ["cycle_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="distribution_list_number"),
            # At most one list being drafted per cycle: builds and additions go into it.
            models.UniqueConstraint(fields=["cycle"], condition=Q(status="draft"),
                                    name="distribution_one_draft_list"),
        ]

    def __str__(self) -> str:
        return f"Danh sách số {self.number} – {self.cycle}"


def proof_path(line: "Recipient", filename: str) -> str:
    return f"distributions/{line.cycle_id}/{line.pk or 'new'}-{filename}"


class Recipient(models.Model):
    """One package for one person (or one household, represented by `person`)."""

    scope_fields = ("commune", "province")

    recipient_list = models.ForeignKey(RecipientList, on_delete=models.PROTECT,
                                       related_name="lines")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="recipients")
    per_household = models.BooleanField(default=False)
    person = models.ForeignKey("registry.Person", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name="Người nhận")
    household = models.ForeignKey("registry.Household", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  verbose_name="Hộ gia đình")
    basis = models.CharField("Căn cứ", max_length=20, choices=Basis.choices)
    exception_reason = models.CharField("Lý do ngoại lệ", max_length=300, blank=True)
    repeat = models.PositiveSmallIntegerField("Lần nhận thêm", default=0)
    cash = models.BigIntegerField("Tiền (đồng)", default=0)
    status = models.CharField("Trạng thái", max_length=12, choices=LineStatus.choices,
                              default=LineStatus.PENDING)
    handed_out_on = models.DateField("Ngày nhận", null=True, blank=True)
    handed_out_at = models.DateTimeField(null=True, blank=True)
    handed_out_by = _user()
    proof_kind = models.CharField("Minh chứng", max_length=10, choices=ProofKind.choices,
                                  blank=True)
    proof_file = models.FileField("Ảnh/bản chụp minh chứng", upload_to=proof_path, blank=True)
    proof_note = models.CharField("Ghi chú khi phát", max_length=300, blank=True)
    cancel_reason = models.CharField("Lý do hủy", max_length=300, blank=True)
    commune, province = area_fields()
    created_by = _user()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "người nhận hỗ trợ"
        indexes = [models.Index(fields=["cycle", "status"], name="distribution_line_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "person", "repeat"], name="distribution_one_per_person",
                condition=Q(per_household=False) & ~Q(status="cancelled")),
            models.UniqueConstraint(
                fields=["cycle", "household", "repeat"], name="distribution_one_per_household",
                condition=Q(per_household=True) & ~Q(status="cancelled")),
            models.CheckConstraint(
                condition=Q(repeat=0) | ~Q(exception_reason=""),
                name="distribution_repeat_needs_exception"),
            models.CheckConstraint(
                condition=(Q(per_household=True, household__isnull=False)
                           | Q(per_household=False, person__isnull=False)),
                name="distribution_recipient_present"),
            models.CheckConstraint(
                condition=Q(status="handed_out", handed_out_on__isnull=False)
                | (~Q(status="handed_out") & Q(handed_out_on__isnull=True)),
                name="distribution_handed_out_dated"),
            models.CheckConstraint(condition=Q(cash__gte=0), name="distribution_cash_not_negative"),
        ]

    def __str__(self) -> str:
        who = self.person or self.household
        return f"{who} – {self.cycle}"


class Sponsorship(models.Model):
    """Nhận đỡ đầu: a donor supports a poor or near-poor household from a date until it
    leaves poverty (as the registry says) or the donor stops."""

    scope_fields = ("commune", "province")

    donor = models.ForeignKey("funds.Donor", on_delete=models.PROTECT,
                              related_name="sponsorships", verbose_name="Nhà tài trợ")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT,
                                  related_name="sponsorships", verbose_name="Hộ được đỡ đầu")
    campaign = models.ForeignKey("funds.Campaign", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="sponsorships",
                                 verbose_name="Chiến dịch")
    starts_on = models.DateField("Đỡ đầu từ ngày")
    support = models.CharField("Hình thức hỗ trợ", max_length=10, choices=SupportKind.choices)
    amount = models.BigIntegerField("Số tiền (đồng)")
    note = models.CharField("Ghi chú", max_length=300, blank=True)
    ended_on = models.DateField("Kết thúc ngày", null=True, blank=True)
    end_reason = models.CharField("Lý do kết thúc", max_length=10,
                                  choices=SponsorshipEnd.choices, blank=True)
    commune, province = area_fields()
    created_by = _user()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "nhận đỡ đầu"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0),
                                   name="sponsorship_amount_positive"),
            models.UniqueConstraint(fields=["donor", "household"],
                                    condition=Q(ended_on__isnull=True),
                                    name="sponsorship_one_running"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="")
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="sponsorship_end_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.donor} đỡ đầu {self.household}"
