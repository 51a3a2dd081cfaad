"""Recording a report sent to a donor (the donor report generated and kept, or the campaign
report / thank-you letter uploaded as sent) and downloading the stored file (audited)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from ansinh.access.scoping import require, restrict

from ..donor_reports import donor_report_list, donor_report_open, donor_report_record
from ..edit_forms import DonorReportForm
from ..models import Donor
from .common import FundsMixin, ServiceFormView, visible


class DonorReportCreateView(ServiceFormView):
    template_name = "funds/donor_report_form.html"
    form_class = DonorReportForm

    def prepare(self, request, *args, **kwargs):
        self.donor = get_object_or_404(restrict(Donor.objects.all(), request.user, "view"),
                                       pk=kwargs["pk"])
        require(request.user, "funds", self.donor)

    def get_initial(self):
        return {"sent_on": timezone.localdate(), "fmt": "pdf"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Lập và ghi nhận báo cáo gửi nhà tài trợ %(name)s")
            % {"name": self.donor.name},
            back=reverse("funds:donor_detail", args=[self.donor.pk]), **kwargs)

    def save(self, form):
        data = dict(form.cleaned_data)
        return donor_report_record(self.request.user, self.donor, **data)

    def success_message_for(self, obj):
        return _("Đã ghi nhận %(kind)s gửi ngày %(date)s.") % {
            "kind": _(obj.get_kind_display()).lower(), "date": f"{obj.sent_on:%d/%m/%Y}"}

    def success_url_for(self, obj):
        return reverse("funds:donor_detail", args=[obj.donor_id])


class DonorReportDownloadView(FundsMixin, View):
    """The file as it was sent. Another area's report is a 404; the audit row says who
    downloaded it."""

    def get(self, request, pk, report_pk):
        donor = visible(Donor.objects.all(), request.user, pk)
        report = get_object_or_404(donor_report_list(request.user, donor), pk=report_pk)
        stored = donor_report_open(request.user, report)
        response = HttpResponse(stored.content, content_type=stored.content_type)
        response["Content-Disposition"] = f'attachment; filename="{stored.name}"'
        return response
