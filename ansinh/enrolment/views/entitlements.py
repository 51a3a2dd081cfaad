"""Beneficiaries (đối tượng hưởng): the list, one entitlement's page with its decisions and
ledger, and the actions on it (suspend, resume, stop, adjust, move)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from ansinh.access.scoping import allows, can, require, restrict
from ansinh.payments.models import LedgerLine
from ansinh.web.mixins import AreaMixin
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from .. import services
from ..forms import (
    AdjustForm,
    EntitlementFilterForm,
    MoveForm,
    ResumeForm,
    StopForm,
    SuspendForm,
    category_label,
    public_category_label,
)
from ..models import Entitlement
from ..printing import decision_reason
from .common import label_categories, person_matcher, put_errors

LEDGER_LIMIT = 240


class EntitlementListView(AreaMixin, HtmxListMixin, View):
    template_name = "enrolment/entitlement_list.html"
    partial_template_name = "enrolment/_entitlement_table.html"

    def get(self, request):
        user = request.user
        form = EntitlementFilterForm(request.GET or None, user=user)
        qs = form.apply(restrict(Entitlement.objects.all(), user, "view"), person_matcher(user))
        qs = qs.select_related("person", "person__household", "commune").order_by(
            "commune__name", "person__sort_key", "pk")
        page = paginate(qs, request.GET.get("page"))
        page.object_list = label_categories(user, page.object_list)
        return self.render_list({"form": form, "page": page,
                                 "can_add": can(user, "add")})


def _entitlement(user, pk) -> Entitlement:
    qs = restrict(Entitlement.objects.select_related(
        "person", "person__household", "recipient", "commune", "province", "previous"),
        user, "view")
    return get_object_or_404(qs, pk=pk)


ACTIONS_BY_STATUS = {
    Entitlement.Status.ACTIVE: ("suspend", "stop", "adjust", "move"),
    Entitlement.Status.SUSPENDED: ("resume", "stop"),
    Entitlement.Status.ENDED: (),
}


def _entitlement_forms(user, entitlement, bound=None) -> dict:
    makers = {
        "suspend": lambda: SuspendForm(prefix="suspend"),
        "resume": lambda: ResumeForm(prefix="resume"),
        "stop": lambda: StopForm(prefix="stop"),
        "adjust": lambda: AdjustForm(prefix="adjust", entitlement=entitlement),
        "move": lambda: MoveForm(prefix="move", user=user, entitlement=entitlement),
    }
    if not allows(user, "change", entitlement):
        return {}
    forms = {name: makers[name]() for name in ACTIONS_BY_STATUS[entitlement.status]}
    if bound:
        forms.update(bound)
    return forms


def entitlement_page(request, entitlement, bound=None):
    user = request.user
    exact = allows(user, "sensitive", entitlement)
    decisions = list(entitlement.decisions.order_by("effective_month", "pk"))
    for decision in decisions:
        decision.reason_text = decision_reason(decision)
    following = Entitlement.objects.filter(previous=entitlement).first()
    ledger = list(LedgerLine.objects.filter(entitlement=entitlement).select_related(
        "payroll").order_by("-month", "kind", "pk")[:LEDGER_LIMIT])
    context = {
        "entitlement": entitlement, "person": entitlement.person, "exact": exact,
        "category_text": (category_label if exact else public_category_label)(
            entitlement.benefit, entitlement.category),
        "decisions": decisions,
        "pauses": entitlement.pauses.select_related("decision", "resume_decision").order_by(
            "from_month"),
        "ledger": ledger, "ledger_limited": len(ledger) == LEDGER_LIMIT,
        "following": following,
        "forms": _entitlement_forms(user, entitlement, bound),
        "open_form": next(iter(bound)) if bound else "",
    }
    return render(request, "enrolment/entitlement_detail.html", context)


class EntitlementDetailView(AreaMixin, View):
    def get(self, request, pk):
        return entitlement_page(request, _entitlement(request.user, pk))


class EntitlementActionView(AreaMixin, View):
    """POST a small form; the service does the work; errors come back on the detail page."""

    action = "change"
    name = ""
    form_class = None
    http_method_names = ["post"]

    def prepare(self, request, *args, **kwargs):
        self.entitlement = _entitlement(request.user, kwargs["pk"])
        require(request.user, "change", self.entitlement)

    def make_form(self, data):
        return self.form_class(data, prefix=self.name, **self.form_kwargs())

    def form_kwargs(self) -> dict:
        return {}

    def post(self, request, pk):
        if self.name not in ACTIONS_BY_STATUS[self.entitlement.status]:
            messages.error(request, _("Thao tác này không áp dụng cho chế độ ở tình trạng "
                                      "hiện tại."))
            return HttpResponseRedirect(self.entitlement_url(self.entitlement))
        form = self.make_form(request.POST)
        if form.is_valid():
            args, kwargs = form.service_args()
            try:
                target = self.run(request.user, *args, **kwargs)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, self.done_message())
                return HttpResponseRedirect(self.entitlement_url(target or self.entitlement))
        return entitlement_page(request, self.entitlement, bound={self.name: form})

    @staticmethod
    def entitlement_url(entitlement):
        return reverse("enrolment:entitlement_detail", args=[entitlement.pk])


class EntitlementSuspendView(EntitlementActionView):
    name, form_class = "suspend", SuspendForm

    def run(self, user, reason, from_month, **kwargs):
        services.entitlement_suspend(user, self.entitlement, reason, from_month, **kwargs)

    def done_message(self):
        return _("Đã tạm dừng chi trả.")


class EntitlementResumeView(EntitlementActionView):
    name, form_class = "resume", ResumeForm

    def run(self, user, month, **kwargs):
        services.entitlement_resume(user, self.entitlement, month, **kwargs)

    def done_message(self):
        return _("Đã cho tiếp tục hưởng.")


class EntitlementStopView(EntitlementActionView):
    name, form_class = "stop", StopForm

    def run(self, user, reason, on_date, **kwargs):
        services.entitlement_stop(user, self.entitlement.person, reason, on_date, **kwargs)

    def done_message(self):
        return _("Đã thôi hưởng mọi chế độ đang hưởng của người này.")


class EntitlementAdjustView(EntitlementActionView):
    name, form_class = "adjust", AdjustForm

    def form_kwargs(self):
        return {"entitlement": self.entitlement}

    def run(self, user, effective_month, **terms):
        return services.entitlement_adjust(user, self.entitlement, effective_month, **terms)

    def done_message(self):
        return _("Đã điều chỉnh; chế độ mới được ghi tiếp theo chế độ cũ.")


class EntitlementMoveView(EntitlementActionView):
    name, form_class = "move", MoveForm

    def form_kwargs(self):
        return {"user": self.request.user, "entitlement": self.entitlement}

    def run(self, user, to_commune, stop_month, **kwargs):
        return services.entitlement_move(user, self.entitlement, to_commune, stop_month,
                                         **kwargs)

    def done_message(self):
        return _("Đã chuyển nơi chi trả.")


# ---- applications --------------------------------------------------------------------------
