"""Helpers shared by the routers: paging, look-ups by code, 404 inside the user's area."""

from collections.abc import Callable
from typing import Annotated

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query
from pydantic import Field

from ansinh.geo.models import AdminUnit

from .errors import invalid
from .schemas.common import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Limit = Annotated[int, Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Số bản ghi mỗi trang")]
Offset = Annotated[int, Query(0, ge=0, le=10_000_000, description="Bỏ qua bao nhiêu bản ghi")]
PathId = Annotated[int, Field(ge=1, le=MAX_ID)]


def paginate(request: HttpRequest, qs: QuerySet, limit: int, offset: int,
             serialize: Callable[[list], list]) -> dict:
    """`{"count", "next", "previous", "items"}`. The count uses the same indexed filter as the
    page; the page itself is a keyed slice of an indexed ordering."""
    count = qs.count()
    rows = list(qs[offset:offset + limit]) if offset < count else []
    return {
        "count": count,
        "next": _page_url(request, offset + limit, limit) if offset + limit < count else None,
        "previous": _page_url(request, max(offset - limit, 0), limit) if offset > 0 else None,
        "items": serialize(rows),
    }


def _page_url(request: HttpRequest, offset: int, limit: int) -> str:
    params = request.GET.copy()
    params["offset"] = str(offset)
    params["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def get_in_area(qs: QuerySet, pk: int, what: str):
    """The object if it exists inside the caller's area; otherwise 404 — never 403, so that
    a record outside the area is indistinguishable from one that does not exist."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"Không tìm thấy {what} #{pk} trong địa bàn của bạn.")
    return obj


def commune_by_code(code: str, field: str = "commune_code") -> AdminUnit:
    commune = AdminUnit.objects.communes().select_related("province").filter(code=code).first()
    if commune is None:
        raise invalid(field, f"Không có xã/phường hiện hành mã «{code}».")
    return commune
