from .context import acting


class RequestContextMiddleware:
    """Binds the request's user, id and address to the audit context for its whole duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        authenticated = bool(user and user.is_authenticated)
        source = "api" if request.path.startswith("/api/") else "web"
        with acting(
            user_id=user.pk if authenticated else None,
            username=user.get_username() if authenticated else "",
            source=source,
            ip=request.META.get("REMOTE_ADDR"),
        ) as ctx:
            request.request_id = ctx.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
