"""Schemas of /applications, /decisions and the changes to a running beneficiary."""

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from ansinh.core.months import parse_month

from .common import CommuneCode, Id, InputSchema, Page, Schema, Text

Benefit = Literal["monthly_allowance", "social_pension", "care_allowance"]
Channel = Literal["cash", "home", "bank", "ewallet"]
DisabilityLevel = Literal["", "severe", "extremely_severe"]
Poverty = Literal["", "poor", "near_poor"]

FORM_DATA_MAX_BYTES = 64 * 1024
FORM_DATA_MAX_DEPTH = 8


def _month(value: str) -> date:
    try:
        return parse_month(value)
    except ValueError as exc:
        raise ValueError(str(exc)) from exc


Month = Annotated[
    str, Field(max_length=7, description="Tháng dạng YYYY-MM (hoặc MM/YYYY)",
               examples=["2026-03"]),
    AfterValidator(_month),
]


def _storable_json(value: Any, depth: int = 0) -> None:
    # jsonb refuses NUL in strings and keys; neither database stores lone surrogates. Refused
    # here, they are a 422 on `form_data` rather than a database error.
    if depth > FORM_DATA_MAX_DEPTH:
        raise ValueError(f"Tờ khai lồng quá {FORM_DATA_MAX_DEPTH} cấp.")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Chuỗi chứa ký tự NUL không hợp lệ.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("Chuỗi chứa ký tự Unicode không hợp lệ.") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable_json(key, depth + 1)
            _storable_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _storable_json(item, depth + 1)
    elif isinstance(value, float) and value != value:  # NaN is not JSON
        raise ValueError("Số không hợp lệ.")


def _form_data(value: dict) -> dict:
    _storable_json(value)
    if len(json.dumps(value, ensure_ascii=False).encode()) > FORM_DATA_MAX_BYTES:
        raise ValueError(f"Tờ khai quá lớn (tối đa {FORM_DATA_MAX_BYTES // 1024} KB).")
    return value


FormData = Annotated[dict[str, Any], AfterValidator(_form_data)]


# ---- applications --------------------------------------------------------------------------

class ApplicationCreate(InputSchema):
    """A dossier received for a person already in the registry."""

    person_id: Id = Field(description="Người đề nghị hưởng (id trong sổ nhân khẩu)")
    benefit: Benefit
    category: Text(40, 1) = Field(description="Nhóm đối tượng, ví dụ `5.5a`, `5.6`, `75+`")
    disability_level: DisabilityLevel = ""
    disability_certified_on: date | None = Field(
        None, description="Ngày cấp giấy xác nhận khuyết tật (5.6 hưởng từ tháng này)")
    children_count: int | None = Field(None, ge=0, le=20, description="Số con đang nuôi (5.4)")
    studying: bool = False
    household_poverty: Poverty = ""
    payment_channel: Channel = "cash"
    account_number: Text(40) = ""
    recipient_id: Id | None = Field(
        None, description="Người nhận tiền (người chăm sóc), nếu khác người hưởng")
    received_on: date | None = Field(None, description="Ngày tiếp nhận; mặc định hôm nay")
    submitted_via: Literal["in_person", "post", "online"] = "in_person"
    form_data: FormData = Field(default_factory=dict, description="Nội dung tờ khai (JSON)")


class PostIn(InputSchema):
    posted_from: date | None = Field(None, description="Niêm yết từ ngày; mặc định hôm nay")


class RejectIn(InputSchema):
    reason: Text(2000, 1) = Field(description="Lý do từ chối (bắt buộc)")


class PrepareIn(InputSchema):
    basis: Text(2000) = Field(
        "", description="Căn cứ pháp lý, cách nhau bằng dấu chấm phẩy; để trống dùng mặc định")


class AttachmentOut(Schema):
    id: int
    title: str
    uploaded_at: datetime


