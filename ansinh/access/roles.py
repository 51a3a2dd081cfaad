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
- funds: record donors, pledges, receipts, stock and distributions of a social-security fund
- donor_bank: see donors' bank details (fund staff only, never case workers)
- fund_approve: approve fund allocations and distribution lists another user prepared (kept
  apart from `approve`, so fund staff never approve decisions or payrolls)
"""

from django.db import models


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", "Cán bộ xã (LĐTBXH/văn hóa – xã hội)"
    COMMUNE_LEADER = "commune_leader", "Lãnh đạo UBND xã (phê duyệt)"
    PROVINCE_OFFICER = "province_officer", "Chuyên viên Sở"
    PROVINCE_ADMIN = "province_admin", "Quản trị cấp tỉnh"
    AUDITOR = "auditor", "Kiểm tra/thanh tra (chỉ xem)"
    NATIONAL_VIEWER = "national_viewer", "Xem toàn quốc (Bộ)"
    FUND_OFFICER = "fund_officer", "Cán bộ quỹ an sinh xã hội"
    FUND_MANAGER = "fund_manager", "Lãnh đạo quỹ an sinh xã hội (phê duyệt)"


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
    # Fund staff work with donors and money and pick recipients from the registry, but never
    # see beneficiaries' sensitive fields (no `sensitive`).
    Role.FUND_OFFICER: frozenset({"view", "export", "funds", "donor_bank"}),
    Role.FUND_MANAGER: frozenset({"view", "export", "funds", "donor_bank", "fund_approve"}),
}

# Which level of unit a role may be held on. None means the whole country.
ROLE_LEVELS: dict[str, tuple[str | None, ...]] = {
    Role.COMMUNE_OFFICER: ("commune",),
    Role.COMMUNE_LEADER: ("commune",),
    Role.PROVINCE_OFFICER: ("province",),
    Role.PROVINCE_ADMIN: ("province",),
    Role.AUDITOR: ("commune", "province", None),
    Role.NATIONAL_VIEWER: (None,),
    Role.FUND_OFFICER: ("commune", "province"),
    Role.FUND_MANAGER: ("commune", "province"),
}

ACTIONS = frozenset().union(*ROLE_ACTIONS.values())
