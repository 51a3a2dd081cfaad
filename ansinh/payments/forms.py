"""Forms of the payroll page: which month, and which lines of it to list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.access.scoping import communes_for
from ansinh.enrolment.forms import MonthField

from .models import LedgerLine


class MonthForm(forms.Form):
    month = MonthField(label=_("Tháng chi trả"))


class LineFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    commune = forms.ModelChoiceField(queryset=None, required=False, label=_("Xã/phường"))
    kind = forms.ChoiceField(required=False, label=_("Loại dòng"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_for(user, "view").order_by("name")
        self.fields["commune"].empty_label = _("Tất cả")
        self.fields["kind"].choices = [("", _("Tất cả")), *LedgerLine.Kind.choices]

    def apply(self, qs, person_ids):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("q"):
            qs = qs.filter(recipient__in=person_ids(data["q"]))
        if data.get("commune"):
            qs = qs.filter(commune=data["commune"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        return qs
