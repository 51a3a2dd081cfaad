from ansinh.access.scoping import can


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "registry": can(user, "view"),
            "import": can(user, "import"),
            "audit": can(user, "audit"),
        }
    }
