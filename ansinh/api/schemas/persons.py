from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ansinh.core.dates import DAY, MONTH, YEAR, InvalidDate, parse_partial_date
from ansinh.registry.choices import DisabilityLevel, DisabilityType, DocumentType, Relationship

from .common import CommuneCode, Id, InputSchema, Page, Schema, Text

Precision = Literal["D", "M", "Y"]


def _birth_text(value: str | None) -> str | None:
    if value is None or value == "":
        return value
    try:
        parse_partial_date(value)
    except InvalidDate as exc:
        raise ValueError(str(exc)) from exc
    return value


BirthDate = Annotated[
    str,
    Field(
        max_length=20,
        description=(
            "Ngày sinh: `1945-03-05` (ISO) hoặc dạng Việt Nam `05/03/1945`, `03/1945`, `1945`. "
            "Độ chính xác suy ra từ dạng nhập (ngày/tháng/năm → D, tháng/năm → M, năm → Y) "
            "trừ khi gửi kèm `birth_date_precision`."
        ),
        examples=["1945-03-05", "03/1945", "1945"],
    ),
    AfterValidator(_birth_text),
]


def birth_value(text: str | None, precision: str | None) -> tuple[date | None, str]:
    """The stored (date, precision) for a birth date as the client sent it (already valid)."""
    if not text:
        return None, DAY
    parsed = parse_partial_date(text)
    return truncate(parsed.value, precision or parsed.precision), precision or parsed.precision


def truncate(value: date, precision: str) -> date:
    """A partial date is stored as the first day of its period."""
    if precision == YEAR:
        return date(value.year, 1, 1)
    if precision == MONTH:
        return date(value.year, value.month, 1)
    return value


class DocumentIn(InputSchema):
    type: DocumentType
    number: Text(40, 1)
    issued_on: date | None = None
    issuer: Text(120) = ""


class PersonFields(InputSchema):
    """Fields shared by create and update. See PersonCreate for the meaning of each."""

    full_name: Text(180) | None = Field(
        None, description="Họ và tên đầy đủ; tách thành họ / tên đệm / tên nếu không gửi `ten`"
    )
    ho: Text(50) | None = Field(None, description="Họ")
    ten_dem: Text(80) | None = Field(None, description="Tên đệm")
    ten: Text(50) | None = Field(None, description="Tên")
    birth_date: BirthDate | None = None
    birth_date_precision: Precision | None = Field(
        None, description="D = ngày/tháng/năm, M = tháng/năm, Y = chỉ năm"
    )
    sex: Literal["M", "F"] | None = Field(None, description="M = nam, F = nữ")
    ethnicity: Text(2) | None = Field(None, description="Mã dân tộc 2 số (01 = Kinh)")
    id_number: Text(20) | None = Field(None, description="Số định danh cá nhân 12 số")
    documents: list[DocumentIn] | None = Field(None, max_length=20)
    phone: Text(20) | None = None
    disability_level: DisabilityLevel | None = None
    disability_type: DisabilityType | None = Field(None, description="Nhạy cảm (sensitive)")
    disability_notes: Text(2000) | None = Field(None, description="Nhạy cảm (sensitive)")
    hiv_status: bool | None = Field(None, description="Nhạy cảm (sensitive)")
    deceased_date: date | None = None
    household_id: Id | None = Field(None, description="Hộ gia đình (id)")
    relationship: Relationship | Literal[""] | None = Field(
        None, description="Quan hệ với chủ hộ; `head` làm người này thành chủ hộ"
    )
    commune_code: CommuneCode | None = Field(
        None, description="Xã/phường cư trú; mặc định là xã của hộ nếu gửi `household_id`"
    )


class PersonCreate(PersonFields):
    """`ten` (or `full_name`) and `sex` are required; `commune_code` unless `household_id`."""

    sex: Literal["M", "F"] = Field(description="M = nam, F = nữ")


class PersonPatch(PersonFields):
    """Only the fields sent are changed; `null` clears a field that may be empty."""


class PersonOut(Schema):
    id: int
    full_name: str
    ho: str
    ten_dem: str
    ten: str
    birth_date: date | None
    birth_date_precision: Precision
    birth_display: str = Field(description="Ngày sinh như in trên giấy tờ: 05/03/1945, 03/1945, 1945")
    sex: str
    ethnicity: str
    id_number: str | None
    documents: list[dict]
    phone: str
    disability_level: str
    deceased_date: date | None
    household_id: int | None
    household_code: str | None
    relationship: str
    commune_code: str
    commune_name: str
    province_code: str
    province_name: str
    created_at: datetime
    updated_at: datetime
    # Present only with ?include_sensitive=true and the "sensitive" right; each read is logged.
    disability_type: str | None = Field(None, description="Chỉ có khi include_sensitive=true")
    disability_notes: str | None = Field(None, description="Chỉ có khi include_sensitive=true")
    hiv_status: bool | None = Field(None, description="Chỉ có khi include_sensitive=true")


class PersonFilters(Schema):
    q: Text(100) = Field("", description="Số định danh 12 số, hoặc tên không dấu (`nguyen dung`)")
    birth: Text(20) = Field("", description="Ngày sinh: dd/mm/yyyy, mm/yyyy hoặc yyyy")
    household: Text(30) = Field("", description="Mã hộ")
    commune: Text(5) = Field("", description="Mã xã/phường 5 số")
    sex: Literal["M", "F", ""] = Field("", description="M hoặc F")
    include_sensitive: bool = Field(False, description="Kèm thông tin nhạy cảm (ghi nhật ký)")


class PersonPage(Page):
    items: list[PersonOut]
