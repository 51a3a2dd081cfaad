"""The payroll page: one month for the user's area.

Run (prepare or refresh the draft) needs the `payroll` action, approval `approve` (the service
refuses the user who ran it), exports and payment lists `export`. Totals and lines are read
through the same scoping as everything else; categories are shown as public groups to whoever
may not read sensitive data (see ansinh.enrolment.forms).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, Min, Q, Sum, When
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from ansinh.access.scoping import allows, can, require, restrict
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.months import add_months, format_month, format_month_vn, month_of
from ansinh.enrolment.choices import Channel
from ansinh.enrolment.forms import (
    category_label,
    public_category_label,
    sees_exact_categories,
)
from ansinh.enrolment.printing import split_unit_name
from ansinh.enrolment.views.common import label_categories, person_matcher
from ansinh.web.mixins import AreaMixin
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from . import services
from .forms import LineFilterForm, MonthForm
from .models import LedgerLine, Payment, PayrollMonth, PayrollRun

ADJUSTMENT_LIMIT = 500
CASH_CHANNELS = (Channel.CASH, Channel.HOME)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def requested_month(data) -> date:
    """The month of the query string or form (mm/yyyy or yyyy-mm); this month by default."""
    form = MonthForm(data)
    if data.get("month") and form.is_valid():
        return form.cleaned_data["month"]
    return month_of(timezone.localdate())


def month_url(month: date) -> str:
    return f"{reverse('payments:payroll_month')}?month={format_month(month)}"


def _amounts():
    regular = Sum(Case(When(kind=LedgerLine.Kind.REGULAR, then="amount"), default=0,
                       output_field=IntegerField()))
    adjustment = Sum(Case(When(~Q(kind=LedgerLine.Kind.REGULAR), then="amount"), default=0,
                          output_field=IntegerField()))
    return {"regular": regular, "adjustment": adjustment}


def category_totals(lines, exact: bool) -> list[dict]:
    rows = lines.values("benefit", "category").annotate(
        persons=Count("recipient", distinct=True), **_amounts()).order_by("benefit", "category")
    merged: dict[str, dict] = {}
    for row in rows:
        label = (category_label if exact else public_category_label)(row["benefit"],
                                                                      row["category"])
        total = merged.setdefault(label, {"label": label, "persons": 0, "regular": 0,
                                          "adjustment": 0})
        for key in ("persons", "regular", "adjustment"):
            total[key] += row[key] or 0
    for total in merged.values():
        total["total"] = total["regular"] + total["adjustment"]
    return list(merged.values())


def channel_totals(lines) -> list[dict]:
    labels = dict(Channel.choices)
    rows = list(lines.values("payment_channel").annotate(
        persons=Count("recipient", distinct=True), **_amounts()).order_by("payment_channel"))
    for row in rows:
        row["label"] = labels.get(row["payment_channel"], row["payment_channel"])
        row["total"] = (row["regular"] or 0) + (row["adjustment"] or 0)
    return rows


class PayrollMonthView(AreaMixin, HtmxListMixin, View):
    template_name = "payments/payroll_month.html"
    partial_template_name = "payments/_line_table.html"

    def get(self, request):
        user = request.user
        month = requested_month(request.GET)
        payrolls = list(restrict(PayrollMonth.objects.all(), user, "view").filter(
            month=month).select_related("commune", "prepared_by", "approved_by").order_by(
            "commune__name"))
        lines = restrict(LedgerLine.objects.all(), user, "view").filter(payroll__month=month)
        form = LineFilterForm(request.GET or None, user=user)
        listed = form.apply(lines, person_matcher(user)).select_related(
            "recipient", "person", "commune").order_by("commune__name", "recipient__sort_key",
                                                       "month", "pk")
        page = paginate(listed, request.GET.get("page"))
        page.object_list = label_categories(user, page.object_list)
        comma = not (get_language() or "vi").startswith("en")  # 1,5 in Vietnamese
        for line in page.object_list:
            line.coefficient_text = (line.coefficient or "").replace(".", "," if comma else ".")
        context = {"form": form, "page": page, "month": month}
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.history_restore_request and not htmx.boosted:
            return self.render_list(context)  # the line table alone
        adjustments = label_categories(user, lines.exclude(kind=LedgerLine.Kind.REGULAR)
                                       .select_related("recipient", "commune")
                                       .order_by("commune__name", "recipient__sort_key",
                                                 "month")[:ADJUSTMENT_LIMIT])
        drafts = [p for p in payrolls if p.status == PayrollMonth.Status.DRAFT]
        for payroll in payrolls:
            payroll.can_list = (payroll.status == PayrollMonth.Status.APPROVED
                                and allows(user, "export", payroll))
        context.update(
            payrolls=payrolls,
            totals={"beneficiaries": sum(p.beneficiaries for p in payrolls),
                    "regular": sum(p.regular_total for p in payrolls),
                    "adjustment": sum(p.adjustment_total for p in payrolls),
                    "total": sum(p.total for p in payrolls)},
            by_category=category_totals(lines, sees_exact_categories(user)),
            by_channel=channel_totals(lines),
            adjustments=adjustments,
            adjustments_limited=len(adjustments) == ADJUSTMENT_LIMIT,
            month_text=format_month_vn(month), month_value=format_month(month),
            previous_url=month_url(add_months(month, -1)),
            next_url=month_url(add_months(month, 1)),
            can_run=can(user, "payroll"),
            run=PayrollRun.objects.filter(requested_by=user, month=month).order_by("-pk")
            .first(),
            can_approve=any(allows(user, "approve", p) for p in drafts),
            approve_blocked=bool(drafts) and all(p.prepared_by_id == user.pk for p in drafts
                                                 if allows(user, "approve", p)),
            can_export=can(user, "export") and any(
                p.status == PayrollMonth.Status.APPROVED for p in payrolls),
        )
        return self.render_list(context)


class PayrollActionView(AreaMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        month = requested_month(request.POST)
        try:
            self.run(request.user, month)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return HttpResponseRedirect(month_url(month))


class PayrollRunView(PayrollActionView):
    action = "payroll"

    def run(self, user, month):
        if getattr(settings, "PAYROLL_USE_TASKS", False):
            return self.enqueue(user, month)
        result = services.payroll_run(user, month)
        if not result.communes:
            messages.info(self.request, _("Không có ai cần chi trả tháng %(m)s trong địa bàn "
                                          "của bạn.") % {"m": format_month_vn(month)})
            return
        messages.success(self.request, _(
            "Đã lập bảng chi trả tháng %(m)s: %(c)s xã/phường, %(n)s người, hằng tháng "
            "%(r)s đ, truy lĩnh/truy thu %(a)s đ.") % {
            "m": format_month_vn(month), "c": result.communes, "n": result.beneficiaries,
            "r": _vnd(result.regular_total), "a": _vnd(result.adjustment_total)})


    def enqueue(self, user, month):
        from .tasks import payroll_run_enqueue

        _run, queued = payroll_run_enqueue(user, month)
        if not queued:
            messages.info(self.request, _("Bảng chi trả tháng %(m)s đang được lập.")
                          % {"m": format_month_vn(month)})
            return
        messages.info(self.request, _("Đã bắt đầu lập bảng chi trả tháng %(m)s; trang sẽ tự "
                                      "cập nhật khi xong.") % {"m": format_month_vn(month)})


class PayrollRunStatusView(AreaMixin, View):
    """HTMX poll target: the run's state, and a page refresh once it has finished."""

    action = "payroll"

    def get(self, request, pk):
        run = get_object_or_404(PayrollRun, pk=pk, requested_by=request.user)
        if not run.active and request.GET.get("polling"):
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "payments/_run.html", {"run": run})


