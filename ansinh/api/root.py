"""The JSON API at /api/v1/: OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs."""

from ninja import NinjaAPI

from . import errors
from .auth import SessionAuth, TokenAuth, bind_actor

DESCRIPTION = """
API của hệ thống quản lý trợ giúp xã hội **ansinh** — the ansinh social-assistance API.

## Xác thực / Authentication

Gửi `Authorization: Bearer ans_…` (token cấp bằng `ansinh users token <username>`).
Trình duyệt đã đăng nhập cũng gọi được bằng phiên (cookie); yêu cầu ghi (POST/PATCH) khi đó
phải kèm tiêu đề `X-CSRFToken`.

## Phạm vi địa bàn / Area scoping

Mọi danh sách chỉ gồm bản ghi trong địa bàn của người dùng; bản ghi ngoài địa bàn trả về 404.
Every list contains only records in the caller's area; a record outside it is 404.
Each write is recorded in the audit log with the token's user and source `api`.

## Danh sách / Lists

`?limit=` (1–200, mặc định 50) và `?offset=`; phản hồi
`{"count": N, "next": url|null, "previous": url|null, "items": [...]}`.

## Ngày sinh / Birth dates

Đầu ra: `{"birth_date": "1945-03-05", "birth_date_precision": "D"|"M"|"Y",
"birth_display": "05/03/1945"}` — a partial date is stored as the first day of its period.
Đầu vào: `birth_date` as ISO `1945-03-05` or Vietnamese `05/03/1945`, `03/1945`, `1945`; the
precision follows the form unless `birth_date_precision` is sent too.

## Thông tin nhạy cảm / Sensitive fields

`disability_type`, `disability_notes`, `hiv_status` are absent unless `?include_sensitive=true`
and the caller holds the *sensitive* right there (otherwise **403**); every such read is
written to the audit log.
""" + errors.ERROR_FORMAT_DOC

api = NinjaAPI(
    title="ansinh API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
)
errors.install(api)
api.add_decorator(bind_actor, mode="operation")


def _add_routers() -> None:
    from .benefits import beneficiaries, payroll
    from .distributions import router as distributions
    from .enrolment import applications, decisions
    from .fund_reports import router as fund_reports
    from .fund_statements import router as fund_statements
    from .funds import router as funds
    from .households import router as households
    from .imports import router as imports
    from .persons import router as persons

    api.add_router("/persons", persons)
    api.add_router("/households", households)
    api.add_router("/imports", imports)
    api.add_router("/beneficiaries", beneficiaries)
    api.add_router("/payroll", payroll)
    api.add_router("/applications", applications)
    api.add_router("/decisions", decisions)
    api.add_router("/funds", funds)
    api.add_router("/funds/statements", fund_statements)
    api.add_router("/funds/reports", fund_reports)
    api.add_router("/funds/distributions", distributions)


_add_routers()
