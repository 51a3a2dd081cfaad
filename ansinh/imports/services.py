"""The Excel import of households and members: stage → validate → preview → apply.

- `import_upload` keeps the file and detects its columns (whole-file errors are raised here);
- `import_validate` reads, maps, parses and plans every row and stores them with their outcome;
- `import_stage` is both in one call (the CLI, the API and tests use it);
- `import_preview` pages through the stored rows; `import_apply` writes the valid ones in one
  transaction, in bulk, with audit rows; `import_rejects_xlsx` gives the rejected rows back.

Staging is a function of (file, mapping, chosen commune, user), so it can run in a worker
(`tasks.py`) as well as in the request.
"""

import json
import os
from collections.abc import Callable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection, transaction
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
from .models import BatchStatus, ImportBatch, ImportRow, Outcome
from .parsing import CommuneResolver, ParseContext, StagedRow, parse_rows
from .planning import Plan, plan_rows
from .reader import read_sheet

Progress = Callable[[str, int, int], None]
_LOCAL_ERRORS = "_local_errors"


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
    progress("read", 0, 1)
    sheet = read_sheet(fileobj, filename)
    progress("read", 1, 1)
    batch = import_upload(user, fileobj, filename, commune_code=commune_code, mapping=mapping,
                          _sheet=sheet)
    return import_validate(user, batch, rows=sheet.rows, progress=progress)


def import_validate(user, batch: ImportBatch, mapping: dict | None = None, *,
                    rows: list[list] | None = None,
                    progress: Progress | None = None) -> ImportBatch:
    """(Re)validate a staged batch, optionally with a corrected mapping, and store its rows."""
    _require_import(user)
    _require_batch(user, batch)
    if batch.status == BatchStatus.APPLIED:
        raise ImportFileError("Lần nhập này đã được áp dụng; không kiểm tra lại được.")
    progress = _batch_progress(batch, progress)
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
    total = len(rows)
    staged = parse_rows(rows, batch.mapping["header_row"] - 1, columns, ctx,
                        progress=lambda done, _t: progress("parse", done, total))
    if not staged:
        raise ImportFileError("Không có dòng dữ liệu nào dưới dòng tiêu đề.")
    for row in staged:
        row.parsed[_LOCAL_ERRORS] = len(row.errors)
    progress("check", 0, len(staged))
    plan_rows(staged, ctx.scope, labels, resolver.names)
    _set_batch_area(batch, staged)
    bulk.tune_connection()
    with transaction.atomic():
        ImportRow.objects.filter(batch=batch).delete()
        bulk.insert_import_rows(batch.pk, staged, progress=lambda d: progress(
            "store", d, len(staged)))
        _set_counts(batch, staged)
        batch.status = BatchStatus.VALIDATED
        batch.error = ""
        batch.progress_step, batch.progress_done, batch.progress_total = "done", 1, 1
        batch.save()
    return batch


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


def _set_batch_area(batch: ImportBatch, staged: list[StagedRow]) -> None:
    if batch.commune_id:
        return
    communes = {r.parsed.get("commune_id") for r in staged} - {None}
    provinces = {r.parsed.get("province_id") for r in staged} - {None}
    if len(communes) == 1:
        batch.commune_id = next(iter(communes))
    if len(provinces) == 1 and batch.province_id is None:
        batch.province_id = next(iter(provinces))


def _set_counts(batch: ImportBatch, rows: list[StagedRow]) -> None:
    counts = dict.fromkeys(Outcome.values, 0)
    for row in rows:
        counts[row.outcome] += 1
    batch.total_rows = len(rows)
    batch.new_count = counts[Outcome.NEW]
    batch.changed_count = counts[Outcome.CHANGED]
    batch.unchanged_count = counts[Outcome.UNCHANGED]
    batch.rejected_count = counts[Outcome.REJECTED]


# ---------------------------------------------------------------------------------------------
# Preview and rejects


