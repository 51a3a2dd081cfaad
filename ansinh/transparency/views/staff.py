"""Staff pages under /cong-khai/quan-ly/: preview a campaign's or a fund's figures, publish
them (`funds`), check a snapshot against the ledger, withdraw one (`fund_approve`), and set
the fund's "how to give" text. Scoped like every page: a subject outside the user's area is a
404, one they may see but not publish is a 403."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from ansinh.access.scoping import allows, restrict
from ansinh.funds.models import Campaign, Fund
from ansinh.web.mixins import AreaMixin

from .. import selectors, services
from ..forms import GivingForm, PublishForm, WithdrawForm, apply_errors
from ..models import GivingInfo, Snapshot
from .public import figures_context

SUBJECTS = {"chien-dich": Campaign, "quy": Fund}


def _subject(user, kind: str, pk: int, action: str = "funds"):
    model = SUBJECTS.get(kind)
    obj = model and restrict(model.objects.all(), user, "view").filter(pk=pk).first()
    if obj is None:
        raise Http404("Không tìm thấy trong địa bàn của bạn.")
    if not allows(user, action, obj):
        raise PermissionDenied("Bạn không có quyền công khai số liệu của quỹ này.")
    return obj


def _snapshot(user, pk: int) -> Snapshot:
    snap = selectors.snapshots_for(user, "view").filter(pk=pk).first()
    if snap is None:
        raise Http404("Không tìm thấy bản công khai trong địa bàn của bạn.")
    return snap


class ManageView(AreaMixin, View):
    action = "funds"

    def get(self, request):
        user = request.user
        latest = {}
        for snap in selectors.snapshots_for(user).filter(withdrawn_at__isnull=True):
            key = (snap.kind, snap.campaign_id or snap.fund_id)
            latest.setdefault(key, snap)
        campaigns = [(c, latest.get(("campaign", c.pk)))
                     for c in selectors.campaigns_for(user).order_by("-starts_on", "pk")[:200]]
        funds = [(f, latest.get(("fund", f.pk)))
                 for f in selectors.funds_for(user).order_by("name", "pk")[:200]]
        return render(request, "transparency/manage.html", {
            "campaigns": campaigns, "funds": funds,
            "snapshots": selectors.snapshots_for(user)[:50]})


class PreviewView(AreaMixin, View):
    """GET shows what would be published (the public layout with a banner); POST publishes."""

    action = "funds"

    def prepare(self, request, kind, pk):
        self.kind = kind
        self.subject = _subject(request.user, kind, pk)

    def _render(self, request, form, status=200):
        start = end = None
        if form.is_valid():
            start = form.cleaned_data["period_start"]
            end = form.cleaned_data["period_end"]
        context = {"subject": self.subject, "kind": self.kind, "form": form}
        try:
            start, end = services.clean_period(self.subject, start, end)
            figures = selectors.preview(self.subject, start, end)
            context.update(figures_context(figures), start=start, end=end,
                           title=(form.cleaned_data.get("title") if form.is_valid() else "")
                           or services.default_title(self.subject, end))
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 400
        return render(request, "transparency/preview.html", context, status=status)

    def get(self, request, kind, pk):
        return self._render(request, PublishForm(request.GET or None))

    def post(self, request, kind, pk):
        form = PublishForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        field = "campaign" if isinstance(self.subject, Campaign) else "fund"
        try:
            snap = services.snapshot_publish(
                request.user, period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"], title=form.cleaned_data["title"],
                **{field: self.subject})
        except ValidationError as exc:
            apply_errors(form, exc)
            return self._render(request, form, status=400)
        messages.success(request, _("Đã công bố «%(title)s».") % {"title": snap.title})
        return redirect("transparency:manage_snapshot", pk=snap.pk)


class SnapshotView(AreaMixin, View):
    """One snapshot for staff: its check against the ledger, and the withdrawal form."""

    action = "funds"

    def get(self, request, pk):
        snap = _snapshot(request.user, pk)
        return render(request, "transparency/manage_snapshot.html", {
            "snapshot": snap, "check": selectors.snapshot_verify(snap),
            "can_withdraw": not snap.withdrawn and allows(request.user, "fund_approve", snap),
            "form": WithdrawForm()})


class WithdrawView(AreaMixin, View):
    action = "fund_approve"

    def post(self, request, pk):
        snap = _snapshot(request.user, pk)
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.snapshot_withdraw(request.user, snap,
                                           reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã thu hồi bản công khai."))
                return redirect("transparency:manage_snapshot", pk=snap.pk)
        return render(request, "transparency/manage_snapshot.html", {
            "snapshot": snap, "check": selectors.snapshot_verify(snap),
            "can_withdraw": True, "form": form}, status=400)


class GivingView(AreaMixin, View):
    action = "funds"

    def prepare(self, request, pk):
        self.fund = _subject(request.user, "quy", pk)
        self.info = GivingInfo.objects.filter(fund=self.fund).first()

    def get(self, request, pk):
        form = GivingForm(instance=self.info)
        return render(request, "transparency/giving_form.html",
                      {"fund": self.fund, "form": form})

    def post(self, request, pk):
        form = GivingForm(request.POST, instance=self.info)
        if form.is_valid():
            try:
                services.giving_info_set(request.user, self.fund, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu hướng dẫn đóng góp."))
                return redirect(reverse("transparency:manage"))
        return render(request, "transparency/giving_form.html",
                      {"fund": self.fund, "form": form}, status=400)
