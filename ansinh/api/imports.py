"""/imports — upload a spreadsheet, follow its validation, preview it by outcome, apply it and
download the rejected rows. Stage → validate → preview → apply, as in the web wizard."""

import json
from typing import Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from ansinh.imports.errors import ImportFileError
from ansinh.imports.models import ImportBatch
from ansinh.imports.selectors import batches_for
from ansinh.imports.services import (
    import_apply,
    import_preview,
    import_rejects_xlsx,
    import_stage,
    import_upload,
)

from .common import Limit, Offset, PathId, get_in_area, paginate
from .errors import ApiError, error_responses, invalid
from .schemas.imports import ImportApplyOut, ImportBatchOut, ImportBatchPage, ImportPreviewOut

router = Router(tags=["imports"])

ERRORS = error_responses(413)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def batch_out(b: ImportBatch) -> dict:
    return {
        "id": b.pk, "file_name": b.file_name, "file_sha256": b.file_sha256,
        "file_size": b.file_size, "status": b.status, "status_display": b.get_status_display(),
        "commune_code": b.commune.code if b.commune_id else None,
        "province_code": b.province.code if b.province_id else None,
        "total_rows": b.total_rows, "counts": b.counts, "applied_counts": b.applied_counts or {},
        "error": b.error, "progress_step": b.progress_step,
        "progress_percent": b.progress_percent,
        "uploaded_by": b.uploaded_by.get_username() if b.uploaded_by_id else None,
        "created_at": b.created_at, "applied_at": b.applied_at,
    }


def _batch(request, batch_id: int) -> ImportBatch:
    # A batch outside the caller's import area is 404, like any record outside the area.
    return get_in_area(batches_for(request.auth), batch_id, "lần nhập dữ liệu")


def _file_error(exc: ImportFileError) -> ApiError:
    return ApiError(422, exc.message, {"file": [exc.message]})


@router.get("", response={200: ImportBatchPage, **ERRORS}, summary="Các lần nhập dữ liệu")
def list_batches(request: HttpRequest, limit: Limit = 50, offset: Offset = 0):
    """Batches inside the caller's import area, newest first."""
    qs = batches_for(request.auth).order_by("-created_at", "-id")
    return paginate(request, qs, limit, offset, lambda rows: [batch_out(b) for b in rows])


@router.post("", response={201: ImportBatchOut, 202: ImportBatchOut, **ERRORS},
             summary="Tải lên tệp Excel/CSV để nhập")
def upload_batch(
    request: HttpRequest,
    file: File[UploadedFile],
    commune_code: Form[str | None] = None,
    mapping: Form[str | None] = None,
):
    """`multipart/form-data` with `file` (.xlsx, .xls, .csv), optional `commune_code` (the
    commune every row belongs to) and optional `mapping`, a JSON object correcting the
    detected columns: `{"header_row": 4, "columns": {"0": "full_name", "2": "birth_date"}}`.

    The file is read, mapped and validated row by row (nothing is written to the registry yet):
    **201** with the counts per outcome. When the server runs imports in the background
    (`IMPORT_USE_TASKS`), the answer is **202** with status `staged`; poll `GET /imports/{id}`
    until it is `validated` (or `failed`, with `error`).
    A file that cannot be imported at all (not a spreadsheet, no header, password) is 422
    with the reason in `fields.file`; a file over the size limit is 413.
    """
    user = request.auth
    if file.size is not None and file.size > settings.IMPORT_MAX_BYTES:
        raise ApiError(413, f"Tệp quá lớn: tối đa {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB.",
                       {"file": ["Tệp quá lớn."]})
    if commune_code is not None and not (commune_code.isdigit() and len(commune_code) <= 5):
        raise invalid("commune_code", "Mã xã/phường phải gồm 5 chữ số.")
    overrides = _parse_mapping(mapping)
    name = file.name or "upload.xlsx"
    try:
        if getattr(settings, "IMPORT_USE_TASKS", False):
            from ansinh.imports.tasks import validate_batch

            batch = import_upload(user, file, name, commune_code=commune_code or None,
                                  mapping=overrides)
            validate_batch.enqueue(batch.pk, user.pk, overrides)
            status = 202
        else:
            batch = import_stage(user, file, name, commune_code=commune_code or None,
                                 mapping=overrides)
            status = 201
    except ImportFileError as exc:
        raise _file_error(exc) from exc
    return Status(status, batch_out(_batch(request, batch.pk)))


def _parse_mapping(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise invalid("mapping", "`mapping` phải là một đối tượng JSON.") from exc
    if not isinstance(value, dict):
        raise invalid("mapping", "`mapping` phải là một đối tượng JSON.")
    return value


@router.get("/{batch_id}", response={200: ImportBatchOut, **ERRORS},
            summary="Trạng thái và số dòng theo kết quả")
def get_batch(request: HttpRequest, batch_id: PathId):
    return batch_out(_batch(request, batch_id))


class PreviewQuery(Schema):
    outcome: Literal["new", "changed", "unchanged", "rejected", ""] = Field(
        "", description="Chỉ các dòng có kết quả này"
    )
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=500)


@router.get("/{batch_id}/preview", response={200: ImportPreviewOut, **ERRORS},
            summary="Xem trước từng dòng (theo kết quả)")
def preview_batch(request: HttpRequest, batch_id: PathId, params: Query[PreviewQuery]):
    """One page of the staged rows with their outcome, errors and, for changed rows, the
    field-by-field difference with the registry. 409 while the batch is not validated yet."""
    batch = _batch(request, batch_id)
    if batch.status in ("staged", "failed"):
        raise ApiError(409, "Tệp chưa được kiểm tra xong." if batch.status == "staged"
                       else f"Kiểm tra tệp thất bại: {batch.error}")
    return import_preview(batch, outcome=params.outcome or None, page=params.page,
                          page_size=params.page_size)


@router.post("/{batch_id}/apply", response={200: ImportApplyOut, **ERRORS},
             summary="Áp dụng: ghi các dòng hợp lệ vào sổ")
def apply_batch(request: HttpRequest, batch_id: PathId):
    """Writes every valid row in one transaction, with audit rows naming the caller. Applying
    a batch twice writes nothing the second time (`result.already_applied`). A batch that is
    not validated yet is 422."""
    batch = _batch(request, batch_id)
    try:
        result = import_apply(request.auth, batch)
    except ImportFileError as exc:
        raise ApiError(422, exc.message) from exc
    return {"batch": batch_out(_batch(request, batch_id)), "result": result}


@router.get("/{batch_id}/report", response={200: None, **ERRORS},
            summary="Tải các dòng bị từ chối (.xlsx)",
            openapi_extra={"responses": {200: {"description": "Tệp .xlsx", "content": {
                XLSX: {"schema": {"type": "string", "format": "binary"}}}}}})
def rejects_report(request: HttpRequest, batch_id: PathId):
    """The rejected rows with their original cells and an error column, to fix and re-import."""
    batch = _batch(request, batch_id)
    response = HttpResponse(import_rejects_xlsx(batch), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="loi-{batch.pk}.xlsx"'
    return response
