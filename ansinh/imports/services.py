"""The Excel import of households and members: stage → validate → preview → apply.

- `import_upload` keeps the file and detects its columns (whole-file errors are raised here);
- `import_validate` reads, maps, parses and plans every row, column by column, and stores
  them with their outcome, the registry ids they will write, and a fingerprint of the
  registry rows the plan compared against;
- `import_stage` is both in one call (the CLI, the API and tests use it);
- `import_preview` pages through the stored rows; `import_apply` writes the valid ones in one
  transaction, set-wise inside the database, with audit rows, planning again first only if the
  fingerprint no longer matches; `import_rejects_xlsx` gives the rejected rows back.

Staging is a function of (file, mapping, chosen commune, user), so it can run in a worker
(`tasks.py`) as well as in the request.
"""

import gc
import os
from collections.abc import Callable
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ansinh.access.context import acting, current
from ansinh.access.scoping import allows, scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_bulk, audit_row, audit_values
from ansinh.core.excel import write_xlsx
from ansinh.core.identity import normalise_id_number
from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Household, Person

from . import bulk
from .columns import FIELDS, apply_overrides, column_letter, detect_header, map_header_row
from .errors import ImportFileError
from .models import BatchStatus, ImportBatch, ImportHousehold, ImportRow, Outcome
from .parsing import (
    CARRIED_FIELDS,
    CommuneResolver,
    ParseContext,
    Staged,
    encode_json,
    parse_rows,
)
from .planning import (
    Plan,
    RegistrySnapshot,
    assign_ids,
    plan,
    registry_snapshot,
    staged_keys,
)
from .reader import read_sheet

Progress = Callable[[str, int, int], None]


def _noop(step: str, done: int, total: int) -> None:
    return None


# ---------------------------------------------------------------------------------------------
# Permission and area


def _require_import(user) -> None:
    if scope_for(user, "import").empty:
        raise PermissionDenied("Bạn không có quyền nhập dữ liệu.")


def _require_batch(user, batch: ImportBatch) -> None:
    if not allows(user, "import", batch):
        raise PermissionDenied("Bạn không có quyền với lần nhập dữ liệu này.")


def _chosen_commune(user, commune_code: str | None) -> AdminUnit | None:
    """The commune picked at upload, or the officer's only commune."""
    scope = scope_for(user, "import")
    if commune_code:
        code = str(commune_code).strip().zfill(5)
        commune = AdminUnit.objects.communes().filter(code=code).first()
        if commune is None:
            raise ImportFileError(f"Không có xã/phường hiện hành mã «{code}».")
        if not scope.covers(commune.pk, commune.province_id):
            raise PermissionDenied("Bạn không có quyền nhập dữ liệu cho xã/phường này.")
        return commune
    if not scope.national and not scope.provinces and len(scope.communes) == 1:
        return AdminUnit.objects.get(pk=next(iter(scope.communes)))
    return None


def _name_provinces(user, commune: AdminUnit | None) -> set[int] | None:
    """Where commune names are looked up: the chosen commune's province, or the user's."""
    if commune is not None:
        return {commune.province_id}
    scope = scope_for(user, "import")
    if scope.national:
        return None
    provinces = set(scope.provinces)
    if scope.communes:
        provinces |= set(AdminUnit.objects.filter(pk__in=scope.communes)
                         .values_list("province_id", flat=True))
    return provinces


# ---------------------------------------------------------------------------------------------
# Columns


def _detect(rows: list[list], overrides: dict | None) -> dict:
    overrides = dict(overrides or {})
    header_row = overrides.pop("header_row", None)
    columns = overrides.pop("columns", overrides)
    if header_row:
        index = int(header_row) - 1
        if not 0 <= index < len(rows):
            raise ImportFileError(f"Dòng tiêu đề {header_row} nằm ngoài tệp.")
        mapping = map_header_row(rows[index])
    else:
        found = detect_header(rows)
        if found is None:
            raise ImportFileError(
                "Không tìm thấy dòng tiêu đề trong 30 dòng đầu. Bảng phải có một dòng tiêu đề "
                "gồm ít nhất cột «Họ và tên» và một cột khác (ví dụ «Ngày sinh», «Số CCCD», "
                "«Mã hộ»)."
            )
        index, mapping = found
    headers = [_header_text(c) for c in rows[index]]
    try:
        mapping = apply_overrides(mapping, headers, columns)
    except ValueError as exc:
        raise ImportFileError(str(exc)) from exc
    if "full_name" not in mapping.values():
        raise ImportFileError("Chưa có cột «Họ và tên» trong bảng ghép cột.")
    return {
        "header_row": index + 1,
        "columns": {str(i): f for i, f in sorted(mapping.items())},
        "headers": headers,
        # A few rows under the header, so the mapping page can show what each column holds.
        "sample": [[_header_text(c) for c in row][:len(headers)]
                   for row in rows[index + 1:index + 6]],
    }


