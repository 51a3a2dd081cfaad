"""The import wizard: upload → column mapping → preview (by outcome) → apply → result.

Views stay thin: they check the "import" action, call the services and render. A batch the
user may not see is a 404, whatever its id.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ansinh.access.scoping import can

from .errors import ImportFileError
from .forms import MappingForm, UploadForm
from .models import APPLY_QUEUED, BatchStatus, ImportBatch, Outcome
from .selectors import batch_get, batches_for
from .services import (
    import_apply,
    import_preview,
    import_rejects_xlsx,
    import_upload,
    import_validate,
)

TABS = [("", "Tất cả"), *Outcome.choices]


def import_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can(request.user, "import"):
            raise PermissionDenied("Bạn không có quyền nhập dữ liệu.")
        return view(request, *args, **kwargs)

    return wrapper


def _use_tasks() -> bool:
    return getattr(settings, "IMPORT_USE_TASKS", False)


@import_required
def start(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        commune = form.cleaned_data["commune"]
        try:
            batch = import_upload(request.user, upload, upload.name,
                                  commune_code=commune.code if commune else None)
        except ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:mapping", pk=batch.pk)
    return render(request, "imports/start.html", {
        "form": form, "batches": batches_for(request.user)[:20],
        "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
    })


@import_required
def mapping(request, pk):
    batch = batch_get(request.user, pk)
    if batch.status == BatchStatus.APPLIED:
        return redirect("imports:result", pk=batch.pk)
    if batch.applying:  # its rows must not change under the queued apply
        return redirect("imports:preview", pk=batch.pk)
    current = batch.mapping
    form = MappingForm(request.POST or None, headers=current.get("headers", []),
                       columns=current.get("columns", {}),
                       initial={"header_row": current.get("header_row")})
    if request.method == "POST" and form.is_valid():
        if _use_tasks():
            from .tasks import validate_batch

            batch.status, batch.error = BatchStatus.STAGED, ""
            batch.progress_step, batch.progress_done, batch.progress_total = "queued", 0, 0
            batch.save(update_fields=["status", "error", "progress_step", "progress_done",
                                      "progress_total"])
            validate_batch.enqueue(batch.pk, request.user.pk, form.mapping())
            return redirect("imports:preview", pk=batch.pk)
        try:
            import_validate(request.user, batch, form.mapping())
        except ImportFileError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("imports:preview", pk=batch.pk)
    sample = current.get("sample", [])
    columns = [
        (bound, [row[i] for row in sample if i < len(row) and row[i] not in ("", None)][:3])
        for i, bound in enumerate(form.column_fields())
    ]
    return render(request, "imports/mapping.html", {
        "batch": batch, "form": form, "columns": columns,
    })


@import_required
def preview(request, pk):
    batch = batch_get(request.user, pk)
    if batch.status in (BatchStatus.STAGED, BatchStatus.FAILED) or batch.applying:
        return render(request, "imports/progress.html", {"batch": batch})
    outcome = request.GET.get("outcome", "")
    if outcome not in Outcome.values:
        outcome = ""
    page = request.GET.get("page", "1")
    data = import_preview(batch, outcome=outcome or None,
                          page=int(page) if page.isdigit() else 1)
    counts = data["counts"]
    tabs = [(value, label, counts.get(value, batch.total_rows) if value else batch.total_rows)
            for value, label in TABS]
    return render(request, "imports/preview.html", {
        "batch": batch, "data": data, "outcome": outcome, "tabs": tabs,
        "can_apply": batch.status == BatchStatus.VALIDATED and (
            batch.new_count or batch.changed_count),
    })


@import_required
def progress(request, pk):
    """HTMX poll target: the bar while staging or applying in a task; once done, a redirect to
    the preview (validated, or an apply that failed and says why) or to the result."""
    batch = batch_get(request.user, pk)
    done = {BatchStatus.VALIDATED: "imports:preview", BatchStatus.APPLIED: "imports:result"}
    if batch.status in done and not batch.applying:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(done[batch.status], args=[batch.pk])
        return response
    return render(request, "imports/_progress.html", {"batch": batch})


@require_POST
@import_required
def apply(request, pk):
    batch = batch_get(request.user, pk)
    if _use_tasks() and batch.status == BatchStatus.VALIDATED:
        from .tasks import apply_batch

        # Queued once: a second click (or a second officer) finds the step already set and
        # only sees the progress page; the task itself applies a batch at most once anyway.
        if ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.VALIDATED).exclude(
                progress_step=APPLY_QUEUED).update(progress_step=APPLY_QUEUED, error=""):
            apply_batch.enqueue(batch.pk, request.user.pk)
        return redirect("imports:preview", pk=batch.pk)
    try:
        counts = import_apply(request.user, batch)
    except ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect("imports:preview", pk=batch.pk)
    if counts.get("already_applied"):
        messages.info(request, "Lần nhập này đã được áp dụng trước đó; không ghi thêm gì.")
    return redirect("imports:result", pk=batch.pk)


@import_required
def result(request, pk):
    batch = batch_get(request.user, pk)
    if batch.status != BatchStatus.APPLIED:
        return redirect("imports:preview", pk=batch.pk)
    return render(request, "imports/result.html", {"batch": batch,
                                                   "applied": batch.applied_counts})


@import_required
def rejects(request, pk):
    batch = batch_get(request.user, pk)
    data = import_rejects_xlsx(batch)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stem = batch.file_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = (
        f"attachment; filename=\"loi-{batch.pk}.xlsx\"; "
        f"filename*=UTF-8''{_quote('loi-' + stem + '.xlsx')}")
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