def import_preview(batch: ImportBatch, outcome: str | None = None, page: int = 1,
                   page_size: int = 50) -> dict:
    """Counts per outcome and one page of rows (optionally of one outcome)."""
    qs = ImportRow.objects.filter(batch=batch)
    if outcome:
        qs = qs.filter(outcome=outcome)
    counts = batch.counts
    total = counts.get(outcome, 0) if outcome else batch.total_rows
    page_size = max(1, min(int(page_size), 500))
    pages = max(1, -(-total // page_size))
    page = max(1, min(int(page), pages))
    rows = []
    for r in qs.order_by("row_number")[(page - 1) * page_size: page * page_size]:
        p = r.parsed
        rows.append({
            "row_number": r.row_number,
            "outcome": r.outcome,
            "full_name": p.get("full_name", ""),
            "birth_date": p.get("birth_date"),
            "id_number": p.get("id_number", ""),
            "household_code": p.get("household_code", ""),
            "relationship": p.get("relationship", ""),
            "errors": r.errors,
            "diff": [
                {"field": k, "label": FIELDS.get(k, "Chủ hộ" if k == "head" else k),
                 "old": v[0], "new": v[1]}
                for k, v in r.diff.items()
            ],
            "raw": r.raw,
            "target_person_id": r.target_person_id,
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
        for r in ImportRow.objects.filter(batch=batch, outcome=Outcome.REJECTED) \
                .order_by("row_number").iterator(chunk_size=2000):
            cells = list(r.raw) + [""] * (len(headers) - len(r.raw))
            for i in id_columns:
                if i < len(cells) and isinstance(cells[i], int):
                    # Written as text so Excel does not drop the leading zero again.
                    cells[i] = normalise_id_number(cells[i])
            yield [*cells[:max(len(headers), len(r.raw))],
                   "; ".join(e["message"] for e in r.errors)]

    width = max(len(headers), 1)
    return write_xlsx([*headers[:width], "Lỗi"], rows(), title="Dòng bị từ chối")


# ---------------------------------------------------------------------------------------------
# Apply


def import_apply(user, batch: ImportBatch, *, progress: Progress | None = None) -> dict:
    """Write every valid row in one transaction; a second call does nothing."""
    _require_import(user)
    _require_batch(user, batch)
    progress = progress or _noop
    with transaction.atomic(), acting(
        user_id=getattr(user, "pk", None) or current().user_id,
        username=getattr(user, "username", "") or current().username,
        source=current().source if current().source != "system" else "import",
        import_batch_id=batch.pk,
    ):
        bulk.tune_connection()
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == BatchStatus.APPLIED:
            return {**locked.applied_counts, "already_applied": True}
        if locked.status != BatchStatus.VALIDATED:
            raise ImportFileError("Lần nhập chưa được kiểm tra xong nên chưa áp dụng được.")
        rows, stored = _load_rows(locked)
        progress("check", 0, len(rows))
        resolver_names = dict(AdminUnit.objects.communes().values_list("pk", "name"))
        plan = plan_rows(rows, scope_for(user, "import"), _labels(locked.mapping),
                         resolver_names)
        counts = _write(plan, progress)
        _store_apply_outcome(locked, rows, stored, plan)
        _set_counts(locked, rows)
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


def _load_rows(batch: ImportBatch) -> tuple[list[StagedRow], dict[int, tuple]]:
    """The staged rows back from the database, decoded once (raw SQL: the ORM's per-field
    conversion costs more than the JSON decoding itself)."""
    rows, stored = [], {}
    table = ImportRow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "id", "row_number", "parsed", "errors", "outcome", "diff", '
            f'"target_person_id" FROM "{table}" WHERE "batch_id" = %s ORDER BY "row_number"',
            [batch.pk])
        for pk, number, parsed, errors, outcome, diff, target in cursor.fetchall():
            parsed, errors, diff = _loads(parsed), _loads(errors), _loads(diff)
            local = parsed.get(_LOCAL_ERRORS, len(errors))
            rows.append(StagedRow(row_number=number, raw=[], parsed=parsed,
                                  errors=list(errors[:local]), local_ok=local == 0))
            stored[number] = (pk, outcome, errors, diff, target)
    return rows, stored


def _loads(value):
    if not isinstance(value, str):  # psycopg may hand jsonb over already decoded
        return value
    if value == "[]":
        return []
    if value == "{}":
        return {}
    return json.loads(value)


def _store_apply_outcome(batch, rows: list[StagedRow], stored: dict, plan: Plan) -> None:
    """Rows whose outcome moved since staging (the registry changed meanwhile) are rewritten;
    new rows get the id of the person they created."""
    new_pks = {id(pp.row): pp.pk for pp in plan.persons}
    changed, targets = [], []
    for row in rows:
        pk, outcome, errors, diff, target = stored[row.row_number]
        if row.outcome == Outcome.NEW:
            row.target_person_id = new_pks.get(id(row))
        if (row.outcome, row.errors, row.diff) != (outcome, errors, diff):
            changed.append(ImportRow(pk=pk, outcome=row.outcome, errors=row.errors,
                                     diff=row.diff, target_person_id=row.target_person_id))
        elif row.target_person_id != target:
            targets.append((row.target_person_id, pk))
    if changed:
        ImportRow.objects.bulk_update(
            changed, ["outcome", "errors", "diff", "target_person_id"], batch_size=1000)
    bulk.set_import_row_targets(targets)


_PERSON_DEFAULTS = {
    "documents": [], "disability_type": "", "disability_notes": "", "hiv_status": None,
    "deceased_date": None,
}


def _write(plan: Plan, progress: Progress) -> dict:
    """Households, persons, heads and audit rows, each in a handful of bulk statements."""
    now = timezone.now()
    ctx = current()
    audits: list[dict] = []

    def _audit_dict(action, object_type, object_id, object_repr, changes, commune_id,
                    province_id) -> dict:
        return audit_values(action, object_type=object_type, object_id=object_id,
                            object_repr=object_repr, changes=changes, commune_id=commune_id,
                            province_id=province_id, at=now, ctx=ctx)

    # 1. Households that do not exist yet.
    new_households = [h for h in plan.households.values() if h.existing is None]
    household_rows = [
        {"code": h.code, "commune_id": h.commune_id, "province_id": h.province_id,
         "address": h.address or "", "poverty_status": h.poverty_status or "",
         "poverty_year": None, "head_id": None, "created_at": now, "updated_at": now}
        for h in new_households
    ]
    for h, pk in zip(new_households, bulk.create(Household, household_rows), strict=True):
        h.pk = pk
    for h in plan.households.values():
        if h.existing is not None:
            h.pk = h.existing["pk"]
    progress("apply", 1, 4)

    # 2. New persons.
    new_people = [pp for pp in plan.persons if pp.existing is None]
    person_rows = []
    for pp in new_people:
        v = pp.values
        person_rows.append({
            "household_id": pp.household.pk, "relationship": v["relationship"], "ho": v["ho"],
            "ten_dem": v["ten_dem"], "ten": v["ten"], "full_name": v["full_name"],
            "search_name": v["search_name"], "sort_key": v["sort_key"],
            "birth_date": v["birth_date"], "birth_date_precision": v["birth_date_precision"],
            "sex": v["sex"], "ethnicity": v["ethnicity"], "id_number": v["id_number"] or None,
            "phone": v["phone"], "disability_level": v["disability_level"],
            "commune_id": v["commune_id"], "province_id": v["province_id"],
            "created_at": now, "updated_at": now, **_PERSON_DEFAULTS,
        })
    person_ids = bulk.create(Person, person_rows)
    for pp, row, pk in zip(new_people, person_rows, person_ids, strict=True):
        pp.pk = pk
        snapshot = {f: row.get(f, row.get(f + "_id")) for f in Person.AUDITED_FIELDS}
        audits.append(_audit_dict(AuditAction.CREATE, "person", pk, row["full_name"],
                                  snapshot, row["commune_id"], row["province_id"]))
    progress("apply", 2, 4)

    # 3. Changed persons: few in a normal import, so the ORM's bulk_update is fine here.
    changed_people = [pp for pp in plan.persons if pp.existing is not None and pp.changes]
    update_fields: set[str] = set()
    changed_objs = []
    for pp in changed_people:
        v = pp.values
        obj = Person(pk=pp.pk, household_id=pp.household.pk, commune_id=pp.household.commune_id,
                     province_id=pp.household.province_id, updated_at=now)
        for key in ("ho", "ten_dem", "ten", "birth_date_precision", "sex", "ethnicity",
                    "id_number", "phone", "disability_level", "relationship"):
            setattr(obj, key, v[key])
        obj.birth_date = _as_date(v["birth_date"])
        obj.refresh_derived()
        changed_objs.append(obj)
        fields = set(pp.changes) - {"household", "commune"}
        if {"ho", "ten_dem", "ten"} & fields:
            fields |= {"full_name", "search_name", "sort_key"}
        if "household" in pp.changes:
            fields.add("household")
        if "commune" in pp.changes:
            fields |= {"commune", "province"}
        update_fields |= fields
        changes = dict(pp.changes)
        if "household" in changes:
            changes["household"] = [changes["household"][0], pp.household.pk]
        audits.append(_audit_dict(AuditAction.UPDATE, "person", pp.pk, obj.full_name,
                                  changes, obj.commune_id, obj.province_id))
    if changed_objs:
        Person.objects.bulk_update(changed_objs, sorted(update_fields | {"updated_at"}),
                                   batch_size=1000)
    progress("apply", 3, 4)

    # 4. Heads, then the households' audit rows (a new household's snapshot has its head).
    changed_households = []
    for h in plan.households.values():
        if h.existing is None:
            continue
        head_pk = h.head.pk if h.head is not None else None
        if "head" in h.changes:
            h.changes["head"] = [h.existing["head_id"], head_pk]
        if not h.changes:
            continue
        changed_households.append(Household(
            pk=h.pk, updated_at=now,
            address=h.address if "address" in h.changes else h.existing["address"],
            poverty_status=h.poverty_status if "poverty_status" in h.changes
            else h.existing["poverty_status"],
            head_id=head_pk if "head" in h.changes else h.existing["head_id"],
        ))
        audits.append(_audit_dict(AuditAction.UPDATE, "household", h.pk,
                                  f"Hộ {h.code}", h.changes, h.commune_id, h.province_id))
    if changed_households:
        Household.objects.bulk_update(
            changed_households, ["address", "poverty_status", "head", "updated_at"],
            batch_size=1000)
    bulk.set_household_heads([(h.head.pk, h.pk) for h in new_households if h.head is not None])
    for h, row in zip(new_households, household_rows, strict=True):
        snapshot = {
            "code": h.code, "address": row["address"], "commune": h.commune_id,
            "poverty_status": row["poverty_status"], "poverty_year": None,
            "head": h.head.pk if h.head is not None else None,
        }
        audits.append(_audit_dict(AuditAction.CREATE, "household", h.pk,
                                  f"Hộ {h.code}", snapshot, h.commune_id, h.province_id))
    write_audit(audits)
    progress("apply", 4, 4)
    return {
        "households_created": len(new_households),
        "households_updated": len(changed_households),
        "persons_created": len(new_people),
        "persons_updated": len(changed_people),
        "audit_rows": len(audits),
    }


def write_audit(rows: list[dict]) -> int:
    """The import's audit rows, through the bulk writer (see bulk.py for why)."""
    return bulk.insert_audit(rows)


def _as_date(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _vendor() -> str:
    return connection.vendor
