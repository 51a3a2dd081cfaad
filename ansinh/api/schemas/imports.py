from datetime import datetime
from typing import Any

from pydantic import Field

from .common import Page, Schema


class ImportCounts(Schema):
    new: int
    changed: int
    unchanged: int
    rejected: int


class ImportBatchOut(Schema):
    id: int
    file_name: str
    file_sha256: str
    file_size: int
    status: str = Field(description="staged | validated | applied | failed")
    status_display: str
    commune_code: str | None
    province_code: str | None
    total_rows: int
    counts: ImportCounts
    applied_counts: dict[str, Any] = Field(description="Chỉ có sau khi áp dụng (apply)")
    error: str = Field(description="Lỗi của cả tệp khi status = failed")
    progress_step: str
    progress_percent: int
    uploaded_by: str | None
    created_at: datetime
    applied_at: datetime | None


class ImportBatchPage(Page):
    items: list[ImportBatchOut]


class ImportApplyOut(Schema):
    batch: ImportBatchOut
    result: dict[str, Any] = Field(
        description="households_created, persons_created, …; `already_applied: true` when the "
        "batch had been applied before (nothing written twice)"
    )


class PreviewRow(Schema):
    row_number: int = Field(description="Số dòng như Excel hiển thị")
    outcome: str = Field(description="new | changed | unchanged | rejected")
    full_name: str | None
    birth_date: Any
    id_number: str | None
    household_code: str | None
    relationship: str | None
    errors: list[dict[str, Any]] = Field(description='[{"field": …, "message": …}]')
    diff: list[dict[str, Any]] = Field(description='[{"field", "label", "old", "new"}]')
    raw: list[Any] = Field(description="Ô gốc của dòng trong tệp")
    target_person_id: int | None


class ImportPreviewOut(Schema):
    batch_id: int
    status: str
    counts: ImportCounts
    total_rows: int
    outcome: str | None
    page: int
    pages: int
    page_size: int
    total: int
    rows: list[PreviewRow]
