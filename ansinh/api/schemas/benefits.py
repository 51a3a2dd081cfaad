"""Schemas of /beneficiaries and /payroll."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from .common import InputSchema, Text

Month = Field(pattern=r"^\d{4}-\d{2}$", description="Tháng dạng YYYY-MM")


class EntitlementOut(Schema):
    id: int
    person_id: int
    person_name: str
    id_number: str | None
    recipient_id: int
    benefit: str
    category: str
    disability_level: str
    children_count: int | None
    commune_code: str
    commune_name: str
    start_month: date
    end_month: date | None
    status: str
    payment_channel: str


class EntitlementPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[EntitlementOut]


class LegacyRowOut(Schema):
    row: int
    outcome: Literal["new", "unchanged", "rejected"]
    errors: dict[str, list[str]]


class LegacyImportOut(Schema):
    dry_run: bool
    rows: int
    new: int
    unchanged: int
    rejected: int
    rejected_rows: list[LegacyRowOut]


class StopIn(InputSchema):
    id_number: Text(12, 1)
    reason: Literal["death", "ineligible", "moved", "refused"]
    date: date
    decision_number: Text(40) = ""


class StoppedOut(Schema):
    stopped: list[EntitlementOut]


class PayrollCommuneOut(Schema):
    commune_code: str
    commune_name: str
    month: str
    status: str
    beneficiaries: int
    regular_total: int
    adjustment_total: int
    total: int
    prepared_by: str | None
    prepared_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    inputs_digest: str


class PayrollOut(Schema):
    month: str
    communes: list[PayrollCommuneOut]


class PayrollRunOut(Schema):
    id: int
    month: str
    status: str = Field(description="queued | running | done | failed")
    error: str
    communes: int
    beneficiaries: int
    regular_total: int
    adjustment_total: int
    created_at: datetime
    finished_at: datetime | None


class PayrollRowOut(Schema):
    id_number: str | None
    benefit: str
    month: str
    regular_amount: int
    adjustment_amount: int
    total_amount: int
    payment_channel: str


class PayrollRowPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[PayrollRowOut]


class ReturnOut(Schema):
    month: str
    paid: int
    unpaid: int
    unchanged: int
    suspension_proposals: list[int] = Field(description="entitlement ids")


class ReconciliationRowOut(Schema):
    commune_id: int
    channel: str
    ledger: int
    payments: int
    paid: int
    unpaid: int
    carried: int
    debt: int = Field(description="recoveries still owed after this month's payments (đồng)")
    difference: int
