"""Pages of the monthly assistance: beneficiaries (đối tượng hưởng), applications (hồ sơ) and
decisions (quyết định).

The views are thin: they find the record among what the user may *view* (another area is a
404), check the action (403), call one enrolment service and redirect. A form the service
refuses is shown again on the same page with the service's message on its field.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from ansinh.access.scoping import allows, can, require, restrict
from ansinh.audit.services import audit_sensitive_read
from ansinh.payments.models import LedgerLine
from ansinh.registry.selectors import person_search, persons_for
from ansinh.web.mixins import AreaMixin
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from . import services
from .choices import Benefit, DecisionKind, StopReason, SuspendReason
from .forms import (
    HIV_CATEGORIES,
    AdjustForm,
    ApplicationFilterForm,
    ApplicationForm,
    DecisionFilterForm,
    EntitlementFilterForm,
    MoveForm,
    PostForm,
    PostingListForm,
    PrepareForm,
    RejectForm,
    ResumeForm,
    StopForm,
    SuspendForm,
    category_label,
    public_category_label,
)
from .models import Application, Attachment, Decision, Entitlement
from .numbering import SUFFIX
from .selectors import priced_month

PICKER_LIMIT = 15
LEDGER_LIMIT = 240
DUE_SOON_DAYS = 3


def person_matcher(user):
    """`q` → the ids of the persons it finds (name without diacritics, or ID number), as a
    subquery the list filters on."""
    def match(q: str):
        return person_search(persons_for(user, "view"), q=q).order_by().values("pk")
    return match


def label_categories(user, rows) -> list:
    """Each row gets `category_text`: the clause for staff who may read sensitive data on it,
    the public group for everyone else."""
    rows = list(rows)
    for row in rows:
        if allows(user, "sensitive", row):
            row.category_text = category_label(row.benefit, row.category)
        else:
            row.category_text = public_category_label(row.benefit, row.category)
    return rows


def put_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form's fields (or above the form)."""
    mapping = getattr(form, "error_field_map", {})
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        target = mapping.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


# ---- beneficiaries -------------------------------------------------------------------------

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
        decision.reason_text = _decision_reason(decision)
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


def _decision_reason(decision) -> str:
    reason = decision.reason or ""
    if decision.kind == DecisionKind.SUSPEND and reason in SuspendReason.values:
        return SuspendReason(reason).label
    return reason


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
            "reason_text": _decision_reason(decision),
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


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
        # Imported here: a fault in the document renderers must not take down every page
        # that merely links to a decision.
        from ansinh.documents import decision as documents

        try:
            document = decision_document(decision)
        except ValueError as exc:
            messages.error(request, _("Chưa in được quyết định: %(e)s") % {"e": exc})
            return HttpResponseRedirect(reverse("enrolment:decision_detail", args=[pk]))
        if fmt == "docx":
            content, content_type = documents.render_docx(document), DOCX
        else:
            content, content_type = documents.render_pdf(document), "application/pdf"
        response = HttpResponse(content, content_type=content_type)
        stem = f"quyet-dinh-{decision.number.split('/')[0]}-{decision.year}"
        response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
        return response


# ---- the printed decision ------------------------------------------------------------------
# Builds the document's dataclass from the records. It reads only; it would sit equally well
# in a selectors module of enrolment.

def split_unit_name(unit) -> tuple[str, str]:
    """Phường Ba Đình (kind "phường") → ("phường", "Ba Đình")."""
    kind = unit.kind or "xã"
    name = unit.name
    if name.lower().startswith(kind.lower() + " "):
        name = name[len(kind) + 1:]
    return kind, name


def decision_document(decision: Decision):
    from ansinh.documents.decision import DecisionDocument

    person = decision.person
    kind, name = split_unit_name(decision.commune)
    amount, coefficient = decision.monthly_amount, decision.coefficient
    entitlement = decision.entitlement
    if amount is None and entitlement is not None and decision.kind in (
            DecisionKind.GRANT, DecisionKind.ADJUST, DecisionKind.RESUME,
            DecisionKind.SUSPEND, DecisionKind.FUNERAL):
        amount, coefficient = priced_month(entitlement, decision.effective_month)
    funeral = decision.kind == DecisionKind.FUNERAL
    household = person.household
    residence = ", ".join(p for p in (household.address if household else "",
                                      decision.commune.name, decision.province.name) if p)
    new_residence = ""
    if decision.kind == DecisionKind.MOVE_OUT and entitlement is not None:
        following = Entitlement.objects.filter(previous=entitlement).select_related(
            "commune", "province").first()
        new_residence = (f"{following.commune.name}, {following.province.name}"
                         if following else person.commune.name)
    reason = _decision_reason(decision)
    if decision.kind == DecisionKind.TERMINATE and not reason and entitlement is not None \
            and entitlement.stop_reason in StopReason.values:
        reason = StopReason(entitlement.stop_reason).label
    benefit = Benefit(decision.benefit).label
    bases = [b.strip() for b in (decision.basis or services.default_basis(
        decision.benefit)).split(";") if b.strip()]
    return DecisionDocument(
        kind=decision.kind, commune_kind=kind, commune_name=name,
        signed_on=decision.signed_on, signer_name=decision.signer_name, signed=True,
        # The sequence as a number, so the document prints it the Decree 30 way ("01/…");
        # a decision recorded from an old register keeps its number as written.
        number=decision.sequence if decision.sequence is not None else decision.number,
        symbol=SUFFIX, full_name=person.full_name,
        birth_date=person.birth_display or None, gender=person.sex,
        id_number=person.id_number or "", residence=residence,
        benefit_label=benefit[:1].lower() + benefit[1:],
        category_label=category_label(decision.benefit, decision.category)
        if decision.category else "",
        coefficient=None if funeral else coefficient or None,
        monthly_amount=None if funeral else amount,
        funeral_amount=amount if funeral else None,
        funeral_payee=decision.recipient.full_name if funeral and decision.recipient else "",
        first_month=decision.effective_month, reason=reason or "",
        new_residence=new_residence,
        death_date=person.deceased_date if decision.kind in (
            DecisionKind.TERMINATE, DecisionKind.FUNERAL) else None,
        legal_bases=bases,
    )

