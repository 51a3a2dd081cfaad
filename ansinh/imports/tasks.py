"""Staging and applying as background tasks, so a 100,000-row file does not hold a web request.

The web wizard enqueues `validate_batch` and `apply_batch` when settings.IMPORT_USE_TASKS is
on; the page polls the batch's progress fields. Whatever goes wrong is stored on the batch
(the Vietnamese message) so the officer sees it: a failed validation marks the batch failed
(try again with another mapping); a failed apply leaves it validated — its transaction wrote
nothing — with the reason, and the officer may apply again.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django_tasks import task

from ansinh.access.context import acting

from .errors import ImportFileError
from .models import APPLY_FAILED, BatchStatus, ImportBatch


@task()
def validate_batch(batch_id: int, user_id: int, mapping: dict | None = None) -> dict:
    from .services import import_validate

    batch = ImportBatch.objects.get(pk=batch_id)
    user = get_user_model().objects.get(pk=user_id)
    try:
        with acting(user_id=user.pk, username=user.get_username(), source="task",
                    import_batch_id=batch.pk):
            import_validate(user, batch, mapping)
    except (ImportFileError, PermissionDenied) as exc:
        message = getattr(exc, "message", None) or str(exc)
        ImportBatch.objects.filter(pk=batch_id).update(status=BatchStatus.FAILED, error=message)
        return {"error": message}
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=BatchStatus.FAILED, error=f"Lỗi khi xử lý tệp: {type(exc).__name__}.")
        raise
    return {"batch": batch_id, "status": BatchStatus.VALIDATED}


@task()
def apply_batch(batch_id: int, user_id: int) -> dict:
    from .services import import_apply

    batch = ImportBatch.objects.get(pk=batch_id)
    user = get_user_model().objects.get(pk=user_id)
    try:
        with acting(user_id=user.pk, username=user.get_username(), source="task",
                    import_batch_id=batch.pk):
            counts = import_apply(user, batch)
    except (ImportFileError, PermissionDenied) as exc:
        _apply_failed(batch_id, getattr(exc, "message", None) or str(exc))
        return {"error": str(exc)}
    except Exception as exc:
        _apply_failed(batch_id, f"Lỗi khi ghi vào sổ: {type(exc).__name__}.")
        raise
    return {"batch": batch_id, "status": BatchStatus.APPLIED, **counts}


def _apply_failed(batch_id: int, message: str) -> None:
    # Only a batch still waiting: an apply that did go through keeps its status.
    ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.VALIDATED).update(
        progress_step=APPLY_FAILED, error=message)
