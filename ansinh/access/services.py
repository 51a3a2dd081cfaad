"""Users and their roles, for operators (CLI) and province administrators (UI)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from ansinh.geo.models import AdminUnit, Level

from .models import ApiToken, RoleAssignment
from .roles import ROLE_LEVELS, Role


def resolve_area(code: str | None) -> AdminUnit | None:
    """A 2-digit code is a province, a 5-digit code a commune; None or '' is the nation."""
    if not code:
        return None
    code = code.strip()
    level = Level.PROVINCE if len(code) <= 2 else Level.COMMUNE
    try:
        return AdminUnit.objects.current().get(level=level, code=code.zfill(2 if level == Level.PROVINCE else 5))
    except AdminUnit.DoesNotExist as exc:
        raise ValidationError(f"Không có đơn vị hành chính hiện hành mã «{code}».") from exc


@transaction.atomic
def user_add(username: str, role: str, area_code: str | None = None, *,
             password: str | None = None, email: str = "", full_name: str = ""):
    if role not in Role.values:
        raise ValidationError(
            f"Vai trò «{role}» không có. Các vai trò: {', '.join(Role.values)}."
        )
    area = resolve_area(area_code)
    level = area.level if area else None
    if level not in ROLE_LEVELS[role]:
        need = ", ".join("toàn quốc" if lv is None else lv for lv in ROLE_LEVELS[role])
        raise ValidationError(f"Vai trò «{role}» phải gán trên: {need} (--area).")
    User = get_user_model()
    user, _created = User.objects.get_or_create(username=username, defaults={"email": email})
    if full_name:
        first, _, last = full_name.rpartition(" ")
        user.first_name, user.last_name = last, first
    if password:
        user.set_password(password)
    elif not user.has_usable_password():
        user.set_unusable_password()
    user.save()
    assignment, _ = RoleAssignment.objects.get_or_create(user=user, role=role, area=area)
    return user, assignment


def token_issue(username: str, name: str = "") -> str:
    User = get_user_model()
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise ValidationError(f"Không có người dùng «{username}».") from exc
    _token, secret = ApiToken.issue(user, name=name)
    return secret
