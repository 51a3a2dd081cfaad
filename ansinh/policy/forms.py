"""Forms of the policy page, and the Vietnamese words for the cells of the benefit tables.

The forms only parse what an officer types (an amount as `650.000`, a date as dd/mm/yyyy, a
coefficient as `1,5`); the services in `services.py` validate the rest, check the officer's
area and save. A service's ValidationError is put back on the field it names.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from ansinh.access.scoping import scope_for
from ansinh.enrolment.choices import Benefit
from ansinh.enrolment.forms import category_label
from ansinh.geo.models import AdminUnit
from ansinh.web.forms import DATE_INPUTS, ServiceFormMixin

from .categories import BANDS, CARE_ALLOWANCE, FUNERAL, MONTHLY_ALLOWANCE
from .services import BASIS_MAX, SOURCE_MAX

NATIONAL = "national"

# Bands split a category by age or disability level (Decree 20/2021, Art. 6.1 and 20).
BAND_LABELS = {
    "all": "Một mức",
    "under_4": "Dưới 4 tuổi",
    "from_4": "Từ đủ 4 tuổi",
    "per_child": "Mỗi một con đang nuôi",
    "under_80": "Từ đủ 60 đến dưới 80 tuổi",
    "from_80": "Từ đủ 80 tuổi",
    "severe_adult": "Khuyết tật nặng",
    "severe_child_or_elderly": "Khuyết tật nặng là trẻ em hoặc người cao tuổi",
    "extremely_severe_adult": "Khuyết tật đặc biệt nặng",
    "extremely_severe_child_or_elderly": "Khuyết tật đặc biệt nặng là trẻ em hoặc người cao "
                                         "tuổi",
    "adult": "Người từ đủ 16 tuổi",
    "child": "Trẻ em dưới 16 tuổi",
}

# The Art. 20 clause of each care-allowance case (see the docstring of `categories`), shown
# next to the label so an officer can find the text the coefficient comes from.
CARE_CLAUSES = {
    "foster_child": "Điều 20.1.a, b",
    "foster_elderly": "Điều 20.1.b",
    "disabled_parent_one": "Điều 20.2.a",
    "disabled_parent_two": "Điều 20.2.a",
    "household_care": "Điều 20.2.c",
    "foster_disabled": "Điều 20.2.d",
}

FIELD_NAMES = {
    "amount": "Mức chuẩn (đồng/tháng)",
    "effective": "Hiệu lực từ ngày",
    "province_code": "Áp dụng cho",
    "basis": "Căn cứ pháp lý",
    "source_url": "Địa chỉ văn bản (nguồn)",
    "cell": "Hệ số của",
    "value": "Hệ số",
}

_AMOUNT = re.compile(r"^\d{1,3}(?:([.,_ ])\d{3})?(?:\1\d{3})*$|^\d+$")


def band_label(band: str) -> str:
    return BAND_LABELS.get(band, band)


def cell_category_label(benefit: str, category: str) -> str:
    label = category_label(benefit, category)
    if benefit == CARE_ALLOWANCE and category in CARE_CLAUSES:
        return f"{label} ({CARE_CLAUSES[category]})"
    return label


def cell_key(benefit: str, category: str, band: str) -> str:
    return f"{benefit}|{category}|{band}"


def cell_choices() -> list:
    """Every coefficient cell, grouped by benefit: one choice picks benefit, category and band,
    so a combination the tables do not have cannot be typed."""
    groups = []
    for benefit in (MONTHLY_ALLOWANCE, CARE_ALLOWANCE, FUNERAL):
        options = []
        for (b, category), bands in BANDS.items():
            if b != benefit:
                continue
            for band in bands:
                text = cell_category_label(b, category)
                if band != "all":
                    text = f"{text} — {band_label(band)}"
                options.append((cell_key(b, category, band), text))
        groups.append((Benefit(benefit).label, options))
    return groups


def _required(what: str) -> dict:
    return {"required": f"Phải nhập {what}."}


def effective_field() -> forms.DateField:
    label = FIELD_NAMES["effective"]
    return forms.DateField(
        label=label, input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={**_required("ngày hiệu lực"),
                        "invalid": f"{label}: nhập ngày dạng dd/mm/yyyy, ví dụ 01/01/2026."},
        help_text="Áp dụng từ tháng chứa ngày này.",
    )


def basis_field() -> forms.CharField:
    label = FIELD_NAMES["basis"]
    return forms.CharField(
        label=label, max_length=BASIS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Phải ghi căn cứ pháp lý (số văn bản, điều, khoản).",
                        "max_length": f"{label} dài quá {BASIS_MAX} ký tự."},
        help_text="Ví dụ: Nghị quyết 63/2025/NQ-HĐND, Điều 2 khoản 1.",
    )


def source_field() -> forms.CharField:
    # A CharField, not a URLField: the service's own rule (http or https, at most 500
    # characters) is the one applied, and its message is the one shown.
    return forms.CharField(label=FIELD_NAMES["source_url"], required=False,
                           max_length=SOURCE_MAX, widget=forms.URLInput(),
                           error_messages={"max_length": f"{FIELD_NAMES['source_url']} dài "
                                                         f"quá {SOURCE_MAX} ký tự."})


class ProvinceChoiceField(forms.ChoiceField):
    """The menu lists only where the user may set a level, but any current province code is
    accepted here, so that a level outside the user's area is refused by the service (403),
    the one place that decides who may set what."""

    def __init__(self, *args, known=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.known = set(known)

    def valid_value(self, value):
        return value in self.known or super().valid_value(value)


class StandardLevelForm(ServiceFormMixin, forms.Form):
    prefix = "level"

    amount = forms.CharField(
        label=FIELD_NAMES["amount"], max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "650.000", "inputmode": "numeric"}),
        error_messages=_required("mức chuẩn (đồng/tháng)"),
    )
    effective = effective_field()
    province_code = ProvinceChoiceField(label=FIELD_NAMES["province_code"],
                                        error_messages={
                                            "required": "Phải chọn toàn quốc hoặc một tỉnh.",
                                            "invalid_choice": "Không phải mã tỉnh/thành phố "
                                                              "hiện hành."})
    basis = basis_field()
    source_url = source_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user, "policy")
        provinces = AdminUnit.objects.provinces().order_by("code")
        choices = [(NATIONAL, "Toàn quốc (mức chuẩn trung ương)")] if scope.national else []
        mine = provinces if scope.national else provinces.filter(pk__in=scope.provinces)
        choices += [(p.code, f"{p.name} ({p.code})") for p in mine]
        if len(choices) > 1:
            # No preselected entry: a national value typed as a province's (or the other way
            # round) would re-price the wrong payrolls.
            choices.insert(0, ("", "— Chọn —"))
        field = self.fields["province_code"]
        field.choices = choices
        field.known = {NATIONAL, *provinces.values_list("code", flat=True)}

    def clean_amount(self):
        text = (self.cleaned_data.get("amount") or "").strip()
        if not _AMOUNT.match(text) or int(re.sub(r"[.,_ ]", "", text)) <= 0:
            raise ValidationError(f"{FIELD_NAMES['amount']}: phải là số tiền nguyên dương "
                                  "(đồng), ví dụ 650000 hoặc 650.000.")
        return int(re.sub(r"[.,_ ]", "", text))

    def service_data(self) -> dict:
        data = self.cleaned_data
        code = data["province_code"]
        return {"amount": data["amount"], "effective": data["effective"],
                "province_code": None if code == NATIONAL else code,
                "basis": data["basis"], "source_url": data["source_url"]}


class CoefficientForm(ServiceFormMixin, forms.Form):
    prefix = "coef"
    error_field_map = {"benefit": "cell", "category": "cell", "band": "cell"}

    cell = forms.ChoiceField(label=FIELD_NAMES["cell"], choices=cell_choices,
                             error_messages={"required": "Phải chọn ô hệ số (nhóm, mức).",
                                             "invalid_choice": "Không có ô hệ số này."})
    value = forms.CharField(label=FIELD_NAMES["value"], max_length=10,
                            widget=forms.TextInput(attrs={"placeholder": "1,5"}),
                            error_messages=_required("hệ số"))
    effective = effective_field()
    basis = basis_field()
    source_url = source_field()

    def clean_value(self):
        text = (self.cleaned_data.get("value") or "").strip().replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number <= 0 \
                or number * 100 != (number * 100).to_integral_value():
            raise ValidationError(f"{FIELD_NAMES['value']}: phải là số dương, tối đa hai chữ "
                                  "số thập phân, ví dụ 1,5.")
        return number

    def service_data(self) -> dict:
        data = self.cleaned_data
        benefit, category, band = data["cell"].split("|")
        return {"benefit": benefit, "category": category, "band": band,
                "value": data["value"], "effective": data["effective"],
                "basis": data["basis"], "source_url": data["source_url"]}
