"""Schemas of the corrections under /funds (funds, campaigns, restrictions, pledges: only the
fields sent change; `null` clears an optional field) and of the reports sent to donors."""

from datetime import date, datetime

from pydantic import Field

from ansinh.funds.choices import DonorReportKind, SendChannel

from .common import Id, InputSchema, Page, Schema, Text
from .funds import FundKindIn, Money, RestrictionKindIn, _literal


class FundPatch(InputSchema):
    kind: FundKindIn | None = None
    name: Text(200, 1) | None = None
    code: Text(20, 1) | None = Field(None, description="Không đổi được khi quỹ đã cấp biên "
                                                       "nhận")


class CampaignPatch(InputSchema):
    name: Text(200, 1) | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    target_amount: Money | None = None
    responsible_unit: Text(200) | None = None
    fund_ids: list[Id] | None = Field(None, max_length=50,
                                      description="Các quỹ tiếp nhận (thay cả danh sách)")


class RestrictionPatch(InputSchema):
    fund_id: Id | None = None
    kind: RestrictionKindIn | None = None
    description: Text(300, 1) | None = None
    campaign_id: Id | None = None
    donor_id: Id | None = None
    ends_on: date | None = Field(None, description="Không được trước ngày của khoản chi đã có")


class PledgePatch(InputSchema):
    amount: Money | None = None
    in_kind: Text(2000) | None = None
    pledged_on: date | None = None
    campaign_id: Id | None = None
    fund_id: Id | None = None


class PledgeCancelIn(InputSchema):
    reason: Text(300, 1)
    cancelled_on: date | None = Field(None, description="Mặc định hôm nay")


DonorReportKindIn = _literal(DonorReportKind)
ChannelIn = _literal(SendChannel)


class DonorReportOut(Schema):
    id: int
    donor_id: int
    kind: str
    kind_label: str
    campaign_id: int | None
    period_start: date | None
    period_end: date
    sent_on: date
    channel: str
    note: str
    file_name: str
    content_type: str
    file_size: int
    file_sha256: str
    sent_by: str | None
    created_at: datetime
    download_url: str


class DonorReportPage(Page):
    items: list[DonorReportOut]
