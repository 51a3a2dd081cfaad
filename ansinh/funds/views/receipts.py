"""Receipts of money, goods and services: the list, a draft with its lines (a formset whose
lines must add up to the total: the service says so when they do not), edited in place while
a draft, the receipt page, issuing (numbered, final; goods enter the stock) and reversal with
a reason. An issued receipt has no edit button, and its edit URL refuses with 403: it can
only be reversed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from ansinh.access.scoping import allows, require
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from .. import in_kind, selectors, services
from ..choices import DonorKind, ReceiptKind, ReceiptStatus
from ..forms import (
    GoodsLineFormSet,
    GoodsReceiptForm,
    InKindReceiptForm,
    ReceiptFilterForm,
    ReceiptForm,
    ReceiptLineFormSet,
    ReverseForm,
    ServiceLineFormSet,
    ServiceReceiptForm,
)
from ..models import ImmutableError, Receipt
from . import reads
from .common import FundsMixin, apply_errors, visible

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
            if data["kind"]:
                qs = qs.filter(kind=data["kind"])
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


@dataclass(frozen=True)
class Editor:
    """What differs between the forms of a cash, a goods and a services receipt."""

    form: type
    formset: type
    line_fields: tuple[str, ...]
    create: Callable
    title: str
    lines_title: str
    lines_help: str
    head_defaults: tuple[str, ...] = ()  # head fields a line left empty takes


EDITORS = {
    ReceiptKind.CASH: Editor(
        ReceiptForm, ReceiptLineFormSet, ("fund", "restriction", "campaign", "amount"),
        services.receipt_create, _("biên nhận tiền tài trợ"), _("Các dòng phân bổ"),
        _("Mỗi dòng là phần tiền vào một quỹ (và hạn chế sử dụng, chiến dịch nếu có). Cộng các "
          "dòng phải bằng tổng số tiền.")),
    ReceiptKind.GOODS: Editor(
        GoodsReceiptForm, GoodsLineFormSet,
        ("item", "quantity", "unit_value", "expiry_date", "warehouse", "campaign"),
        in_kind.goods_receipt_create, _("biên nhận hàng hóa, hiện vật"), _("Các dòng hàng hóa"),
        _("Mỗi dòng là một mặt hàng: số lượng × đơn giá. Mặt hàng có hạn sử dụng phải ghi hạn. "
          "Cộng các dòng phải bằng tổng giá trị. Hàng chỉ nhập kho khi cấp biên nhận."),
        ("warehouse", "campaign")),
    ReceiptKind.SERVICES: Editor(
        ServiceReceiptForm, ServiceLineFormSet,
        ("service", "unit", "places", "unit_value", "campaign"),
        in_kind.service_receipt_create, _("biên nhận dịch vụ"), _("Các dòng dịch vụ"),
        _("Mỗi dòng là một loại dịch vụ (học nghề, khám bệnh…): số suất × giá trị một suất. "
          "Cộng các dòng phải bằng tổng giá trị."), ("campaign",)),
}


def _posted_lines(post, fields) -> list[dict]:
    try:
        count = min(int(post.get(f"{PREFIX}-TOTAL_FORMS", 0)), 50)
    except ValueError:
        count = 0
    return [{k: post.get(f"{PREFIX}-{i}-{k}", "") for k in fields} for i in range(count)]


def _initial_line(line: dict) -> dict:
    return {k: getattr(v, "pk", v) for k, v in line.items()}


class ReceiptEditorView(FundsMixin, View):
    """The form of a draft receipt of one kind, new or edited. "Thêm dòng" re-renders the
    form with the values typed so far and one more empty line, without validating (works
    without script)."""

    template_name = "funds/receipt_form.html"
    kind = ReceiptKind.CASH
    receipt: Receipt | None = None

    @property
    def editor(self) -> Editor:
        return EDITORS[self.kind]

    def initial(self) -> tuple[dict, list[dict]]:
        head = {"received_on": timezone.localdate(), "currency": "VND"}
        line = {}
        funds = list(selectors.fund_list(self.request.user, "funds")[:2])
        if len(funds) == 1:  # a centre with one fund need not pick it on every line
            head["fund"] = funds[0].pk
            if self.kind == ReceiptKind.CASH:
                line["fund"] = funds[0].pk
        return head, [dict(line)] + [{} for _ in range(NEW_LINES - 1)]

    def render_form(self, form, formset, line_errors=()):
        return render(self.request, self.template_name, {
            "form": form, "formset": formset, "line_errors": line_errors,
            "receipt": self.receipt, "kind": self.kind, "editor": self.editor})

    def formset(self, data=None, initial=None):
        return self.editor.formset(data, prefix=PREFIX, initial=initial,
                                   form_kwargs={"user": self.request.user})

    def get(self, request, *args, **kwargs):
        head, lines = self.initial()
        return self.render_form(self.editor.form(user=request.user, initial=head),
                                self.formset(initial=lines))

    def post(self, request, *args, **kwargs):
        user, editor = request.user, self.editor
        if "add_line" in request.POST:
            lines = _posted_lines(request.POST, editor.line_fields) + [{}]
            return self.render_form(editor.form(user=user, initial=request.POST.dict()),
                                    self.formset(initial=lines))
        form = editor.form(request.POST, user=user)
        formset = self.formset(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(form, formset)
        lines = formset.lines()
        for line in lines:
            for field in editor.head_defaults:
                line[field] = line[field] or form.cleaned_data[field]
        try:
            receipt = self.save(user, lines=lines, **form.service_data())
        except ValidationError as exc:
            line_errors = []
            if hasattr(exc, "error_dict"):
                line_errors = exc.message_dict.pop("lines", [])
                exc = ValidationError(exc.message_dict) if exc.message_dict else None
            if exc is not None:
                apply_errors(form, exc)
            return self.render_form(form, formset, line_errors)
        messages.success(request, _("Đã lưu biên nhận nháp; kiểm tra rồi bấm «Cấp biên nhận»."))
        return HttpResponseRedirect(reverse("funds:receipt_detail", args=[receipt.pk]))


class ReceiptCreateView(ReceiptEditorView):
    def save(self, user, **data):
        return self.editor.create(user, **data)


class ReceiptEditView(ReceiptEditorView):
    """A draft is edited in place by `receipt_update`: it keeps its id, and the audit log
    holds old → new."""

    def prepare(self, request, *args, **kwargs):
        self.receipt = _receipt(request.user, kwargs["pk"])
        require(request.user, "funds", self.receipt)
        if self.receipt.status != ReceiptStatus.DRAFT:
            raise PermissionDenied(FINAL)
        self.kind = self.receipt.kind

    def initial(self):
        if self.kind == ReceiptKind.CASH:
            lines = [{"fund": ln.fund_id, "restriction": ln.restriction_id,
                      "campaign": ln.campaign_id, "amount": ln.amount}
                     for ln in self.receipt.lines.order_by("pk")]
            return ReceiptForm.initial_from(self.receipt), lines + [{}]
        lines = [_initial_line(line) for line in in_kind.current_lines(self.receipt)[1]]
        head = InKindReceiptForm.initial_from(self.receipt, lines)
        return head, lines + [{}]

    def save(self, user, **data):
        try:
            return services.receipt_update(user, self.receipt, **data)
        except ImmutableError as exc:
            raise PermissionDenied(FINAL) from exc


def receipt_page(request, receipt, reverse_form=None, status=200):
    user = request.user
    can_write = allows(user, "funds", receipt)
    reversal = getattr(receipt, "reversal", None) if receipt.issued else None
    context = {
        "receipt": receipt, "lines": receipt.lines.select_related(
            "fund", "restriction", "campaign").order_by("pk"),
        "goods_lines": receipt.goods_lines.select_related(
            "item", "warehouse", "campaign").order_by("pk"),
        "service_lines": receipt.service_lines.select_related("campaign").order_by("pk"),
        "reversal": reversal,
        # The printed receipt is a fund document: it needs `funds` on the receipt's area.
        "can_print": can_write,
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
            messages.success(request, _("Đã cấp biên nhận số %(number)s.")
                             % {"number": receipt.number})
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
                messages.success(request, _("Đã lập bút toán hủy biên nhận %(number)s.")
                                 % {"number": receipt.number})
                return HttpResponseRedirect(reverse("funds:receipt_detail", args=[pk]))
        return receipt_page(request, receipt, reverse_form=form, status=400)