class ApplicationOut(Schema):
    id: int
    person_id: int
    person_name: str
    id_number: str | None
    recipient_id: int | None
    benefit: str
    category: str | None = Field(
        description="Mã nhóm; null khi bạn không có quyền xem thông tin nhạy cảm ở xã này")
    category_label: str = Field(
        description="Tên nhóm; chỉ là nhóm công khai khi không có quyền xem thông tin nhạy cảm")
    disability_level: str
    disability_certified_on: date | None
    children_count: int | None
    studying: bool
    household_poverty: str
    payment_channel: str
    account_number: str
    commune_code: str
    commune_name: str
    received_on: date
    submitted_via: str
    review_due: date
    overdue: bool = Field(description="Chưa giải quyết và đã quá hạn xử lý")
    posted_from: date | None
    posted_until: date | None
    status: str = Field(description="received | posted | approved | rejected")
    rejection_reason: str
    prepared_by: str | None
    created_at: datetime
    updated_at: datetime


class ApplicationDetail(ApplicationOut):
    decision_ids: list[int]
    # Withheld (null) without the sensitive right: a certificate or the form may say why.
    form_data: dict[str, Any] | None
    attachments: list[AttachmentOut] | None


class ApplicationPage(Page):
    items: list[ApplicationOut]


class ApplicationFilters(Schema):
    status: Literal["received", "posted", "approved", "rejected"] | None = None
    benefit: Literal["monthly_allowance", "social_pension", "care_allowance",
                     "funeral"] | None = None
    commune: CommuneCode | None = None
    overdue: bool | None = Field(
        None, description="true: hồ sơ chưa giải quyết đã quá hạn xử lý; false: còn lại")


class AttachedOut(Schema):
    application_id: int
    attachments: list[AttachmentOut]


# ---- decisions -----------------------------------------------------------------------------

DecisionKind = Literal["grant", "adjust", "suspend", "resume", "terminate", "move_out",
                       "funeral"]


class DecisionOut(Schema):
    id: int
    kind: str
    status: str = Field(description="draft | signed")
    number: str = Field(description="Số quyết định, ví dụ `1/QĐ-UBND`; rỗng khi còn dự thảo")
    year: int | None
    signed_on: date | None
    signer_name: str
    prepared_by: str | None
    application_id: int | None
    person_id: int
    person_name: str
    recipient_id: int | None
    entitlement_id: int | None
    commune_code: str
    commune_name: str
    benefit: str
    category: str | None = Field(
        description="Mã nhóm; null khi bạn không có quyền xem thông tin nhạy cảm ở xã này")
    category_label: str
    effective_month: date
    monthly_amount: int | None
    coefficient: str
    basis: str
    reason: str
    back_pay: bool
    migrated: bool
    created_at: datetime


class DecisionPage(Page):
    items: list[DecisionOut]


class DecisionFilters(Schema):
    kind: DecisionKind | None = None
    status: Literal["draft", "signed"] | None = None
    commune: CommuneCode | None = None


class SignIn(InputSchema):
    signed_on: date | None = Field(None, description="Ngày ký; mặc định hôm nay")


# ---- changes to a running beneficiary ------------------------------------------------------

class SuspendIn(InputSchema):
    reason: Literal["uncollected", "detention", "reassessment"]
    from_month: Month
    number: Text(40) = Field("", description="Số quyết định nếu đã ký ngoài hệ thống")


class ResumeIn(InputSchema):
    month: Month = Field(description="Tiếp tục hưởng từ tháng (YYYY-MM)")
    back_pay: bool = Field(False, description="Truy lĩnh các tháng tạm dừng")
    number: Text(40) = ""


class AdjustIn(InputSchema):
    """Only the terms sent change; the others carry over from the running entitlement."""

    effective_month: Month
    category: Text(40, 1) | None = None
    disability_level: DisabilityLevel | None = None
    children_count: int | None = Field(None, ge=0, le=20)
    studying: bool | None = None
    household_poverty: Poverty | None = None
    payment_channel: Channel | None = None
    account_number: Text(40) | None = None
    reason: Text(255) = ""
    number: Text(40) = ""


class MoveIn(InputSchema):
    to_commune: CommuneCode
    stop_month: Month = Field(description="Xã hiện tại chi trả đến hết tháng này")
    number: Text(40) = ""
