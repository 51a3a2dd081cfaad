"""Schemas of /funds: donors, funds, campaigns, restrictions, pledges, receipts, allocations,
balances, and the in-kind stock under /funds/stock.

Money is a whole number of đồng and must be sent as a JSON integer: `"1000000"` or `1e6` is a
422, so that a client never has a rounding it did not see.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from ansinh.funds.choices import (
    AllocationStatus,
    Display,
    DonorKind,
    FundKind,
    Method,
    ReceiptKind,
    ReceiptStatus,
    RestrictionKind,
)
from ansinh.stock.choices import (
    Category,
    MovementKind,
    PointKind,
    ReceiptSource,
    Unit,
    WriteOffReason,
)

from .common import CommuneCode, Id, InputSchema, Page, Schema, Text

# A trillion đồng is far above any fund's year; anything larger is a typing error.
MAX_MONEY = 10**15
MAX_QUANTITY = 10**12
MAX_LINES = 100

Money = Annotated[int, Field(strict=True, ge=1, le=MAX_MONEY, description="Số tiền (đồng)")]
UnitValue = Annotated[int, Field(strict=True, ge=0, le=MAX_MONEY,
                                 description="Đơn giá (đồng)")]
Quantity = Annotated[int, Field(strict=True, ge=1, le=MAX_QUANTITY, description="Số lượng")]
ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}$", description="Mã tỉnh/thành phố 2 số")]


def _literal(choices):
    return Literal[tuple(choices.values)]


DonorKindIn = _literal(DonorKind)
DisplayIn = _literal(Display)
FundKindIn = _literal(FundKind)
RestrictionKindIn = _literal(RestrictionKind)
# Goods and services are received through their own paths, not as a cash receipt.
MethodIn = Literal[Method.BANK_TRANSFER.value, Method.CASH.value]
UnitIn = _literal(Unit)
CategoryIn = _literal(Category)
PointKindIn = _literal(PointKind)
SourceIn = _literal(ReceiptSource)
WriteOffReasonIn = _literal(WriteOffReason)


class AreaIn(InputSchema):
    """The owning area: a commune (`commune_code`) or a whole province (`province_code` only,
    e.g. a city social-security centre)."""

    commune_code: CommuneCode | None = Field(None, description="Xã/phường quản lý")
    province_code: ProvinceCode | None = Field(
        None, description="Tỉnh/thành phố quản lý, khi không thuộc một xã")


# ---- donors --------------------------------------------------------------------------------

class DonorFields(InputSchema):
    kind: DonorKindIn | None = None
    name: Text(200, 1) | None = None
    country: Text(2) | None = Field(None, description="Mã ISO hai chữ cái (tổ chức nước ngoài)")
    currency: Text(3) | None = Field(None, description="Mã ISO 4217, mặc định VND")
    contact_persons: Text(2000) | None = None
    tax_code: Text(20) | None = None
    phone: Text(30) | None = None
    email: Text(254) | None = None
    bank_account: Text(40) | None = Field(None, description="Cần quyền donor_bank để sửa")
    bank_name: Text(120) | None = Field(None, description="Cần quyền donor_bank để sửa")
    display: DisplayIn | None = Field(None, description="named = công khai tên, "
                                                        "anonymous = ẩn danh")


class DonorCreate(DonorFields, AreaIn):
    kind: DonorKindIn
    name: Text(200, 1)


class DonorPatch(DonorFields):
    """Only the fields sent are changed."""


class DonorOut(Schema):
    id: int
    kind: str
    name: str
    country: str
    currency: str
    contact_persons: str
    tax_code: str
    phone: str
    email: str
    bank_account: str = Field(description="Che bớt khi không có quyền donor_bank")
    bank_name: str
    bank_masked: bool
    display: str
    commune_code: str | None
    province_code: str


class DonorProgress(Schema):
    pledged: int
    received: int
    outstanding: int


class DonorDetail(DonorOut):
    progress: DonorProgress


class DonorFilters(Schema):
    q: Text(100) = Field("", description="Tên (có hoặc không dấu), mã số thuế hoặc điện thoại")
    kind: DonorKindIn | Literal[""] = ""


class DonorPage(Page):
    items: list[DonorOut]


# ---- funds, campaigns, restrictions ----------------------------------------------------------

class FundCreate(AreaIn):
    kind: FundKindIn
    name: Text(200, 1)
    code: Text(20, 1) = Field(description="Ký hiệu dùng trong số biên nhận, ví dụ ASXH")


class FundOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    commune_code: str | None
    province_code: str


class FundPage(Page):
    items: list[FundOut]


class CampaignCreate(AreaIn):
    name: Text(200, 1)
    starts_on: date
    ends_on: date | None = None
    target_amount: Money | None = None
    responsible_unit: Text(200) = ""
    fund_ids: list[Id] = Field(default_factory=list, max_length=50,
                               description="Các quỹ tiếp nhận")


class CampaignProgress(Schema):
    target: int | None
    pledged: int
    received: int
    outstanding: int
    in_kind_pledges: int
    percent_of_target: float | None = Field(description="received / target × 100")


class CampaignOut(Schema):
    id: int
    name: str
    target_amount: int | None
    starts_on: date
    ends_on: date | None
    responsible_unit: str
    fund_ids: list[int]
    commune_code: str | None
    province_code: str
    progress: CampaignProgress


class CampaignPage(Page):
    items: list[CampaignOut]


class RestrictionCreate(InputSchema):
    fund_id: Id
    kind: RestrictionKindIn
    description: Text(300) = ""
    campaign_id: Id | None = None
    donor_id: Id | None = None
    ends_on: date | None = None


class RestrictionOut(Schema):
    id: int
    fund_id: int
    kind: str
    description: str
    campaign_id: int | None
    donor_id: int | None
    ends_on: date | None


class RestrictionFilters(Schema):
    fund_id: Id | None = None
    campaign_id: Id | None = None


class RestrictionPage(Page):
    items: list[RestrictionOut]


# ---- pledges -------------------------------------------------------------------------------

class PledgeCreate(InputSchema):
    donor_id: Id
    pledged_on: date
    amount: Money | None = None
    in_kind: Text(2000) = Field("", description="Hiện vật / dịch vụ cam kết")
    campaign_id: Id | None = None
    fund_id: Id | None = None


class PledgeOut(Schema):
    id: int
    donor_id: int
    donor_name: str
    campaign_id: int | None
    fund_id: int | None
    amount: int | None
    in_kind: str
    pledged_on: date
    received: int = Field(description="Đã nhận theo cam kết (biên nhận đã cấp, trừ bút toán "
                                      "hủy); cam kết không bao giờ tính là tiền đã nhận")
    outstanding: int = Field(description="Còn phải nộp; 0 khi cam kết đã hủy")
    cancelled_on: date | None = None
    cancel_reason: str = ""


class PledgeFilters(Schema):
    donor_id: Id | None = None
    campaign_id: Id | None = None
    fund_id: Id | None = None


class PledgePage(Page):
    items: list[PledgeOut]


# ---- receipts ------------------------------------------------------------------------------

class ReceiptLineIn(InputSchema):
    fund_id: Id
    amount: Money
    restriction_id: Id | None = None
    campaign_id: Id | None = None


class ReceiptCreate(InputSchema):
    kind: Literal["cash"] = Field("cash", description=(
        "Biên nhận tiền. Hàng hóa: POST /funds/receipts/goods; dịch vụ: "
        "POST /funds/receipts/services"))
    fund_id: Id = Field(description="Quỹ cấp biên nhận")
    donor_id: Id
    received_on: date
    method: MethodIn
    total: Money
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=MAX_LINES)
    currency: Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")] = "VND"
    original_amount_minor: Annotated[int, Field(strict=True, ge=1, le=10**18)] | None = Field(
        None, description="Số tiền nguyên tệ theo đơn vị nhỏ nhất (cent…)")
    exchange_rate: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)] | None = None
    document_ref: Text(100) = Field("", description="Số phiếu thu / mã giao dịch")
    aid_approval_ref: Text(100) = Field("", description="Số quyết định phê duyệt viện trợ")
    pledge_id: Id | None = None
    description: Text(300) = ""


class GoodsLineIn(InputSchema):
    item_id: Id = Field(description="Mặt hàng (danh mục /funds/stock/items)")
    warehouse_id: Id = Field(description="Kho nhập khi cấp biên nhận")
    quantity: Quantity
    unit_value: Money = Field(description="Đơn giá (đồng một đơn vị tính)")
    expiry_date: date | None = Field(None, description="Bắt buộc với mặt hàng có hạn sử dụng")
    campaign_id: Id | None = None


class ServiceLineIn(InputSchema):
    service: Text(200, 1) = Field(description="Loại dịch vụ, ví dụ «Suất học nghề may»")
    unit: Text(30) = Field("suất", description="Đơn vị tính: suất, lượt…")
    places: Quantity = Field(description="Số suất")
    unit_value: Money = Field(description="Giá trị một suất (đồng)")
    campaign_id: Id | None = None


class _InKindReceiptFields(InputSchema):
    fund_id: Id = Field(description="Quỹ cấp biên nhận")
    donor_id: Id
    received_on: date
    total: Money | None = Field(None, description=(
        "Tổng giá trị trên biên bản giao nhận; nếu gửi, các dòng phải cộng đúng bằng nó. "
        "Tổng của biên nhận luôn là tổng các dòng."))
    document_ref: Text(100) = Field("", description="Số biên bản giao nhận")
    aid_approval_ref: Text(100) = Field("", description="Số quyết định phê duyệt viện trợ "
                                                        "(viện trợ nước ngoài)")
    pledge_id: Id | None = None
    description: Text(300) = ""


class GoodsReceiptCreate(_InKindReceiptFields):
    lines: list[GoodsLineIn] = Field(min_length=1, max_length=MAX_LINES)


class ServiceReceiptCreate(_InKindReceiptFields):
    lines: list[ServiceLineIn] = Field(min_length=1, max_length=MAX_LINES)


class ReceiptPatch(InputSchema):
    """Only the fields sent change. The lines sent replace all the lines of the draft: `lines`
    for a cash receipt, `goods_lines` for goods, `service_lines` for services. Fields a kind
    does not have (a method or currency of goods) are 422."""

    fund_id: Id | None = None
    donor_id: Id | None = None
    pledge_id: Id | None = Field(None, description="null: không còn gắn với cam kết")
    received_on: date | None = None
    method: MethodIn | None = None
    total: Money | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")] | None = None
    original_amount_minor: Annotated[int, Field(strict=True, ge=1, le=10**18)] | None = None
    exchange_rate: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)] | None = None
    document_ref: Text(100) | None = None
    aid_approval_ref: Text(100) | None = None
    description: Text(300) | None = None
    lines: list[ReceiptLineIn] | None = Field(None, min_length=1, max_length=MAX_LINES)
    goods_lines: list[GoodsLineIn] | None = Field(None, min_length=1, max_length=MAX_LINES)
    service_lines: list[ServiceLineIn] | None = Field(None, min_length=1,
                                                      max_length=MAX_LINES)


class ReceiptLineOut(Schema):
    fund_id: int
    restriction_id: int | None
    campaign_id: int | None
    amount: int


class GoodsLineOut(Schema):
    id: int
    item_id: int
    item_name: str
    unit: str = Field(description="Đơn vị tính của mặt hàng")
    warehouse_id: int
    quantity: int
    unit_value: int
    value: int = Field(description="Thành tiền = số lượng × đơn giá (đồng)")
    expiry_date: date | None
    campaign_id: int | None


class ServiceLineOut(Schema):
    id: int
    service: str
    unit: str
    places: int
    unit_value: int
    value: int = Field(description="Thành tiền = số suất × giá trị một suất (đồng)")
    campaign_id: int | None


class ReversalOut(Schema):
    id: int
    reason: str
    reversed_on: date
    created_by: str | None


class ReceiptOut(Schema):
    id: int
    number: str
    status: str
    kind: str = Field(description="cash | goods | services; each lists its own kind of lines")
    fund_id: int
    donor_id: int
    donor_name: str
    pledge_id: int | None
    method: str
    document_ref: str
    received_on: date
    total: int
    currency: str
    original_amount_minor: int | None
    exchange_rate: Decimal | None
    aid_approval_ref: str
    description: str
    issued_at: datetime | None
    reversed: bool
    created_at: datetime


class ReceiptDetail(ReceiptOut):
    lines: list[ReceiptLineOut] = Field(description="Các dòng phân bổ tiền (biên nhận tiền)")
    goods_lines: list[GoodsLineOut] = Field(description="Các dòng hàng hóa")
    service_lines: list[ServiceLineOut] = Field(description="Các dòng dịch vụ")
    reversal: ReversalOut | None


class ReceiptFilters(Schema):
    status: _literal(ReceiptStatus) | Literal[""] = ""
    kind: _literal(ReceiptKind) | Literal[""] = ""
    fund_id: Id | None = None
    donor_id: Id | None = None
    pledge_id: Id | None = None
    received_from: date | None = None
    received_until: date | None = None


class ReceiptPage(Page):
    items: list[ReceiptOut]


class ReverseIn(InputSchema):
    reason: Text(300, 1)
    reversed_on: date | None = Field(None, description="Mặc định hôm nay")


# ---- allocations, balances -----------------------------------------------------------------

class AllocationPrepare(InputSchema):
    fund_id: Id
    amount: Money
    purpose: Text(300, 1)
    restriction_id: Id | None = None
    campaign_id: Id | None = None
    allocated_on: date | None = Field(None, description="Mặc định hôm nay")


class ApproveIn(InputSchema):
    note: Text(300) = ""


class RejectIn(InputSchema):
    note: Text(300, 1) = Field(description="Lý do từ chối (bắt buộc)")


class AllocationReturnOut(Schema):
    """Hoàn chi: part of the allocation given back to its pot on `returned_on`. A return of a
    distribution line names the recipient only to a caller holding *funds* on the line's
    area; to anyone else `recipient_name` is null and `reason` neutral (`hidden`)."""

    id: int
    amount: int
    returned_on: date
    reason: str
    distribution_line_id: int | None
    cycle_id: int | None
    recipient_name: str | None
    household_code: str | None
    hidden: bool


class AllocationOut(Schema):
    id: int
    fund_id: int
    restriction_id: int | None
    campaign_id: int | None
    amount: int
    purpose: str
    allocated_on: date
    status: str
    prepared_by: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    returned: int = Field(description="Tổng số đã hoàn lại quỹ (đồng)")
    returns: list[AllocationReturnOut]


class AllocationFilters(Schema):
    status: _literal(AllocationStatus) | Literal[""] = ""
    fund_id: Id | None = None
    campaign_id: Id | None = None


class AllocationPage(Page):
    items: list[AllocationOut]


class BalanceOut(Schema):
    fund_id: int
    fund_code: str
    fund_name: str
    restriction_id: int | None
    restriction: str = Field(description="Mô tả hạn chế; rỗng = tiền không hạn chế")
    received: int
    spent: int
    reserved: int
    available: int


class BalanceList(Schema):
    items: list[BalanceOut]


# ---- stock ---------------------------------------------------------------------------------

class ItemCreate(InputSchema):
    name: Text(200, 1)
    unit: UnitIn
    category: CategoryIn
    perishable: bool = False


class ItemOut(Schema):
    id: int
    name: str
    unit: str
    unit_label: str
    category: str
    perishable: bool
    active: bool


class ItemPage(Page):
    items: list[ItemOut]


class WarehouseCreate(AreaIn):
    name: Text(200, 1)
    kind: PointKindIn = "warehouse"
    address: Text(300) = ""


class WarehouseOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    active: bool
    commune_code: str | None
    province_code: str


class WarehousePage(Page):
    items: list[WarehouseOut]


class StockBalanceOut(Schema):
    warehouse_id: int
    warehouse_name: str
    item_id: int
    item_name: str
    unit: str
    quantity: int
    value: int


class StockBalanceFilters(Schema):
    warehouse_id: Id | None = None
    item_id: Id | None = None


class StockBalancePage(Page):
    items: list[StockBalanceOut]


class MovementOut(Schema):
    id: int
    kind: str
    warehouse_id: int
    item_id: int
    item_name: str
    quantity: int
    unit_value: int
    value: int
    expiry_date: date | None
    occurred_on: date
    note: str
    source: str
    donor_name: str
    counterpart_id: int | None
    transfer_key: str | None
    recipient_id: int | None
    write_off_reason: str
    created_by: str | None
    created_at: datetime


class MovementFilters(Schema):
    warehouse_id: Id | None = None
    item_id: Id | None = None
    kind: _literal(MovementKind) | Literal[""] = ""
    since: date | None = None
    until: date | None = None


class MovementPage(Page):
    items: list[MovementOut]


class MovementList(Schema):
    items: list[MovementOut]


class StockReceiveIn(InputSchema):
    warehouse_id: Id
    item_id: Id
    quantity: Quantity
    unit_value: UnitValue = 0
    received_on: date | None = Field(None, description="Mặc định hôm nay")
    expiry_date: date | None = None
    source: SourceIn = "donation"
    donor_name: Text(300) = ""
    note: Text(500) = ""


class StockTransferIn(InputSchema):
    source_id: Id = Field(description="Kho xuất")
    destination_id: Id = Field(description="Kho nhận")
    item_id: Id
    quantity: Quantity
    transferred_on: date | None = None
    expiry_date: date | None = Field(None, description="Chỉ lấy lô có hạn này")
    note: Text(500) = ""


class StockIssueIn(InputSchema):
    warehouse_id: Id
    item_id: Id
    quantity: Quantity
    person_id: Id = Field(description="Người nhận (id trong sổ nhân khẩu, trong địa bàn)")
    issued_on: date | None = None
    expiry_date: date | None = None
    note: Text(500) = ""


class StockWriteOffIn(InputSchema):
    warehouse_id: Id
    item_id: Id
    quantity: Quantity
    reason: WriteOffReasonIn
    written_off_on: date | None = None
    expiry_date: date | None = None
    note: Text(500) = ""
