"""Forms of the monthly-assistance pages, and the words the pages use for categories.

The forms parse and present; the enrolment services check the terms, the area and the
procedure. `ServiceFormMixin.apply_errors` puts a service's ValidationError back on the fields.

Categories are shown two ways. Staff who may read sensitive data on a record see its Art. 5
clause. Everyone else, and every list that leaves the office (the public posting list, the
cash payment list at the post office), sees a *public group*: groups are wide enough that each
HIV-related category (5.3, 5.8) shares its group with categories that have nothing to do with
HIV, so neither the label nor a filter on it can single out a person living with HIV
(Decree 20/2021, Art. 8.1: the posting excludes HIV-related information).
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.access.scoping import communes_for, scope_for
from ansinh.core.months import format_month_vn, parse_month
from ansinh.geo.models import AdminUnit
from ansinh.registry.selectors import persons_for
from ansinh.web.forms import DATE_INPUTS, CommuneChoiceField, ServiceFormMixin

from .choices import (
    Benefit,
    Category,
    Channel,
    FuneralCategory,
    PensionCategory,
    StopReason,
    SuspendReason,
)
from .models import Application, Decision, Entitlement

# ---- category labels -----------------------------------------------------------------------

CARE_LABELS = {
    "foster_child": "Nhận chăm sóc trẻ em thuộc khoản 1 Điều 5",
    "foster_elderly": "Nhận chăm sóc người cao tuổi thuộc điểm d khoản 5 Điều 5",
    "disabled_parent_one": "Người khuyết tật nặng/đặc biệt nặng mang thai hoặc nuôi 1 con "
                           "dưới 36 tháng",
    "disabled_parent_two": "Người khuyết tật nặng/đặc biệt nặng mang thai và nuôi con dưới 36 "
                           "tháng, hoặc nuôi từ 2 con dưới 36 tháng",
    "household_care": "Hộ gia đình trực tiếp chăm sóc người khuyết tật đặc biệt nặng",
    "foster_disabled": "Nhận chăm sóc người khuyết tật đặc biệt nặng",
}

CATEGORY_LABELS = {
    Benefit.MONTHLY_ALLOWANCE: dict(Category.choices),
    Benefit.SOCIAL_PENSION: dict(PensionCategory.choices),
    Benefit.FUNERAL: dict(FuneralCategory.choices),
    Benefit.CARE_ALLOWANCE: CARE_LABELS,
}

HIV_CATEGORIES = frozenset({Category.C5_3, Category.C5_8})

# Public groups of the monthly allowance: key → (label, categories). Children of 5.1 and 5.7
# cover the 5.3 children of every age under 16; 5.4 and 5.5.a cover the 5.8 adults of every
# age. No clause numbers: "khoản 3" or "khoản 8" would say it all.
PUBLIC_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "children": ("Trẻ em thuộc diện trợ giúp xã hội",
                 (Category.C5_1, Category.C5_3, Category.C5_7)),
    "students": ("Người từ đủ 16 đến 22 tuổi đang đi học", (Category.C5_2,)),
    "poor": ("Người thuộc hộ nghèo, hộ cận nghèo có hoàn cảnh khó khăn",
             (Category.C5_4, Category.C5_5A, Category.C5_8)),
    "elderly": ("Người cao tuổi thuộc diện trợ giúp xã hội",
                (Category.C5_5B, Category.C5_5C, Category.C5_5D)),
    "disabled": ("Người khuyết tật nặng, đặc biệt nặng", (Category.C5_6,)),
}
_GROUP_OF = {c: key for key, (_label, cats) in PUBLIC_GROUPS.items() for c in cats}


def category_label(benefit: str, category: str) -> str:
    """The full label of a category: "5.5.a Người cao tuổi hộ nghèo …"."""
    return CATEGORY_LABELS.get(benefit, {}).get(category, category)


def public_category_label(benefit: str, category: str) -> str:
    """The label that may leave the office: never tells an HIV-related category apart."""
    if benefit == Benefit.MONTHLY_ALLOWANCE:
        group = _GROUP_OF.get(category)
        return PUBLIC_GROUPS[group][0] if group else "Đối tượng bảo trợ xã hội"
    return category_label(benefit, category)


def sees_exact_categories(user) -> bool:
    """May the user tell categories apart everywhere he can see (filters, totals)? Only if
    he may read sensitive data wherever he may view."""
    view, sensitive = scope_for(user, "view"), scope_for(user, "sensitive")
    if sensitive.national:
        return True
    if view.national or not view.provinces <= sensitive.provinces:
        return False
    uncovered = view.communes - sensitive.communes
    return not AdminUnit.objects.filter(pk__in=uncovered).exclude(
        province_id__in=sensitive.provinces).exists()


# ---- fields --------------------------------------------------------------------------------

def date_field(label, **kwargs):
    return forms.DateField(
        label=label, input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        **kwargs)


class MonthField(forms.Field):
    """A month typed as mm/yyyy (or yyyy-mm); cleaned to the date of its first day."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "mm/yyyy",
                                                           "size": 8, "maxlength": 7}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if hasattr(value, "year"):
            return format_month_vn(value)
        return value

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise ValidationError(_("Nhập tháng dạng mm/yyyy, ví dụ 07/2026.")) from exc


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleaned to a list (empty when none were chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


ATTACHMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".heic", ".doc", ".docx")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_FILES = 10


