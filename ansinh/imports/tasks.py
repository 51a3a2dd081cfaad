"""Staging as a background task, so a 100,000-row file does not hold a web request.

The web wizard enqueues `validate_batch` when settings.IMPORT_USE_TASKS is on; the page polls
the batch's progress fields. Whatever goes wrong is stored on the batch (status failed, the
Vietnamese message) so the officer sees it and can try again with another mapping.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django_tasks import task

from ansinh.access.context import acting

from .errors import ImportFileError
from .models import BatchStatus, ImportBatch


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
