"""Roles and what each may do. A role is always held on an administrative unit (or the nation).

Actions:
- view: list, search, open records
- add / change: create and edit registry records
- import: run bulk imports
- export: download lists
- approve: sign decisions, approve what another user prepared
- sensitive: reveal sensitive fields (HIV status, disability details) — every reveal is logged
- audit: browse and export the audit log
- manage_users: create users and assign roles inside the area
- policy: add dated parameter values (standard levels, coefficients) with their legal basis
- payroll: prepare a payroll month, payment lists and return files (approval is `approve`)
"""

from django.db import models


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", "Cán bộ xã (LĐTBXH/văn hóa – xã hội)"
    COMMUNE_LEADER = "commune_leader", "Lãnh đạo UBND xã (phê duyệt)"
    PROVINCE_OFFICER = "province_officer", "Chuyên viên Sở"
    PROVINCE_ADMIN = "province_admin", "Quản trị cấp tỉnh"
    AUDITOR = "auditor", "Kiểm tra/thanh tra (chỉ xem)"
    NATIONAL_VIEWER = "national_viewer", "Xem toàn quốc (Bộ)"


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.COMMUNE_OFFICER: frozenset(
        {"view", "add", "change", "import", "export", "sensitive", "payroll"}
    ),
    Role.COMMUNE_LEADER: frozenset({"view", "export", "approve", "sensitive"}),
    Role.PROVINCE_OFFICER: frozenset(
        {"view", "add", "change", "import", "export", "sensitive", "payroll"}
    ),
    Role.PROVINCE_ADMIN: frozenset(
        {"view", "add", "change", "import", "export", "approve", "sensitive", "audit",
         "manage_users", "policy", "payroll"}
    ),
    Role.AUDITOR: frozenset({"view", "export", "audit"}),
    Role.NATIONAL_VIEWER: frozenset({"view"}),
}

# Which level of unit a role may be held on. None means the whole country.
ROLE_LEVELS: dict[str, tuple[str | None, ...]] = {
    Role.COMMUNE_OFFICER: ("commune",),
    Role.COMMUNE_LEADER: ("commune",),
    Role.PROVINCE_OFFICER: ("province",),
    Role.PROVINCE_ADMIN: ("province",),
    Role.AUDITOR: ("commune", "province", None),
    Role.NATIONAL_VIEWER: (None,),
}

ACTIONS = frozenset().union(*ROLE_ACTIONS.values())
