"""Forms that correct what was recorded (a fund, campaign, restriction or pledge), cancel a
pledge, and record a report sent to a donor. The edit forms are the create forms without the
owning area (or the donor of a pledge), which never change; the services decide what may
still change once money uses a record."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.web.forms import ServiceFormMixin
from ansinh.web.labels import translated_choices

from .choices import DonorReportKind, SendChannel
from .forms import (
    CampaignForm,
    FundForm,
    PledgeForm,
    RestrictionForm,
    _campaigns_for,
    date_field,
    scoped_choice,
)
from .reports.views import FORMAT_CHOICES


def _without(form, *names) -> None:
    for name in names:
        del form.fields[name]


class FundEditForm(FundForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _without(self, "area")


class CampaignEditForm(CampaignForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _without(self, "area")


class RestrictionEditForm(RestrictionForm):
    pass


class PledgeEditForm(PledgeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _without(self, "donor")


class PledgeCancelForm(ServiceFormMixin, forms.Form):
    reason = forms.CharField(label=_("Lý do hủy cam kết"), max_length=300,
                             error_messages={"required": _("Lý do hủy cam kết: bắt buộc.")})
    cancelled_on = date_field(_("Ngày hủy"), required=False,
                              help_text=_("Để trống: hôm nay."))


class DonorReportForm(ServiceFormMixin, forms.Form):
    error_field_map = {"format": "fmt", "file": "upload"}

    kind = forms.ChoiceField(label=_("Loại báo cáo"),
                             choices=translated_choices(DonorReportKind.choices))
    campaign = forms.Field()
    period_start = date_field(_("Kỳ báo cáo từ ngày"), required=False)
    period_end = date_field(_("Số liệu đến ngày"), required=False,
                            help_text=_("Để trống: ngày gửi."))
    fmt = forms.ChoiceField(label=_("Định dạng (báo cáo nhà tài trợ)"), choices=FORMAT_CHOICES,
                            initial="pdf")
    sent_on = date_field(_("Ngày gửi"))
    channel = forms.ChoiceField(label=_("Hình thức gửi"),
                                choices=translated_choices(SendChannel.choices))
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)
    upload = forms.FileField(label=_("Tệp đã gửi (chiến dịch, thư cảm ơn)"), required=False,
                             help_text=_("Báo cáo nhà tài trợ do hệ thống lập; báo cáo chiến "
                                       "dịch và thư cảm ơn: tải lên bản đã gửi (.pdf, .xlsx, "
                                       ".docx)."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), _("Chiến dịch"),
                                                required=False)
        self.order_fields(["kind", "campaign", "period_start", "period_end", "fmt",
                           "sent_on", "channel", "note", "upload"])