class PayrollApproveView(PayrollActionView):
    action = "approve"

    def run(self, user, month):
        try:
            approved = services.payroll_approve(user, month)
        except PermissionDenied as exc:
            # The maker–checker rule, not a missing role: say it on the page.
            messages.error(self.request, str(exc))
            return
        messages.success(self.request, _("Đã phê duyệt bảng chi trả tháng %(m)s của %(n)s "
                                         "xã/phường.") % {"m": format_month_vn(month),
                                                          "n": len(approved)})


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


class PayrollExportView(AreaMixin, View):
    """The approved month as CSV, one row per paid person and benefit (`payroll_rows`)."""

    action = "export"

    def get(self, request):
        month = requested_month(request.GET)
        body, count = services.payroll_csv(request.user, month, approved_only=True)
        if not count:
            messages.error(request, _("Chưa có bảng chi trả đã phê duyệt tháng %(m)s để "
                                      "xuất.") % {"m": format_month_vn(month)})
            return HttpResponseRedirect(month_url(month))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="bang-chi-tra-'
                                           f'{format_month(month)}.csv"')
        return response


class ProviderFileView(AreaMixin, View):
    """The bank's or e-wallet provider's file of an approved month (`provider.provider_file`)."""

    action = "export"

    def get(self, request, channel):
        from .provider import provider_file

        month = requested_month(request.GET)
        try:
            body, count = provider_file(request.user, month, channel)
        except ValidationError:
            raise Http404 from None
        if not count:
            messages.error(request, _("Không có khoản chi trả qua %(ch)s đã phê duyệt tháng "
                                      "%(m)s.") % {"ch": channel, "m": format_month_vn(month)})
            return HttpResponseRedirect(month_url(month))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="{channel}-'
                                           f'{format_month(month)}.csv"')
        return response


