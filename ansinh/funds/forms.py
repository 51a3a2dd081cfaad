"""Forms of the fund and stock pages. They parse what an officer types (amounts with thousand
separators, dd/mm/yyyy dates, an area among the user's own) and present the choices the user
may pick from; the services in `ansinh.funds.services` and `ansinh.stock.services` check the
rules, the area and the right, and write. A service's ValidationError comes back on the field
it names through `ServiceFormMixin.apply_errors`."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from ansinh.access.scoping import restrict, scope_for
from ansinh.core.identity import normalise_id_number
from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Person
from ansinh.stock.choices import (
    Category,
    MovementKind,
    PointKind,
    ReceiptSource,
    Unit,
    WriteOffReason,
)
from ansinh.stock.models import Item, Warehouse
from ansinh.web.forms import DATE_INPUTS, ServiceFormMixin

from . import selectors
from .choices import (
    MINOR_DIGITS,
    VND,
    AllocationStatus,
    Display,
    DonorKind,
    FundKind,
    Method,
    ReceiptKind,
    ReceiptStatus,
    RestrictionKind,
)
from .models import Campaign, Donor, Fund, Pledge, Restriction

BLANK = [("", "— Tất cả —")]


# ---- fields --------------------------------------------------------------------------------

def date_field(label, **kwargs):
    return forms.DateField(
        label=label, input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy",
                                                         "size": 10}),
        error_messages={"invalid": "Nhập ngày dạng dd/mm/yyyy, ví dụ 15/01/2026.",
                        "required": "Bắt buộc."},
        **kwargs)


class AmountField(forms.IntegerField):
    """Whole đồng typed the Vietnamese way: `1.250.000`, `1 250 000` or `1250000`."""

    default_error_messages = {"invalid": "Nhập số nguyên đồng, ví dụ 1.250.000.",
                              "required": "Bắt buộc."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric",
                                                           "class": "num",
                                                           "placeholder": "1.250.000"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(".", "").replace(",", "").replace(" ", "").replace("\u00a0", "")
            value = value.removesuffix("đ").removesuffix("đồng")
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", ".")
        return value


class QuantityField(forms.IntegerField):
    default_error_messages = {"invalid": "Số lượng phải là số nguyên.", "required": "Bắt buộc."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1, "class": "num"}))
        super().__init__(*args, **kwargs)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label if obj.level == "commune" else f"{obj.name} (toàn tỉnh/thành phố)"


def area_field(user, action: str = "funds", **kwargs) -> AreaChoiceField:
    """The provinces and communes where the user holds `action`: an owning area for a donor, a
    fund, a campaign or a warehouse."""
    scope = scope_for(user, action)
    qs = AdminUnit.objects.current().filter(level__in=["province", "commune"])
    if not scope.national:
        qs = qs.filter(Q(pk__in=scope.provinces) | Q(pk__in=scope.communes)
                       | Q(level="commune", province_id__in=scope.provinces))
    qs = qs.select_related("parent").order_by("province__name", "-level", "name")
    kwargs.setdefault("label", "Đơn vị quản lý")
    kwargs.setdefault("error_messages", {"required": "Đơn vị quản lý: bắt buộc.",
                                         "invalid_choice": "Đơn vị ngoài địa bàn của bạn."})
    return AreaChoiceField(queryset=qs, **kwargs)


def scoped_choice(qs, label, *, required=True, empty_label="—", **kwargs):
    return forms.ModelChoiceField(
        queryset=qs, label=label, required=required, empty_label=empty_label,
        error_messages={"required": f"{label}: bắt buộc.",
                        "invalid_choice": f"{label}: không có trong địa bàn của bạn."},
        **kwargs)


def _funds_for(user):
    return restrict(Fund.objects.all(), user, "funds").order_by("name", "pk")


def _campaigns_for(user):
    return restrict(Campaign.objects.all(), user, "funds").order_by("-starts_on", "pk")


def _donors_for(user):
    return restrict(Donor.objects.all(), user, "funds").order_by("name", "pk")


def _restrictions_for(user):
    return restrict(Restriction.objects.select_related("fund"), user, "funds").order_by(
        "fund__name", "description", "pk")


class RestrictionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        until = f" (đến {obj.ends_on:%d/%m/%Y})" if obj.ends_on else ""
        return f"{obj.fund.code} · {obj}{until}"


# ---- donors, funds, campaigns, restrictions, pledges ---------------------------------------

class DonorForm(ServiceFormMixin, forms.ModelForm):
    """Create (with the owning area) or edit a donor. Bank details are only on the form for
    users holding `donor_bank` on the donor's area; for the others they stay untouched."""

    class Meta:
        model = Donor
        fields = ["kind", "name", "country", "currency", "contact_persons", "tax_code", "phone",
                  "email", "bank_account", "bank_name", "display"]
        widgets = {"contact_persons": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, show_bank: bool, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["area"] = area_field(user)
            self.order_fields(["area"])
        if not show_bank:
            del self.fields["bank_account"], self.fields["bank_name"]
        self.fields["name"].error_messages["required"] = "Tên nhà tài trợ: bắt buộc."
        self.fields["country"].widget.attrs.update({"size": 3, "maxlength": 2,
                                                    "placeholder": "US"})
        self.fields["currency"].widget.attrs.update({"size": 4, "maxlength": 3})

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class FundForm(ServiceFormMixin, forms.Form):
    area = forms.Field()  # replaced in __init__
    kind = forms.ChoiceField(label="Loại quỹ", choices=FundKind.choices)
    name = forms.CharField(label="Tên quỹ", max_length=200,
                           error_messages={"required": "Tên quỹ: bắt buộc."})
    code = forms.CharField(label="Ký hiệu", max_length=20,
                           help_text="Dùng trong số biên nhận, ví dụ ASXH",
                           error_messages={"required": "Ký hiệu quỹ: bắt buộc."})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = area_field(user)
        self.order_fields(["area"])


class CampaignForm(ServiceFormMixin, forms.Form):
    area = forms.Field()
    name = forms.CharField(label="Tên chiến dịch", max_length=200,
                           error_messages={"required": "Tên chiến dịch: bắt buộc."})
    target_amount = AmountField(label="Mục tiêu (đồng)", required=False)
    starts_on = date_field("Từ ngày")
    ends_on = date_field("Đến ngày", required=False)
    responsible_unit = forms.CharField(label="Đơn vị phụ trách", max_length=200,
                                       required=False)
    funds = forms.ModelMultipleChoiceField(queryset=Fund.objects.none(), required=False,
                                           label="Quỹ tiếp nhận",
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = area_field(user)
        self.order_fields(["area"])
        self.fields["funds"].queryset = _funds_for(user)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["funds"] = list(data["funds"])
        return data


class RestrictionForm(ServiceFormMixin, forms.Form):
    fund = forms.Field()
    kind = forms.ChoiceField(label="Loại hạn chế", choices=RestrictionKind.choices)
    campaign = forms.Field()
    description = forms.CharField(label="Chương trình/mục đích", max_length=300, required=False,
                                  help_text="Để trống khi hạn chế theo chiến dịch: lấy tên "
                                            "chiến dịch.")
    donor = forms.Field()
    ends_on = date_field("Hạn sử dụng", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(_funds_for(user), "Quỹ")
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), "Chiến dịch",
                                                required=False)
        self.fields["donor"] = scoped_choice(_donors_for(user), "Nhà tài trợ (nếu có)",
                                             required=False)
        self.order_fields(["fund", "kind", "campaign", "description", "donor", "ends_on"])


class PledgeForm(ServiceFormMixin, forms.Form):
    error_field_map = {"fund": "fund", "campaign": "campaign"}

    donor = forms.Field()
    campaign = forms.Field()
    fund = forms.Field()
    amount = AmountField(label="Số tiền cam kết (đồng)", required=False)
    in_kind = forms.CharField(label="Hiện vật cam kết", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="Ví dụ: 30 suất học nghề, 500 phần quà Tết.")
    pledged_on = date_field("Ngày cam kết")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"] = scoped_choice(_donors_for(user), "Nhà tài trợ")
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), "Chiến dịch",
                                                required=False)
        self.fields["fund"] = scoped_choice(_funds_for(user), "Quỹ", required=False)
        self.order_fields(["donor", "campaign", "fund", "amount", "in_kind", "pledged_on"])


