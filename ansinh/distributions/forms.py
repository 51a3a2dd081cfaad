"""Forms of the distribution pages. Choices offered are only what the user may use."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.funds import selectors as funds_selectors
from ansinh.funds.models import Restriction
from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import Poverty
from ansinh.stock.selectors import item_list, warehouse_list
from ansinh.web.labels import translated_choices

from .choices import (
    GROUP_CATEGORIES,
    Basis,
    CycleKind,
    LineStatus,
    ProofKind,
    RecipientUnit,
    SupportKind,
)

COMPONENT_ROWS = 3
DATE = forms.DateInput(attrs={"type": "date"})


class RestrictionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # The kind in the reader's language, as funds/_restriction.html shows a restriction.
        return f"{_(obj.get_kind_display())}: {obj.description}"


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Tên đợt"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại hỗ trợ"), choices=translated_choices(CycleKind.choices))
    unit = forms.ChoiceField(label=_("Đơn vị nhận"),
                             choices=translated_choices(RecipientUnit.choices))
    campaign = forms.ModelChoiceField(label=_("Chiến dịch"), queryset=None)
    fund = forms.ModelChoiceField(label=_("Quỹ"), queryset=None)
    restriction = RestrictionField(label=_("Hạn chế sử dụng"), queryset=None, required=False)
    donor = forms.ModelChoiceField(label=_("Nhà tài trợ suất dịch vụ"), queryset=None,
                                   required=False)
    cash_per_recipient = forms.IntegerField(label=_("Tiền mỗi suất (đồng)"), min_value=0,
                                            initial=0)
    warehouse = forms.ModelChoiceField(label=_("Kho/điểm phát"), queryset=None, required=False)
    places = forms.IntegerField(label=_("Số suất dịch vụ"), min_value=1, required=False)
    poverty = forms.MultipleChoiceField(
        label=_("Diện hộ"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=translated_choices([(p, p.label) for p in (Poverty.POOR, Poverty.NEAR_POOR)]))
    groups = forms.MultipleChoiceField(
        label=_("Nhóm đối tượng"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=translated_choices([(g, Basis(g).label) for g in GROUP_CATEGORIES]))
    communes = forms.CharField(label=_("Mã xã/phường (cách nhau bởi dấu phẩy)"), required=False)
    age_min = forms.IntegerField(label=_("Tuổi từ"), min_value=0, required=False)
    age_max = forms.IntegerField(label=_("Tuổi đến"), min_value=0, required=False)
    starts_on = forms.DateField(label=_("Ngày bắt đầu"), widget=DATE)
    ends_on = forms.DateField(label=_("Ngày kết thúc"), widget=DATE, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = funds_selectors.campaign_list(user, "funds")
        self.fields["fund"].queryset = funds_selectors.fund_list(user, "funds")
        self.fields["restriction"].queryset = Restriction.objects.filter(
            fund__in=funds_selectors.fund_list(user, "funds"))
        self.fields["donor"].queryset = funds_selectors.donor_list(user, "funds")
        self.fields["warehouse"].queryset = warehouse_list(user, "funds").filter(active=True)
        for i in range(COMPONENT_ROWS):
            self.fields[f"item_{i}"] = forms.ModelChoiceField(
                label=_("Hiện vật %(n)s") % {"n": i + 1}, queryset=item_list(), required=False)
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=_("Số lượng mỗi suất %(n)s") % {"n": i + 1}, min_value=1, required=False)

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        criteria = {"poverty": d["poverty"], "groups": d["groups"],
                    "communes": [c.strip() for c in d["communes"].split(",") if c.strip()],
                    "age_min": d["age_min"], "age_max": d["age_max"]}
        components = [(d[f"item_{i}"], d[f"quantity_{i}"]) for i in range(COMPONENT_ROWS)
                      if d.get(f"item_{i}") and d.get(f"quantity_{i}")]
        return {k: d[k] for k in ("name", "kind", "unit", "campaign", "fund", "restriction",
                                  "donor", "cash_per_recipient", "warehouse", "places",
                                  "starts_on", "ends_on")} | {
            "criteria": {k: v for k, v in criteria.items() if v not in (None, [], "")},
            "components": components}


class AddRecipientForm(forms.Form):
    id_number = forms.CharField(label=_("Số định danh người nhận"), max_length=12, required=False)
    household_code = forms.CharField(label=_("hoặc mã hộ"), max_length=30, required=False)
    exception_reason = forms.CharField(label=_("Lý do ngoại lệ (nếu ngoài tiêu chí)"),
                                       max_length=300, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú / lý do"), max_length=300, required=False)


class HandoutForm(forms.Form):
    proof_kind = forms.ChoiceField(label=_("Minh chứng"),
                                   choices=translated_choices(ProofKind.choices))
    photo = forms.FileField(label=_("Ảnh"), required=False)
    handed_out_on = forms.DateField(label=_("Ngày nhận"), widget=DATE, required=False)


class HandoutListForm(forms.Form):
    """The hand-out of a whole signed list: the scanned list, the commune (or all)."""

    proof = forms.FileField(label=_("Bản chụp danh sách đã ký (PDF hoặc ảnh)"),
                            widget=forms.ClearableFileInput(
                                attrs={"accept": "image/*,application/pdf"}))
    commune = forms.ModelChoiceField(label=_("Xã/phường"), queryset=None, required=False,
                                     empty_label=_("Cả đợt"))
    handed_out_on = forms.DateField(label=_("Ngày nhận"), widget=DATE, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        # The communes of the cycle's approved recipients still to receive.
        self.fields["commune"].queryset = AdminUnit.objects.filter(
            pk__in=cycle.recipients.filter(status=LineStatus.APPROVED)
            .values("commune_id")).order_by("name")


class SponsorshipForm(forms.Form):
    donor = forms.ModelChoiceField(label=_("Nhà tài trợ"), queryset=None)
    household_code = forms.CharField(label=_("Mã hộ"), max_length=30)
    commune_code = forms.CharField(label=_("Mã xã/phường của hộ"), max_length=5)
    starts_on = forms.DateField(label=_("Đỡ đầu từ ngày"), widget=DATE)
    support = forms.ChoiceField(label=_("Hình thức hỗ trợ"),
                                choices=translated_choices(SupportKind.choices))
    amount = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = funds_selectors.donor_list(user, "funds")
