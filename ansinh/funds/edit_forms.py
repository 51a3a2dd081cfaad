"""Forms that correct what was recorded (a fund, campaign, restriction or pledge), cancel a
pledge, and record a report sent to a donor. The edit forms are the create forms without the
owning area (or the donor of a pledge), which never change; the services decide what may
still change once money uses a record."""

from __future__ import annotations

from django import forms

from ansinh.web.forms import ServiceFormMixin

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
    reason = forms.CharField(label="Lý do hủy cam kết", max_length=300,
                             error_messages={"required": "Lý do hủy cam kết: bắt buộc."})
    cancelled_on = date_field("Ngày hủy", required=False,
                              help_text="Để trống: hôm nay.")


class DonorReportForm(ServiceFormMixin, forms.Form):
    error_field_map = {"format": "fmt", "file": "upload"}

    kind = forms.ChoiceField(label="Loại báo cáo", choices=DonorReportKind.choices)
    campaign = forms.Field()
    period_start = date_field("Kỳ báo cáo từ ngày", required=False)
    period_end = date_field("Số liệu đến ngày", required=False,
                            help_text="Để trống: ngày gửi.")
    fmt = forms.ChoiceField(label="Định dạng (báo cáo nhà tài trợ)", choices=FORMAT_CHOICES,
                            initial="pdf")
    sent_on = date_field("Ngày gửi")
    channel = forms.ChoiceField(label="Hình thức gửi", choices=SendChannel.choices)
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)
    upload = forms.FileField(label="Tệp đã gửi (chiến dịch, thư cảm ơn)", required=False,
                             help_text="Báo cáo nhà tài trợ do hệ thống lập; báo cáo chiến "
                                       "dịch và thư cảm ơn: tải lên bản đã gửi (.pdf, .xlsx, "
                                       ".docx).")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = scoped_choice(_campaigns_for(user), "Chiến dịch",
                                                required=False)
        self.order_fields(["kind", "campaign", "period_start", "period_end", "fmt",
                           "sent_on", "channel", "note", "upload"])