def _header_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def import_detect_columns(fileobj, filename: str) -> dict:
    """For the mapping page: the header row (1-based), the detected {column: field}, the raw
    headers, a few sample rows, and the fields one may choose from."""
    sheet = read_sheet(fileobj, filename)
    detected = _detect(sheet.rows, None)
    detected["letters"] = [column_letter(i) for i in range(len(detected["headers"]))]
    detected["fields"] = dict(FIELDS)
    return detected


def _labels(mapping: dict) -> dict[str, str]:
    """Field → the header as the file writes it, so messages use the officer's words."""
    headers = mapping.get("headers", [])
    labels = {}
    for index, field in mapping.get("columns", {}).items():
        i = int(index)
        labels[field] = (headers[i] if i < len(headers) and headers[i] else FIELDS[field])
    return labels


# ---------------------------------------------------------------------------------------------
# Stage and validate


def import_upload(user, fileobj, filename: str, *, commune_code: str | None = None,
                  mapping: dict | None = None, _sheet=None) -> ImportBatch:
    """Keep the file as a new batch (status staged) with its detected column mapping."""
    _require_import(user)
    commune = _chosen_commune(user, commune_code)
    sheet = _sheet or read_sheet(fileobj, filename)
    detected = _detect(sheet.rows, mapping)
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    batch = ImportBatch(
        file_name=os.path.basename(filename)[:255], file_sha256=sheet.sha256,
        file_size=sheet.size, uploaded_by=user if getattr(user, "pk", None) else None,
        commune=commune, province_id=commune.province_id if commune else None,
        mapping=detected, status=BatchStatus.STAGED,
    )
    if batch.province_id is None:
        batch.province_id = _single_province(user)
    if _keep_files():
        fileobj.seek(0)
        batch.file.save(os.path.basename(filename), ContentFile(fileobj.read()), save=False)
    batch.save()
    return batch


def _keep_files() -> bool:
    from django.conf import settings

    return getattr(settings, "IMPORT_KEEP_FILES", True)


def _single_province(user) -> int | None:
    provinces = _name_provinces(user, None)
    return next(iter(provinces)) if provinces and len(provinces) == 1 else None


def import_stage(user, fileobj, filename: str, *, commune_code: str | None = None,
                 mapping: dict | None = None, progress: Progress | None = None) -> ImportBatch:
    """Read, detect the header, map the columns, store and validate every row.

    Raises ImportFileError (nothing stored) when the file as a whole cannot be imported.
    """
    _require_import(user)
    progress = progress or _noop
    with _bulk_gc():
        progress("read", 0, 1)
        sheet = read_sheet(fileobj, filename)
        progress("read", 1, 1)
        batch = import_upload(user, fileobj, filename, commune_code=commune_code,
                              mapping=mapping, _sheet=sheet)
        return import_validate(user, batch, rows=sheet.rows, progress=progress)


