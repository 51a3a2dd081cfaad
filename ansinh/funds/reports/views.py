"""Pages to pick a fund report and download it as .xlsx or .pdf. Fund staff only (`funds`),
and only for donors, campaigns and funds of their area: others are 404."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from ansinh.access.scoping import restrict
from ansinh.funds.models import Campaign, Donor, Fund
from ansinh.web.forms import DATE_INPUTS
from ansinh.web.mixins import AreaMixin

from .campaign import campaign_report
from .donor import donor_report
from .exports import report_file
from .foreign_aid import foreign_aid_report
from .monthly import monthly_report

FORMAT_CHOICES = [("xlsx", "Excel (.xlsx)"), ("pdf", "PDF")]


def _in_area(user, model, pk):
    obj = restrict(model.objects.all(), user, "funds").filter(pk=pk).first() if pk else None
    if obj is None:
        raise Http404("Không tìm thấy trong địa bàn của bạn.")
    return obj


class _Form(forms.Form):
    format = forms.ChoiceField(label="Định dạng", choices=FORMAT_CHOICES, initial="xlsx")


class DonorForm(_Form):
    donor = forms.IntegerField(label="Nhà tài trợ")
    until = forms.DateField(label="Đến ngày", required=False, input_formats=DATE_INPUTS)
    since = forms.DateField(label="Từ ngày", required=False, input_formats=DATE_INPUTS)


class CampaignForm(_Form):
    campaign = forms.IntegerField(label="Chiến dịch")


class MonthlyForm(_Form):
    fund = forms.IntegerField(label="Quỹ")
    month = forms.RegexField(label="Tháng (mm/yyyy)", regex=r"^\d{1,2}/\d{4}$",
                             error_messages={"invalid": _("Tháng: nhập dạng mm/yyyy.")})


class ForeignAidForm(_Form):
    date_from = forms.DateField(label="Từ ngày", input_formats=DATE_INPUTS)
    date_to = forms.DateField(label="Đến ngày", input_formats=DATE_INPUTS)
    fund = forms.IntegerField(label="Quỹ", required=False)


def build(user, kind: str, data: dict):
    """(report, params, owning object) from cleaned form values."""
    if kind == "donor":
        donor = _in_area(user, Donor, data["donor"])
        return donor_report(user, donor, data.get("until"), data.get("since")), \
            {"donor": donor.pk, "until": str(data.get("until") or ""),
             "since": str(data.get("since") or "")}, donor
    if kind == "campaign":
        campaign = _in_area(user, Campaign, data["campaign"])
        return campaign_report(user, campaign), {"campaign": campaign.pk}, campaign
    if kind == "monthly":
        fund = _in_area(user, Fund, data["fund"])
        month, year = (int(x) for x in data["month"].split("/"))
        return monthly_report(user, fund, year, month), \
            {"fund": fund.pk, "month": f"{year}-{month:02d}"}, fund
    fund = _in_area(user, Fund, data["fund"]) if data.get("fund") else None
    return foreign_aid_report(user, data["date_from"], data["date_to"], fund), \
        {"from": str(data["date_from"]), "to": str(data["date_to"]),
         "fund": fund.pk if fund else None}, fund


FORMS = {"donor": DonorForm, "campaign": CampaignForm, "monthly": MonthlyForm,
         "foreign-aid": ForeignAidForm}


class ReportIndexView(AreaMixin, View):
    action = "funds"

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        half = date(today.year, 1 if today.month <= 6 else 7, 1)
        return render(request, "funds/reports/index.html", {
            "donors": restrict(Donor.objects.all(), user, "funds").order_by("name")[:500],
            "campaigns": restrict(Campaign.objects.all(), user, "funds")[:200],
            "funds": restrict(Fund.objects.all(), user, "funds")[:200],
            "this_month": f"{today:%m/%Y}", "half_start": half, "today": today,
            "formats": FORMAT_CHOICES})


class ReportDownloadView(AreaMixin, View):
    action = "funds"

    def get(self, request, kind: str):
        form_class = FORMS.get(kind)
        if form_class is None:
            raise Http404("Không có báo cáo này.")
        form = form_class(request.GET)
        if not form.is_valid():
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, e)
            return redirect("fund_reports:report_index")
        try:
            report, params, owner = build(request.user, kind, form.cleaned_data)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect("fund_reports:report_index")
        fmt = form.cleaned_data["format"]
        out = report_file(report, fmt, kind=kind, params=params, area=owner)
        response = HttpResponse(out.content, content_type=out.content_type)
        response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
        return response
