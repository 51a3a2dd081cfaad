"""/persons — search, read, create and update persons (nhân khẩu)."""

from django.http import HttpRequest
from ninja import Query, Router, Status

from ansinh.access.scoping import allows, can, require, require_area
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_bulk, audit_row, audit_sensitive_read
from ansinh.core.text import split_full_name
from ansinh.registry.models import Person
from ansinh.registry.selectors import households_for, parse_birth_filter, person_search, persons_for
from ansinh.registry.services import person_create, person_update

from .common import Limit, Offset, PathId, commune_by_code, get_in_area, paginate
from .errors import ApiError, error_responses, invalid
from .schemas.persons import (
    PersonCreate,
    PersonFields,
    PersonFilters,
    PersonOut,
    PersonPage,
    PersonPatch,
    birth_value,
    truncate,
)

router = Router(tags=["persons"])

ERRORS = error_responses()
SENSITIVE = list(Person.SENSITIVE_FIELDS)
_BLANKABLE = ("ho", "ten_dem", "ten", "sex", "ethnicity", "phone", "disability_level",
              "disability_type", "disability_notes", "relationship")
_AS_IS = ("hiv_status", "deceased_date")


def person_out(p: Person, *, sensitive: bool = False) -> dict:
    out = {
        "id": p.pk, "full_name": p.full_name, "ho": p.ho, "ten_dem": p.ten_dem, "ten": p.ten,
        "birth_date": p.birth_date, "birth_date_precision": p.birth_date_precision,
        "birth_display": p.birth_display, "sex": p.sex, "ethnicity": p.ethnicity,
        "id_number": p.id_number, "documents": p.documents or [], "phone": p.phone,
        "disability_level": p.disability_level, "deceased_date": p.deceased_date,
        "household_id": p.household_id,
        "household_code": p.household.code if p.household_id else None,
        "relationship": p.relationship,
        "commune_code": p.commune.code, "commune_name": p.commune.name,
        "province_code": p.province.code, "province_name": p.province.name,
        "created_at": p.created_at, "updated_at": p.updated_at,
    }
    if sensitive:
        out.update({f: getattr(p, f) for f in SENSITIVE})
    return out


def _no_sensitive_right() -> ApiError:
    return ApiError(403, "Bạn không có quyền xem thông tin nhạy cảm (khuyết tật, HIV).")


def _visible(user):
    return persons_for(user).select_related("commune", "province", "household")


@router.get("", response={200: PersonPage, **ERRORS}, exclude_unset=True,
            summary="Tìm kiếm cá nhân trong địa bàn")