def import_validate(user, batch: ImportBatch, mapping: dict | None = None, *,
                    rows: list[list] | None = None,
                    progress: Progress | None = None) -> ImportBatch:
    """(Re)validate a staged batch, optionally with a corrected mapping, and store its rows."""
    _require_import(user)
    _require_batch(user, batch)
    if batch.status == BatchStatus.APPLIED:
        raise ImportFileError("Lần nhập này đã được áp dụng; không kiểm tra lại được.")
    if batch.applying:
        raise ImportFileError("Lần nhập này đang chờ áp dụng; không kiểm tra lại được.")
    progress = _batch_progress(batch, progress)
    with _bulk_gc():
        if rows is None:
            with batch.file.open("rb") as f:
                rows = read_sheet(f, batch.file_name).rows
        if mapping is not None:
            batch.mapping = _detect(rows, mapping)
        commune = batch.commune
        resolver = CommuneResolver(_name_provinces(user, commune))
        labels = _labels(batch.mapping)
        ctx = ParseContext(
            scope=scope_for(user, "import"), communes=resolver, labels=labels,
            default_commune=(commune.pk, commune.province_id) if commune else None,
        )
        columns = {int(i): f for i, f in batch.mapping["columns"].items()}
        staged = parse_rows(rows, batch.mapping["header_row"] - 1, columns, ctx,
                            progress=lambda done, total: progress("parse", done, total))
        if not len(staged):
            raise ImportFileError("Không có dòng dữ liệu nào dưới dòng tiêu đề.")
        progress("check", 0, len(staged))
        snapshot = registry_snapshot(staged_keys(staged))
        result = plan(staged, snapshot, ctx.scope, labels, resolver.names)
        _set_batch_area(batch, staged)
        with bulk.deferred_checkpoint(), transaction.atomic():
            bulk.tune_connection()
            bulk.relax_commit()
            ImportRow.objects.filter(batch=batch).delete()
            ImportHousehold.objects.filter(batch=batch).delete()
            _reserve_ids(staged, result)
            progress("store", 0, len(staged))
            bulk.insert_rows(batch.pk, staged,
                             progress=lambda d: progress("store", d, len(staged)))
            bulk.insert_households(batch.pk, _households(staged, result))
            _set_counts(batch, staged.outcome)
            batch.plan_digest = snapshot.digest(ctx.scope)
            batch.status = BatchStatus.VALIDATED
            batch.error = ""
            batch.progress_step, batch.progress_done, batch.progress_total = "done", 1, 1
            batch.save()
    return batch