# ---- receipts ------------------------------------------------------------------------------

class ReceiptHeadForm(ServiceFormMixin, forms.Form):
    """What the head of every receipt has: issuing fund, donor, the pledge it pays, the date,
    the aid approval for foreign aid and a note. Each kind adds its own fields."""

    fund = forms.Field()
    donor = forms.Field()
    pledge = forms.Field()
    received_on = date_field("Ngày nhận")
    aid_approval_ref = forms.CharField(
        label="Số quyết định phê duyệt viện trợ", max_length=100, required=False,
        help_text="Bắt buộc với viện trợ nước ngoài trước khi cấp biên nhận "
                  "(Nghị định 313/2025/NĐ-CP).")
    description = forms.CharField(label="Nội dung", max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(_funds_for(user), "Quỹ cấp biên nhận")
        self.fields["donor"] = scoped_choice(_donors_for(user), "Nhà tài trợ")
        self.fields["pledge"] = scoped_choice(
            restrict(Pledge.objects.select_related("donor"), user, "funds").order_by("-pk"),
            "Thực hiện cam kết", required=False)


class ReceiptForm(ReceiptHeadForm):
    """The head of a cash receipt. A foreign amount is typed in the currency's major unit
    (`1250.50` USD) and stored in its minor unit, as the ledger keeps it."""

    error_field_map = {"original_amount_minor": "original_amount"}

    method = forms.ChoiceField(label="Hình thức", choices=Method.choices)
    document_ref = forms.CharField(label="Số chứng từ (phiếu thu / mã giao dịch)",
                                   max_length=100, required=False)
    total = AmountField(label="Tổng số tiền (đồng)")
    currency = forms.CharField(label="Đơn vị tiền tệ", max_length=3, initial=VND,
                               widget=forms.TextInput(attrs={"size": 4}))
    original_amount = forms.DecimalField(
        label="Số tiền nguyên tệ", required=False, max_digits=20, decimal_places=3,
        help_text="Chỉ với ngoại tệ, ví dụ 1250.50",
        error_messages={"invalid": "Số tiền nguyên tệ: nhập số, ví dụ 1250.50."})
    exchange_rate = forms.DecimalField(
        label="Tỷ giá (đồng / 1 đơn vị nguyên tệ)", required=False, max_digits=18,
        decimal_places=6, error_messages={"invalid": "Tỷ giá: nhập số, ví dụ 25350."})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.order_fields(["fund", "donor", "pledge", "method", "document_ref", "received_on",
                           "total", "currency", "original_amount", "exchange_rate",
                           "aid_approval_ref", "description"])

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or VND).strip().upper()

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        major = data.pop("original_amount")
        currency = data["currency"]
        data["original_amount_minor"] = None
        if major is not None:
            digits = MINOR_DIGITS.get(currency, 2)
            minor = major * (10 ** digits)
            if minor != minor.to_integral_value():
                raise ValidationError({"original_amount_minor": (
                    f"Số tiền nguyên tệ: {currency} có {digits} chữ số thập phân.")})
            data["original_amount_minor"] = int(minor)
        return data

    @staticmethod
    def initial_from(receipt) -> dict:
        original = None
        if receipt.original_amount_minor is not None:
            digits = MINOR_DIGITS.get(receipt.currency, 2)
            original = Decimal(receipt.original_amount_minor).scaleb(-digits)
        return {
            "fund": receipt.fund_id, "donor": receipt.donor_id, "pledge": receipt.pledge_id,
            "method": receipt.method, "document_ref": receipt.document_ref,
            "received_on": receipt.received_on, "total": receipt.total,
            "currency": receipt.currency, "original_amount": original,
            "exchange_rate": receipt.exchange_rate,
            "aid_approval_ref": receipt.aid_approval_ref, "description": receipt.description,
        }


