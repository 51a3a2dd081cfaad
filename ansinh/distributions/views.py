"""Pages of distributions: cycles, their recipient lists, approval, hand-out with proof, the
signature list, sponsorships.

Every page asks for the `funds` right somewhere, as the other pages of the fund do (a commune
officer or an auditor without it gets 403). Thin: a record is looked up among what the user
may view (another area is a 404), one service is called (which checks `funds` on the
record's area, 403), and a refusal comes back as a message on the cycle's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from ansinh.access.scoping import allows, can
from ansinh.core.money_words import format_money
from ansinh.registry.selectors import households_for, persons_for
from ansinh.web.mixins import AreaMixin

from . import handouts, selectors, services
from .choices import LineStatus, ListStatus
from .criteria_display import criteria_display
from .forms import (
    AddRecipientForm,
    CycleForm,
    HandoutForm,
    HandoutListForm,
    NoteForm,
    SponsorshipForm,
)
from .models import Recipient


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


class CycleListView(AreaMixin, View):
    action = "funds"

    def get(self, request, form=None):
        user = request.user
        cycles = list(selectors.cycle_list(user))
        for c in cycles:
            c.counts = selectors.cycle_counts(c)
        can_create = can(user, "funds")
        if can_create and form is None:
            form = CycleForm(user=user)
        return render(request, "distributions/cycle_list.html",
                      {"cycles": cycles, "form": form if can_create else None})

    def post(self, request):
        form = CycleForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                cycle = services.cycle_create(request.user, **form.service_kwargs())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Đã mở đợt «%(cycle)s».") % {"cycle": cycle})
                return HttpResponseRedirect(reverse("distributions:cycle_detail",
                                                    args=[cycle.pk]))
        return self.get(request, form=form)


class CycleMixin(AreaMixin):
    action = "funds"

    def prepare(self, request, pk, *args, **kwargs):
        self.cycle = get_object_or_404(selectors.cycle_list(request.user), pk=pk)

    def back(self):
        return HttpResponseRedirect(reverse("distributions:cycle_detail", args=[self.cycle.pk]))


class CycleDetailView(CycleMixin, View):
    def get(self, request, pk):
        user, cycle = request.user, self.cycle
        rows = selectors.recipient_rows(user, cycle)
        return render(request, "distributions/cycle_detail.html", {
            "cycle": cycle, "counts": selectors.cycle_counts(cycle),
            "criteria_text": criteria_display(
                cycle.criteria, reveal=allows(user, "sensitive", cycle)),
            "items": cycle.items.select_related("item"),
            "lists": cycle.lists.select_related("submitted_by", "decided_by"),
            "rows": rows, "can_work": allows(user, "funds", cycle),
            "can_approve": allows(user, "fund_approve", cycle),
            "add_form": AddRecipientForm(), "note_form": NoteForm(),
            "handout_form": HandoutForm(), "approved": LineStatus.APPROVED,
            "handout_list_form": HandoutListForm(cycle=cycle, auto_id="handout-list-%s"),
            "pending": LineStatus.PENDING, "draft": ListStatus.DRAFT,
            "submitted": ListStatus.SUBMITTED, "approved_list": ListStatus.APPROVED,
        })


class CycleBuildView(CycleMixin, View):
    action = "funds"

    def post(self, request, pk):
        try:
            rlist, added = services.recipients_build(request.user, self.cycle)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Đã thêm %(added)s người nhận vào danh sách số "
                                        "%(number)s.") % {"added": added, "number": rlist.number})
        return self.back()


class RecipientAddView(CycleMixin, View):
    action = "funds"

    def post(self, request, pk):
        form = AddRecipientForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Thông tin người nhận không hợp lệ."))
            return self.back()
        d = form.cleaned_data
        person = household = None
        if d["id_number"]:
            person = persons_for(request.user).filter(id_number=d["id_number"].strip()).first()
            if person is None:
                messages.error(request, _("Không có người có số định danh %(number)s trong địa "
                                          "bàn của bạn.") % {"number": d["id_number"]})
                return self.back()
        elif d["household_code"]:
            households = households_for(request.user).filter(code=d["household_code"].strip())
            if self.cycle.commune_id:
                households = households.filter(commune_id=self.cycle.commune_id)
            household = households.first() if households.count() == 1 else None
            if household is None:
                messages.error(request, _("Không tìm được đúng một hộ mã %(code)s.")
                               % {"code": d["household_code"]})
                return self.back()
        else:
            messages.error(request, _("Nhập số định danh hoặc mã hộ."))
            return self.back()
        try:
            services.recipient_add(request.user, self.cycle, person=person, household=household,
                                   exception_reason=d["exception_reason"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Đã thêm người nhận."))
        return self.back()


class ListActionView(CycleMixin, View):
    """Submit, approve or reject one of the cycle's lists."""

    action = "funds"
    verbs = {"submit": _("Đã gửi duyệt danh sách."), "approve": _("Đã phê duyệt danh sách."),
             "reject": _("Đã từ chối danh sách.")}

    def post(self, request, pk, list_pk, verb):
        if verb not in self.verbs:
            raise Http404
        rlist = get_object_or_404(selectors.list_list(request.user), pk=list_pk,
                                  cycle=self.cycle)
        note = request.POST.get("note", "")
        try:
            if verb == "submit":
                services.list_submit(request.user, rlist)
            elif verb == "approve":
                services.list_approve(request.user, rlist, note=note)
            else:
                services.list_reject(request.user, rlist, note=note)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, self.verbs[verb])
        return self.back()


