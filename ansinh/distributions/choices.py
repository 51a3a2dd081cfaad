"""Choices of the distributions app, with the Vietnamese labels officers read."""

from django.db import models


class CycleKind(models.TextChoices):
    GIFT = "gift", "Quà (tiền và hiện vật)"
    SCHOLARSHIP = "scholarship", "Học bổng"
    TRAINING = "training", "Suất học nghề"
    HEALTH_INSURANCE = "health_insurance", "Thẻ bảo hiểm y tế"
    CHECKUP = "checkup", "Khám sức khỏe"
    OTHER = "other", "Hỗ trợ khác"


# Kinds whose package is a place offered by a donor (a course seat, a check-up slot).
SERVICE_KINDS = frozenset({CycleKind.TRAINING, CycleKind.CHECKUP})


class RecipientUnit(models.TextChoices):
    PERSON = "person", "Theo cá nhân"
    HOUSEHOLD = "household", "Theo hộ gia đình"


class CycleStatus(models.TextChoices):
    OPEN = "open", "Đang thực hiện"
    CLOSED = "closed", "Đã kết thúc"


class ListStatus(models.TextChoices):
    DRAFT = "draft", "Đang lập"
    SUBMITTED = "submitted", "Chờ phê duyệt"
    APPROVED = "approved", "Đã phê duyệt"
    REJECTED = "rejected", "Bị từ chối"


class LineStatus(models.TextChoices):
    PENDING = "pending", "Chờ phê duyệt"
    APPROVED = "approved", "Chờ phát"
    HANDED_OUT = "handed_out", "Đã nhận"
    CANCELLED = "cancelled", "Đã hủy"


class Basis(models.TextChoices):
    """Why a recipient is on a list: the first criterion he meets, or an exception."""

    POOR = "poor", "Hộ nghèo"
    NEAR_POOR = "near_poor", "Hộ cận nghèo"
    ORPHAN = "orphan", "Trẻ em mồ côi, không nguồn nuôi dưỡng"
    ELDERLY_ALONE = "elderly_alone", "Người cao tuổi cô đơn"
    DISABILITY = "disability", "Người khuyết tật nặng"
    AREA = "area", "Cư trú trên địa bàn"
    EXCEPTION = "exception", "Ngoại lệ có lý do"


# Reasons that reveal a protected status; shown only to staff holding `sensitive`.
SENSITIVE_BASES = frozenset({Basis.ORPHAN, Basis.DISABILITY})

# Recipient groups of the criteria → the monthly-allowance categories (Decree 20/2021 Art. 5)
# of an active entitlement that places a person in the group.
GROUP_CATEGORIES: dict[str, tuple[str, ...]] = {
    Basis.ORPHAN: ("5.1", "5.2"),
    Basis.ELDERLY_ALONE: ("5.5a",),
    Basis.DISABILITY: ("5.6",),
}

POVERTY_BASES = (Basis.POOR, Basis.NEAR_POOR)


class ProofKind(models.TextChoices):
    SIGNATURE = "signature", "Ký nhận trên danh sách"
    PHOTO = "photo", "Ảnh chụp khi nhận"


class SupportKind(models.TextChoices):
    MONTHLY = "monthly", "Hằng tháng"
    ONE_OFF = "one_off", "Một lần"


class SponsorshipEnd(models.TextChoices):
    GRADUATED = "graduated", "Hộ đã thoát nghèo"
    STOPPED = "stopped", "Nhà tài trợ dừng đỡ đầu"