def list_persons(
    request: HttpRequest,
    filters: Query[PersonFilters],
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Lists only persons inside the caller's area, in Vietnamese order (tên, họ, tên đệm).

    - `q`: 12-digit ID number (exact) or words of the name without diacritics (`nguyen dung`)
    - `birth`: `dd/mm/yyyy`, `mm/yyyy` or `yyyy`
    - `household`: household code; `commune`: 5-digit commune code; `sex`: M or F
    - `include_sensitive=true` adds disability type/notes and HIV status on the rows where the
      caller holds the *sensitive* right (403 if none); every revealed row is logged.
    """
    user = request.auth
    f = filters
    birth, include_sensitive = f.birth, f.include_sensitive
    if birth and parse_birth_filter(birth) is None:
        raise invalid("birth", f"Không đọc được ngày «{birth}»: dùng dd/mm/yyyy, mm/yyyy hoặc yyyy.")
    if include_sensitive and not can(user, "sensitive"):
        raise _no_sensitive_right()
    commune_id = commune_by_code(f.commune, "commune").pk if f.commune else None
    # person_search returns Vietnamese order, chosen the cheap way for the query: keep it.
    qs = person_search(_visible(user), q=f.q, birth=birth, household=f.household,
                       commune_id=commune_id, sex=f.sex)

    def serialize(rows):
        if not include_sensitive:
            return [person_out(p) for p in rows]
        revealed = [p for p in rows if allows(user, "sensitive", p)]
        audit_bulk(audit_row(AuditAction.READ_SENSITIVE, p, changes={"fields": SENSITIVE})
                   for p in revealed)
        ids = {p.pk for p in revealed}
        return [person_out(p, sensitive=p.pk in ids) for p in rows]

    return paginate(request, qs, limit, offset, serialize)


@router.get("/{person_id}", response={200: PersonOut, **ERRORS}, exclude_unset=True,
            summary="Xem một cá nhân")
def get_person(request: HttpRequest, person_id: PathId, include_sensitive: bool = False):
    """404 if the person does not exist or lies outside the caller's area.
    `include_sensitive=true` needs the *sensitive* right on the person (else 403) and is logged."""
    person = get_in_area(_visible(request.auth), person_id, "cá nhân")
    if include_sensitive:
        if not allows(request.auth, "sensitive", person):
            raise _no_sensitive_right()
        audit_sensitive_read(person, SENSITIVE)
    return person_out(person, sensitive=include_sensitive)


@router.post("", response={201: PersonOut, **ERRORS}, exclude_unset=True,
             summary="Tạo cá nhân")
def create_person(request: HttpRequest, payload: PersonCreate):
    """The commune is `commune_code`, or the household's commune when only `household_id` is
    given. Creating outside the caller's area, or with a read-only role, is 403. A duplicate ID
    number is 422 on `id_number`."""
    user = request.auth
    data = person_data(user, payload)
    if not data.get("ten"):
        raise invalid("ten", "Cần `ten` (tên) hoặc `full_name` (họ và tên).")
    if any(f in data for f in SENSITIVE):
        household = data.get("household")
        target = data.get("commune") or (household.commune if household else None)
        if target is not None:  # without a commune the service answers 422
            require_area(user, "sensitive", target)
    person = person_create(user, **data)
    return Status(201, person_out(_visible(user).get(pk=person.pk)))


@router.patch("/{person_id}", response={200: PersonOut, **ERRORS}, exclude_unset=True,
              summary="Sửa cá nhân (chỉ các trường gửi lên)")
def update_person(request: HttpRequest, person_id: PathId, payload: PersonPatch):
    """404 outside the caller's area; 403 for a role that may view but not change."""
    user = request.auth
    person = get_in_area(_visible(user), person_id, "cá nhân")
    data = person_data(user, payload, existing=person)
    if any(f in data for f in SENSITIVE):
        require(user, "sensitive", person)
    person = person_update(user, person, **data)
    return person_out(_visible(user).get(pk=person.pk))


def person_data(user, payload: PersonFields, existing: Person | None = None) -> dict:
    """Turn the fields the client sent into model values for the registry services."""
    sent = payload.model_dump(exclude_unset=True)
    data: dict = {}
    if "full_name" in sent:
        if any(k in sent for k in ("ho", "ten_dem", "ten")):
            raise invalid("full_name", "Gửi `full_name` hoặc `ho`/`ten_dem`/`ten`, không gửi cả hai.")
        data["ho"], data["ten_dem"], data["ten"] = split_full_name(sent.pop("full_name") or "")
    for field in _BLANKABLE:
        if field in sent:
            value = sent[field]
            data[field] = "" if value is None else str(getattr(value, "value", value))
    for field in _AS_IS:
        if field in sent:
            data[field] = sent[field]
    if "birth_date" in sent:
        data["birth_date"], data["birth_date_precision"] = birth_value(
            sent["birth_date"], sent.get("birth_date_precision")
        )
    elif sent.get("birth_date_precision"):
        precision = sent["birth_date_precision"]
        data["birth_date_precision"] = precision
        if existing is not None and existing.birth_date:
            data["birth_date"] = truncate(existing.birth_date, precision)
    if "id_number" in sent:
        data["id_number"] = (sent["id_number"] or "").replace(" ", "") or None
    if "documents" in sent:
        data["documents"] = [
            d.model_dump(mode="json", exclude_none=True) for d in (payload.documents or [])
        ]
    if "household_id" in sent:
        hid = sent["household_id"]
        data["household"] = None
        if hid is not None:
            data["household"] = households_for(user).filter(pk=hid).first()
            if data["household"] is None:
                raise invalid("household_id", "Không có hộ gia đình này trong địa bàn của bạn.")
    if "commune_code" in sent:
        if sent["commune_code"] is None:
            raise invalid("commune_code", "Không được để trống xã/phường cư trú.")
        data["commune"] = commune_by_code(sent["commune_code"])
    return data