@contextmanager
def _bulk_gc():
    """Pause Python's cyclic garbage collector while an import holds a few million cells and
    values: each full collection walks every live object, and at this size that was a third of
    the import. Nothing an import builds needs the cycle collector (reference counting frees
    it); collection resumes, untouched otherwise, when the import returns."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _reserve_ids(staged: Staged, result: Plan) -> None:
    person_ids = bulk.reserve_ids(Person, len(result.new_rows()))
    household_ids = bulk.reserve_ids(Household, len(result.new_households()))
    assign_ids(staged, result, person_ids, household_ids)


def _households(staged: Staged, result: Plan):
    for h in result.households.values():
        yield h, staged.target[h.head] if h.head is not None else None


def _batch_progress(batch: ImportBatch, progress: Progress | None) -> Progress:
    """Progress goes to the caller (the CLI's bar) and, now and then, to the batch row (the
    page's bar). The row is written with update() so a long transaction does not hide it."""
    last = [None]

    def report(step: str, done: int, total: int) -> None:
        if progress:
            progress(step, done, total)
        if batch.pk and (step, done * 20 // max(total, 1)) != last[0]:
            last[0] = (step, done * 20 // max(total, 1))
            ImportBatch.objects.filter(pk=batch.pk).update(
                progress_step=step, progress_done=done, progress_total=total)

    return report


def _set_batch_area(batch: ImportBatch, staged: Staged) -> None:
    if batch.commune_id:
        return
    communes = set(staged.values["commune_id"]) - {None}
    provinces = set(staged.values["province_id"]) - {None}
    if len(communes) == 1:
        batch.commune_id = next(iter(communes))
    if len(provinces) == 1 and batch.province_id is None:
        batch.province_id = next(iter(provinces))


def _set_counts(batch: ImportBatch, outcomes: list[str]) -> None:
    counts = dict.fromkeys(Outcome.values, 0)
    for outcome in outcomes:
        counts[outcome] += 1
    batch.total_rows = len(outcomes)
    batch.new_count = counts[Outcome.NEW]
    batch.changed_count = counts[Outcome.CHANGED]
    batch.unchanged_count = counts[Outcome.UNCHANGED]
    batch.rejected_count = counts[Outcome.REJECTED]


# ---------------------------------------------------------------------------------------------
# Preview and rejects


def _of_outcome(rows, outcome: str):
    """Rows of one outcome. For any outcome but 'new' the query repeats the partial index's
    condition, which is how SQLite knows the index holds every row asked for."""
    rows = rows.filter(outcome=outcome)
    return rows if outcome == Outcome.NEW else rows.exclude(outcome=Outcome.NEW)


def import_preview(batch: ImportBatch, outcome: str | None = None, page: int = 1,
                   page_size: int = 50) -> dict:
    """Counts per outcome and one page of rows (optionally of one outcome)."""
    qs = ImportRow.objects.filter(batch=batch)
    if outcome:
        qs = _of_outcome(qs, outcome)
    counts = batch.counts
    total = counts.get(outcome, 0) if outcome else batch.total_rows
    page_size = max(1, min(int(page_size), 500))
    pages = max(1, -(-total // page_size))
    page = max(1, min(int(page), pages))
    applied = batch.status == BatchStatus.APPLIED
    rows = []
    for r in qs.order_by("row_number").values(
            "row_number", "outcome", "id_number", "household_code", "parsed_values", "errors",
            "diff", "raw", "target_person_id",
    )[(page - 1) * page_size: page * page_size]:
        p = dict(zip(CARRIED_FIELDS, r["parsed_values"], strict=False))
        rows.append({
            "row_number": r["row_number"],
            "outcome": r["outcome"],
            "full_name": p.get("full_name") or "",
            "birth_date": p.get("birth_date"),
            "id_number": r["id_number"],
            "household_code": r["household_code"],
            "relationship": p.get("relationship") or "",
            "errors": r["errors"],
            "diff": [
                {"field": k, "label": FIELDS.get(k, "Chủ hộ" if k == "head" else k),
                 "old": v[0], "new": v[1]}
                for k, v in r["diff"].items()
            ],
            "raw": r["raw"],
            # A new row's person does not exist until the batch is applied.
            "target_person_id": r["target_person_id"]
            if applied or r["outcome"] != Outcome.NEW else None,
        })
    return {
        "batch_id": batch.pk,
        "status": batch.status,
        "counts": counts,
        "total_rows": batch.total_rows,
        "outcome": outcome,
        "page": page,
        "pages": pages,
        "page_size": page_size,
        "total": total,
        "rows": rows,
    }


def import_rejects_xlsx(batch: ImportBatch) -> bytes:
    """The rejected rows with their original columns and an error column, ready to fix and
    import again. Values are written formula-safe."""
    headers = list(batch.mapping.get("headers", []))
    id_columns = {int(i) for i, f in batch.mapping.get("columns", {}).items()
                  if f == "id_number"}

    def rows():
        for raw, errors in _of_outcome(ImportRow.objects.filter(batch=batch), Outcome.REJECTED) \
                .order_by("row_number").values_list("raw", "errors").iterator(chunk_size=2000):
            cells = list(raw) + [""] * (len(headers) - len(raw))
            for i in id_columns:
                if i < len(cells) and isinstance(cells[i], int):
                    # Written as text so Excel does not drop the leading zero again.
                    cells[i] = normalise_id_number(cells[i])
            yield [*cells[:max(len(headers), len(raw))],
                   "; ".join(e["message"] for e in errors)]

    width = max(len(headers), 1)
    return write_xlsx([*headers[:width], "Lỗi"], rows(), title="Dòng bị từ chối")


# ---------------------------------------------------------------------------------------------
# Apply


def import_apply(user, batch: ImportBatch, *, progress: Progress | None = None) -> dict:
    """Write every valid row in one transaction; a second call does nothing.

    The plan made at validation stands if the registry rows it compared against are still the
    same (and the one applying has the same scope); otherwise the batch is planned again here,
    inside the transaction, and the rows whose outcome moved are rewritten first."""
    _require_import(user)
    _require_batch(user, batch)
    progress = progress or _noop
    with bulk.deferred_checkpoint(), transaction.atomic(), acting(
        user_id=getattr(user, "pk", None) or current().user_id,
        username=getattr(user, "username", "") or current().username,
        source=current().source if current().source != "system" else "import",
        import_batch_id=batch.pk,
    ), _bulk_gc():
        bulk.tune_connection()
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == BatchStatus.APPLIED:
            return {**locked.applied_counts, "already_applied": True}
        if locked.status != BatchStatus.VALIDATED:
            raise ImportFileError("Lần nhập chưa được kiểm tra xong nên chưa áp dụng được.")
        progress("check", 0, 1)
        scope = scope_for(user, "import")
        if not _plan_stands(locked, scope):
            _plan_again(locked, registry_snapshot(bulk.staged_keys(locked.pk)), scope)
        progress("check", 1, 1)
        counts = _write(locked, progress)
        locked.status = BatchStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.applied_by = user if getattr(user, "pk", None) else None
        locked.applied_counts = counts
        locked.progress_step, locked.progress_done, locked.progress_total = "applied", 1, 1
        locked.save()
        if any(counts.values()):
            audit_bulk([audit_row(
                AuditAction.IMPORT, locked, object_repr=locked.file_name,
                changes={**counts, "file_sha256": locked.file_sha256},
            )])
    batch.refresh_from_db()
    return counts


def _plan_stands(batch: ImportBatch, scope) -> bool:
    """Is the plan made at validation still the plan? Yes if the registry rows it compared
    against are unchanged, the scope is the same and its reserved ids are still free."""
    if not batch.plan_digest:
        return False
    if batch.plan_digest == RegistrySnapshot().digest(scope):
        # Nothing in the registry matched at validation (a first import): it is enough that
        # nothing matches now, which the database answers without sending the keys back.
        unchanged = not bulk.registry_touches(batch.pk)
    else:
        unchanged = registry_snapshot(bulk.staged_keys(batch.pk)).digest(scope) == \
            batch.plan_digest
    return unchanged and not bulk.reserved_ids_taken(batch.pk)


def _plan_again(batch: ImportBatch, snapshot, scope) -> None:
    """The registry moved since validation: plan the stored rows against it as it is now, and
    rewrite the rows and households whose outcome, ids or diff changed."""
    staged, stored = bulk.load_staged(batch.pk)
    names = dict(AdminUnit.objects.communes().values_list("pk", "name"))
    result = plan(staged, snapshot, scope, _labels(batch.mapping), names)
    _reserve_ids(staged, result)
    rewrite = []
    for i, (pk, outcome, errors, diff, changes, target, household) in enumerate(stored):
        now = (staged.outcome[i], staged.errors.get(i, []), staged.diff.get(i, {}),
               _jsonable_changes(staged.changes.get(i, {})), staged.target[i],
               staged.household[i])
        if now != (outcome, errors, diff, changes, target, household):
            rewrite.append((now[0], encode_json(now[1]), encode_json(now[2]),
                            encode_json(now[3]), now[4], now[5], pk))
    bulk.update_rows(rewrite)
    ImportHousehold.objects.filter(batch=batch).delete()
    bulk.insert_households(batch.pk, _households(staged, result))
    _set_counts(batch, staged.outcome)
    batch.plan_digest = snapshot.digest(scope)


def _jsonable_changes(changes: dict) -> dict:
    """Changes as they read back from JSON (dates as ISO text), to compare with stored ones."""
    return {k: [v.isoformat() if hasattr(v, "isoformat") else v for v in pair]
            for k, pair in changes.items()}


def _write(batch: ImportBatch, progress: Progress) -> dict:
    """Households, persons, heads and audit rows, each in a handful of set-wise statements."""
    now = timezone.now()
    ctx = current()

    def audit(action, object_type, object_id, object_repr, changes, commune_id,
              province_id) -> dict:
        return audit_values(action, object_type=object_type, object_id=object_id,
                            object_repr=object_repr, changes=changes, commune_id=commune_id,
                            province_id=province_id, at=now, ctx=ctx)

    # 1–2. New households, then new persons (heads: see bulk.apply_new_households).
    households_created = bulk.apply_new_households(batch.pk, now)
    progress("apply", 1, 4)
    persons_created = bulk.apply_new_persons(batch.pk, now)
    progress("apply", 2, 4)

    # 3. Existing persons and households that change: few in a normal import.
    audits: list[dict] = []
    persons = bulk.changed_rows(batch.pk)
    bulk.update_persons(persons, now)
    for row in persons:
        audits.append(audit(AuditAction.UPDATE, "person", row["target_person_id"],
                            row["full_name"], row["changes"], row["commune_id"],
                            row["province_id"]))
    households = bulk.changed_households(batch.pk)
    bulk.update_households(households, now)
    for h in households:
        audits.append(audit(AuditAction.UPDATE, "household", h["household_id"],
                            f"Hộ {h['code']}", h["changes"], h["commune_id"],
                            h["province_id"]))
    progress("apply", 3, 4)

    # 4. Heads (SQLite), then the audit rows (a new household's record names its head).
    bulk.set_household_heads(batch.pk)
    base = audit(AuditAction.CREATE, "", None, "", {}, None, None)
    audit_rows = (bulk.audit_new_persons(batch.pk, {**base, "object_type": "person"})
                  + bulk.insert_audit(audits)
                  + bulk.audit_new_households(batch.pk, {**base, "object_type": "household"}))
    progress("apply", 4, 4)
    return {
        "households_created": households_created,
        "households_updated": len(households),
        "persons_created": persons_created,
        "persons_updated": len(persons),
        "audit_rows": audit_rows,
    }
