"""Cash receipts: the list, a draft with its lines (a formset whose lines must add up to the
total: the service says so when they do not), the receipt page, issuing (numbered, final)
and reversal with a reason. An issued receipt has no edit button, and its edit URL refuses
with 403: it can only be reversed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from ansinh.access.scoping import allows, require
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from .. import selectors, services
from ..choices import DonorKind, ReceiptStatus
from ..forms import ReceiptFilterForm, ReceiptForm, ReceiptLineFormSet, ReverseForm
from ..models import Receipt
from . import reads
from .common import FundsMixin, apply_errors, visible

LINE_FIELDS = ("fund", "restriction", "campaign", "amount")
PREFIX = "lines"
NEW_LINES = 2
FINAL = "Biên nhận đã cấp không được sửa; chỉ có thể lập bút toán hủy."


class ReceiptListView(FundsMixin, HtmxListMixin, View):
    template_name = "funds/receipt_list.html"
    partial_template_name = "funds/_receipt_table.html"

    def get(self, request):
        user = request.user
        form = ReceiptFilterForm(request.GET or None, user=user)
        qs = selectors.receipt_list(user).select_related("donor", "fund", "reversal")
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                donors = reads.donor_search(selectors.donor_list(user), data["q"])
                qs = qs.filter(Q(number__icontains=data["q"]) | Q(donor__in=donors)
                               | Q(document_ref=data["q"]))
            if data["status"] == "reversed":
                qs = qs.filter(reversal__isnull=False)
            elif data["status"]:
                qs = qs.filter(status=data["status"], reversal__isnull=True)
            if data["fund"]:
                qs = qs.filter(fund=data["fund"])
            if data["since"]:
                qs = qs.filter(received_on__gte=data["since"])
            if data["until"]:
                qs = qs.filter(received_on__lte=data["until"])
        page = paginate(qs.order_by("-received_on", "-pk"), request.GET.get("page"))
        return self.render_list({"form": form, "page": page})


def _receipt(user, pk) -> Receipt:
    return visible(Receipt.objects.select_related("fund", "donor", "pledge", "created_by",
                                                  "issued_by", "commune", "province"),
                   user, pk)


def _posted_lines(post) -> list[dict]:
    try:
        count = min(int(post.get(f"{PREFIX}-TOTAL_FORMS", 0)), 50)
    except ValueError:
        count = 0
    return [{k: post.get(f"{PREFIX}-{i}-{k}", "") for k in LINE_FIELDS} for i in range(count)]


class ReceiptEditorView(FundsMixin, View):
    """The form of a draft receipt, new or edited. "Thêm dòng" re-renders the form with the
    values typed so far and one more empty line, without validating (works without script)."""

    template_name = "funds/receipt_form.html"
    receipt: Receipt | None = None

    def initial(self) -> tuple[dict, list[dict]]:
        head = {"received_on": timezone.localdate(), "currency": "VND"}
        line = {}
        funds = list(selectors.fund_list(self.request.user, "funds")[:2])
        if len(funds) == 1:  # a centre with one fund need not pick it on every line
            head["fund"] = line["fund"] = funds[0].pk
        return head, [dict(line)] + [{} for _ in range(NEW_LINES - 1)]

    def render_form(self, form, formset, line_errors=()):
        return render(self.request, self.template_name, {
            "form": form, "formset": formset, "line_errors": line_errors,
            "receipt": self.receipt})

    def get(self, request, *args, **kwargs):
        head, lines = self.initial()
        user = request.user
        return self.render_form(
            ReceiptForm(user=user, initial=head),
            ReceiptLineFormSet(prefix=PREFIX, initial=lines, form_kwargs={"user": user}))

    def post(self, request, *args, **kwargs):
        user = request.user
        if "add_line" in request.POST:
            lines = _posted_lines(request.POST) + [{}]
            return self.render_form(
                ReceiptForm(user=user, initial=request.POST.dict()),
                ReceiptLineFormSet(prefix=PREFIX, initial=lines, form_kwargs={"user": user}))
        form = ReceiptForm(request.POST, user=user)
        formset = ReceiptLineFormSet(request.POST, prefix=PREFIX, form_kwargs={"user": user})
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(form, formset)
        try:
            receipt = self.save(user, lines=formset.lines(), **form.service_data())
        except ValidationError as exc:
            line_errors = []
            if hasattr(exc, "error_dict"):
                line_errors = exc.message_dict.pop("lines", [])
                exc = ValidationError(exc.message_dict) if exc.message_dict else None
            if exc is not None:
                apply_errors(form, exc)
            return self.render_form(form, formset, line_errors)
        messages.success(request, "Đã lưu biên nhận nháp; kiểm tra rồi bấm «Cấp biên nhận».")
        return HttpResponseRedirect(reverse("funds:receipt_detail", args=[receipt.pk]))


class ReceiptCreateView(ReceiptEditorView):
    def save(self, user, **data):
        return services.receipt_create(user, **data)


class ReceiptEditView(ReceiptEditorView):
    def prepare(self, request, *args, **kwargs):
        self.receipt = _receipt(request.user, kwargs["pk"])
        require(request.user, "funds", self.receipt)
        if self.receipt.status != ReceiptStatus.DRAFT:
            raise PermissionDenied(FINAL)

    def initial(self):
        lines = [{"fund": ln.fund_id, "restriction": ln.restriction_id,
                  "campaign": ln.campaign_id, "amount": ln.amount}
                 for ln in self.receipt.lines.order_by("pk")]
        return ReceiptForm.initial_from(self.receipt), lines + [{}]

    @transaction.atomic
    def save(self, user, **data):
        """A draft is replaced by a new draft built by `receipt_create`, so every rule of a
        receipt is checked in one place; the old draft (never numbered, never counted in a
        balance) is deleted with an audit row naming its successor."""
        old = Receipt.objects.select_for_update().get(pk=self.receipt.pk)
        if old.status != ReceiptStatus.DRAFT:
            raise PermissionDenied(FINAL)
        new = services.receipt_create(user, **data)
        audit_record(AuditAction.DELETE, old, changes={"replaced_by": new.pk,
                                                       "total": old.total})
        old.delete()
        return new


def receipt_page(request, receipt, reverse_form=None, status=200):
    user = request.user
    can_write = allows(user, "funds", receipt)
    reversal = getattr(receipt, "reversal", None) if receipt.issued else None
    context = {
        "receipt": receipt, "lines": receipt.lines.select_related(
            "fund", "restriction", "campaign").order_by("pk"),
        "reversal": reversal,
        "can_edit": can_write and receipt.status == ReceiptStatus.DRAFT,
        "can_issue": can_write and receipt.status == ReceiptStatus.DRAFT,
        "foreign_aid": receipt.donor.kind == DonorKind.FOREIGN_NGO or receipt.currency != "VND",
        "reverse_form": (reverse_form or ReverseForm(prefix="reverse"))
        if can_write and receipt.issued and reversal is None else None,
        "donor_name": selectors.donor_detail(user, receipt.donor)["name"],
        "original": ReceiptForm.initial_from(receipt)["original_amount"],
        "rate": f"{receipt.exchange_rate.normalize():f}" if receipt.exchange_rate else "",
    }
    return render(request, "funds/receipt_detail.html", context, status=status)


class ReceiptDetailView(FundsMixin, View):
    def get(self, request, pk):
        return receipt_page(request, _receipt(request.user, pk))


class ReceiptIssueView(FundsMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        receipt = _receipt(request.user, pk)
        try:
            receipt = services.receipt_issue(request.user, receipt)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Đã cấp biên nhận số {receipt.number}.")
        return HttpResponseRedirect(reverse("funds:receipt_detail", args=[pk]))


class ReceiptReverseView(FundsMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        receipt = _receipt(request.user, pk)
        form = ReverseForm(request.POST, prefix="reverse")
        if form.is_valid():
            try:
                services.receipt_reverse(request.user, receipt, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Đã lập bút toán hủy biên nhận {receipt.number}.")
                return HttpResponseRedirect(reverse("funds:receipt_detail", args=[pk]))
        return receipt_page(request, receipt, reverse_form=form, status=400)
