"""Forms of the staff pages: they parse; the services validate, check the area and save."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ansinh.web.forms import DATE_INPUTS

from .models import GivingInfo

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class PublishForm(forms.Form):
    period_start = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_INPUTS,
                                   widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_INPUTS,
                                 widget=DATE_WIDGET)
    title = forms.CharField(label=_("Tiêu đề"), required=False, max_length=200)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Lý do thu hồi"), max_length=300)


class GivingForm(forms.ModelForm):
    class Meta:
        model = GivingInfo
        fields = ["bank_account", "bank_name", "account_holder", "address", "phone", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        labels = {"bank_account": _("Số tài khoản tiếp nhận"), "bank_name": _("Ngân hàng"),
                  "account_holder": _("Chủ tài khoản"), "address": _("Địa chỉ nhận hiện vật"),
                  "phone": _("Điện thoại"), "text": _("Hướng dẫn đóng góp")}

    def _post_clean(self):
        pass  # the service validates and saves
