"""Who is calling: a bearer token (`Authorization: Bearer ans_…`) or the browser's session.

`RequestContextMiddleware` binds the audit context before Ninja resolves the token, so for a
token call it still holds an anonymous actor. `bind_actor` wraps every endpoint and re-binds
the context to the authenticated user, keeping the middleware's request id, so audit rows
written by the endpoint name the token's user with source "api".
"""

import functools
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from ansinh.access.context import acting, current
from ansinh.access.models import ApiToken

# last_used_at is informative; writing it on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        token = (token or "").strip()
        if not token.startswith("ans_") or len(token) > 200:
            return None
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.hash(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        request.api_token = row
        return row.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session. Unsafe methods must carry the CSRF token.

    Unlike Ninja's own SessionAuth, a request without a session is simply not authenticated
    here (so the API answers 401), and CSRF is only checked once a session user is present.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in _SAFE_METHODS and check_csrf(request):
            raise HttpError(403, "CSRF check Failed")
        return user


def bind_actor(view_func):
    """Run the endpoint as the authenticated user in the audit context (source "api")."""

    @functools.wraps(view_func)
    def wrapper(request, *args, **kwargs):
        user = getattr(request, "auth", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return view_func(request, *args, **kwargs)
        with acting(
            user_id=user.pk, username=user.get_username(), source="api",
            request_id=getattr(request, "request_id", None) or current().request_id,
        ):
            return view_func(request, *args, **kwargs)

    return wrapper
