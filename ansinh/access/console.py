"""Who acts when a command is run at the server's console."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


class SystemUser:
    """The operator at the server's console: national scope, no database user."""

    pk = None
    id = None
    username = "system"
    is_authenticated = True
    is_active = True
    is_superuser = True

    def get_username(self) -> str:
        return self.username


def console_user(username: str | None):
    """`--as USERNAME` resolved to an active user (their roles and area apply), or the
    system operator when no name is given."""
    if not username:
        return SystemUser()
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"Không có người dùng «{username}» / no such user.",
                           returncode=1) from exc
