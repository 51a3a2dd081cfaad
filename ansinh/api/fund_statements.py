"""/funds/statements — the fund's bank accounts, and their statements: upload (staged,
validated and matched) → preview line by line → change a match → apply once. Plus the printed
receipt (biên nhận) of any receipt as PDF."""

from datetime import date, datetime
from typing import Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from ansinh.access.scoping import restrict
from ansinh.documents.receipt import render_pdf
from ansinh.funds.models import BankAccount, BankStatement, Donor, Fund, Pledge, Receipt
from ansinh.funds.statements import (
    bank_account_create,
    bank_account_list,
    statement_apply,
    statement_line_assign,
    statement_line_detail,
    statement_list,
    statement_preview,
    statement_stage,
)

from .common import Limit, Offset, PathId, get_in_area, paginate
from .errors import ApiError, error_responses, invalid
from .schemas.common import Id, InputSchema, Text

router = Router(tags=["Sao kê ngân hàng"])

ERRORS = error_responses(413)


class AccountIn(InputSchema):
    fund_id: Id
    account_number: Text(40, 1)
    bank_name: Text(120, 1)
    branch: Text(120) = ""


class AccountOut(Schema):
    id: int
    fund_id: int
    fund_name: str
    account_number: str
    bank_name: str
    branch: str
    active: bool


class AccountList(Schema):
    items: list[AccountOut]


class StatementOut(Schema):
    id: int
    account_number: str
    fund_id: int
    file_name: str
    file_sha256: str
    status: Literal["staged", "applied"]
    status_display: str
    period_start: date | None
    period_end: date | None
    counts: dict[str, int]
    applied_counts: dict
    uploaded_by: str | None
    created_at: datetime
    applied_at: datetime | None


class StatementPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[StatementOut]


class LineOut(Schema):
    id: int
    row_number: int
    status: Literal["new", "known", "rejected"]
    status_display: str
    booked_on: date | None
    direction: Literal["credit", "debit", ""]
    amount: int | None
    description: str
    reference: str
    counterparty_name: str
    counterparty_account: str = Field(description="Che bớt khi không có quyền donor_bank")
    running_balance: int | None
    errors: list[dict[str, str]]
    match_kind: str
    match_note: str
    donor_id: int | None
    donor_name: str
    pledge_id: int | None
    pledge_code: str
    skip: bool
    will_receipt: bool = Field(description="Sẽ lập biên nhận khi áp dụng")
    receipt_id: int | None
    receipt_number: str


class PreviewOut(Schema):
    statement: StatementOut
    total: int
    page: int
    pages: int
    page_size: int
    rows: list[LineOut]


class PreviewQuery(Schema):
    status: Literal["", "new", "known", "rejected", "credit", "debit", "unmatched"] = ""
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(100, ge=1, le=500)


class LineIn(InputSchema):
    donor_id: Id | None = None
    pledge_id: Id | None = None
    skip: bool = False


class ApplyOut(Schema):
    statement: StatementOut
    result: dict


def account_out(a: BankAccount) -> dict:
    return {"id": a.pk, "fund_id": a.fund_id, "fund_name": a.fund.name,
            "account_number": a.account_number, "bank_name": a.bank_name, "branch": a.branch,
            "active": a.active}


def statement_out(s: BankStatement) -> dict:
    return {
        "id": s.pk, "account_number": s.account.account_number, "fund_id": s.account.fund_id,
        "file_name": s.file_name, "file_sha256": s.file_sha256, "status": s.status,
        "status_display": s.get_status_display(), "period_start": s.period_start,
        "period_end": s.period_end, "counts": s.counts, "applied_counts": s.applied_counts,
        "uploaded_by": s.uploaded_by.get_username() if s.uploaded_by_id else None,
        "created_at": s.created_at, "applied_at": s.applied_at,
    }


def _statement(request, statement_id: int) -> BankStatement:
    return get_in_area(statement_list(request.auth), statement_id, "sao kê")


@router.get("/accounts", response={200: AccountList, **ERRORS},
            summary="Tài khoản ngân hàng của quỹ")
def list_accounts(request: HttpRequest):
    return {"items": [account_out(a) for a in bank_account_list(request.auth)]}


@router.post("/accounts", response={201: AccountOut, **ERRORS},
             summary="Đăng ký tài khoản ngân hàng của quỹ")
def create_account(request: HttpRequest, payload: AccountIn):
    fund = get_in_area(restrict(Fund.objects.all(), request.auth, "funds"), payload.fund_id,
                       "quỹ")
    account = bank_account_create(request.auth, fund=fund,
                                  account_number=payload.account_number,
                                  bank_name=payload.bank_name, branch=payload.branch)
    return Status(201, account_out(account))


