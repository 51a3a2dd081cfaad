"""Bank statement pages: the accounts and statements list with the upload form, the preview
of one statement where the officer changes matches and applies it, and the printed receipt.

Thin: every page needs the `funds` right somewhere; a statement or receipt outside the user's
`funds` area is a 404; the services check and write.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ansinh.access.scoping import can, restrict
from ansinh.documents.receipt import render_pdf
from ansinh.funds.choices import Direction, LineStatus
from ansinh.funds.models import Donor, Fund, Pledge, Receipt
from ansinh.funds.statements import (
    bank_account_create,
    bank_account_list,
    pledge_code,
    statement_apply,
    statement_line_assign,
    statement_list,
    statement_preview,
    statement_stage,
)

TABS = [("", _("Tất cả")), ("credit", _("Ghi có mới")), ("unmatched", _("Chưa khớp")),
        ("debit", _("Ghi nợ mới")), ("known", _("Đã có")), ("rejected", _("Bị từ chối"))]


def funds_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not can(request.user, "funds"):
            raise PermissionDenied("Bạn không có quyền quản lý quỹ.")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


class UploadForm(forms.Form):
    account = forms.ModelChoiceField(queryset=None, label=_("Tài khoản của quỹ"),
                                     empty_label=_("— Theo số tài khoản ghi trong tệp —"),
                                     required=False)
    file = forms.FileField(label=_("Tệp sao kê"),
                           help_text=_("Tệp .xlsx, .xls hoặc .csv tải từ ngân hàng."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = bank_account_list(user).filter(active=True)


class AccountForm(forms.Form):
    fund = forms.ModelChoiceField(queryset=None, label=_("Quỹ"))
    account_number = forms.CharField(label=_("Số tài khoản"), max_length=40)
    bank_name = forms.CharField(label=_("Ngân hàng"), max_length=120)
    branch = forms.CharField(label=_("Chi nhánh"), max_length=120, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = restrict(Fund.objects.all(), user, "funds")


def _errors_to_form(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@funds_required
def statement_list_view(request):
    """The fund's accounts and statements; upload a statement, register an account."""
    user = request.user
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        account, upload = form.cleaned_data["account"], form.cleaned_data["file"]
        try:
            statement = statement_stage(user, upload, upload.name,
                                        account_number=account.account_number
                                        if account else None)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect("fund_statements:statement_detail", pk=statement.pk)
    return render(request, "funds/statements/list.html", {
        "form": form, "account_form": AccountForm(user=user),
        "accounts": bank_account_list(user),
        "statements": statement_list(user).select_related("uploaded_by")[:50],
    })


@require_POST
@funds_required
def account_create(request):
    form = AccountForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            account = bank_account_create(request.user, fund=data["fund"],
                                          account_number=data["account_number"],
                                          bank_name=data["bank_name"], branch=data["branch"])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Đã đăng ký tài khoản %(account)s.")
                             % {"account": account})
    else:
        messages.error(request, "; ".join(f"{form.fields[f].label if f in form.fields else ''}"
                                          f": {' '.join(e)}" for f, e in form.errors.items()))
    return redirect("fund_statements:statement_list")


def _statement(request, pk):
    return get_object_or_404(statement_list(request.user), pk=pk)


@funds_required
def statement_detail(request, pk):
    """The preview: every line with what it will do, and the apply button."""
    statement = _statement(request, pk)
    tab = request.GET.get("status", "")
    if tab not in dict(TABS):
        tab = ""
    page = request.GET.get("page", "1")
    data = statement_preview(request.user, statement, status=tab or None,
                             page=int(page) if page.isdigit() else 1)
    fund = statement.account.fund
    donors = restrict(Donor.objects.filter(province=fund.province_id), request.user, "funds")
    pledges = restrict(Pledge.objects.filter(province=fund.province_id, amount__isnull=False)
                       .select_related("donor"), request.user, "funds")
    return render(request, "funds/statements/detail.html", {
        "statement": statement, "data": data, "tab": tab, "tabs": TABS,
        "counts": statement.counts, "donors": donors.order_by("name")[:500],
        "pledges": [(p.pk, f"{pledge_code(p)} – {p.donor.name}") for p in
                    pledges.order_by("-pledged_on")[:500]],
        "can_apply": statement.status == "staged" and not statement.counts.get("rejected"),
        "editable": statement.status == "staged",
    })


@require_POST
@funds_required
def line_assign(request, pk, line_id):
    statement = _statement(request, pk)
    line = get_object_or_404(statement.lines.filter(status=LineStatus.NEW,
                                                    direction=Direction.CREDIT), pk=line_id)
    user = request.user

    def pick(model, name):
        # "123 · Công ty TNHH An Phú" as the datalist offers it, or the bare id.
        match = re.match(r"\s*(\d+)", request.POST.get(name, ""))
        if match is None:
            return None
        return get_object_or_404(restrict(model.objects.all(), user, "funds"),
                                 pk=int(match.group(1)))

    try:
        statement_line_assign(user, line, donor=pick(Donor, "donor"),
                              pledge=pick(Pledge, "pledge"), skip=bool(request.POST.get("skip")))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Đã cập nhật dòng %(row)s.") % {"row": line.row_number})
    tab = request.POST.get("status", "")
    url = reverse("fund_statements:statement_detail", args=[statement.pk])
    return redirect(f"{url}?status={tab}" if tab in dict(TABS) and tab else url)


@require_POST
@funds_required
def statement_apply_view(request, pk):
    statement = _statement(request, pk)
    try:
        result = statement_apply(request.user, statement)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        if result.get("already_applied"):
            messages.info(request, _("Sao kê này đã được áp dụng trước đó; không ghi thêm gì."))
        else:
            messages.success(request, _("Đã áp dụng: %(receipts)s biên nhận, %(transactions)s "
                                        "giao dịch mới, %(known)s giao dịch đã có.") % result)
    return redirect("fund_statements:statement_detail", pk=statement.pk)


@funds_required
def receipt_pdf(request, pk):
    """The printed biên nhận (cash, goods or services), inline."""
    receipt = get_object_or_404(restrict(Receipt.objects.select_related(
        "fund", "donor", "pledge", "commune", "province", "issued_by", "created_by"),
        request.user, "funds"), pk=pk)
    response = HttpResponse(render_pdf(receipt), content_type="application/pdf")
    name = (receipt.number or f"nhap-{receipt.pk}").replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="bien-nhan-{name}.pdf"'
    return response
