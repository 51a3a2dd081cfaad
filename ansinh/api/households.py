"""/households — search, read (with members), create and update households (hộ gia đình)."""

from django.http import HttpRequest
from ninja import Query, Router, Status

from ansinh.registry.models import Household
from ansinh.registry.selectors import household_search, households_for
from ansinh.registry.services import household_create, household_update

from .common import Limit, Offset, PathId, commune_by_code, get_in_area, paginate
from .errors import error_responses, invalid
from .schemas.households import (
    HouseholdCreate,
    HouseholdDetail,
    HouseholdFields,
    HouseholdFilters,
    HouseholdPage,
    HouseholdPatch,
)

router = Router(tags=["households"])

ERRORS = error_responses()


def household_out(h: Household) -> dict:
    return {
        "id": h.pk, "code": h.code, "address": h.address,
        "commune_code": h.commune.code, "commune_name": h.commune.name,
        "province_code": h.province.code, "province_name": h.province.name,
        "poverty_status": h.poverty_status, "poverty_year": h.poverty_year,
        "head_id": h.head_id, "head_name": h.head.full_name if h.head_id else None,
        "created_at": h.created_at, "updated_at": h.updated_at,
    }


def household_detail(h: Household) -> dict:
    members = h.members.order_by("sort_key", "id").only(
        "id", "full_name", "relationship", "sex", "birth_date", "birth_date_precision",
        "id_number", "deceased_date", "household_id",
    )
    return {
        **household_out(h),
        "members": [
            {"id": m.pk, "full_name": m.full_name, "relationship": m.relationship, "sex": m.sex,
             "birth_date": m.birth_date, "birth_display": m.birth_display,
             "id_number": m.id_number, "deceased_date": m.deceased_date}
            for m in members
        ],
    }


def _visible(user):
    return households_for(user).select_related("commune", "province", "head")


@router.get("", response={200: HouseholdPage, **ERRORS}, summary="Tìm kiếm hộ gia đình")
def list_households(
    request: HttpRequest,
    filters: Query[HouseholdFilters],
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Households inside the caller's area, by commune and code.
    `q`: household code (exact or prefix) or the head's name without diacritics;
    `poverty`: poor | near_poor; `commune`: 5-digit commune code."""
    f = filters
    commune_id = commune_by_code(f.commune, "commune").pk if f.commune else None
    poverty = str(getattr(f.poverty, "value", f.poverty))
    qs = household_search(_visible(request.auth), q=f.q, poverty=poverty, commune_id=commune_id)
    qs = qs.order_by("commune_id", "code", "id")
    return paginate(request, qs, limit, offset, lambda rows: [household_out(h) for h in rows])


@router.get("/{household_id}", response={200: HouseholdDetail, **ERRORS},
            summary="Xem hộ gia đình và các thành viên")
def get_household(request: HttpRequest, household_id: PathId):
    """404 if the household does not exist or lies outside the caller's area."""
    return household_detail(get_in_area(_visible(request.auth), household_id, "hộ gia đình"))


@router.post("", response={201: HouseholdDetail, **ERRORS}, summary="Tạo hộ gia đình")
def create_household(request: HttpRequest, payload: HouseholdCreate):
    """403 outside the caller's area or for a read-only role; a household code already used in
    the commune is 422."""
    household = household_create(request.auth, **household_data(payload))
    return Status(201, household_detail(_visible(request.auth).get(pk=household.pk)))


@router.patch("/{household_id}", response={200: HouseholdDetail, **ERRORS},
              summary="Sửa hộ gia đình (chỉ các trường gửi lên)")
def update_household(request: HttpRequest, household_id: PathId, payload: HouseholdPatch):
    """404 outside the caller's area; 403 for a role that may view but not change."""
    household = get_in_area(_visible(request.auth), household_id, "hộ gia đình")
    household = household_update(request.auth, household, **household_data(payload))
    return household_detail(_visible(request.auth).get(pk=household.pk))


def household_data(payload: HouseholdFields) -> dict:
    sent = payload.model_dump(exclude_unset=True)
    data: dict = {}
    for field in ("code", "address", "poverty_status"):
        if field in sent:
            value = sent[field]
            data[field] = "" if value is None else str(getattr(value, "value", value))
    if "poverty_year" in sent:
        data["poverty_year"] = sent["poverty_year"]
    if "commune_code" in sent:
        if sent["commune_code"] is None:
            raise invalid("commune_code", "Không được để trống xã/phường.")
        data["commune"] = commune_by_code(sent["commune_code"])
    return data
