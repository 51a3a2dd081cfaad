from django import forms

from ansinh.access.scoping import communes_for

from .columns import FIELDS


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp Excel hoặc CSV",
                           help_text="Chấp nhận .xlsx, .xls, .csv; tối đa 40 MB.")
    commune = forms.ModelChoiceField(
        queryset=None, required=False, label="Xã/phường",
        empty_label="— Lấy theo cột «Xã/Phường» trong tệp —",
        help_text="Chọn xã khi tệp không có cột xã/phường; các dòng của xã khác sẽ bị từ chối.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        qs = communes_for(user, "import").select_related("parent").order_by("province", "name")
        self.fields["commune"].queryset = qs
        self.fields["commune"].label_from_instance = lambda u: f"{u.name} ({u.code})"


class MappingForm(forms.Form):
    """One select per column of the header row; the user corrects what detection guessed."""

    header_row = forms.IntegerField(label="Dòng tiêu đề", min_value=1)

    def __init__(self, *args, headers: list[str], columns: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— Bỏ qua —"), *FIELDS.items()]
        self.headers = headers
        for i, header in enumerate(headers):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                choices=choices, required=False, label=header or f"Cột {i + 1}",
                initial=columns.get(str(i), ""),
            )

    def column_fields(self):
        return [self[f"col_{i}"] for i in range(len(self.headers))]

    def clean(self):
        data = super().clean()
        seen: dict[str, str] = {}
        for i, header in enumerate(self.headers):
            field = data.get(f"col_{i}")
            if not field:
                continue
            if field in seen:
                raise forms.ValidationError(
                    f"Trường «{FIELDS[field]}» được chọn cho hai cột: «{seen[field]}» và "
                    f"«{header}».")
            seen[field] = header
        if "full_name" not in seen:
            raise forms.ValidationError("Phải chọn cột «Họ và tên».")
        return data

    def mapping(self) -> dict:
        return {
            "header_row": self.cleaned_data["header_row"],
            "columns": {str(i): self.cleaned_data.get(f"col_{i}") or ""
                        for i in range(len(self.headers))},
        }
