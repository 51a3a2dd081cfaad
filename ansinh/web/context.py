from django.urls import NoReverseMatch, reverse

from ansinh.access.scoping import can


def _url(name: str) -> str | None:
    # A page of another app may not exist yet; its menu entry then simply does not show.
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "registry": can(user, "view"),
            "import": can(user, "import") and _url("imports:start"),
            "audit": can(user, "audit"),
        }
    }