class ReceiptLineForm(forms.Form):
    fund = forms.Field()
    restriction = forms.Field()
    campaign = forms.Field()
    amount = AmountField(label="Số tiền (đồng)", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(_funds_for(user), "Quỹ", required=False)
        self.fields["restriction"] = RestrictionChoiceField(
            queryset=_restrictions_for(user), required=False, label="Hạn chế sử dụng",
            empty_label="Không hạn chế",
            error_messages={"invalid_choice": "Hạn chế sử dụng: không có trong địa bàn."})
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), "Chiến dịch",
                                                required=False)

    def line(self) -> dict | None:
        data = self.cleaned_data
        if not data or (data.get("fund") is None and data.get("amount") is None):
            return None  # an empty row of the formset
        return {k: data.get(k) for k in ("fund", "restriction", "campaign", "amount")}


class BaseLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        return [line for form in self.forms if (line := form.line()) is not None]


ReceiptLineFormSet = forms.formset_factory(ReceiptLineForm, formset=BaseLineFormSet, extra=0,
                                           max_num=50, validate_max=True)


class InKindReceiptForm(ReceiptHeadForm):
    """The head of a goods or services receipt. The campaign (and for goods the warehouse)
    typed here goes to every line that does not name its own; the total is the value on the
    donor's delivery note, which the lines must add up to."""

    campaign = forms.Field()
    document_ref = forms.CharField(label="Số chứng từ (biên bản giao nhận)", max_length=100,
                                   required=False)
    total = AmountField(label="Tổng giá trị (đồng)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), "Chiến dịch",
                                                required=False, empty_label="Không")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("campaign", None)
        data.pop("warehouse", None)
        return data

    @staticmethod
    def initial_from(receipt, lines: list[dict]) -> dict:
        head = {"fund": receipt.fund_id, "donor": receipt.donor_id,
                "pledge": receipt.pledge_id, "received_on": receipt.received_on,
                "document_ref": receipt.document_ref, "total": receipt.total,
                "aid_approval_ref": receipt.aid_approval_ref,
                "description": receipt.description}
        # A value all lines share moves up to the head; lines that differ keep their own.
        for field in ("campaign", "warehouse"):
            values = {line.get(field) for line in lines}
            if len(values) == 1:
                head[field] = values.pop()
                for line in lines:
                    line[field] = None
        return head


