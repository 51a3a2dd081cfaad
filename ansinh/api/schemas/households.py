from datetime import date, datetime
from typing import Literal

from pydantic import Field

from ansinh.registry.choices import Poverty, Relationship

from .common import CommuneCode, InputSchema, Page, Schema, Text


class HouseholdFields(InputSchema):
    code: Text(30, 1) | None = Field(None, description="Mã hộ, duy nhất trong xã")
    address: Text(255) | None = Field(None, description="Địa chỉ")
    commune_code: CommuneCode | None = Field(None, description="Xã/phường của hộ")
    poverty_status: Poverty | Literal[""] | None = Field(
        None, description="poor = hộ nghèo, near_poor = hộ cận nghèo, '' = không"
    )
    poverty_year: int | None = Field(None, ge=2000, le=2100, description="Năm xét duyệt")


class HouseholdCreate(HouseholdFields):
    code: Text(30, 1) = Field(description="Mã hộ, duy nhất trong xã")
    commune_code: CommuneCode = Field(description="Xã/phường của hộ")


class HouseholdPatch(HouseholdFields):
    """Only the fields sent are changed. The head (chủ hộ) is the member whose relationship is
    `head`: set it on the person, not here."""


class MemberOut(Schema):
    id: int
    full_name: str
    relationship: Relationship | Literal[""]
    sex: str
    birth_date: date | None
    birth_display: str
    id_number: str | None
    deceased_date: date | None


class HouseholdOut(Schema):
    id: int
    code: str
    address: str
    commune_code: str
    commune_name: str
    province_code: str
    province_name: str
    poverty_status: str
    poverty_year: int | None
    head_id: int | None
    head_name: str | None
    created_at: datetime
    updated_at: datetime


class HouseholdDetail(HouseholdOut):
    members: list[MemberOut]


class HouseholdFilters(Schema):
    q: Text(100) = Field("", description="Mã hộ (đúng hoặc đầu mã) hoặc tên chủ hộ không dấu")
    poverty: Poverty | Literal[""] = Field("", description="poor | near_poor")
    commune: Text(5) = Field("", description="Mã xã/phường 5 số")


class HouseholdPage(Page):
    items: list[HouseholdOut]
