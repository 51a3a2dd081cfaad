"""Donors: the list with search, a donor's page with the history of what was pledged and
received, and the create and edit forms. Bank details are masked by `selectors.donor_detail`
for users without `donor_bank` on the donor's area, and left off the edit form for them."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from ansinh.access.scoping import allows, can, require, restrict
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from .. import selectors, services
from ..donor_reports import donor_report_list
from ..forms import DonorFilterForm, DonorForm
from ..models import Donor
from . import reads
from .common import FundsMixin, ServiceFormView, visible


class DonorListView(FundsMixin, HtmxListMixin, View):
    template_name = "funds/donor_list.html"
    partial_template_name = "funds/_donor_table.html"

    def get(self, request):
        form = DonorFilterForm(request.GET or None)
        qs = selectors.donor_list(request.user).select_related("commune", "province")
        if form.is_valid():
            qs = reads.donor_search(qs, form.cleaned_data["q"])
            for name in ("kind", "display"):
                if form.cleaned_data[name]:
                    qs = qs.filter(**{name: form.cleaned_data[name]})
        page = paginate(qs.order_by("name", "pk"), request.GET.get("page"))
        return self.render_list({"form": form, "page": page})


class DonorDetailView(FundsMixin, TemplateView):
    template_name = "funds/donor_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        donor = visible(Donor.objects.select_related("commune", "province"), user,
                        self.kwargs["pk"])
        history = reads.donor_history(user, donor)
        return super().get_context_data(
            donor=donor, data=selectors.donor_detail(user, donor),
            progress=selectors.donor_progress(user, donor),
            pledges=history["pledges"][:200], receipts=history["receipts"][:200],
            reports=donor_report_list(user, donor)[:200],
            can_edit=allows(user, "funds", donor), **kwargs)


class DonorCreateView(ServiceFormView):
    template_name = "funds/form.html"
    form_class = DonorForm

    def get_form_kwargs(self):
        # A new donor's bank details are typed by whoever records him; the service checks
        # the `funds` right on the chosen area.
        return {**super().get_form_kwargs(), "show_bank": can(self.request.user, "donor_bank"),
                "creating": True}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Thêm nhà tài trợ"), **kwargs)

    def save(self, form):
        return services.donor_create(self.request.user, **form.service_data())

    def success_message_for(self, obj):
        return _("Đã thêm nhà tài trợ %(name)s.") % {"name": obj.name}

    def success_url_for(self, obj):
        return reverse("funds:donor_detail", args=[obj.pk])


class DonorEditView(ServiceFormView):
    template_name = "funds/form.html"
    form_class = DonorForm

    def prepare(self, request, *args, **kwargs):
        self.donor = get_object_or_404(restrict(Donor.objects.all(), request.user, "view"),
                                       pk=kwargs["pk"])
        require(request.user, "funds", self.donor)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.donor, "creating": False,
                "show_bank": allows(self.request.user, "donor_bank", self.donor)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Sửa nhà tài trợ %(name)s")
                                        % {"name": self.donor.name},
                                        back=reverse("funds:donor_detail",
                                                     args=[self.donor.pk]), **kwargs)

    def save(self, form):
        return services.donor_update(self.request.user, self.donor, **form.service_data())

    def success_message_for(self, obj):
        return _("Đã lưu nhà tài trợ %(name)s.") % {"name": obj.name}

    def success_url_for(self, obj):
        return reverse("funds:donor_detail", args=[obj.pk])