def _category_choices(benefits) -> list:
    return [("", "—")] + [(Benefit(b).label, list(CATEGORY_LABELS[b].items())) for b in benefits]


def _optional_choices(pairs) -> list:
    return [("", "—"), *pairs]


DISABILITY_CHOICES = [("severe", _("Nặng")), ("extremely_severe", _("Đặc biệt nặng"))]
POVERTY_CHOICES = [("poor", _("Hộ nghèo")), ("near_poor", _("Hộ cận nghèo"))]

# Funeral support follows a death, not an application for a monthly benefit.
APPLICATION_BENEFITS = (Benefit.MONTHLY_ALLOWANCE, Benefit.SOCIAL_PENSION,
                        Benefit.CARE_ALLOWANCE)


# ---- applications --------------------------------------------------------------------------

class ApplicationForm(ServiceFormMixin, forms.Form):
    """Hồ sơ đề nghị. The person is picked from the registry (radio buttons the page renders
    from a search), never typed in: a person not in the registry is added there first."""

    error_field_map = {"date_of_birth": "person", "start_month": "category"}
    custom_rendered = ("person", "recipient_id_number", "attachments")

    person = forms.ModelChoiceField(queryset=None, label=_("Người đề nghị hưởng"),
                                    error_messages={"required": _("Chọn một người trong danh "
                                                                  "sách tìm được."),
                                                    "invalid_choice": _("Người này không có "
                                                                        "trong địa bàn của "
                                                                        "bạn.")})
    benefit = forms.ChoiceField(label=_("Chế độ"))
    category = forms.ChoiceField(label=_("Nhóm đối tượng / trường hợp"))
    disability_level = forms.ChoiceField(label=_("Mức độ khuyết tật"), required=False)
    disability_certified_on = date_field(_("Ngày cấp giấy xác nhận khuyết tật"),
                                         required=False)
    children_count = forms.IntegerField(label=_("Số con đang nuôi"), required=False,
                                        min_value=1, max_value=20)
    studying = forms.BooleanField(label=_("Đang đi học (16–22 tuổi)"), required=False)
    household_poverty = forms.ChoiceField(label=_("Hộ nghèo/cận nghèo"), required=False)
    payment_channel = forms.ChoiceField(label=_("Hình thức nhận"), initial=Channel.CASH)
    account_number = forms.CharField(label=_("Số tài khoản / ví"), required=False,
                                     max_length=40)
    recipient_id_number = forms.CharField(
        label=_("Số định danh người nhận chăm sóc"), required=False, max_length=12,
        help_text=_("Chỉ với hỗ trợ chăm sóc, nuôi dưỡng: người được trả tiền, nếu khác người "
                    "hưởng."))
    received_on = date_field(_("Ngày tiếp nhận"))
    submitted_via = forms.ChoiceField(label=_("Hình thức nộp"),
                                      choices=Application.Via.choices,
                                      initial=Application.Via.IN_PERSON)
    attachments = MultipleFileField(
        label=_("Giấy tờ kèm theo"), required=False,
        help_text=_("Tờ khai, giấy xác nhận khuyết tật, giấy khai sinh…: PDF hoặc ảnh, tối đa "
                    "10 tệp, mỗi tệp 10 MB."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["person"].queryset = persons_for(user, "add").select_related("household")
        self.fields["benefit"].choices = [(b, Benefit(b).label) for b in APPLICATION_BENEFITS]
        self.fields["category"].choices = _category_choices(APPLICATION_BENEFITS)
        self.fields["disability_level"].choices = _optional_choices(DISABILITY_CHOICES)
        self.fields["household_poverty"].choices = _optional_choices(POVERTY_CHOICES)
        self.fields["payment_channel"].choices = Channel.choices
        self.fields["received_on"].initial = timezone.localdate()

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received > timezone.localdate():
            raise ValidationError(_("Ngày tiếp nhận không được sau hôm nay."))
        return received

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > ATTACHMENT_MAX_FILES:
            raise ValidationError(_("Tối đa %(n)s tệp mỗi lần.") % {"n": ATTACHMENT_MAX_FILES})
        for upload in files:
            if Path(upload.name).suffix.lower() not in ATTACHMENT_TYPES:
                raise ValidationError(_("Tệp «%(name)s»: chỉ nhận %(types)s.") % {
                    "name": upload.name, "types": ", ".join(ATTACHMENT_TYPES)})
            if upload.size > ATTACHMENT_MAX_BYTES:
                raise ValidationError(_("Tệp «%(name)s» lớn hơn 10 MB.") % {"name": upload.name})
        return files

    def clean(self):
        data = super().clean()
        benefit, category = data.get("benefit"), data.get("category")
        if benefit and category and category not in CATEGORY_LABELS.get(benefit, {}):
            self.add_error("category", _("Nhóm này không thuộc chế độ %(benefit)s.")
                           % {"benefit": Benefit(benefit).label})
        number = (data.get("recipient_id_number") or "").strip()
        data["recipient"] = None
        if number:
            if benefit != Benefit.CARE_ALLOWANCE:
                self.add_error("recipient_id_number",
                               _("Chỉ hỗ trợ chăm sóc, nuôi dưỡng mới có người nhận khác."))
            else:
                data["recipient"] = persons_for(self.user, "view").filter(
                    id_number=number).first()
                if data["recipient"] is None:
                    self.add_error("recipient_id_number",
                                   _("Không có người mang số định danh này trong địa bàn."))
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "person": data["person"], "received_on": data["received_on"],
            "benefit": data["benefit"], "category": data["category"],
            "disability_level": data.get("disability_level") or "",
            "disability_certified_on": data.get("disability_certified_on"),
            "children_count": data.get("children_count"),
            "studying": bool(data.get("studying")),
            "household_poverty": data.get("household_poverty") or "",
            "payment_channel": data["payment_channel"],
            "account_number": (data.get("account_number") or "").strip(),
            "submitted_via": data["submitted_via"],
            "recipient": data.get("recipient"),
        }


class PostForm(forms.Form):
    posted_from = date_field(_("Niêm yết từ ngày"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posted_from"].initial = timezone.localdate()


class PrepareForm(forms.Form):
    basis = forms.CharField(
        label=_("Căn cứ pháp lý"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Để trống để dùng căn cứ mặc định của chế độ; nhiều căn cứ cách nhau "
                    "bằng dấu chấm phẩy."))


class RejectForm(forms.Form):
    rejection_reason = forms.CharField(label=_("Lý do từ chối"), max_length=2000,
                                       widget=forms.Textarea(attrs={"rows": 2}))


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    commune = forms.ModelChoiceField(queryset=None, required=False, label=_("Xã/phường"))
    status = forms.ChoiceField(required=False, label=_("Trạng thái"))

    OPEN = "open"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_for(user, "view").order_by("name")
        self.fields["commune"].empty_label = _("Tất cả")
        self.fields["status"].choices = [("", _("Tất cả")), (self.OPEN, _("Đang xử lý")),
                                         *Application.Status.choices]

    def apply(self, qs, person_ids):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("q"):
            qs = qs.filter(person__in=person_ids(data["q"]))
        if data.get("commune"):
            qs = qs.filter(commune=data["commune"])
        status = data.get("status")
        if status == self.OPEN:
            qs = qs.filter(status__in=[Application.Status.RECEIVED, Application.Status.POSTED])
        elif status:
            qs = qs.filter(status=status)
        return qs


class PostingListForm(forms.Form):
    commune = CommuneChoiceField(queryset=None, label=_("Xã/phường"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        qs = communes_for(user, "view").select_related("parent").order_by("name")
        self.fields["commune"].queryset = qs
        if not self.is_bound:
            only = list(qs[:2])
            if len(only) == 1:
                self.fields["commune"].initial = only[0].pk


# ---- entitlements --------------------------------------------------------------------------

class EntitlementFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    commune = forms.ModelChoiceField(queryset=None, required=False, label=_("Xã/phường"))
    benefit = forms.ChoiceField(required=False, label=_("Chế độ"))
    category = forms.ChoiceField(required=False, label=_("Nhóm đối tượng"))
    status = forms.ChoiceField(required=False, label=_("Tình trạng"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact = sees_exact_categories(user)
        self.fields["commune"].queryset = communes_for(user, "view").order_by("name")
        self.fields["commune"].empty_label = _("Tất cả")
        self.fields["benefit"].choices = [("", _("Tất cả")), *Benefit.choices]
        if self.exact:
            cats = [(c, label) for b in Benefit for c, label in CATEGORY_LABELS[b].items()]
        else:
            cats = [(f"group:{key}", label) for key, (label, _c) in PUBLIC_GROUPS.items()]
            cats += [(c, label) for b in Benefit if b != Benefit.MONTHLY_ALLOWANCE
                     for c, label in CATEGORY_LABELS[b].items()]
        self.fields["category"].choices = [("", _("Tất cả")), *cats]
        self.fields["status"].choices = [("", _("Tất cả")), *Entitlement.Status.choices]

    def apply(self, qs, person_ids):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("q"):
            qs = qs.filter(person__in=person_ids(data["q"]))
        if data.get("commune"):
            qs = qs.filter(commune=data["commune"])
        if data.get("benefit"):
            qs = qs.filter(benefit=data["benefit"])
        category = data.get("category") or ""
        if category.startswith("group:"):
            qs = qs.filter(benefit=Benefit.MONTHLY_ALLOWANCE,
                           category__in=PUBLIC_GROUPS[category[6:]][1])
        elif category:
            qs = qs.filter(category=category)
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return qs


class SuspendForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lý do tạm dừng"), choices=SuspendReason.choices)
    from_month = MonthField(label=_("Tạm dừng từ tháng"))
    number = forms.CharField(label=_("Số quyết định (nếu đã ký ngoài hệ thống)"),
                             required=False, max_length=40)

    def service_args(self):
        d = self.cleaned_data
        return (d["reason"], d["from_month"]), {"number": d["number"].strip()}


class ResumeForm(forms.Form):
    month = MonthField(label=_("Tiếp tục hưởng từ tháng"))
    back_pay = forms.BooleanField(label=_("Truy lĩnh các tháng tạm dừng"), required=False)
    number = forms.CharField(label=_("Số quyết định (nếu đã ký ngoài hệ thống)"),
                             required=False, max_length=40)

    def service_args(self):
        d = self.cleaned_data
        return (d["month"],), {"back_pay": bool(d["back_pay"]), "number": d["number"].strip()}


class StopForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lý do thôi hưởng"), choices=[
        c for c in StopReason.choices if c[0] != StopReason.MOVED])
    on_date = date_field(_("Ngày phát sinh (chết, mất điều kiện…)"),
                         help_text=_("Thôi hưởng từ tháng sau tháng này."))
    number = forms.CharField(label=_("Số quyết định (nếu đã ký ngoài hệ thống)"),
                             required=False, max_length=40)

    def service_args(self):
        d = self.cleaned_data
        return (d["reason"], d["on_date"]), {"number": d["number"].strip()}


class AdjustForm(ServiceFormMixin, forms.Form):
    effective_month = MonthField(label=_("Điều chỉnh từ tháng"))
    category = forms.ChoiceField(label=_("Nhóm đối tượng"))
    disability_level = forms.ChoiceField(label=_("Mức độ khuyết tật"), required=False)
    children_count = forms.IntegerField(label=_("Số con đang nuôi"), required=False,
                                        min_value=1, max_value=20)
    household_poverty = forms.ChoiceField(label=_("Hộ nghèo/cận nghèo"), required=False)
    payment_channel = forms.ChoiceField(label=_("Hình thức nhận"))
    account_number = forms.CharField(label=_("Số tài khoản / ví"), required=False,
                                     max_length=40)
    reason = forms.CharField(label=_("Lý do điều chỉnh"), required=False, max_length=255)
    number = forms.CharField(label=_("Số quyết định (nếu đã ký ngoài hệ thống)"),
                             required=False, max_length=40)

    error_field_map = {"start_month": "effective_month", "date_of_birth": "category"}

    def __init__(self, *args, entitlement, **kwargs):
        initial = kwargs.pop("initial", None) or {
            f: getattr(entitlement, f) for f in (
                "category", "disability_level", "children_count", "household_poverty",
                "payment_channel", "account_number")}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["category"].choices = list(
            CATEGORY_LABELS.get(entitlement.benefit, {entitlement.category:
                                                      entitlement.category}).items())
        self.fields["disability_level"].choices = _optional_choices(DISABILITY_CHOICES)
        self.fields["household_poverty"].choices = _optional_choices(POVERTY_CHOICES)
        self.fields["payment_channel"].choices = Channel.choices

    def service_args(self):
        d = self.cleaned_data
        terms = {f: d.get(f) for f in ("category", "children_count", "payment_channel")}
        terms.update({f: (d.get(f) or "").strip() for f in (
            "disability_level", "household_poverty", "account_number", "reason", "number")})
        return (d["effective_month"],), terms


class MoveForm(forms.Form):
    to_commune = CommuneChoiceField(queryset=None, label=_("Chuyển đến xã/phường"))
    stop_month = MonthField(label=_("Xã hiện tại chi trả đến hết tháng"),
                            help_text=_("Xã mới chi trả từ tháng sau."))
    number = forms.CharField(label=_("Số quyết định (nếu đã ký ngoài hệ thống)"),
                             required=False, max_length=40)

    def __init__(self, *args, user, entitlement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_commune"].queryset = communes_for(user, "change").exclude(
            pk=entitlement.commune_id).select_related("parent").order_by("name")

    def service_args(self):
        d = self.cleaned_data
        return (d["to_commune"], d["stop_month"]), {"number": d["number"].strip()}


# ---- decisions -----------------------------------------------------------------------------

class DecisionFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    commune = forms.ModelChoiceField(queryset=None, required=False, label=_("Xã/phường"))
    kind = forms.ChoiceField(required=False, label=_("Loại quyết định"))
    status = forms.ChoiceField(required=False, label=_("Trạng thái"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .choices import DecisionKind

        self.fields["commune"].queryset = communes_for(user, "view").order_by("name")
        self.fields["commune"].empty_label = _("Tất cả")
        self.fields["kind"].choices = [("", _("Tất cả")), *DecisionKind.choices]
        self.fields["status"].choices = [("", _("Tất cả")), *Decision.Status.choices]

    def apply(self, qs, person_ids):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        q = (data.get("q") or "").strip()
        if q:
            # A decision number ("12/QĐ-UBND" or just 12) or a person.
            if q.split("/")[0].isdigit() and len(q.split("/")[0]) < 6:
                qs = qs.filter(sequence=int(q.split("/")[0]))
            else:
                qs = qs.filter(person__in=person_ids(q))
        if data.get("commune"):
            qs = qs.filter(commune=data["commune"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return qs
