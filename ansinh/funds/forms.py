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
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
from ansinh.web.labels import translated_choices

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

BLANK = [("", _("— Tất cả —"))]


def context_choices(context: str, choices) -> list[tuple]:
    """Model choices whose labels share their Vietnamese words with another meaning (the
    "Từ chối" button and the rejected status, the "Nhập kho" button and the movement kind),
    translated in `context`."""
    return [(value, pgettext_lazy(context, label)) for value, label in choices]


# ---- fields --------------------------------------------------------------------------------

def date_field(label, **kwargs):
    return forms.DateField(
        label=label, input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy",
                                                         "size": 10}),
        error_messages={"invalid": _("Nhập ngày dạng dd/mm/yyyy, ví dụ 15/01/2026."),
                        "required": _("Bắt buộc.")},
        **kwargs)


class AmountField(forms.IntegerField):
    """Whole đồng typed the Vietnamese way: `1.250.000`, `1 250 000` or `1250000`."""

    default_error_messages = {"invalid": _("Nhập số nguyên đồng, ví dụ 1.250.000."),
                              "required": _("Bắt buộc.")}

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
    default_error_messages = {"invalid": _("Số lượng phải là số nguyên."),
                              "required": _("Bắt buộc.")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1, "class": "num"}))
        super().__init__(*args, **kwargs)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.level == "commune":
            return obj.label
        return _("%(name)s (toàn tỉnh/thành phố)") % {"name": obj.name}


def area_field(user, action: str = "funds", **kwargs) -> AreaChoiceField:
    """The provinces and communes where the user holds `action`: an owning area for a donor, a
    fund, a campaign or a warehouse."""
    scope = scope_for(user, action)
    qs = AdminUnit.objects.current().filter(level__in=["province", "commune"])
    if not scope.national:
        qs = qs.filter(Q(pk__in=scope.provinces) | Q(pk__in=scope.communes)
                       | Q(level="commune", province_id__in=scope.provinces))
    qs = qs.select_related("parent").order_by("province__name", "-level", "name")
    kwargs.setdefault("label", _("Đơn vị quản lý"))
    kwargs.setdefault("error_messages", {"required": _("Đơn vị quản lý: bắt buộc."),
                                         "invalid_choice": _("Đơn vị ngoài địa bàn của bạn.")})
    return AreaChoiceField(queryset=qs, **kwargs)


