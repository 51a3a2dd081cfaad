"""Decisions (quyết định): the list, one decision, signing by an approver who did not
prepare it, and the printed document (.docx / .pdf)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from ansinh.access.scoping import allows, require, restrict
from ansinh.audit.services import audit_sensitive_read
from ansinh.web.mixins import AreaMixin
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from .. import services
from ..forms import (
    HIV_CATEGORIES,
    DecisionFilterForm,
    category_label,
    public_category_label,
)
from ..models import Decision
from ..printing import decision_file, decision_reason
from .common import label_categories, person_matcher


class DecisionListView(AreaMixin, HtmxListMixin, View):
    template_name = "enrolment/decision_list.html"
    partial_template_name = "enrolment/_decision_table.html"

    def get(self, request):
        user = request.user
        form = DecisionFilterForm(request.GET or None, user=user)
        qs = form.apply(restrict(Decision.objects.all(), user, "view"), person_matcher(user))
        drafts_first = Case(When(status=Decision.Status.DRAFT, then=Value(0)),
                            default=Value(1), output_field=IntegerField())
        qs = qs.select_related("person", "commune").order_by(drafts_first, "-signed_on",
                                                             "-pk")
        page = paginate(qs, request.GET.get("page"))
        page.object_list = label_categories(user, page.object_list)
        return self.render_list({"form": form, "page": page})


def _decision(user, pk) -> Decision:
    qs = restrict(Decision.objects.select_related(
        "person", "person__household", "commune", "province", "application", "entitlement",
        "prepared_by", "signer", "recipient"), user, "view")
    return get_object_or_404(qs, pk=pk)


def sign_refusal(user, decision) -> str:
    """Why the user may not sign this draft ('' when he may). The service checks it again."""
    if decision.status != Decision.Status.DRAFT:
        return _("Quyết định đã được ký.")
    if decision.prepared_by_id == user.pk:
        return _("Bạn là người lập dự thảo nên không được ký quyết định này.")
    try:
        services.check_approver(user, decision)
    except PermissionDenied as exc:
        return str(exc)
    return ""


class DecisionDetailView(AreaMixin, View):
    def get(self, request, pk):
        user = request.user
        decision = _decision(user, pk)
        exact = allows(user, "sensitive", decision)
        refusal = sign_refusal(user, decision) if decision.status == Decision.Status.DRAFT \
            else ""
        return render(request, "enrolment/decision_detail.html", {
            "decision": decision, "person": decision.person,
            "category_text": (category_label if exact else public_category_label)(
                decision.benefit, decision.category) if decision.category else "",
            "reason_text": decision_reason(decision),
            # The sign button is shown to approvers only; disabled, with the reason, when
            # this user may not sign this decision (the preparer, the wrong role).
            "show_sign": decision.status == Decision.Status.DRAFT
            and allows(user, "approve", decision),
            "sign_refusal": refusal,
            "can_download": decision.status == Decision.Status.SIGNED and (
                decision.category not in HIV_CATEGORIES or allows(user, "sensitive",
                                                                  decision)),
        })


class DecisionSignView(AreaMixin, View):
    action = "approve"
    http_method_names = ["post"]

    def post(self, request, pk):
        decision = _decision(request.user, pk)
        require(request.user, "approve", decision)
        try:
            decision = services.decision_sign(request.user, decision)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã ký quyết định số %(n)s.") % {"n": decision.number})
        return HttpResponseRedirect(reverse("enrolment:decision_detail", args=[pk]))


class DecisionDocumentView(AreaMixin, View):
    """The signed decision as .docx or .pdf, in the format of Decree 30/2020."""

    def get(self, request, pk, fmt):
        user = request.user
        decision = _decision(user, pk)
        if decision.status != Decision.Status.SIGNED:
            raise Http404("Chỉ tải được quyết định đã ký.")
        if decision.category in HIV_CATEGORIES:
            require(user, "sensitive", decision)
            audit_sensitive_read(decision, ["category"])
        try:
            content, content_type, filename = decision_file(decision, fmt)
        except ValueError as exc:
            messages.error(request, _("Chưa in được quyết định: %(e)s") % {"e": exc})
            return HttpResponseRedirect(reverse("enrolment:decision_detail", args=[pk]))
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
