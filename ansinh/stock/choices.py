"""Choice lists of the stock app: what an item is, how it is counted, and why goods move."""

from django.db import models


class Category(models.TextChoices):
    FOOD = "food", "Lương thực, thực phẩm"
    HEALTH = "health", "Sản phẩm y tế, chăm sóc sức khỏe"
    CLOTHING = "clothing", "Quần áo, chăn màn"
    SCHOOL = "school", "Đồ dùng học tập"
    GIFT = "gift", "Phần quà"
    OTHER = "other", "Khác"


class Unit(models.TextChoices):
    KG = "kg", "kg"
    THUNG = "thung", "thùng"
    PHAN_QUA = "phan_qua", "phần quà"
    SUAT = "suat", "suất"
    HOP = "hop", "hộp"
    CHAI = "chai", "chai"
    GOI = "goi", "gói"
    CAI = "cai", "cái"
    BO = "bo", "bộ"
    CHIEC = "chiec", "chiếc"
    QUYEN = "quyen", "quyển"
    LIT = "lit", "lít"


class PointKind(models.TextChoices):
    WAREHOUSE = "warehouse", "Kho"
    DISTRIBUTION_POINT = "point", "Điểm phát"


class MovementKind(models.TextChoices):
    RECEIVE = "receive", "Nhập kho"
    TRANSFER_OUT = "transfer_out", "Điều chuyển đi"
    TRANSFER_IN = "transfer_in", "Điều chuyển đến"
    ISSUE = "issue", "Phát cho người nhận"
    WRITE_OFF = "write_off", "Xuất hủy"


# Kinds that add to a warehouse's stock; the others take from it.
INBOUND = frozenset({MovementKind.RECEIVE, MovementKind.TRANSFER_IN})


class ReceiptSource(models.TextChoices):
    DONATION = "donation", "Tài trợ, ủng hộ bằng hiện vật"
    PURCHASE = "purchase", "Mua sắm từ quỹ"
    BUDGET = "budget", "Ngân sách nhà nước cấp"
    OTHER = "other", "Khác"


class WriteOffReason(models.TextChoices):
    EXPIRED = "expired", "Hết hạn sử dụng"
    DAMAGED = "damaged", "Hư hỏng"
    LOST = "lost", "Mất mát, thiếu hụt khi kiểm kê"
    OTHER = "other", "Khác"
