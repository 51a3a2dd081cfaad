"""One error shape for every 4xx (and the rare 5xx) the API returns:

    {"error": {"code": "validation_error", "message": "…", "fields": {"id_number": ["…"]}}}

`code` is one of ERROR_CODES and is what clients branch on; `message` is Vietnamese and meant
for people; `fields` maps an input field (as named in the API, e.g. `commune_code`) to its
messages and is empty when the error is not about a field.
"""

import logging

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("ansinh.api")

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_error",
    429: "throttled",
    500: "server_error",
}

MESSAGES = {
    "bad_request": "Yêu cầu không hợp lệ.",
    "unauthorized": "Chưa xác thực: gửi tiêu đề «Authorization: Bearer ans_…» hợp lệ.",
    "forbidden": "Bạn không có quyền thực hiện thao tác này.",
    "not_found": "Không tìm thấy.",
    "method_not_allowed": "Phương thức không được hỗ trợ.",
    "conflict": "Dữ liệu xung đột với bản ghi đã có (ví dụ trùng mã).",
    "validation_error": "Dữ liệu không hợp lệ.",
    "throttled": "Quá nhiều yêu cầu, vui lòng thử lại sau.",
    "too_large": "Nội dung yêu cầu quá lớn.",
    "server_error": "Lỗi máy chủ. Mã yêu cầu ghi trong tiêu đề X-Request-ID.",
}

ERROR_FORMAT_DOC = """
## Lỗi / Errors

Mọi phản hồi lỗi (4xx) có cùng dạng JSON:

```json
{"error": {"code": "validation_error",
           "message": "Dữ liệu không hợp lệ.",
           "fields": {"id_number": ["Số định danh phải gồm đúng 12 chữ số."]}}}
```

| HTTP | code | when |
|---|---|---|
| 400 | `bad_request` | body is not JSON, malformed request (e.g. multipart without a boundary, too many form fields) |
| 401 | `unauthorized` | no / unknown / revoked token, no session |
| 403 | `forbidden` | the role does not allow the action (e.g. create outside your area, a read-only role writing, `include_sensitive` without the *sensitive* right), CSRF failure on a session request |
| 404 | `not_found` | no such record **or the record lies outside your area** (never 403, so existence is not revealed) |
| 409 | `conflict` | a concurrent write hit a database uniqueness rule; retry after reloading |
| 413 | `too_large` | the request body is over the size limit, or an uploaded file is |
| 422 | `validation_error` | wrong types, unknown fields (every input object rejects fields it does not know), a business rule (invalid ID number, duplicate ID number, birth date in the future, …); `fields` names each field with its messages |

`code` is stable and meant for programs; `message` is Vietnamese text for people. Field names in
`fields` are the API's names (`commune_code`, `household_id`, …); a nested field is dotted
(`documents.0.number`). A duplicate ID number is reported as **422** on `id_number`; 409 only
happens when two requests race past that check.
"""


class ApiError(Exception):
    """Raised by endpoints for an error with a chosen status, message and field messages."""

    def __init__(self, status: int, message: str = "", fields: dict | None = None):
        self.status, self.message, self.fields = status, message, fields or {}
        super().__init__(message)


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, MESSAGES["validation_error"], {field: [message]})


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorDetail


def error_response(status: int, message: str = "", fields: dict | None = None,
                   code: str | None = None) -> JsonResponse:
    code = code or ERROR_CODES.get(status, "bad_request" if status < 500 else "server_error")
    body = {"error": {"code": code, "message": message or MESSAGES.get(code, ""),
                      "fields": fields or {}}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False},
                        content_type="application/json; charset=utf-8")


# Model field → API field, so a message from model validation names what the client sent.
FIELD_ALIASES = {"commune": "commune_code", "household": "household_id", "head": "head_id"}

# Pydantic error types in Vietnamese; anything unlisted keeps pydantic's English text.
_PYDANTIC_MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường không được hỗ trợ.",
    "string_type": "Phải là chuỗi ký tự.",
    "int_type": "Phải là số nguyên.",
    "int_parsing": "Phải là số nguyên.",
    "int_from_float": "Phải là số nguyên.",
    "bool_type": "Phải là true hoặc false.",
    "bool_parsing": "Phải là true hoặc false.",
    "date_type": "Phải là ngày dạng YYYY-MM-DD.",
    "date_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "date_from_datetime_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "date_from_datetime_inexact": "Phải là ngày, không kèm giờ.",
    "list_type": "Phải là danh sách.",
    "model_type": "Phải là đối tượng JSON.",
    "model_attributes_type": "Phải là đối tượng JSON.",
    "dict_type": "Phải là đối tượng JSON.",
    "string_too_long": "Quá dài (tối đa {max_length} ký tự).",
    "string_too_short": "Không được để trống.",
    "string_pattern_mismatch": "Sai định dạng.",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}.",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}.",
    "too_long": "Quá nhiều phần tử (tối đa {max_length}).",
    "enum": "Giá trị không hợp lệ; chỉ nhận: {expected}.",
    "literal_error": "Giá trị không hợp lệ; chỉ nhận: {expected}.",
    "json_invalid": "JSON không hợp lệ.",
    "string_unicode": "Chuỗi chứa ký tự Unicode không hợp lệ.",
    "float_parsing": "Phải là số.",
    "float_type": "Phải là số.",
    "json_type": "JSON không hợp lệ.",
}