class SignatureListView(CycleMixin, View):
    action = "funds"

    def get(self, request, pk, list_pk):
        rlist = get_object_or_404(selectors.list_list(request.user), pk=list_pk,
                                  cycle=self.cycle)
        try:
            pdf = services.list_signature_pdf(request.user, rlist)
        except ValidationError as exc:
            _refused(request, exc)
            return self.back()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (f'inline; filename="danh-sach-ky-nhan-'
                                           f'{self.cycle.pk}-{rlist.number}.pdf"')
        return response


class HandoutView(CycleMixin, View):
    action = "funds"

    def post(self, request, pk, line_pk):
        line = get_object_or_404(selectors.recipient_list(request.user, self.cycle),
                                 pk=line_pk)
        form = HandoutForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Minh chứng không hợp lệ."))
            return self.back()
        d = form.cleaned_data
        try:
            services.handout_record(request.user, line, proof_kind=d["proof_kind"],
                                    photo=d["photo"], handed_out_on=d["handed_out_on"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Đã ghi nhận phát quà."))
        return self.back()


class HandoutListView(CycleMixin, View):
    """The hand-out of every approved recipient of the cycle (or of one commune) at once,
    with the scanned signed list as proof."""

    action = "funds"

    def post(self, request, pk):
        form = HandoutListForm(request.POST, request.FILES, cycle=self.cycle)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return self.back()
        d = form.cleaned_data
        try:
            counts = handouts.handout_record_list(
                request.user, self.cycle, proof=d["proof"], commune=d["commune"],
                handed_out_on=d["handed_out_on"], note=d["note"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            skipped = [what % {"n": n} for n, what in (
                (counts["already_handed_out"], _("%(n)s đã nhận trước đó")),
                (counts["not_printed"], _("%(n)s chưa in danh sách ký nhận")),
                (counts["deceased"], _("%(n)s đã mất"))) if n]
            done = {"n": counts["handed_out"], "skipped": ", ".join(skipped)}
            messages.success(request, _("Đã ghi nhận phát cho %(n)s người nhận (bỏ qua: "
                                        "%(skipped)s).") % done if skipped
                             else _("Đã ghi nhận phát cho %(n)s người nhận.") % done)
        return self.back()


class RecipientCancelView(CycleMixin, View):
    action = "funds"

    def post(self, request, pk, line_pk):
        line = get_object_or_404(Recipient.objects.filter(cycle=self.cycle), pk=line_pk)
        try:
            line = services.recipient_cancel(request.user, line,
                                             reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            _refused(request, exc)
        else:
            returned = line.cash if line.recipient_list.allocation_id else 0
            message = _("Đã hủy người nhận.")
            if returned:
                message += " " + _("%(amount)s hoàn lại quỹ.") % {"amount": format_money(returned)}
            messages.success(request, message)
        return self.back()


class SponsorshipListView(AreaMixin, View):
    action = "funds"

    def get(self, request, form=None):
        user = request.user
        if form is None and can(user, "funds"):
            form = SponsorshipForm(user=user)
        return render(request, "distributions/sponsorship_list.html", {
            "sponsorships": selectors.sponsorship_list(user).order_by("donor__name",
                                                                      "-starts_on"),
            "by_donor": selectors.sponsorships_by_donor(user),
            "states": selectors.SPONSORSHIP_STATES, "form": form})

    def post(self, request):
        form = SponsorshipForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            household = households_for(request.user).filter(
                code=d["household_code"].strip(), commune__code=d["commune_code"].strip()
            ).first()
            if household is None:
                form.add_error("household_code", _("Không có hộ này trong địa bàn của bạn."))
            else:
                try:
                    services.sponsorship_create(
                        request.user, donor=d["donor"], household=household,
                        starts_on=d["starts_on"], support=d["support"], amount=d["amount"],
                        note=d["note"])
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    messages.success(request, _("Đã ghi nhận việc nhận đỡ đầu."))
                    return HttpResponseRedirect(reverse("distributions:sponsorship_list"))
        return self.get(request, form=form)


