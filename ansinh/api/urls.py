from functools import wraps

from django.conf import settings
from django.urls import path, re_path
from django.utils import translation

from .errors import error_response
from .root import api


def not_found(request, rest=""):
    return error_response(404, "Không có đường dẫn API này. Xem /api/v1/docs.")


def _json_405(view):
    """Ninja answers a method a path lacks with an empty 405; give it the common error body."""

    @wraps(view)  # keeps csrf_exempt: Ninja checks CSRF itself for session requests
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = error_response(405, f"Phương thức không được hỗ trợ; dùng: {allowed}.")
            response["Allow"] = allowed
        return response

    return wrapper


def _vietnamese(view):
    """The API answers in Vietnamese, as its documentation says, even to a browser session
    whose pages the reader switched to English (the language cookie travels with it): the
    services build their messages in the active language."""

    @wraps(view)  # keeps csrf_exempt, as above
    def wrapper(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = settings.LANGUAGE_CODE
        return response

    return wrapper


_api_patterns, _api_app, _api_namespace = api.urls
for _pattern in _api_patterns:
    _pattern.callback = _vietnamese(_json_405(_pattern.callback))

urlpatterns = [
    path("", (_api_patterns, _api_app, _api_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
