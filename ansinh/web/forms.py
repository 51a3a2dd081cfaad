"""Forms of the web UI. They parse and present; the registry services validate, check the
area and save. `apply_errors` puts a service's ValidationError back on the form's fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ansinh.access.scoping import communes_for, restrict
from ansinh.audit.models import AuditAction
from ansinh.core.dates import InvalidDate, format_partial, parse_partial_date
from ansinh.core.identity import normalise_id_number
from ansinh.registry.choices import Poverty, Sex
from ansinh.registry.models import Household, Person
from ansinh.web.labels import FIELD_LABELS, translated_choices

DATE_INPUTS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def commune_field(user, action, **kwargs):
    qs = communes_for(user, action).select_related("parent").order_by("parent__name", "name")
    return CommuneChoiceField(queryset=qs, label=FIELD_LABELS["commune"], **kwargs)


class ServiceFormMixin:
    """ModelForms here never build or validate the instance themselves: the service does,
    on a fresh copy, so its before/after audit diff is right."""

    error_field_map: dict[str, str] = {}

    def _post_clean(self):
        pass

    def apply_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.message_dict.items():
            target = self.error_field_map.get(field, field)
            self.add_error(target if target in self.fields else None, errors)


class PersonForm(ServiceFormMixin, forms.ModelForm):
    error_field_map = {"birth_date": "birth", "birth_date_precision": "birth",
                       "household": "household_code"}

    birth = forms.CharField(
        label=FIELD_LABELS["birth"], required=False, max_length=10,
        help_text=_("dd/mm/yyyy, mm/yyyy hoặc yyyy"),
    )
    household_code = forms.CharField(
        label=FIELD_LABELS["household_code"], required=False, max_length=30,
        help_text=_("Mã hộ trong xã/phường đã chọn; để trống nếu chưa thuộc hộ nào."),
    )
    deceased_date = forms.DateField(
        label=FIELD_LABELS["deceased_date"], required=False, input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )

    class Meta:
        model = Person
        fields = [
            "ho", "ten_dem", "ten", "sex", "ethnicity", "id_number", "phone",
            "relationship", "commune", "disability_level", "disability_type",
            "disability_notes", "hiv_status", "deceased_date",
        ]
        labels = {name: FIELD_LABELS[name] for name in fields}
        widgets = {"disability_notes": forms.Textarea(attrs={"rows": 2})}

    field_order = [
        "ho", "ten_dem", "ten", "birth", "sex", "ethnicity", "id_number", "phone", "commune",
        "household_code", "relationship", "disability_level", "disability_type",
        "disability_notes", "hiv_status", "deceased_date",
    ]

    def __init__(self, *args, user, action, show_sensitive=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.action = user, action
        self.fields["commune"] = commune_field(user, action)
        for name in ("sex", "relationship", "disability_level", "disability_type"):
            self.fields[name].choices = translated_choices(self.fields[name].choices)
        self.fields["birth"].widget.attrs["placeholder"] = "dd/mm/yyyy"
        person = self.instance
        if person.pk:
            self.initial.setdefault("birth", format_partial(person.birth_date,
                                                            person.birth_date_precision))
            if person.household_id:
                self.initial.setdefault("household_code", person.household.code)
        if not show_sensitive:
            for name in Person.SENSITIVE_FIELDS:
                del self.fields[name]

    def clean_birth(self):
        try:
            return parse_partial_date(self.cleaned_data.get("birth"))
        except InvalidDate as exc:
            raise ValidationError(str(exc)) from exc

    def clean_id_number(self):
        return normalise_id_number(self.cleaned_data.get("id_number")) or None

    def clean(self):
        data = super().clean()
        code = (data.get("household_code") or "").strip()
        commune = data.get("commune")
        data["household"] = None
        if code and commune:
            households = restrict(Household.objects.all(), self.user, self.action)
            data["household"] = households.filter(commune=commune, code=code).first()
            if data["household"] is None:
                self.add_error("household_code", _("Không có hộ mã «%(code)s» ở %(commune)s.")
                               % {"code": code, "commune": commune.name})
        return data

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}
        birth = self.cleaned_data.get("birth")
        data["birth_date"] = birth.value if birth else None
        if birth:
            data["birth_date_precision"] = birth.precision
        data["household"] = self.cleaned_data.get("household")
        return data


class HouseholdForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = Household
        fields = ["code", "address", "commune", "poverty_status", "poverty_year", "head"]
        labels = {name: FIELD_LABELS[name] for name in fields}

    def __init__(self, *args, user, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"] = commune_field(user, action)
        self.fields["poverty_status"].choices = translated_choices(Poverty.choices)
        if self.instance.pk:
            self.fields["head"].queryset = self.instance.members.order_by("sort_key")
            self.fields["head"].required = False
        else:
            del self.fields["head"]

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    birth = forms.CharField(label=FIELD_LABELS["birth"], required=False, max_length=10)
    household = forms.CharField(label=FIELD_LABELS["household_code"], required=False,
                                max_length=30)
    commune = forms.ModelChoiceField(queryset=None, required=False,
                                     label=FIELD_LABELS["commune"])
    sex = forms.ChoiceField(required=False, label=FIELD_LABELS["sex"])
    status = forms.ChoiceField(
        required=False, label=_("Tình trạng"),
        choices=[("", _("Tất cả")), ("alive", _("Còn sống")), ("deceased", _("Đã mất"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_for(user, "view").order_by("name")
        self.fields["commune"].empty_label = _("Tất cả")
        self.fields["sex"].choices = [("", _("Tất cả")), *translated_choices(Sex.choices)]

    def search_kwargs(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        status = data.get("status")
        return {
            "q": data.get("q", ""), "birth": data.get("birth", ""),
            "household": data.get("household", ""),
            "commune_id": data["commune"].pk if data.get("commune") else None,
            "sex": data.get("sex", ""),
            "deceased": {"alive": False, "deceased": True}.get(status),
        }

    def summary(self) -> dict:
        """The filters as plain values, for the export's audit row."""
        return {k: (v if not hasattr(v, "pk") else v.pk) for k, v in self.search_kwargs().items()
                if v not in (None, "")}


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    poverty = forms.ChoiceField(required=False, label=FIELD_LABELS["poverty_status"])
    commune = forms.ModelChoiceField(queryset=None, required=False,
                                     label=FIELD_LABELS["commune"])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_for(user, "view").order_by("name")
        self.fields["commune"].empty_label = _("Tất cả")
        self.fields["poverty"].choices = [
            ("", _("Tất cả")), ("poor", _("Hộ nghèo")), ("near_poor", _("Hộ cận nghèo")),
        ]

    def search_kwargs(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"q": data.get("q", ""), "poverty": data.get("poverty", ""),
                "commune_id": data["commune"].pk if data.get("commune") else None}


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("Người dùng"), required=False, max_length=150)
    action = forms.ChoiceField(required=False, label=_("Thao tác"))
    object_type = forms.CharField(label=_("Loại đối tượng"), required=False, max_length=50)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_INPUTS,
                                widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    date_to = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_INPUTS,
                              widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Tất cả")),
                                         *translated_choices(AuditAction.choices)]

    def apply(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("username"):
            qs = qs.filter(username__iexact=data["username"].strip())
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("object_type"):
            qs = qs.filter(object_type=data["object_type"].strip())
        if data.get("date_from"):
            qs = qs.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(at__date__lte=data["date_to"])
        return qs

    def summary(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}
