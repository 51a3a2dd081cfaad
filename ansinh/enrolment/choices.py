"""The words of the monthly-assistance process, shared by enrolment and payments."""

from django.db import models


class Benefit(models.TextChoices):
    MONTHLY_ALLOWANCE = "monthly_allowance", "Trợ cấp xã hội hằng tháng"
    SOCIAL_PENSION = "social_pension", "Trợ cấp hưu trí xã hội"
    CARE_ALLOWANCE = "care_allowance", "Hỗ trợ kinh phí chăm sóc, nuôi dưỡng"
    FUNERAL = "funeral", "Hỗ trợ chi phí mai táng"


class Category(models.TextChoices):
    """Decree 20/2021 Art. 5 clauses (monthly allowance)."""

    C5_1 = "5.1", "5.1 Trẻ em dưới 16 tuổi không có nguồn nuôi dưỡng"
    C5_2 = "5.2", "5.2 Người từ 16 đến 22 tuổi đang học"
    C5_3 = "5.3", "5.3 Trẻ em nhiễm HIV thuộc hộ nghèo"
    C5_4 = "5.4", "5.4 Người đơn thân nghèo đang nuôi con"
    C5_5A = "5.5a", "5.5.a Người cao tuổi hộ nghèo không có người phụng dưỡng"
    C5_5B = "5.5b", "5.5.b Người từ 75 đến 80 tuổi hộ nghèo/cận nghèo vùng ĐBKK"
    C5_5C = "5.5c", "5.5.c Người từ 80 tuổi không có lương hưu, trợ cấp"
    C5_5D = "5.5d", "5.5.d Người cao tuổi được nhận chăm sóc tại cộng đồng"
    C5_6 = "5.6", "5.6 Người khuyết tật nặng, đặc biệt nặng"
    C5_7 = "5.7", "5.7 Trẻ em dưới 3 tuổi hộ nghèo/cận nghèo vùng ĐBKK"
    C5_8 = "5.8", "5.8 Người nhiễm HIV thuộc hộ nghèo"


class PensionCategory(models.TextChoices):
    AGE_75 = "75+", "Từ đủ 75 tuổi"
    AGE_70_74 = "70-74", "Từ đủ 70 đến dưới 75 tuổi, hộ nghèo/cận nghèo"


class FuneralCategory(models.TextChoices):
    COMMUNITY = "community", "Tại cộng đồng (20 lần mức chuẩn)"
    FACILITY = "facility", "Tại cơ sở trợ giúp xã hội (50 lần mức chuẩn)"


class Channel(models.TextChoices):
    CASH = "cash", "Tiền mặt tại điểm chi trả Bưu điện"
    HOME = "home", "Chi trả tại nhà"
    BANK = "bank", "Tài khoản ngân hàng"
    EWALLET = "ewallet", "Ví điện tử / tài khoản thanh toán"


ACCOUNT_CHANNELS = (Channel.BANK, Channel.EWALLET)


class StopReason(models.TextChoices):
    DEATH = "death", "Chết hoặc mất tích"
    INELIGIBLE = "ineligible", "Không còn đủ điều kiện"
    MOVED = "moved", "Chuyển nơi cư trú"
    REFUSED = "refused", "Từ chối nhận"


class SuspendReason(models.TextChoices):
    UNCOLLECTED = "uncollected", "Không nhận trợ cấp 3 tháng liên tục"
    DETENTION = "detention", "Bị tạm giam từ 1 tháng trở lên"
    REASSESSMENT = "reassessment", "Không chấp hành việc xác định lại"


class DecisionKind(models.TextChoices):
    GRANT = "grant", "Hưởng trợ cấp"
    ADJUST = "adjust", "Điều chỉnh mức hưởng"
    SUSPEND = "suspend", "Tạm dừng"
    RESUME = "resume", "Tiếp tục hưởng"
    TERMINATE = "terminate", "Thôi hưởng"
    MOVE_OUT = "move_out", "Thôi hưởng do chuyển nơi cư trú"
    FUNERAL = "funeral", "Hỗ trợ chi phí mai táng"