def scoped_choice(qs, label, *, required=True, empty_label="—",
                  field_class=forms.ModelChoiceField, **kwargs):
    return field_class(
        queryset=qs, label=label, required=required, empty_label=empty_label,
        error_messages={"required": _("%(label)s: bắt buộc.") % {"label": label},
                        "invalid_choice": _("%(label)s: không có trong địa bàn của bạn.")
                        % {"label": label}},
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


class PledgeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("Cam kết #%(pk)s của %(donor)s") % {"pk": obj.pk, "donor": obj.donor}


class RestrictionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # The restriction's kind in the reader's language, as funds/_restriction.html shows it.
        name = f"{obj.fund.code} · {_(obj.get_kind_display())}: {obj.description}"
        if obj.ends_on:
            return name + " " + _("(đến %(date)s)") % {"date": f"{obj.ends_on:%d/%m/%Y}"}
        return name


# ---- donors, funds, campaigns, restrictions, pledges ---------------------------------------

class DonorForm(ServiceFormMixin, forms.ModelForm):
    """Create (with the owning area) or edit a donor. Bank details are only on the form for
    users holding `donor_bank` on the donor's area; for the others they stay untouched."""

    class Meta:
        model = Donor
        fields = ["kind", "name", "country", "currency", "contact_persons", "tax_code", "phone",
                  "email", "bank_account", "bank_name", "display"]
        widgets = {"contact_persons": forms.Textarea(attrs={"rows": 2})}
        labels = {"kind": _("Loại nhà tài trợ"), "name": _("Tên nhà tài trợ"),
                  "country": _("Quốc gia"), "currency": _("Đơn vị tiền tệ"),
                  "contact_persons": _("Người liên hệ"), "tax_code": _("Mã số thuế"),
                  "phone": _("Điện thoại"), "email": _("Thư điện tử"),
                  "bank_account": _("Số tài khoản"), "bank_name": _("Ngân hàng"),
                  "display": _("Hiển thị trong danh sách công khai")}
        help_texts = {"country": _("Mã ISO 3166-1 hai chữ cái, cho nhà tài trợ nước ngoài")}

    def __init__(self, *args, user, show_bank: bool, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["area"] = area_field(user)
            self.order_fields(["area"])
        if not show_bank:
            del self.fields["bank_account"], self.fields["bank_name"]
        self.fields["name"].error_messages["required"] = _("Tên nhà tài trợ: bắt buộc.")
        self.fields["kind"].choices = context_choices("donor kind", self.fields["kind"].choices)
        self.fields["display"].choices = translated_choices(self.fields["display"].choices)
        self.fields["country"].widget.attrs.update({"size": 3, "maxlength": 2,
                                                    "placeholder": "US"})
        self.fields["currency"].widget.attrs.update({"size": 4, "maxlength": 3})

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class FundForm(ServiceFormMixin, forms.Form):
    area = forms.Field()  # replaced in __init__
    kind = forms.ChoiceField(label=_("Loại quỹ"), choices=translated_choices(FundKind.choices))
    name = forms.CharField(label=_("Tên quỹ"), max_length=200,
                           error_messages={"required": _("Tên quỹ: bắt buộc.")})
    code = forms.CharField(label=_("Ký hiệu"), max_length=20,
                           help_text=_("Dùng trong số biên nhận, ví dụ ASXH"),
                           error_messages={"required": _("Ký hiệu quỹ: bắt buộc.")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = area_field(user)
        self.order_fields(["area"])


class CampaignForm(ServiceFormMixin, forms.Form):
    area = forms.Field()
    name = forms.CharField(label=_("Tên chiến dịch"), max_length=200,
                           error_messages={"required": _("Tên chiến dịch: bắt buộc.")})
    target_amount = AmountField(label=_("Mục tiêu (đồng)"), required=False)
    starts_on = date_field(_("Từ ngày"))
    ends_on = date_field(_("Đến ngày"), required=False)
    responsible_unit = forms.CharField(label=_("Đơn vị phụ trách"), max_length=200,
                                       required=False)
    funds = forms.ModelMultipleChoiceField(queryset=Fund.objects.none(), required=False,
                                           label=_("Quỹ tiếp nhận"),
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
    kind = forms.ChoiceField(label=_("Loại hạn chế"),
                             choices=translated_choices(RestrictionKind.choices))
    campaign = forms.Field()
    description = forms.CharField(label=_("Chương trình/mục đích"), max_length=300, required=False,
                                  help_text=_("Để trống khi hạn chế theo chiến dịch: lấy tên "
                                            "chiến dịch."))
    donor = forms.Field()
    ends_on = date_field(_("Hạn sử dụng"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(_funds_for(user), _("Quỹ"))
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), _("Chiến dịch"),
                                                required=False)
        self.fields["donor"] = scoped_choice(_donors_for(user), _("Nhà tài trợ (nếu có)"),
                                             required=False)
        self.order_fields(["fund", "kind", "campaign", "description", "donor", "ends_on"])


class PledgeForm(ServiceFormMixin, forms.Form):
    error_field_map = {"fund": "fund", "campaign": "campaign"}

    donor = forms.Field()
    campaign = forms.Field()
    fund = forms.Field()
    amount = AmountField(label=_("Số tiền cam kết (đồng)"), required=False)
    in_kind = forms.CharField(label=_("Hiện vật cam kết"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Ví dụ: 30 suất học nghề, 500 phần quà Tết."))
    pledged_on = date_field(_("Ngày cam kết"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"] = scoped_choice(_donors_for(user), _("Nhà tài trợ"))
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), _("Chiến dịch"),
                                                required=False)
        self.fields["fund"] = scoped_choice(_funds_for(user), _("Quỹ"), required=False)
        self.order_fields(["donor", "campaign", "fund", "amount", "in_kind", "pledged_on"])


# ---- receipts ------------------------------------------------------------------------------

class ReceiptHeadForm(ServiceFormMixin, forms.Form):
    """What the head of every receipt has: issuing fund, donor, the pledge it pays, the date,
    the aid approval for foreign aid and a note. Each kind adds its own fields."""

    fund = forms.Field()
    donor = forms.Field()
    pledge = forms.Field()
    received_on = date_field(_("Ngày nhận"))
    aid_approval_ref = forms.CharField(
        label=_("Số quyết định phê duyệt viện trợ"), max_length=100, required=False,
        help_text=_("Bắt buộc với viện trợ nước ngoài trước khi cấp biên nhận "
                  "(Nghị định 313/2025/NĐ-CP)."))
    description = forms.CharField(label=_("Nội dung"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(_funds_for(user), _("Quỹ cấp biên nhận"))
        self.fields["donor"] = scoped_choice(_donors_for(user), _("Nhà tài trợ"))
        self.fields["pledge"] = scoped_choice(
            restrict(Pledge.objects.select_related("donor"), user, "funds").order_by("-pk"),
            _("Thực hiện cam kết"), required=False, field_class=PledgeChoiceField)


class ReceiptForm(ReceiptHeadForm):
    """The head of a cash receipt. A foreign amount is typed in the currency's major unit
    (`1250.50` USD) and stored in its minor unit, as the ledger keeps it."""

    error_field_map = {"original_amount_minor": "original_amount"}

    method = forms.ChoiceField(label=pgettext_lazy("payment method", "Hình thức"),
                               choices=translated_choices(Method.choices))
    document_ref = forms.CharField(label=_("Số chứng từ (phiếu thu / mã giao dịch)"),
                                   max_length=100, required=False)
    total = AmountField(label=_("Tổng số tiền (đồng)"))
    currency = forms.CharField(label=_("Đơn vị tiền tệ"), max_length=3, initial=VND,
                               widget=forms.TextInput(attrs={"size": 4}))
    original_amount = forms.DecimalField(
        label=_("Số tiền nguyên tệ"), required=False, max_digits=20, decimal_places=3,
        help_text=_("Chỉ với ngoại tệ, ví dụ 1250.50"),
        error_messages={"invalid": _("Số tiền nguyên tệ: nhập số, ví dụ 1250.50.")})
    exchange_rate = forms.DecimalField(
        label=_("Tỷ giá (đồng / 1 đơn vị nguyên tệ)"), required=False, max_digits=18,
        decimal_places=6, error_messages={"invalid": _("Tỷ giá: nhập số, ví dụ 25350.")})

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
                    _("Số tiền nguyên tệ: %(currency)s có %(digits)s chữ số thập phân.")
                    % {"currency": currency, "digits": digits})})
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
    amount = AmountField(label=_("Số tiền (đồng)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(_funds_for(user), _("Quỹ"), required=False)
        self.fields["restriction"] = RestrictionChoiceField(
            queryset=_restrictions_for(user), required=False, label=_("Hạn chế sử dụng"),
            empty_label=_("Không hạn chế"),
            error_messages={"invalid_choice": _("Hạn chế sử dụng: không có trong địa bàn.")})
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), _("Chiến dịch"),
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
    document_ref = forms.CharField(label=_("Số chứng từ (biên bản giao nhận)"), max_length=100,
                                   required=False)
    total = AmountField(label=_("Tổng giá trị (đồng)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), _("Chiến dịch"),
                                                required=False,
                                                empty_label=pgettext_lazy("none", "Không"))

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
        self.fields["warehouse"] = scoped_choice(_warehouses_for(user), _("Kho nhập"))
        self.order_fields(["fund", "donor", "pledge", "campaign", "received_on", "warehouse",
                           "document_ref", "total", "aid_approval_ref", "description"])


class ServiceReceiptForm(InKindReceiptForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.order_fields(["fund", "donor", "pledge", "campaign", "received_on",
                           "document_ref", "total", "aid_approval_ref", "description"])


class GoodsLineForm(forms.Form):
    item = forms.Field()
    quantity = QuantityField(label=_("Số lượng"), required=False,
                             widget=forms.NumberInput(attrs={"class": "num"}))
    unit_value = AmountField(label=_("Đơn giá (đồng)"), required=False)
    expiry_date = date_field(_("Hạn sử dụng"), required=False)
    warehouse = forms.Field()
    campaign = forms.Field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"] = scoped_choice(_items(), _("Mặt hàng"), required=False)
        self.fields["warehouse"] = scoped_choice(_warehouses_for(user), _("Kho nhập"),
                                                 required=False, empty_label="Kho chung")
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), _("Chiến dịch"),
                                                required=False, empty_label=_("Như trên"))

    def line(self) -> dict | None:
        data = self.cleaned_data
        if not data or (data.get("item") is None and data.get("quantity") is None
                        and data.get("unit_value") is None):
            return None  # an empty row of the formset
        return {k: data.get(k) for k in ("item", "quantity", "unit_value", "expiry_date",
                                         "warehouse", "campaign")}


class ServiceLineForm(forms.Form):
    service = forms.CharField(label=_("Dịch vụ"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"placeholder":
                                                            _("Suất học nghề may công nghiệp")}))
    unit = forms.CharField(label=_("Đơn vị tính"), max_length=30, required=False,
                           widget=forms.TextInput(attrs={"size": 6, "placeholder": _("suất")}))
    places = QuantityField(label=_("Số suất"), required=False,
                           widget=forms.NumberInput(attrs={"class": "num"}))
    unit_value = AmountField(label=_("Giá trị một suất (đồng)"), required=False)
    campaign = forms.Field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), _("Chiến dịch"),
                                                required=False, empty_label=_("Như trên"))

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
    reason = forms.CharField(label=_("Lý do hủy"), max_length=300,
                             error_messages={"required": _("Lý do hủy: bắt buộc.")})
    reversed_on = date_field(_("Ngày hủy"), required=False,
                             help_text=_("Để trống: hôm nay."))


# ---- allocations ---------------------------------------------------------------------------

class AllocationForm(ServiceFormMixin, forms.Form):
    fund = forms.Field()
    restriction = forms.Field()
    campaign = forms.Field()
    amount = AmountField(label=_("Số tiền (đồng)"))
    purpose = forms.CharField(label=_("Mục đích chi"), max_length=300,
                              error_messages={"required": _("Mục đích chi: bắt buộc.")})
    allocated_on = date_field(_("Ngày chi"), required=False, help_text=_("Để trống: hôm nay."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(_funds_for(user), _("Quỹ"))
        self.fields["restriction"] = RestrictionChoiceField(
            queryset=_restrictions_for(user), required=False, label=_("Hạn chế sử dụng"),
            empty_label=_("Tiền không hạn chế"),
            error_messages={"invalid_choice": _("Hạn chế sử dụng: không có trong địa bàn.")})
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), _("Chiến dịch"),
                                                required=False)
        self.order_fields(["fund", "restriction", "campaign", "amount", "purpose",
                           "allocated_on"])


class DecisionNoteForm(ServiceFormMixin, forms.Form):
    error_field_map = {"decision_note": "note"}

    note = forms.CharField(label=_("Ghi chú / lý do"), max_length=300, required=False)


# ---- filters -------------------------------------------------------------------------------

class DonorFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False)
    kind = forms.ChoiceField(label=_("Loại"), required=False,
                             choices=BLANK + context_choices("donor kind", DonorKind.choices))
    display = forms.ChoiceField(label=_("Hiển thị"), required=False,
                                choices=BLANK + translated_choices(Display.choices))


class ReceiptFilterForm(forms.Form):
    q = forms.CharField(label=_("Số biên nhận / nhà tài trợ"), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=BLANK + translated_choices(ReceiptStatus.choices)
                               + [("reversed", _("Đã hủy"))])
    kind = forms.ChoiceField(label=_("Loại"), required=False,
                             choices=BLANK + translated_choices(ReceiptKind.choices))
    fund = forms.Field(required=False)
    since = date_field(_("Từ ngày"), required=False)
    until = date_field(_("Đến ngày"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(selectors.fund_list(user), _("Quỹ"), required=False,
                                            empty_label=_("— Tất cả —"))


class AllocationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=BLANK + context_choices("status", AllocationStatus.choices))
    fund = forms.Field(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = scoped_choice(selectors.fund_list(user), _("Quỹ"), required=False,
                                            empty_label=_("— Tất cả —"))


class PledgeFilterForm(forms.Form):
    q = forms.CharField(label=_("Nhà tài trợ"), required=False)
    campaign = forms.Field(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = scoped_choice(selectors.campaign_list(user), _("Chiến dịch"),
                                                required=False, empty_label=_("— Tất cả —"))


# ---- stock ---------------------------------------------------------------------------------

def _warehouses_for(user):
    return restrict(Warehouse.objects.filter(active=True), user, "funds").order_by("name")


def _items():
    return Item.objects.filter(active=True).order_by("name", "unit")


class ItemForm(ServiceFormMixin, forms.Form):
    name = forms.CharField(label=_("Tên mặt hàng"), max_length=200,
                           error_messages={"required": _("Tên mặt hàng không được để trống.")})
    unit = forms.ChoiceField(label=_("Đơn vị tính"), choices=translated_choices(Unit.choices))
    category = forms.ChoiceField(label=_("Nhóm hàng"), choices=translated_choices(Category.choices))
    perishable = forms.BooleanField(label=_("Có hạn sử dụng"), required=False)


class WarehouseForm(ServiceFormMixin, forms.Form):
    area = forms.Field()
    name = forms.CharField(label=_("Tên kho/điểm phát"), max_length=200,
                           error_messages={"required": _("Tên kho/điểm phát không được để trống.")})
    kind = forms.ChoiceField(label=_("Loại"), choices=translated_choices(PointKind.choices))
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = area_field(user, label=_("Xã/phường hoặc tỉnh/thành phố"))
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
    quantity = QuantityField(label=_("Số lượng"))

    warehouse_fields = {"warehouse": _("Kho/điểm phát")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, label in self.warehouse_fields.items():
            self.fields[name] = scoped_choice(_warehouses_for(user), label)
        self.fields["item"] = scoped_choice(_items(), _("Mặt hàng"))
        self.order_fields(self.field_order_names)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class StockReceiveForm(_MovementForm):
    field_order_names = ["warehouse", "item", "quantity", "unit_value", "received_on",
                         "expiry_date", "source", "donor_name", "note"]
    unit_value = AmountField(label=_("Đơn giá (đồng)"), required=False)
    received_on = date_field(_("Ngày nhập"), required=False, help_text=_("Để trống: hôm nay."))
    expiry_date = date_field(_("Hạn sử dụng"), required=False)
    source = forms.ChoiceField(label=_("Nguồn"), choices=translated_choices(ReceiptSource.choices))
    donor_name = forms.CharField(label=_("Nhà tài trợ"), max_length=300, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["unit_value"] = data.get("unit_value") or 0
        return data


class StockTransferForm(_MovementForm):
    field_order_names = ["source", "destination", "item", "quantity", "expiry_date",
                         "transferred_on", "note"]
    warehouse_fields = {"source": _("Kho xuất"), "destination": _("Kho nhận")}
    warehouse = None
    source = forms.Field()
    destination = forms.Field()
    expiry_date = date_field(_("Lô hạn sử dụng"), required=False,
                             help_text=_("Để trống: lô hết hạn sớm nhất đi trước."))
    transferred_on = date_field(_("Ngày điều chuyển"), required=False,
                                help_text=_("Để trống: hôm nay."))
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class StockIssueForm(_MovementForm):
    """A hand-out to one person of the registry, found by the number of his ID card among the
    persons of the user's area. Only name and commune are shown back: fund staff never see
    sensitive fields."""

    field_order_names = ["warehouse", "item", "quantity", "recipient_id", "expiry_date",
                         "issued_on", "note"]
    error_field_map = {"recipient": "recipient_id"}
    recipient_id = forms.CharField(label=_("Số định danh (CCCD) người nhận"), max_length=20)
    expiry_date = date_field(_("Lô hạn sử dụng"), required=False,
                             help_text=_("Để trống: lô hết hạn sớm nhất đi trước."))
    issued_on = date_field(_("Ngày phát"), required=False, help_text=_("Để trống: hôm nay."))
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def clean_recipient_id(self):
        number = normalise_id_number(self.cleaned_data.get("recipient_id") or "")
        person = (restrict(Person.objects.all(), self.user, "view").filter(id_number=number)
                  .first() if number else None)
        if person is None:
            raise ValidationError(_("Không tìm thấy người có số định danh này trong địa bàn "
                                    "của bạn."))
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
    reason = forms.ChoiceField(label=_("Lý do xuất hủy"),
                               choices=translated_choices(WriteOffReason.choices))
    expiry_date = date_field(_("Lô hạn sử dụng"), required=False,
                             help_text=_("Để trống: lô hết hạn sớm nhất đi trước."))
    written_off_on = date_field(_("Ngày xuất hủy"), required=False,
                                help_text=_("Để trống: hôm nay."))
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class MovementFilterForm(forms.Form):
    warehouse = forms.Field(required=False)
    item = forms.Field(required=False)
    kind = forms.ChoiceField(label=_("Loại"), required=False,
                             choices=BLANK + context_choices("movement", MovementKind.choices))
    since = date_field(_("Từ ngày"), required=False)
    until = date_field(_("Đến ngày"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"] = scoped_choice(
            restrict(Warehouse.objects.all(), user, "view").order_by("name"), _("Kho/điểm phát"),
            required=False, empty_label=_("— Tất cả —"))
        self.fields["item"] = scoped_choice(Item.objects.order_by("name"), _("Mặt hàng"),
                                            required=False, empty_label=_("— Tất cả —"))