class GoodsReceiptForm(InKindReceiptForm):
    warehouse = forms.Field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["warehouse"] = scoped_choice(_warehouses_for(user), "Kho nhập")
        self.order_fields(["fund", "donor", "pledge", "campaign", "received_on", "warehouse",
                           "document_ref", "total", "aid_approval_ref", "description"])


class ServiceReceiptForm(InKindReceiptForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.order_fields(["fund", "donor", "pledge", "campaign", "received_on",
                           "document_ref", "total", "aid_approval_ref", "description"])


class GoodsLineForm(forms.Form):
    item = forms.Field()
    quantity = QuantityField(label="Số lượng", required=False,
                             widget=forms.NumberInput(attrs={"class": "num"}))
    unit_value = AmountField(label="Đơn giá (đồng)", required=False)
    expiry_date = date_field("Hạn sử dụng", required=False)
    warehouse = forms.Field()
    campaign = forms.Field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"] = scoped_choice(_items(), "Mặt hàng", required=False)
        self.fields["warehouse"] = scoped_choice(_warehouses_for(user), "Kho nhập",
                                                 required=False, empty_label="Kho chung")
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), "Chiến dịch",
                                                required=False, empty_label="Như trên")

    def line(self) -> dict | None:
        data = self.cleaned_data
        if not data or (data.get("item") is None and data.get("quantity") is None
                        and data.get("unit_value") is None):
            return None  # an empty row of the formset
        return {k: data.get(k) for k in ("item", "quantity", "unit_value", "expiry_date",
                                         "warehouse", "campaign")}


class ServiceLineForm(forms.Form):
    service = forms.CharField(label="Dịch vụ", max_length=200, required=False,
                              widget=forms.TextInput(attrs={"placeholder":
                                                            "Suất học nghề may công nghiệp"}))
    unit = forms.CharField(label="Đơn vị tính", max_length=30, required=False,
                           widget=forms.TextInput(attrs={"size": 6, "placeholder": "suất"}))
    places = QuantityField(label="Số suất", required=False,
                           widget=forms.NumberInput(attrs={"class": "num"}))
    unit_value = AmountField(label="Giá trị một suất (đồng)", required=False)
    campaign = forms.Field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), "Chiến dịch",
                                                required=False, empty_label="Như trên")

    def line(self) -> dict | None:
        data = self.cleaned_data
        if not data or not (data.get("service") or data.get("places") is not None
                            or data.get("unit_value") is not None):
            return None
        return {k: data.get(k) for k in ("service", "unit", "places", "unit_value",
                                         "campaign")}


GoodsLineFormSet = forms.formset_factory(GoodsLineForm, formset=BaseLineFormSet, extra=0,
                                         max_num=50, validate_max=True)
