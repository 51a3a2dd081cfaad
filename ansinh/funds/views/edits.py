"""Correcting a fund, campaign, restriction or pledge, and cancelling a pledge. The record is
looked up among what the user may view (404 otherwise) and the page needs `funds` on its
area (403); the service refuses, on the field, what may no longer change."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ansinh.access.scoping import require, restrict

from .. import services
from ..edit_forms import (
    CampaignEditForm,
    FundEditForm,
    PledgeCancelForm,
    PledgeEditForm,
    RestrictionEditForm,
)
from ..models import Campaign, Fund, Pledge, Restriction
from .common import ServiceFormView


class _EditView(ServiceFormView):
    template_name = "funds/form.html"
    model = None
    fields: tuple[str, ...] = ()

    def prepare(self, request, *args, **kwargs):
        self.obj = get_object_or_404(restrict(self.model.objects.all(), request.user, "view"),
                                     pk=kwargs["pk"])
        require(request.user, "funds", self.obj)

    def get_initial(self):
        initial = {}
        for f in self.fields:
            value = getattr(self.obj, f)
            initial[f] = list(value.all()) if hasattr(value, "all") else value
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title(), back=self.back(), **kwargs)

    def back(self) -> str:
        return self.success_url_for(self.obj)

    def success_message_for(self, obj):
        return _("Đã lưu thay đổi.")


class FundEditView(_EditView):
    model = Fund
    form_class = FundEditForm
    fields = ("kind", "name", "code")

    def title(self):
        return _("Sửa quỹ %(name)s") % {"name": self.obj.name}

    def save(self, form):
        return services.fund_update(self.request.user, self.obj, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("funds:fund_detail", args=[obj.pk])


class CampaignEditView(_EditView):
    model = Campaign
    form_class = CampaignEditForm
    fields = ("name", "target_amount", "starts_on", "ends_on", "responsible_unit", "funds")

    def title(self):
        return _("Sửa chiến dịch %(name)s") % {"name": self.obj.name}

    def save(self, form):
        return services.campaign_update(self.request.user, self.obj, **form.service_data())

    def success_url_for(self, obj):
        return reverse("funds:campaign_detail", args=[obj.pk])


class RestrictionEditView(_EditView):
    model = Restriction
    form_class = RestrictionEditForm
    fields = ("fund", "kind", "campaign", "description", "donor", "ends_on")

    def title(self):
        return _("Sửa hạn chế «%(name)s»") % {
            "name": f"{_(self.obj.get_kind_display())}: {self.obj.description}"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro=_("Khi đã có biên nhận hoặc khoản chi dùng hạn chế này, chỉ sửa được mục "
                    "đích và hạn sử dụng (không trước ngày của khoản chi đã có)."), **kwargs)

    def save(self, form):
        return services.restriction_update(self.request.user, self.obj, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("funds:restriction_list")


class PledgeEditView(_EditView):
    model = Pledge
    form_class = PledgeEditForm
    fields = ("campaign", "fund", "amount", "in_kind", "pledged_on")

    def title(self):
        return _("Sửa cam kết #%(pk)s của %(donor)s") % {"pk": self.obj.pk,
                                                          "donor": self.obj.donor}

    def save(self, form):
        return services.pledge_update(self.request.user, self.obj, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("funds:donor_detail", args=[obj.donor_id])


class PledgeCancelView(_EditView):
    model = Pledge
    form_class = PledgeCancelForm

    def title(self):
        return _("Hủy cam kết #%(pk)s của %(donor)s") % {"pk": self.obj.pk,
                                                          "donor": self.obj.donor}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user")
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro=_("Cam kết bị hủy vẫn được lưu, không còn tính là phải nộp. Số đã nhận theo "
                    "cam kết vẫn là tiền đã nhận."), **kwargs)

    def save(self, form):
        return services.pledge_cancel(self.request.user, self.obj, **form.cleaned_data)

    def success_message_for(self, obj):
        return _("Đã hủy cam kết #%(pk)s.") % {"pk": obj.pk}

    def success_url_for(self, obj):
        return reverse("funds:donor_detail", args=[obj.donor_id])