class PaymentListView(AreaMixin, View):
    """The cash payment list of one commune's approved month, for the post office point:
    one line per person and category, signed or thumb-printed when paid."""

    action = "export"

    def get(self, request, pk, fmt):
        # Imported here: a fault in the renderers must not take the payroll page down too.
        from ansinh.documents import payment_list as documents

        user = request.user
        payroll = get_object_or_404(restrict(PayrollMonth.objects.select_related(
            "commune", "province", "prepared_by"), user, "view"), pk=pk)
        require(user, "export", payroll)
        if payroll.status != PayrollMonth.Status.APPROVED:
            messages.error(request, _("Chỉ in danh sách chi trả của bảng đã phê duyệt."))
            return HttpResponseRedirect(month_url(payroll.month))
        document = documents.PaymentList(**self.list_fields(payroll),
                                         rows=self.rows(payroll, documents.PaymentRow))
        content = (documents.render_pdf(document) if fmt == "pdf"
                   else documents.render_xlsx(document))
        audit_record(AuditAction.EXPORT, payroll, changes={"payment_list": fmt,
                                                           "rows": len(document.rows)})
        response = HttpResponse(content, content_type="application/pdf" if fmt == "pdf"
                                else XLSX)
        response["Content-Disposition"] = (f'attachment; filename="danh-sach-chi-tra-'
                                           f'{payroll.commune.code}-{format_month(payroll.month)}'
                                           f'.{fmt}"')
        return response

    @staticmethod
    def list_fields(payroll) -> dict:
        kind, name = split_unit_name(payroll.commune)
        preparer = payroll.prepared_by
        return {"commune_name": name, "commune_kind": kind, "month": payroll.month,
                "province_name": payroll.province.name,
                "prepared_on": timezone.localdate(),
                "prepared_by": (preparer.get_full_name() or preparer.get_username())
                if preparer else ""}

    @staticmethod
    def rows(payroll, row_class) -> list:
        """One row per payment (person and benefit) handed out in cash or at home: this
        month's amount, arrears or recovery, and what earlier months left uncollected."""
        amounts = {
            (r["recipient_id"], r["benefit"]): r for r in
            LedgerLine.objects.filter(payroll=payroll).values("recipient_id", "benefit")
            .annotate(category=Min("category"), **_amounts())
        }
        # Debts and settled offsets hand nothing out: they have no line to sign.
        payments = (Payment.objects.filter(payroll=payroll, payment_channel__in=CASH_CHANNELS)
                    .exclude(status__in=(Payment.Status.DEBT, Payment.Status.SETTLED))
                    .select_related("recipient", "recipient__household")
                    .order_by("recipient__sort_key", "recipient_id", "benefit"))
        rows = []
        for payment in payments:
            ledger = amounts.get((payment.recipient_id, payment.benefit), {})
            person = payment.recipient
            rows.append(row_class(
                full_name=person.full_name, id_number=person.id_number or "",
                address=person.household.address if person.household_id else "",
                # The list is passed around at the pay point: public groups only.
                category=public_category_label(payment.benefit, ledger.get("category", "")),
                amount=ledger.get("regular") or 0, adjustment=ledger.get("adjustment") or 0,
                carried=payment.carried))
        return rows