ServiceLineFormSet = forms.formset_factory(ServiceLineForm, formset=BaseLineFormSet, extra=0,
                                           max_num=50, validate_max=True)


class ReverseForm(ServiceFormMixin, forms.Form):
    reason = forms.CharField(label="Lý do hủy", max_length=300,
                             error_messages={"required": "Lý do hủy: bắt buộc."})
    reversed_on = date_field("Ngày hủy", required=False,
                             help_text="Để trống: hôm nay.")


# ---- allocations ---------------------------------------------------------------------------

class AllocationForm(ServiceFormMixin, forms.Form):
    fund = forms.Field()
    restriction = forms.Field()
    campaign = forms.Field()
    amount = AmountField(label="Số tiền (đồng)")
    purpose = forms.CharField(label="Mục đích chi", max_length=300,
                              error_messages={"required": "Mục đích chi: bắt buộc."})
    allocated_on = date_field("Ngày chi", required=False, help_text="Để trống: hôm nay.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(_funds_for(user), "Quỹ")
        self.fields["restriction"] = RestrictionChoiceField(
            queryset=_restrictions_for(user), required=False, label="Hạn chế sử dụng",
            empty_label="Tiền không hạn chế",
            error_messages={"invalid_choice": "Hạn chế sử dụng: không có trong địa bàn."})
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), "Chiến dịch",
                                                required=False)
        self.order_fields(["fund", "restriction", "campaign", "amount", "purpose",
                           "allocated_on"])


class DecisionNoteForm(ServiceFormMixin, forms.Form):
    error_field_map = {"decision_note": "note"}

    note = forms.CharField(label="Ghi chú / lý do", max_length=300, required=False)


# ---- filters -------------------------------------------------------------------------------

class DonorFilterForm(forms.Form):
    q = forms.CharField(label="Tìm", required=False)
    kind = forms.ChoiceField(label="Loại", required=False, choices=BLANK + DonorKind.choices)
    display = forms.ChoiceField(label="Hiển thị", required=False,
                                choices=BLANK + Display.choices)


