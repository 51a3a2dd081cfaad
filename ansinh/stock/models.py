"""In-kind goods of a social-security fund: items, warehouses, lots and an append-only ledger
of movements.

The movement ledger is the record; `StockLot` is its running sum per warehouse, item and expiry
date, kept so that a hand-out can check and take the balance under a row lock instead of
summing the whole history. Every write to a lot goes through `ansinh.stock.services`, in the
same transaction as the movement that explains it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    INBOUND,
    Category,
    MovementKind,
    PointKind,
    ReceiptSource,
    Unit,
    WriteOffReason,
)


class AppendOnlyError(RuntimeError):
    pass


class Item(models.Model):
    """A kind of goods (mặt hàng), counted in whole units of `unit`: 5,500 Tết gift packages
    are 5,500 `phần quà`, rice is counted in kg."""

    name = models.CharField("Tên mặt hàng", max_length=200)
    unit = models.CharField("Đơn vị tính", max_length=20, choices=Unit.choices)
    category = models.CharField("Nhóm hàng", max_length=20, choices=Category.choices)
    perishable = models.BooleanField("Có hạn sử dụng", default=False)
    active = models.BooleanField("Đang sử dụng", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "mặt hàng"
        verbose_name_plural = "mặt hàng"
        ordering = ["name", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["name", "unit"], name="stock_item_name_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_unit_display()})"


class Warehouse(models.Model):
    """A warehouse (kho) or a distribution point (điểm phát). A province-level warehouse has
    no commune, so only staff holding a role on the province (or the nation) see it."""

    scope_fields = ("commune", "province")

    name = models.CharField("Tên kho/điểm phát", max_length=200)
    kind = models.CharField("Loại", max_length=10, choices=PointKind.choices,
                            default=PointKind.WAREHOUSE)
    address = models.CharField("Địa chỉ", max_length=300, blank=True)
    commune = models.ForeignKey("geo.AdminUnit", verbose_name="Xã/phường", null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.AdminUnit", verbose_name="Tỉnh/thành phố",
                                 on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField("Đang hoạt động", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "kho/điểm phát"
        verbose_name_plural = "kho/điểm phát"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StockLot(models.Model):
    """What a warehouse holds of an item with one expiry date (none for goods that do not
    expire): the quantity and its book value in đồng. Never negative, by check constraint as
    well as by the services' conditional updates."""

    scope_fields = ("commune", "province")

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="lots")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    expiry_date = models.DateField("Hạn sử dụng", null=True, blank=True)
    quantity = models.BigIntegerField("Số lượng", default=0)
    value = models.BigIntegerField("Giá trị (đồng)", default=0)
    # Copied from the warehouse so that balances are scoped without a join.
    commune = models.ForeignKey("geo.AdminUnit", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "lô hàng tồn"
        verbose_name_plural = "lô hàng tồn"
        constraints = [
            # NULL expiry dates are distinct under a plain unique constraint, so the goods
            # without expiry get their own partial one.
            models.UniqueConstraint(fields=["warehouse", "item", "expiry_date"],
                                    condition=Q(expiry_date__isnull=False),
                                    name="stock_lot_dated_unique"),
            models.UniqueConstraint(fields=["warehouse", "item"],
                                    condition=Q(expiry_date__isnull=True),
                                    name="stock_lot_undated_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0) & Q(value__gte=0),
                                   name="stock_lot_not_negative"),
        ]

    def __str__(self) -> str:
        expiry = f" HSD {self.expiry_date:%d/%m/%Y}" if self.expiry_date else ""
        return f"{self.item} tại {self.warehouse}{expiry}: {self.quantity}"


class StockMovement(models.Model):
    """One line of the stock ledger. Quantities are positive; the kind says the direction.
    Rows are never edited or deleted: a mistake is corrected by a new movement."""

    scope_fields = ("commune", "province")

    kind = models.CharField("Loại", max_length=20, choices=MovementKind.choices)
    warehouse = models.ForeignKey(Warehouse, verbose_name="Kho/điểm phát",
                                  on_delete=models.PROTECT, related_name="movements")
    item = models.ForeignKey(Item, verbose_name="Mặt hàng", on_delete=models.PROTECT,
                             related_name="movements")
    quantity = models.BigIntegerField("Số lượng")
    unit_value = models.BigIntegerField("Đơn giá (đồng)", default=0)
    value = models.BigIntegerField("Giá trị (đồng)", default=0)
    expiry_date = models.DateField("Hạn sử dụng", null=True, blank=True)
    occurred_on = models.DateField("Ngày")
    note = models.CharField("Ghi chú", max_length=500, blank=True)
    # Receipts.
    source = models.CharField("Nguồn", max_length=20, choices=ReceiptSource.choices,
                              blank=True)
    donor_name = models.CharField("Nhà tài trợ", max_length=300, blank=True)
    # The future link to the funds app's in-kind receipt line (funds.ReceiptLine), kept as a
    # plain integer until that model exists; it becomes a foreign key then.
    source_receipt_line_id = models.BigIntegerField(null=True, blank=True)
    # Transfers: the other warehouse, and an id shared by the out and in movements.
    counterpart = models.ForeignKey(Warehouse, verbose_name="Kho đối ứng", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    transfer_key = models.UUIDField(null=True, blank=True, db_index=True)
    # Hand-outs: who received the goods, and the future distributions module's line.
    recipient = models.ForeignKey("registry.Person", verbose_name="Người nhận", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    distribution_line_id = models.BigIntegerField(null=True, blank=True)
    # Write-offs.
    write_off_reason = models.CharField("Lý do xuất hủy", max_length=20,
                                        choices=WriteOffReason.choices, blank=True)
    commune = models.ForeignKey("geo.AdminUnit", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "phiếu nhập/xuất"
        verbose_name_plural = "phiếu nhập/xuất"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["warehouse", "item", "occurred_on"]),
            models.Index(fields=["item", "occurred_on"]),
            models.Index(fields=["province", "occurred_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(value__gte=0)
                                   & Q(unit_value__gte=0),
                                   name="stock_movement_positive"),
        ]

    def __str__(self) -> str:
        return (f"{self.get_kind_display()} {self.quantity} {self.item.get_unit_display()} "
                f"{self.item.name} – {self.warehouse}")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Phiếu nhập/xuất kho không được sửa; hãy lập phiếu điều chỉnh.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Phiếu nhập/xuất kho không được xóa; hãy lập phiếu điều chỉnh.")

    @property
    def inbound(self) -> bool:
        return self.kind in INBOUND
