from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from ansinh.access.scoping import allows, can, require
from ansinh.registry import services
from ansinh.registry.models import Household
from ansinh.registry.selectors import household_search, households_for
from ansinh.web.forms import HouseholdFilterForm, HouseholdForm
from ansinh.web.mixins import AreaMixin, ScopedQuerysetMixin
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin


class HouseholdListView(AreaMixin, HtmxListMixin, View):
    template_name = "registry/household_list.html"
    partial_template_name = "registry/_household_table.html"

    def get(self, request):
        form = HouseholdFilterForm(request.GET or None, user=request.user)
        qs = household_search(households_for(request.user, "view"), **form.search_kwargs())
        qs = qs.select_related("head", "commune").order_by("commune__name", "code", "pk")
        page = paginate(qs, request.GET.get("page"))
        return self.render_list({"form": form, "page": page, "can_add": can(request.user, "add")})


class HouseholdDetailView(ScopedQuerysetMixin, DetailView):
    model = Household
    template_name = "registry/household_detail.html"
    context_object_name = "household"

    def base_queryset(self):
        return Household.objects.select_related("head", "commune", "province")

    def get_context_data(self, **kwargs):
        household = self.object
        members = household.members.annotate(
            head_first=Case(When(relationship="head", then=Value(0)), default=Value(1),
                            output_field=IntegerField())
        ).order_by("head_first", "sort_key", "pk")
        user = self.request.user
        return super().get_context_data(
            members=members,
            can_change=allows(user, "change", household),
            can_add_member=allows(user, "add", household),
            **kwargs,
        )


class HouseholdFormView(AreaMixin, FormView):
    template_name = "registry/household_form.html"
    form_class = HouseholdForm
    household = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.household is not None:
            kwargs["instance"] = Household.objects.get(pk=self.household.pk)
        return {**kwargs, "user": self.request.user, "action": self.action}

    def form_valid(self, form):
        try:
            household = self.save(form.service_data())
        except ValidationError as exc:
            form.apply_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Đã lưu hộ %(code)s.") % {"code": household.code})
        return HttpResponseRedirect(reverse("household_detail", args=[household.pk]))

    def get_context_data(self, **kwargs):
        return super().get_context_data(household=self.household, **kwargs)


class HouseholdCreateView(HouseholdFormView):
    action = "add"

    def save(self, data):
        return services.household_create(self.request.user, **data)


class HouseholdEditView(HouseholdFormView):
    action = "change"

    def prepare(self, request, *args, **kwargs):
        self.household = get_object_or_404(households_for(request.user, "view"), pk=kwargs["pk"])
        require(request.user, "change", self.household)

    def save(self, data):
        return services.household_update(self.request.user, self.household, **data)
