"""Choices of the fund ledger, with the Vietnamese labels officers read."""

from django.db import models


class DonorKind(models.TextChoices):
    INDIVIDUAL = "individual", "Cá nhân"
    BUSINESS = "business", "Doanh nghiệp"
    DOMESTIC_ORG = "domestic_org", "Tổ chức trong nước"
    FOREIGN_NGO = "foreign_ngo", "Tổ chức phi chính phủ nước ngoài"


class Display(models.TextChoices):
    NAMED = "named", "Công khai tên"
    ANONYMOUS = "anonymous", "Ẩn danh"


class FundKind(models.TextChoices):
    SOCIAL_SECURITY = "social_security", "Quỹ An sinh xã hội"
    FOR_THE_POOR = "for_the_poor", "Quỹ Vì người nghèo"
    STATE_BUDGET = "state_budget", "Nguồn ngân sách nhà nước"
    OTHER = "other", "Quỹ khác"


class RestrictionKind(models.TextChoices):
    CAMPAIGN = "campaign", "Cho chiến dịch"
    PROGRAMME = "programme", "Cho chương trình"
    PURPOSE = "purpose", "Cho mục đích cụ thể"


class Method(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Chuyển khoản"
    CASH = "cash", "Tiền mặt (có phiếu thu)"
    IN_KIND = "in_kind", "Hiện vật, dịch vụ"


class ReceiptStatus(models.TextChoices):
    DRAFT = "draft", "Nháp"
    ISSUED = "issued", "Đã cấp biên nhận"


class ReceiptKind(models.TextChoices):
    CASH = "cash", "Tiền"
    GOODS = "goods", "Hàng hóa, hiện vật"
    SERVICES = "services", "Dịch vụ"


# Methods a money receipt may name; goods and services receipts always say IN_KIND.
CASH_METHODS = (Method.BANK_TRANSFER, Method.CASH)


class AllocationStatus(models.TextChoices):
    PENDING = "pending", "Chờ phê duyệt"
    APPROVED = "approved", "Đã phê duyệt"
    REJECTED = "rejected", "Từ chối"


VND = "VND"

# Digits after the decimal point of each currency's minor unit (ISO 4217); 2 otherwise.
MINOR_DIGITS = {"VND": 0, "JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "KWD": 3, "BHD": 3}


class StatementStatus(models.TextChoices):
    STAGED = "staged", "Đã kiểm tra, chờ áp dụng"
    APPLIED = "applied", "Đã áp dụng"


class LineStatus(models.TextChoices):
    NEW = "new", "Giao dịch mới"
    KNOWN = "known", "Đã có từ sao kê trước"
    REJECTED = "rejected", "Bị từ chối"


class Direction(models.TextChoices):
    CREDIT = "credit", "Ghi có (tiền vào)"
    DEBIT = "debit", "Ghi nợ (tiền ra)"


class MatchKind(models.TextChoices):
    PLEDGE = "pledge", "Theo mã cam kết trong nội dung"
    ACCOUNT = "account", "Theo số tài khoản người chuyển"
    TAX_CODE = "tax_code", "Theo mã số thuế trong nội dung"
    NAME = "name", "Theo tên người chuyển"
    OFFICER = "officer", "Cán bộ chọn"
    NONE = "", "Chưa khớp"


class DonorReportKind(models.TextChoices):
    DONOR = "donor", "Báo cáo sử dụng tiền tài trợ"
    CAMPAIGN = "campaign", "Báo cáo chiến dịch"
    THANKS = "thanks", "Thư cảm ơn"


class SendChannel(models.TextChoices):
    EMAIL = "email", "Thư điện tử"
    POST = "post", "Bưu điện"
    IN_PERSON = "in_person", "Trao trực tiếp"
