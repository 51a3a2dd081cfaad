"""Forms of the distribution pages. Choices offered are only what the user may use."""

from django import forms

from ansinh.funds import selectors as funds_selectors
from ansinh.funds.models import Restriction
from ansinh.registry.choices import Poverty
from ansinh.stock.selectors import item_list, warehouse_list

from .choices import GROUP_CATEGORIES, Basis, CycleKind, ProofKind, RecipientUnit, SupportKind

COMPONENT_ROWS = 3
DATE = forms.DateInput(attrs={"type": "date"})


class CycleForm(forms.Form):
    name = forms.CharField(label="Tên đợt", max_length=200)
    kind = forms.ChoiceField(label="Loại hỗ trợ", choices=CycleKind.choices)
    unit = forms.ChoiceField(label="Đơn vị nhận", choices=RecipientUnit.choices)
    campaign = forms.ModelChoiceField(label="Chiến dịch", queryset=None)
    fund = forms.ModelChoiceField(label="Quỹ", queryset=None)
    restriction = forms.ModelChoiceField(label="Hạn chế sử dụng", queryset=None,
                                         required=False)
    donor = forms.ModelChoiceField(label="Nhà tài trợ suất dịch vụ", queryset=None,
                                   required=False)
    cash_per_recipient = forms.IntegerField(label="Tiền mỗi suất (đồng)", min_value=0,
                                            initial=0)
    warehouse = forms.ModelChoiceField(label="Kho/điểm phát", queryset=None, required=False)
    places = forms.IntegerField(label="Số suất dịch vụ", min_value=1, required=False)
    poverty = forms.MultipleChoiceField(
        label="Diện hộ", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(Poverty.POOR, Poverty.POOR.label), (Poverty.NEAR_POOR, Poverty.NEAR_POOR.label)])
    groups = forms.MultipleChoiceField(
        label="Nhóm đối tượng", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(g, Basis(g).label) for g in GROUP_CATEGORIES])
    communes = forms.CharField(label="Mã xã/phường (cách nhau bởi dấu phẩy)", required=False)
    age_min = forms.IntegerField(label="Tuổi từ", min_value=0, required=False)
    age_max = forms.IntegerField(label="Tuổi đến", min_value=0, required=False)
    starts_on = forms.DateField(label="Ngày bắt đầu", widget=DATE)
    ends_on = forms.DateField(label="Ngày kết thúc", widget=DATE, required=False)

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
                label=f"Hiện vật {i + 1}", queryset=item_list(), required=False)
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=f"Số lượng mỗi suất {i + 1}", min_value=1, required=False)

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
    id_number = forms.CharField(label="Số định danh người nhận", max_length=12, required=False)
    household_code = forms.CharField(label="hoặc mã hộ", max_length=30, required=False)
    exception_reason = forms.CharField(label="Lý do ngoại lệ (nếu ngoài tiêu chí)",
                                       max_length=300, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label="Ghi chú / lý do", max_length=300, required=False)


class HandoutForm(forms.Form):
    proof_kind = forms.ChoiceField(label="Minh chứng", choices=ProofKind.choices)
    photo = forms.FileField(label="Ảnh", required=False)
    handed_out_on = forms.DateField(label="Ngày nhận", widget=DATE, required=False)


class SponsorshipForm(forms.Form):
    donor = forms.ModelChoiceField(label="Nhà tài trợ", queryset=None)
    household_code = forms.CharField(label="Mã hộ", max_length=30)
    commune_code = forms.CharField(label="Mã xã/phường của hộ", max_length=5)
    starts_on = forms.DateField(label="Đỡ đầu từ ngày", widget=DATE)
    support = forms.ChoiceField(label="Hình thức hỗ trợ", choices=SupportKind.choices)
    amount = forms.IntegerField(label="Số tiền (đồng)", min_value=1)
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = funds_selectors.donor_list(user, "funds")
