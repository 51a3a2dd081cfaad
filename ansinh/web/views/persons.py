from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from ansinh.access.scoping import allows, can, require
from ansinh.audit.models import AuditEvent
from ansinh.audit.services import audit_sensitive_read
from ansinh.registry import services
from ansinh.registry.models import Household, Person
from ansinh.registry.selectors import PERSON_LIST_FIELDS, person_search, persons_for
from ansinh.web.forms import PersonFilterForm, PersonForm
from ansinh.web.mixins import AreaMixin, ScopedQuerysetMixin
from ansinh.web.paginator import paginate
from ansinh.web.presenters import ChangePresenter

HISTORY_LIMIT = 200


class HtmxListMixin:
    """A list page whose table is also served alone, for HTMX live search and paging."""

    partial_template_name = ""

    def render_list(self, context):
        htmx = getattr(self.request, "htmx", None)
        partial = bool(htmx) and not htmx.history_restore_request and not htmx.boosted
        template = self.partial_template_name if partial else self.template_name
        response = render(self.request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


def filtered_persons(request):
    """The person list as filtered by the query string, ordered the Vietnamese way."""
    form = PersonFilterForm(request.GET or None, user=request.user)
    qs = person_search(persons_for(request.user, "view"), **form.search_kwargs())
    return form, qs


class PersonListView(AreaMixin, HtmxListMixin, View):
    template_name = "registry/person_list.html"
    partial_template_name = "registry/_person_table.html"

    def get(self, request):
        form, qs = filtered_persons(request)
        qs = qs.select_related("household", "commune").only(
            *PERSON_LIST_FIELDS, "household__code", "commune__name").order_by("sort_key", "pk")
        page = paginate(qs, request.GET.get("page"))
        return self.render_list({
            "form": form, "page": page,
            "can_add": can(request.user, "add"), "can_export": can(request.user, "export"),
        })


class PersonDetailView(ScopedQuerysetMixin, DetailView):
    model = Person
    template_name = "registry/person_detail.html"
    context_object_name = "person"

    def base_queryset(self):
        return Person.objects.select_related("household", "household__head", "commune",
                                             "province")

    def get_context_data(self, **kwargs):
        person = self.object
        user = self.request.user
        revealed = kwargs.pop("revealed", False)
        events = AuditEvent.objects.filter(object_type="person", object_id=person.pk)[
            :HISTORY_LIMIT
        ]
        return super().get_context_data(
            history=ChangePresenter(events, user, reveal=revealed).rows(),
            can_change=allows(user, "change", person),
            can_sensitive=allows(user, "sensitive", person),
            revealed=revealed,
            has_sensitive=any(
                getattr(person, f) not in ("", None) for f in Person.SENSITIVE_FIELDS
            ),
            **kwargs,
        )


class PersonRevealView(PersonDetailView):
    """POST only: show the sensitive fields once, and log that they were read."""

    action = "sensitive"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = person = self.get_object()
        audit_sensitive_read(person, list(Person.SENSITIVE_FIELDS))
        context = self.get_context_data(revealed=True)
        if getattr(request, "htmx", None):
            return render(request, "registry/_person_sensitive.html", context)
        return self.render_to_response(context)


class PersonFormView(AreaMixin, FormView):
    template_name = "registry/person_form.html"
    form_class = PersonForm
    person = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        if self.person is not None:
            # A fresh copy: the service snapshots the stored row before it applies the form.
            kwargs["instance"] = Person.objects.select_related("household").get(pk=self.person.pk)
            kwargs["show_sensitive"] = allows(user, "sensitive", self.person)
        else:
            kwargs["show_sensitive"] = can(user, "sensitive")
            kwargs["initial"] = self.initial_for_new()
        return {**kwargs, "user": user, "action": self.action}

    def initial_for_new(self):
        household_id = self.request.GET.get("household")
        if not (household_id or "").isdigit():
            return {}
        household = (
            Household.objects.filter(pk=household_id).select_related("commune").first()
        )
        if household is None or not allows(self.request.user, "add", household):
            return {}
        return {"household_code": household.code, "commune": household.commune_id}

    def form_valid(self, form):
        try:
            person = self.save(form.service_data())
        except ValidationError as exc:
            form.apply_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Đã lưu %(name)s.") % {"name": person.full_name})
        return HttpResponseRedirect(person_url(person))

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)


def person_url(person):
    return reverse("person_detail", args=[person.pk])


class PersonCreateView(PersonFormView):
    action = "add"

    def save(self, data):
        return services.person_create(self.request.user, **data)


class PersonEditView(PersonFormView):
    action = "change"

    def prepare(self, request, *args, **kwargs):
        self.person = get_object_or_404(persons_for(request.user, "view"), pk=kwargs["pk"])
        require(request.user, "change", self.person)

    def get(self, request, *args, **kwargs):
        # The edit form shows the sensitive values: that is a read, and it is logged.
        filled = [f for f in Person.SENSITIVE_FIELDS if getattr(self.person, f) not in ("", None)]
        if filled and allows(request.user, "sensitive", self.person):
            audit_sensitive_read(self.person, filled)
        return super().get(request, *args, **kwargs)

    def save(self, data):
        return services.person_update(self.request.user, self.person, **data)

