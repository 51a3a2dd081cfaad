"""Applications (hồ sơ): receiving with attachments, the person picker, posting, preparing a
decision or rejecting, and the public posting list."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from ansinh.access.scoping import allows, can, require, restrict
from ansinh.audit.services import audit_sensitive_read
from ansinh.registry.selectors import person_search, persons_for
from ansinh.web.mixins import AreaMixin
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from .. import services
from ..choices import Benefit
from ..forms import (
    ApplicationFilterForm,
    ApplicationForm,
    PostForm,
    PostingListForm,
    PrepareForm,
    RejectForm,
    category_label,
    public_category_label,
)
from ..models import Application, Attachment, Decision
from .common import label_categories, person_matcher, put_errors

PICKER_LIMIT = 15
DUE_SOON_DAYS = 3


def due_state(app: Application, today: date) -> str:
    """'overdue' or 'soon' while the application still waits for the commune; '' otherwise."""
    if app.status not in (Application.Status.RECEIVED, Application.Status.POSTED):
        return ""
    if app.review_due < today:
        return "overdue"
    if (app.review_due - today).days <= DUE_SOON_DAYS:
        return "soon"
    return ""


class ApplicationListView(AreaMixin, HtmxListMixin, View):
    template_name = "enrolment/application_list.html"
    partial_template_name = "enrolment/_application_table.html"

    def get(self, request):
        user = request.user
        form = ApplicationFilterForm(request.GET or None, user=user)
        qs = form.apply(restrict(Application.objects.all(), user, "view"), person_matcher(user))
        open_first = Case(When(status__in=[Application.Status.RECEIVED,
                                           Application.Status.POSTED], then=Value(0)),
                          default=Value(1), output_field=IntegerField())
        qs = qs.select_related("person", "commune").order_by(open_first, "review_due", "pk")
        page = paginate(qs, request.GET.get("page"))
        today = timezone.localdate()
        page.object_list = label_categories(user, page.object_list)
        for app in page.object_list:
            app.due = due_state(app, today)
        return self.render_list({"form": form, "page": page, "can_add": can(user, "add")})


class ApplicationReceiveView(AreaMixin, FormView):
    action = "add"
    template_name = "enrolment/application_form.html"
    form_class = ApplicationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        person = self.request.GET.get("person", "")
        if person.isdigit():
            kwargs["initial"] = {**kwargs.get("initial", {}), "person": int(person)}
        return {**kwargs, "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        selected = form["person"].value()
        q = self.request.GET.get("q", "")
        candidates = list(_candidates(self.request.user, q)) if q else []
        chosen = None
        if str(selected or "").isdigit():
            chosen = persons_for(self.request.user, "add").select_related(
                "household").filter(pk=selected).first()
        if chosen and chosen not in candidates:
            candidates.insert(0, chosen)
        context.update(q=q, candidates=candidates,
                       selected=str(chosen.pk) if chosen else "")
        return context

    def form_valid(self, form):
        data = form.service_data()
        files = form.cleaned_data.get("attachments") or []
        try:
            with transaction.atomic():
                app = services.application_receive(self.request.user, **data)
                services.application_attach(self.request.user, app, files)
        except ValidationError as exc:
            form.apply_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Đã tiếp nhận hồ sơ của %(name)s; hạn xử lý "
                                         "%(due)s.") % {
            "name": app.person.full_name, "due": app.review_due.strftime("%d/%m/%Y")})
        return HttpResponseRedirect(reverse("enrolment:application_detail", args=[app.pk]))


def _candidates(user, q):
    return person_search(persons_for(user, "add"), q=q).select_related(
        "household", "commune")[:PICKER_LIMIT]


class PersonPickerView(AreaMixin, View):
    """The candidates of the receive form, for its live search."""

    action = "add"

    def get(self, request):
        q = request.GET.get("q", "").strip()
        candidates = list(_candidates(request.user, q)) if q else []
        return render(request, "enrolment/_person_candidates.html",
                      {"candidates": candidates, "q": q,
                       "selected": request.GET.get("person", "")})


def _application(user, pk) -> Application:
    qs = restrict(Application.objects.select_related(
        "person", "person__household", "recipient", "commune", "province", "prepared_by"),
        user, "view")
    return get_object_or_404(qs, pk=pk)


def application_page(request, app, bound=None):
    user = request.user
    exact = allows(user, "sensitive", app)
    today = timezone.localdate()
    forms = {}
    open_status = app.status in (Application.Status.RECEIVED, Application.Status.POSTED)
    if allows(user, "change", app):
        if app.status == Application.Status.RECEIVED:
            forms["post"] = PostForm(prefix="post")
        if app.status == Application.Status.POSTED and not app.decisions.filter(
                status=Decision.Status.DRAFT).exists():
            forms["prepare"] = PrepareForm(prefix="prepare")
    if allows(user, "approve", app) and open_status:
        forms["reject"] = RejectForm(prefix="reject")
    if bound:
        forms.update(bound)
    decisions = list(app.decisions.order_by("pk"))
    context = {
        "app": app, "person": app.person, "exact": exact,
        "category_text": (category_label if exact else public_category_label)(
            app.benefit, app.category),
        "due": due_state(app, today),
        "posting_over": bool(app.posted_until and today > app.posted_until),
        "forms": forms, "decisions": decisions,
        "entitlement": next((d.entitlement for d in decisions if d.entitlement_id), None),
        "attachments": app.attachments.order_by("pk"),
        "can_read_attachments": allows(user, "sensitive", app),
    }
    return render(request, "enrolment/application_detail.html", context)


class ApplicationDetailView(AreaMixin, View):
    def get(self, request, pk):
        return application_page(request, _application(request.user, pk))


class ApplicationActionView(AreaMixin, View):
    http_method_names = ["post"]
    action = "change"
    name = ""
    form_class = None

    def prepare(self, request, *args, **kwargs):
        self.app = _application(request.user, kwargs["pk"])
        require(request.user, self.action, self.app)

    def post(self, request, pk):
        form = self.form_class(request.POST, prefix=self.name)
        if form.is_valid():
            try:
                target = self.run(request.user, form.cleaned_data)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                return HttpResponseRedirect(target)
        return application_page(request, self.app, bound={self.name: form})

    def detail_url(self):
        return reverse("enrolment:application_detail", args=[self.app.pk])


class ApplicationPostView(ApplicationActionView):
    name, form_class = "post", PostForm

    def run(self, user, data):
        app = services.application_post(user, self.app, data["posted_from"])
        messages.success(self.request, _("Đã niêm yết từ %(a)s đến hết %(b)s.") % {
            "a": app.posted_from.strftime("%d/%m/%Y"), "b": app.posted_until.strftime("%d/%m/%Y")})
        return self.detail_url()


class ApplicationPrepareView(ApplicationActionView):
    name, form_class = "prepare", PrepareForm

    def run(self, user, data):
        decision = services.decision_prepare_grant(user, self.app, data.get("basis", ""))
        messages.success(self.request, _("Đã lập dự thảo quyết định; chờ lãnh đạo ký."))
        return reverse("enrolment:decision_detail", args=[decision.pk])


class ApplicationRejectView(ApplicationActionView):
    name, form_class, action = "reject", RejectForm, "approve"

    def run(self, user, data):
        services.application_reject(user, self.app, data["rejection_reason"])
        messages.success(self.request, _("Đã từ chối hồ sơ."))
        return self.detail_url()


class AttachmentView(AreaMixin, View):
    """An uploaded paper: a disability or HIV certificate is as sensitive as the fields that
    say so, so it needs the sensitive action and every read is logged."""

    action = "sensitive"

    def get(self, request, pk):
        attachment = get_object_or_404(
            Attachment.objects.filter(application__in=restrict(
                Application.objects.all(), request.user, "view")).select_related("application"),
            pk=pk)
        require(request.user, "sensitive", attachment.application)
        audit_sensitive_read(attachment.application, [f"attachment:{attachment.title}"])
        return FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.title)


class PostingListView(AreaMixin, View):
    """Danh sách niêm yết công khai: printable, per commune. Only what may be made public:
    name, year of birth, address, the public group of the category, the posting dates."""

    def get(self, request):
        user = request.user
        form = PostingListForm(request.GET or None, user=user)
        commune = None
        if form.is_bound and form.is_valid():
            commune = form.cleaned_data["commune"]
        elif not form.is_bound and form.fields["commune"].initial:
            commune = form.fields["commune"].queryset.get(pk=form.fields["commune"].initial)
        rows = []
        if commune is not None:
            rows = list(restrict(Application.objects.all(), user, "view").filter(
                commune=commune, status=Application.Status.POSTED).select_related(
                "person", "person__household").order_by("person__sort_key", "pk"))
            for app in rows:
                app.public_label = public_category_label(app.benefit, app.category)
                app.address = (app.person.household.address if app.person.household_id
                               else "") or commune.name
        return render(request, "enrolment/posting_list.html", {
            "form": form, "commune": commune, "rows": rows, "today": timezone.localdate(),
            "benefits": dict(Benefit.choices)})


# ---- decisions -----------------------------------------------------------------------------
