"""Funds, campaigns, restrictions and pledges: their lists, the fund page with its balances
per restriction, the campaign page with its progress chart and per-donor progress, and the
create forms."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from ansinh.access.scoping import allows
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from .. import selectors, services
from ..charts import campaign_progress_svg
from ..forms import CampaignForm, FundForm, PledgeFilterForm, PledgeForm, RestrictionForm
from ..models import Campaign, Fund
from . import reads
from .common import FundsMixin, ServiceFormView, visible

# ---- funds ---------------------------------------------------------------------------------


class FundListView(FundsMixin, TemplateView):
    template_name = "funds/fund_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        funds = list(selectors.fund_list(user).select_related("commune", "province"))
        totals: dict[int, dict] = {}
        for row in selectors.fund_balances(user):
            t = totals.setdefault(row["fund_id"], {"received": 0, "spent": 0, "reserved": 0,
                                                   "available": 0})
            for key in t:
                t[key] += row[key]
        for fund in funds:
            fund.totals = totals.get(fund.pk, {"received": 0, "spent": 0, "reserved": 0,
                                               "available": 0})
        return super().get_context_data(funds=funds, **kwargs)


class FundDetailView(FundsMixin, TemplateView):
    template_name = "funds/fund_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        fund = visible(Fund.objects.select_related("commune", "province"), user,
                       self.kwargs["pk"])
        return super().get_context_data(
            fund=fund,
            balances=reads.named_balances(selectors.fund_balances(user, fund)),
            restrictions=reads.restriction_list(user).filter(fund=fund).order_by("pk"),
            campaigns=fund.campaigns.order_by("-starts_on"),
            receipts=selectors.receipt_list(user).filter(
                Q(fund=fund) | Q(lines__fund=fund)).distinct().select_related(
                "donor", "reversal").order_by("-received_on", "-pk")[:20],
            **kwargs)


class FundCreateView(ServiceFormView):
    template_name = "funds/form.html"
    form_class = FundForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Thêm quỹ"), **kwargs)

    def save(self, form):
        return services.fund_create(self.request.user, **form.cleaned_data)

    def success_message_for(self, obj):
        return _("Đã thêm %(name)s.") % {"name": obj.name}

    def success_url_for(self, obj):
        return reverse("funds:fund_detail", args=[obj.pk])


# ---- campaigns -----------------------------------------------------------------------------


class CampaignListView(FundsMixin, HtmxListMixin, View):
    template_name = "funds/campaign_list.html"
    partial_template_name = "funds/_campaign_table.html"

    def get(self, request):
        qs = selectors.campaign_list(request.user).select_related("commune", "province")
        q = request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(name__icontains=q)
        page = paginate(qs.order_by("-starts_on", "pk"), request.GET.get("page"))
        progress = {}
        for campaign in page.object_list:
            progress.update({r["campaign_id"]: r
                             for r in selectors.campaign_progress(request.user, campaign)})
        for campaign in page.object_list:
            campaign.progress = progress.get(campaign.pk)
        chart = campaign_progress_svg(
            [{"name": c.name, **c.progress} for c in page.object_list if c.progress])
        return self.render_list({"page": page, "q": q, "chart": chart})


class CampaignDetailView(FundsMixin, TemplateView):
    template_name = "funds/campaign_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        campaign = visible(Campaign.objects.select_related("commune", "province"), user,
                           self.kwargs["pk"])
        progress = selectors.campaign_progress(user, campaign)[0]
        donors = reads.campaign_donors(campaign)
        for row in donors:
            row["public_name"] = selectors.donor_public_name(row["donor"])
        return super().get_context_data(
            campaign=campaign, progress=progress,
            chart=campaign_progress_svg([{**progress, "name": campaign.name}],
                                        title=_("Tiến độ chiến dịch %(name)s")
                                        % {"name": campaign.name}),
            donors=donors, funds=campaign.funds.order_by("name"),
            restrictions=reads.restriction_list(user).filter(campaign=campaign),
            can_edit=allows(user, "funds", campaign), **kwargs)


class CampaignCreateView(ServiceFormView):
    template_name = "funds/form.html"
    form_class = CampaignForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Thêm chiến dịch vận động"), **kwargs)

    def save(self, form):
        return services.campaign_create(self.request.user, **form.service_data())

    def success_message_for(self, obj):
        return _("Đã thêm chiến dịch %(name)s.") % {"name": obj.name}

    def success_url_for(self, obj):
        return reverse("funds:campaign_detail", args=[obj.pk])


# ---- restrictions --------------------------------------------------------------------------


class RestrictionListView(FundsMixin, HtmxListMixin, View):
    template_name = "funds/restriction_list.html"
    partial_template_name = "funds/_restriction_table.html"

    def get(self, request):
        qs = reads.restriction_list(request.user).order_by("fund__name", "-pk")
        page = paginate(qs, request.GET.get("page"))
        balances = {(r["fund_id"], r["restriction_id"]): r
                    for r in selectors.fund_balances(request.user)}
        for r in page.object_list:
            r.balance = balances.get((r.fund_id, r.pk))
        return self.render_list({"page": page})


class RestrictionCreateView(ServiceFormView):
    template_name = "funds/form.html"
    form_class = RestrictionForm

    def get_initial(self):
        initial = super().get_initial()
        for key in ("fund", "campaign", "donor"):
            if self.request.GET.get(key, "").isdigit():
                initial[key] = int(self.request.GET[key])
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Thêm hạn chế sử dụng của nhà tài trợ"),
                                        **kwargs)

    def save(self, form):
        return services.restriction_create(self.request.user, **form.cleaned_data)

    def success_message_for(self, obj):
        return _("Đã thêm hạn chế «%(name)s».") % {
            "name": f"{_(obj.get_kind_display())}: {obj.description}"}

    def success_url_for(self, obj):
        return reverse("funds:restriction_list")


# ---- pledges -------------------------------------------------------------------------------


class PledgeListView(FundsMixin, HtmxListMixin, View):
    template_name = "funds/pledge_list.html"
    partial_template_name = "funds/_pledge_table.html"

    def get(self, request):
        user = request.user
        form = PledgeFilterForm(request.GET or None, user=user)
        qs = reads.pledge_list(user)
        if form.is_valid():
            if form.cleaned_data["q"]:
                donors = reads.donor_search(selectors.donor_list(user), form.cleaned_data["q"])
                qs = qs.filter(donor__in=donors)
            if form.cleaned_data["campaign"]:
                qs = qs.filter(campaign=form.cleaned_data["campaign"])
        page = paginate(qs.order_by("-pledged_on", "-pk"), request.GET.get("page"))
        return self.render_list({"form": form, "page": page})


class PledgeCreateView(ServiceFormView):
    template_name = "funds/form.html"
    form_class = PledgeForm

    def get_initial(self):
        initial = super().get_initial()
        for key in ("donor", "campaign", "fund"):
            if self.request.GET.get(key, "").isdigit():
                initial[key] = int(self.request.GET[key])
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Ghi nhận cam kết tài trợ"),
            intro=_("Cam kết là lời hứa: không được tính là tiền đã nhận cho đến khi có "
                    "biên nhận."), **kwargs)

    def save(self, form):
        return services.pledge_create(self.request.user, **form.cleaned_data)

    def success_message_for(self, obj):
        return _("Đã ghi nhận cam kết của %(donor)s.") % {"donor": obj.donor}

    def success_url_for(self, obj):
        return reverse("funds:donor_detail", args=[obj.donor_id])