class ReceiptFilterForm(forms.Form):
    q = forms.CharField(label="Số biên nhận / nhà tài trợ", required=False)
    status = forms.ChoiceField(label="Trạng thái", required=False,
                               choices=BLANK + ReceiptStatus.choices + [("reversed", "Đã hủy")])
    kind = forms.ChoiceField(label="Loại", required=False, choices=BLANK + ReceiptKind.choices)
    fund = forms.Field(required=False)
    since = date_field("Từ ngày", required=False)
    until = date_field("Đến ngày", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(selectors.fund_list(user), "Quỹ", required=False,
                                            empty_label="— Tất cả —")


class AllocationFilterForm(forms.Form):
    status = forms.ChoiceField(label="Trạng thái", required=False,
                               choices=BLANK + AllocationStatus.choices)
    fund = forms.Field(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(selectors.fund_list(user), "Quỹ", required=False,
                                            empty_label="— Tất cả —")


class PledgeFilterForm(forms.Form):
    q = forms.CharField(label="Nhà tài trợ", required=False)
    campaign = forms.Field(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = scoped_choice(selectors.campaign_list(user), "Chiến dịch",
                                                required=False, empty_label="— Tất cả —")


# ---- stock ---------------------------------------------------------------------------------

def _warehouses_for(user):
    return restrict(Warehouse.objects.filter(active=True), user, "funds").order_by("name")


def _items():
    return Item.objects.filter(active=True).order_by("name", "unit")


class ItemForm(ServiceFormMixin, forms.Form):
    name = forms.CharField(label="Tên mặt hàng", max_length=200,
                           error_messages={"required": "Tên mặt hàng không được để trống."})
    unit = forms.ChoiceField(label="Đơn vị tính", choices=Unit.choices)
    category = forms.ChoiceField(label="Nhóm hàng", choices=Category.choices)
    perishable = forms.BooleanField(label="Có hạn sử dụng", required=False)


class WarehouseForm(ServiceFormMixin, forms.Form):
    area = forms.Field()
    name = forms.CharField(label="Tên kho/điểm phát", max_length=200,
                           error_messages={"required": "Tên kho/điểm phát không được để trống."})
    kind = forms.ChoiceField(label="Loại", choices=PointKind.choices)
    address = forms.CharField(label="Địa chỉ", max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = area_field(user, label="Xã/phường hoặc tỉnh/thành phố")
        self.order_fields(["name", "kind", "area", "address"])

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        area = data.pop("area")
        if area.level == "commune":
            data.update(commune=area, province=None)
        else:
            data.update(commune=None, province=area)
        return data


class _MovementForm(ServiceFormMixin, forms.Form):
    warehouse = forms.Field()
    item = forms.Field()
    quantity = QuantityField(label="Số lượng")

    warehouse_fields = {"warehouse": "Kho/điểm phát"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, label in self.warehouse_fields.items():
            self.fields[name] = scoped_choice(_warehouses_for(user), label)
        self.fields["item"] = scoped_choice(_items(), "Mặt hàng")
        self.order_fields(self.field_order_names)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class StockReceiveForm(_MovementForm):
    field_order_names = ["warehouse", "item", "quantity", "unit_value", "received_on",
                         "expiry_date", "source", "donor_name", "note"]
    unit_value = AmountField(label="Đơn giá (đồng)", required=False)
    received_on = date_field("Ngày nhập", required=False, help_text="Để trống: hôm nay.")
    expiry_date = date_field("Hạn sử dụng", required=False)
    source = forms.ChoiceField(label="Nguồn", choices=ReceiptSource.choices)
    donor_name = forms.CharField(label="Nhà tài trợ", max_length=300, required=False)
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["unit_value"] = data.get("unit_value") or 0
        return data


class StockTransferForm(_MovementForm):
    field_order_names = ["source", "destination", "item", "quantity", "expiry_date",
                         "transferred_on", "note"]
    warehouse_fields = {"source": "Kho xuất", "destination": "Kho nhận"}
    warehouse = None
    source = forms.Field()
    destination = forms.Field()
    expiry_date = date_field("Lô hạn sử dụng", required=False,
                             help_text="Để trống: lô hết hạn sớm nhất đi trước.")
    transferred_on = date_field("Ngày điều chuyển", required=False,
                                help_text="Để trống: hôm nay.")
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)


class StockIssueForm(_MovementForm):
    """A hand-out to one person of the registry, found by the number of his ID card among the
    persons of the user's area. Only name and commune are shown back: fund staff never see
    sensitive fields."""

    field_order_names = ["warehouse", "item", "quantity", "recipient_id", "expiry_date",
                         "issued_on", "note"]
    error_field_map = {"recipient": "recipient_id"}
    recipient_id = forms.CharField(label="Số định danh (CCCD) người nhận", max_length=20)
    expiry_date = date_field("Lô hạn sử dụng", required=False,
                             help_text="Để trống: lô hết hạn sớm nhất đi trước.")
    issued_on = date_field("Ngày phát", required=False, help_text="Để trống: hôm nay.")
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)

    def clean_recipient_id(self):
        number = normalise_id_number(self.cleaned_data.get("recipient_id") or "")
        person = (restrict(Person.objects.all(), self.user, "view").filter(id_number=number)
                  .first() if number else None)
        if person is None:
            raise ValidationError("Không tìm thấy người có số định danh này trong địa bàn "
                                  "của bạn.")
        self.recipient = person
        return number

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("recipient_id")
        data["recipient"] = self.recipient
        return data


class StockWriteOffForm(_MovementForm):
    field_order_names = ["warehouse", "item", "quantity", "reason", "expiry_date",
                         "written_off_on", "note"]
    reason = forms.ChoiceField(label="Lý do xuất hủy", choices=WriteOffReason.choices)
    expiry_date = date_field("Lô hạn sử dụng", required=False,
                             help_text="Để trống: lô hết hạn sớm nhất đi trước.")
    written_off_on = date_field("Ngày xuất hủy", required=False, help_text="Để trống: hôm nay.")
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)


class MovementFilterForm(forms.Form):
    warehouse = forms.Field(required=False)
    item = forms.Field(required=False)
    kind = forms.ChoiceField(label="Loại", required=False, choices=BLANK + MovementKind.choices)
    since = date_field("Từ ngày", required=False)
    until = date_field("Đến ngày", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"] = scoped_choice(
            restrict(Warehouse.objects.all(), user, "view").order_by("name"), "Kho/điểm phát",
            required=False, empty_label="— Tất cả —")
        self.fields["item"] = scoped_choice(Item.objects.order_by("name"), "Mặt hàng",
                                            required=False, empty_label="— Tất cả —")