@router.get("", response={200: StatementPage, **ERRORS}, summary="Các sao kê đã tải lên")
def list_statements(request: HttpRequest, limit: Limit = 50, offset: Offset = 0):
    qs = statement_list(request.auth).order_by("-created_at", "-id")
    return paginate(request, qs, limit, offset, lambda rows: [statement_out(s) for s in rows])


@router.post("", response={201: StatementOut, **ERRORS}, summary="Tải lên sao kê ngân hàng")
def upload_statement(request: HttpRequest, file: File[UploadedFile],
                     account_number: Form[str | None] = None):
    """`multipart/form-data` with `file` (.xlsx, .xls, .csv as the bank exports it) and
    `account_number` (the fund's account; optional when the file states it above the
    header). The file is read, each row validated and each new credit matched to a pledge
    (code `CK000123` in the description) or a donor (sender's account, tax code, name);
    nothing is applied yet: **201** with the counts. A statement of an account the fund does
    not have, an unreadable file or one without a header is **422** (`fields.account` or
    `fields.file`); a file over the size limit is **413**."""
    if file.size is not None and file.size > settings.IMPORT_MAX_BYTES:
        raise ApiError(413, "Tệp quá lớn.", {"file": ["Tệp quá lớn."]})
    if account_number is not None and len(account_number) > 40:
        raise invalid("account_number", "Số tài khoản: tối đa 40 ký tự.")
    statement = statement_stage(request.auth, file, file.name or "saoke.xlsx",
                                account_number=account_number or None)
    return Status(201, statement_out(_statement(request, statement.pk)))


@router.get("/{statement_id}", response={200: StatementOut, **ERRORS}, summary="Một sao kê")
def get_statement(request: HttpRequest, statement_id: PathId):
    return statement_out(_statement(request, statement_id))


@router.get("/{statement_id}/lines", response={200: PreviewOut, **ERRORS},
            summary="Xem trước từng dòng và đề xuất khớp")
def preview_lines(request: HttpRequest, statement_id: PathId, params: Query[PreviewQuery]):
    """`status`: `new`, `known`, `rejected`, or `credit` / `debit` (new lines of that
    direction), `unmatched` (new credits without a donor)."""
    statement = _statement(request, statement_id)
    data = statement_preview(request.auth, statement, status=params.status or None,
                             page=params.page, page_size=params.page_size)
    return {"statement": statement_out(statement), **data}


@router.patch("/{statement_id}/lines/{line_id}", response={200: LineOut, **ERRORS},
              summary="Đổi nhà tài trợ/cam kết của một dòng, hoặc bỏ qua")
def assign_line(request: HttpRequest, statement_id: PathId, line_id: PathId, payload: LineIn):
    """Set the donor (or the pledge, whose donor it takes) a new credit line becomes a receipt
    of; `skip: true` (or neither) leaves it without a receipt. 422 once applied."""
    statement = _statement(request, statement_id)
    line = get_in_area(statement.lines.all(), line_id, "dòng sao kê")
    user = request.auth
    donor = pledge = None
    if payload.donor_id is not None:
        donor = get_in_area(restrict(Donor.objects.all(), user, "funds"), payload.donor_id,
                            "nhà tài trợ")
    if payload.pledge_id is not None:
        pledge = get_in_area(restrict(Pledge.objects.all(), user, "funds"), payload.pledge_id,
                             "cam kết")
    line = statement_line_assign(user, line, donor=donor, pledge=pledge, skip=payload.skip)
    return statement_line_detail(user, line)


@router.post("/{statement_id}/apply", response={200: ApplyOut, **ERRORS},
             summary="Áp dụng: ghi giao dịch và lập biên nhận")
def apply_statement(request: HttpRequest, statement_id: PathId):
    """In one transaction: every new line becomes a bank transaction, every new credit with
    a donor (and not skipped) an issued receipt. A statement with rejected rows is 422 and
    nothing is written; applying twice writes nothing the second time
    (`result.already_applied`)."""
    statement = _statement(request, statement_id)
    result = statement_apply(request.auth, statement)
    return {"statement": statement_out(_statement(request, statement_id)), "result": result}


@router.get("/receipts/{receipt_id}/pdf", response={200: None, **ERRORS},
            summary="Biên nhận (.pdf)",
            openapi_extra={"responses": {200: {"description": "Tệp PDF", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def receipt_pdf(request: HttpRequest, receipt_id: PathId):
    """The printed biên nhận of a money, goods or services receipt; a reversed receipt prints
    with an "ĐÃ HỦY" mark."""
    receipt = get_in_area(restrict(Receipt.objects.select_related(
        "fund", "donor", "pledge", "commune", "province", "issued_by", "created_by"),
        request.auth, "funds"), receipt_id, "biên nhận")
    response = HttpResponse(render_pdf(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-nhan-{receipt.pk}.pdf"'
    return response
