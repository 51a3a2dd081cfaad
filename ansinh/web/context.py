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
            # Monthly assistance: every page there is readable with `view`; the buttons on
            # them ask for their own action.
            "beneficiaries": can(user, "view") and _url("enrolment:entitlement_list"),
            "applications": can(user, "view") and _url("enrolment:application_list"),
            "decisions": can(user, "view") and _url("enrolment:decision_list"),
            "payroll": can(user, "view") and _url("payments:payroll_month"),
            # Every officer prices benefits from these values; adding one asks for `policy`.
            "policy": can(user, "view") and _url("policy:index"),
            "funds": can(user, "funds") and _url("funds:dashboard"),
            "audit": can(user, "audit"),
        }
    }
