"""Allocations (khoản chi): the list and approval queue, the prepare form (maker), and the
approve / reject decision by a different user holding `fund_approve` (checker). The service
refuses the preparer and a user without the right (403); the page only hides the buttons."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from ansinh.access.scoping import allows, can
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from .. import selectors, services
from ..choices import AllocationStatus
from ..forms import AllocationFilterForm, AllocationForm, DecisionNoteForm
from ..models import Allocation
from ..returns import returned_by_allocation, returns_by_allocation
from . import reads
from .common import FundsMixin, ServiceFormView, apply_errors, visible


class AllocationListView(FundsMixin, HtmxListMixin, View):
    template_name = "funds/allocation_list.html"
    partial_template_name = "funds/_allocation_table.html"
    queue = False

    def get(self, request):
        user = request.user
        form = AllocationFilterForm(request.GET or None, user=user)
        qs = reads.allocation_list(user)
        if self.queue:
            qs = qs.filter(status=AllocationStatus.PENDING)
        elif form.is_valid():
            if form.cleaned_data["status"]:
                qs = qs.filter(status=form.cleaned_data["status"])
            if form.cleaned_data["fund"]:
                qs = qs.filter(fund=form.cleaned_data["fund"])
        order = ("allocated_on", "pk") if self.queue else ("-allocated_on", "-pk")
        page = paginate(qs.order_by(*order), request.GET.get("page"))
        returned = returned_by_allocation(a.pk for a in page.object_list)
        for allocation in page.object_list:
            allocation.can_decide = _can_decide(user, allocation)
            allocation.returned = returned.get(allocation.pk, 0)
        return self.render_list({"form": form, "page": page, "queue": self.queue,
                                 "can_approve": can(user, "fund_approve")})


def _can_decide(user, allocation) -> bool:
    return (allocation.status == AllocationStatus.PENDING
            and allocation.prepared_by_id != user.pk
            and allows(user, "fund_approve", allocation))


def _allocation(user, pk) -> Allocation:
    return visible(Allocation.objects.select_related(
        "fund", "restriction", "campaign", "prepared_by", "decided_by"), user, pk)


def allocation_page(request, allocation, form=None, status=200):
    user = request.user
    balance = selectors.balance_of(allocation.fund_id, allocation.restriction_id)
    returns = returns_by_allocation(user, [allocation.pk]).get(allocation.pk, [])
    returned = sum(r["amount"] for r in returns)
    return render(request, "funds/allocation_detail.html", {
        "allocation": allocation, "balance": balance, "returns": returns,
        "returned": returned, "left": allocation.amount - returned,
        "can_decide": _can_decide(user, allocation),
        "is_preparer": allocation.prepared_by_id == user.pk,
        "form": form or DecisionNoteForm(),
    }, status=status)


class AllocationDetailView(FundsMixin, View):
    def get(self, request, pk):
        return allocation_page(request, _allocation(request.user, pk))


class AllocationPrepareView(ServiceFormView):
    template_name = "funds/form.html"
    form_class = AllocationForm

    def get_initial(self):
        initial = super().get_initial()
        for key in ("fund", "restriction", "campaign"):
            if self.request.GET.get(key, "").isdigit():
                initial[key] = int(self.request.GET[key])
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Lập khoản chi"),
            intro=_("Khoản chi giữ chỗ số tiền ngay khi lập và chỉ được chi khi một người khác "
                    "có quyền phê duyệt đồng ý."), **kwargs)

    def save(self, form):
        return services.allocation_prepare(self.request.user, **form.cleaned_data)

    def success_message_for(self, obj):
        return _("Đã lập khoản chi #%(pk)s, chờ phê duyệt.") % {"pk": obj.pk}

    def success_url_for(self, obj):
        return reverse("funds:allocation_detail", args=[obj.pk])


class AllocationDecideView(FundsMixin, View):
    """POST approve or reject. The service checks `fund_approve` and maker ≠ checker."""

    http_method_names = ["post"]
    action = "fund_approve"
    decision = ""

    def post(self, request, pk):
        allocation = _allocation(request.user, pk)
        form = DecisionNoteForm(request.POST)
        if form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if self.decision == "approve":
                    services.allocation_approve(request.user, allocation, note=note)
                    messages.success(request, _("Đã phê duyệt khoản chi #%(pk)s.")
                                     % {"pk": allocation.pk})
                else:
                    services.allocation_reject(request.user, allocation, note=note)
                    messages.success(request, _("Đã từ chối khoản chi #%(pk)s.")
                                     % {"pk": allocation.pk})
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return HttpResponseRedirect(reverse("funds:allocation_queue"))
        allocation.refresh_from_db()
        return allocation_page(request, allocation, form, status=400)
