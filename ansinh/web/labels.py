"""Translatable labels for what the web UI shows of registry and audit records.

The models keep their Vietnamese verbose names and choice labels as plain strings; the UI
passes them through gettext here, so the English catalogue can translate them too.
"""

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ansinh.audit.models import AuditAction
from ansinh.registry.choices import DisabilityLevel, DisabilityType, Poverty, Relationship, Sex
from ansinh.registry.models import Household, Person

FIELD_LABELS = {
    "ho": _("Họ"),
    "ten_dem": _("Tên đệm"),
    "ten": _("Tên"),
    "full_name": _("Họ và tên"),
    "birth": _("Ngày sinh"),
    "birth_date": _("Ngày sinh"),
    "birth_date_precision": _("Độ chính xác ngày sinh"),
    "sex": _("Giới tính"),
    "ethnicity": _("Dân tộc"),
    "id_number": _("Số định danh cá nhân"),
    "documents": _("Giấy tờ khác"),
    "phone": _("Số điện thoại"),
    "household": _("Hộ gia đình"),
    "household_code": _("Mã hộ gia đình"),
    "relationship": _("Quan hệ với chủ hộ"),
    "commune": _("Xã/phường"),
    "province": _("Tỉnh/thành phố"),
    "disability_level": _("Mức độ khuyết tật"),
    "disability_type": _("Dạng khuyết tật"),
    "disability_notes": _("Ghi chú khuyết tật"),
    "hiv_status": _("Nhiễm HIV"),
    "deceased_date": _("Ngày mất"),
    "code": _("Mã hộ"),
    "address": _("Địa chỉ"),
    "poverty_status": _("Diện hộ"),
    "poverty_year": _("Năm xét duyệt"),
    "head": _("Chủ hộ"),
}

# Choice labels come from the models as Vietnamese text; these entries put them in the
# catalogue so `choice_label` can translate them.
_CATALOGUE = [
    gettext_noop("Nam"), gettext_noop("Nữ"),
    gettext_noop("Chủ hộ"), gettext_noop("Vợ/chồng"), gettext_noop("Con"),
    gettext_noop("Cha/mẹ"), gettext_noop("Ông/bà"), gettext_noop("Cháu"),
    gettext_noop("Anh/chị/em"), gettext_noop("Con dâu/con rể"), gettext_noop("Khác"),
    gettext_noop("Không"), gettext_noop("Nhẹ"), gettext_noop("Nặng"),
    gettext_noop("Đặc biệt nặng"),
    gettext_noop("Khuyết tật vận động"), gettext_noop("Khuyết tật nghe, nói"),
    gettext_noop("Khuyết tật nhìn"), gettext_noop("Khuyết tật thần kinh, tâm thần"),
    gettext_noop("Khuyết tật trí tuệ"), gettext_noop("Khuyết tật khác"),
    gettext_noop("Hộ nghèo"), gettext_noop("Hộ cận nghèo"),
    gettext_noop("Tạo mới"), gettext_noop("Sửa"), gettext_noop("Xóa"),
    gettext_noop("Xem thông tin nhạy cảm"), gettext_noop("Xuất dữ liệu"),
    gettext_noop("Nhập dữ liệu"), gettext_noop("Đăng nhập"),
    gettext_noop("Ngày/tháng/năm"), gettext_noop("Tháng/năm"), gettext_noop("Chỉ năm"),
]

CHOICES = {
    "sex": dict(Sex.choices),
    "relationship": dict(Relationship.choices),
    "disability_level": dict(DisabilityLevel.choices),
    "disability_type": dict(DisabilityType.choices),
    "poverty_status": dict(Poverty.choices),
    "ethnicity": dict(Person._meta.get_field("ethnicity").choices),
    "birth_date_precision": dict(Person._meta.get_field("birth_date_precision").choices),
}
ACTIONS = dict(AuditAction.choices)


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    for model in (Person, Household):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - an unknown key in an old audit row
            continue
    return name


def choice_label(field: str, value) -> str:
    label = CHOICES.get(field, {}).get(value)
    return gettext(label) if label else (value or "")


def action_label(action: str) -> str:
    return gettext(ACTIONS.get(action, action))


def translated_choices(choices):
    """Model choices with their labels passed through gettext (for form selects)."""
    return [(value, _(label)) for value, label in choices]