def _pydantic_message(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our own validators raise with a Vietnamese message
    template = _PYDANTIC_MESSAGES.get(kind)
    if template:
        try:
            return template.format(**ctx).replace("' or '", "', '")
        except (KeyError, IndexError, ValueError):
            return template.split(";")[0].split("(")[0].strip()
    return str(err.get("msg", "Không hợp lệ."))


def _field_name(loc: tuple | list) -> str:
    """('body', 'payload', 'documents', 0, 'number') → 'documents.0.number'."""
    loc = list(loc)
    source = loc.pop(0) if loc else ""
    if source == "body" and len(loc) >= 1:
        loc.pop(0)  # the name of the view's body parameter is not part of the client's JSON
    # Pydantic adds the union branch or validator name ('function-after[...]', 'str'); drop it.
    parts = [str(p) for p in loc if not (isinstance(p, str) and ("[" in p or p in ("str", "int")))]
    name = ".".join(parts)
    if not name:
        return "body" if source == "body" else str(source or "request")
    head, _, rest = name.partition(".")
    head = FIELD_ALIASES.get(head, head)
    return f"{head}.{rest}" if rest else head


def ninja_validation_fields(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        msgs = fields.setdefault(_field_name(err.get("loc", ())), [])
        msg = _pydantic_message(err)
        if msg not in msgs:
            msgs.append(msg)
    return fields


def django_validation_fields(exc: DjangoValidationError) -> tuple[str, dict[str, list[str]]]:
    if not hasattr(exc, "error_dict"):
        return "; ".join(str(m) for m in exc.messages), {}
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    for field, errors in exc.message_dict.items():
        if field == "__all__":
            general.extend(str(m) for m in errors)
        else:
            fields.setdefault(FIELD_ALIASES.get(field, field), []).extend(str(m) for m in errors)
    message = "; ".join(general) if general else MESSAGES["validation_error"]
    return message, fields


def install(api) -> None:
    """Replace Ninja's default handlers so that every error has the shape above."""

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.message, exc.fields)

    @api.exception_handler(NinjaValidationError)
    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(422, fields=ninja_validation_fields(exc.errors))

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        message, fields = django_validation_fields(exc)
        return error_response(422, message, fields)

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, str(exc) or MESSAGES["forbidden"])

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc)
        # Django's own 404 messages are English and may name models; keep ours only.
        return error_response(404, message if message.startswith("Không") else "")

    @api.exception_handler(ObjectDoesNotExist)
    def on_does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return error_response(404)

    @api.exception_handler(IntegrityError)
    def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.warning("API integrity error: %s", exc)
        return error_response(409)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Throttled)
    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return error_response(429)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = ERROR_CODES.get(exc.status_code)
        message = ""  # Ninja's own messages are English; ours go through ApiError
        if exc.status_code == 400 and "parse request body" in (exc.message or ""):
            message = "Nội dung yêu cầu không phải JSON hợp lệ."
        if exc.status_code == 403 and "CSRF" in (exc.message or ""):
            message = "Thiếu hoặc sai mã CSRF (yêu cầu dùng phiên đăng nhập)."
        return error_response(exc.status_code, message, code=code)

    # Django turns these into 400 itself, but inside an API view they reach the catch-all
    # handler below and would be a 500: a client sending a malformed or oversized body is
    # the client's error, not the server's.
    @api.exception_handler(MultiPartParserError)
    def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return error_response(400, "Nội dung multipart/form-data không hợp lệ "
                                   "(thiếu hoặc sai boundary).")

    @api.exception_handler(BadRequest)
    def on_bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
        # Django raises it for a form body declared in a charset other than UTF-8.
        return error_response(400, "Yêu cầu không hợp lệ (ví dụ dữ liệu biểu mẫu không mã "
                                   "UTF-8).")

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        logging.getLogger(f"django.security.{type(exc).__name__}").warning("%s", exc)
        if isinstance(exc, RequestDataTooBig):
            return error_response(413, f"Nội dung yêu cầu quá lớn: tối đa "
                                       f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)} MB.")
        # TooManyFieldsSent, TooManyFilesSent and the like.
        return error_response(400, "Yêu cầu không hợp lệ: quá nhiều trường hoặc tệp, "
                                   "hoặc dữ liệu bất thường.")

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        return error_response(500)


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The documented error responses of an endpoint: the usual ones plus `statuses`."""
    return {code: ErrorOut for code in sorted({400, 401, 403, 404, 409, 422, *statuses})}
