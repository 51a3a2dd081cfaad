"""Checks on the terms of an entitlement before anything is granted or imported.

They answer "can this person be enrolled in this benefit and category from this month?" with
messages an officer can act on. The amounts themselves are the policy engine's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ansinh.core.months import format_month_vn, month_of
from ansinh.policy.categories import CATEGORIES

from .choices import (
    ACCOUNT_CHANNELS,
    Benefit,
    Category,
    Channel,
    FuneralCategory,
    PensionCategory,
)

DISABILITY_LEVELS = ("severe", "extremely_severe")
POVERTY = ("poor", "near_poor")

# Age at the start month that each category admits: (minimum, maximum) in completed years,
# None for no bound. The maxima are the last age at which the category is still paid
# (a 5.1 child is paid up to the month of the 16th birthday).
AGE_LIMITS: dict[str, tuple[int | None, int | None]] = {
    Category.C5_1: (None, 16), Category.C5_2: (16, 22), Category.C5_3: (None, 16),
    Category.C5_5A: (60, None), Category.C5_5B: (75, None), Category.C5_5C: (80, None),
    Category.C5_5D: (60, None), Category.C5_7: (None, 3),
    PensionCategory.AGE_75: (75, None), PensionCategory.AGE_70_74: (70, 74),
}


@dataclass
class Terms:
    benefit: str
    category: str
    start_month: date
    birth_date: date | None
    birth_precision: str = "D"
    disability_level: str = ""
    children_count: int | None = None
    household_poverty: str = ""
    payment_channel: str = Channel.CASH
    account_number: str = ""
    deceased_date: date | None = None


def age_in_month(birth: date, precision: str, month: date) -> int:
    """Completed years at the end of `month`: the birthday month already counts. A birth
    known only by year is taken as January (the convention of the pricing engine)."""
    birth_month = birth.month if precision in ("D", "M") else 1
    return month.year - birth.year - (1 if month.month < birth_month else 0)


def check_terms(terms: Terms) -> list[tuple[str, str]]:
    """Every problem as (field, Vietnamese message); empty when the terms are acceptable."""
    errors: list[tuple[str, str]] = []
    allowed = {
        Benefit.MONTHLY_ALLOWANCE: Category.values,
        Benefit.SOCIAL_PENSION: PensionCategory.values,
        Benefit.CARE_ALLOWANCE: list(CATEGORIES[Benefit.CARE_ALLOWANCE]),
        Benefit.FUNERAL: FuneralCategory.values,
    }
    if terms.benefit not in Benefit.values:
        return [("benefit", f"Chế độ «{terms.benefit}» không có; dùng một trong: "
                            f"{', '.join(Benefit.values)}.")]
    if terms.benefit in allowed and terms.category not in allowed[terms.benefit]:
        errors.append(("category", f"Nhóm «{terms.category}» không thuộc chế độ "
                                   f"{Benefit(terms.benefit).label}; dùng một trong: "
                                   f"{', '.join(allowed[terms.benefit])}."))
    start = month_of(terms.start_month)
    if terms.birth_date is None:
        errors.append(("date_of_birth", "Thiếu ngày sinh: không xác định được mức hưởng."))
    else:
        born = month_of(terms.birth_date) if terms.birth_precision in ("D", "M") \
            else date(terms.birth_date.year, 1, 1)
        if start < born:
            errors.append(("start_month", f"Tháng bắt đầu hưởng {format_month_vn(start)} "
                                          f"trước tháng sinh {format_month_vn(born)}."))
        elif terms.category in AGE_LIMITS:
            age = age_in_month(terms.birth_date, terms.birth_precision, start)
            low, high = AGE_LIMITS[terms.category]
            if (low is not None and age < low) or (high is not None and age > high):
                bounds = (f"từ {low} tuổi" if high is None else
                          f"đến {high} tuổi" if low is None else f"từ {low} đến {high} tuổi")
                errors.append(("category", f"Nhóm {terms.category} dành cho người {bounds}; "
                                           f"người này {age} tuổi vào tháng "
                                           f"{format_month_vn(start)}."))
    if terms.category == Category.C5_6 and terms.disability_level not in DISABILITY_LEVELS:
        errors.append(("disability_level", "Nhóm 5.6 cần mức độ khuyết tật: nặng (severe) "
                                           "hoặc đặc biệt nặng (extremely_severe)."))
    if terms.disability_level and terms.disability_level not in DISABILITY_LEVELS:
        errors.append(("disability_level", f"Mức độ khuyết tật «{terms.disability_level}» "
                                           "không hợp lệ; dùng severe hoặc extremely_severe."))
    if terms.category == Category.C5_4 and not terms.children_count:
        errors.append(("children_count", "Nhóm 5.4 cần số con đang nuôi (ít nhất 1)."))
    if terms.household_poverty and terms.household_poverty not in POVERTY:
        errors.append(("household_poverty", f"«{terms.household_poverty}» không hợp lệ; dùng "
                                            "poor, near_poor hoặc để trống."))
    # Legacy lists often leave the household's poverty blank: blank is "not recorded" and is
    # accepted, but a recorded status must fit the category (poor only for 5.3, 5.5.a, 5.5.d
    # and 5.8). The 70–74 social pension exists only for poor or near-poor households.
    poor_only = (Category.C5_3, Category.C5_5A, Category.C5_5D, Category.C5_8)
    if terms.category in poor_only and terms.household_poverty == "near_poor":
        errors.append(("household_poverty", f"Nhóm {terms.category} chỉ dành cho hộ nghèo, "
                                            "không áp dụng cho hộ cận nghèo."))
    if terms.category == PensionCategory.AGE_70_74 and terms.household_poverty not in POVERTY:
        errors.append(("household_poverty", "Trợ cấp hưu trí xã hội từ 70 đến dưới 75 tuổi chỉ "
                                            "dành cho người thuộc hộ nghèo hoặc cận nghèo."))
    if terms.payment_channel not in Channel.values:
        errors.append(("payment_channel", f"Hình thức nhận «{terms.payment_channel}» không có; "
                                          f"dùng một trong: {', '.join(Channel.values)}."))
    elif terms.payment_channel in ACCOUNT_CHANNELS and not terms.account_number:
        errors.append(("account_number", "Nhận qua tài khoản/ví điện tử cần số tài khoản."))
    if terms.deceased_date and month_of(terms.deceased_date) < start \
            and terms.benefit != Benefit.FUNERAL:
        errors.append(("start_month", "Người này đã mất trước tháng bắt đầu hưởng."))
    return errors
