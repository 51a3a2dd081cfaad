"""Payroll preparation as a background task (`PAYROLL_USE_TASKS`), so the web request only
queues the run and the page polls its state. The run writes its ledger in one transaction, so
there is no partial progress to show: the page shows queued → running → done or the error."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from ansinh.access.context import acting
from ansinh.access.scoping import can

from .models import PayrollRun


def payroll_run_enqueue(user, month) -> tuple[PayrollRun, bool]:
    """Queue the preparation of `month` for the user's area: (run, True), or the run already
    queued or running for this user and month: (run, False)."""
    if not can(user, "payroll"):
        raise PermissionDenied("Bạn không có quyền lập bảng chi trả.")
    try:
        with transaction.atomic():
            run = PayrollRun.objects.create(requested_by=user, month=month)
            run_payroll.enqueue(run.pk)
            return run, True
    except IntegrityError:  # one active run per officer and month
        return PayrollRun.objects.get(requested_by=user, month=month,
                                      status__in=PayrollRun.ACTIVE), False


def _fail(run_id: int, message: str) -> None:
    PayrollRun.objects.filter(pk=run_id).update(status=PayrollRun.Status.FAILED,
                                                error=message, finished_at=timezone.now())


@task()
def run_payroll(run_id: int) -> dict:
    from .services import payroll_run

    # Compare-and-set claim: a run picked up twice (a retried task) is prepared once.
    if not PayrollRun.objects.filter(pk=run_id, status=PayrollRun.Status.QUEUED).update(
            status=PayrollRun.Status.RUNNING, started_at=timezone.now()):
        return {"skipped": run_id}
    run = PayrollRun.objects.get(pk=run_id)
    user = get_user_model().objects.get(pk=run.requested_by_id)

    try:
        with acting(user_id=user.pk, username=user.get_username(), source="task"):
            result = payroll_run(user, run.month)
    except (ValidationError, PermissionDenied) as exc:
        messages = getattr(exc, "messages", None) or [str(exc)]
        _fail(run_id, " ".join(messages))
        return {"error": messages}
    except Exception as exc:
        _fail(run_id, f"Lỗi khi lập bảng chi trả: {type(exc).__name__}. Hãy thử lại.")
        raise
    PayrollRun.objects.filter(pk=run_id).update(
        status=PayrollRun.Status.DONE, finished_at=timezone.now(),
        communes=result.communes, beneficiaries=result.beneficiaries,
        regular_total=result.regular_total, adjustment_total=result.adjustment_total)
    return {"run": run_id, "communes": result.communes}
