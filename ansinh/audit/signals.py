"""Logins, logouts and failed logins go to the audit log like any other act."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from ansinh.access.context import acting

from .models import AuditAction
from .services import audit_record


def _ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    with acting(user_id=user.pk, username=user.get_username(), source="web", ip=_ip(request)):
        audit_record(AuditAction.LOGIN, object_type="user", object_id=user.pk,
                     object_repr=user.get_username(), changes={"result": "ok"})


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    with acting(user_id=None, username=username, source="web", ip=_ip(request)):
        audit_record(AuditAction.LOGIN, object_type="user", object_repr=username,
                     changes={"result": "failed"})
