"""/funds — the social-security fund: donors, funds, campaigns, restrictions, pledges, cash
receipts (draft → issued → reversed), allocations (maker ≠ checker) and balances; the in-kind
stock lives under /funds/stock.

Records are looked up among what the caller may *view* (another area is a 404); the fund
services check the `funds` / `fund_approve` / `donor_bank` rights (403) and the rules (422).
A transition that the record's state no longer allows — issuing an issued receipt, reversing
twice, deciding a decided allocation, stock that changed under the request — is 409.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Status

from ansinh.access.scoping import require, restrict
from ansinh.funds import in_kind, selectors, services
from ansinh.funds.models import (
    Allocation,
    Campaign,
    Donor,
    Fund,
    ImmutableError,
    Pledge,
    Receipt,
    Restriction,
)
from ansinh.funds.returns import returns_by_allocation
from ansinh.geo.models import AdminUnit
from ansinh.stock.models import Item, Warehouse

from .common import Limit, Offset, PathId, get_in_area, paginate
from .errors import ApiError, django_validation_fields, error_responses, invalid
from .schemas.funds import (
    AllocationFilters,
    AllocationOut,
    AllocationPage,
    AllocationPrepare,
    ApproveIn,
    AreaIn,
    BalanceList,
    CampaignCreate,
    CampaignOut,
    CampaignPage,
    DonorCreate,
    DonorDetail,
    DonorFilters,
    DonorPage,
    DonorPatch,
    FundCreate,
    FundOut,
    FundPage,
    GoodsReceiptCreate,
    PledgeCreate,
    PledgeFilters,
    PledgeOut,
    PledgePage,
    ReceiptCreate,
    ReceiptDetail,
    ReceiptFilters,
    ReceiptPage,
    ReceiptPatch,
    RejectIn,
    RestrictionCreate,
    RestrictionFilters,
    RestrictionOut,
    RestrictionPage,
    ReverseIn,
    ServiceReceiptCreate,
)

router = Router(tags=["Quỹ an sinh xã hội"])
ERRORS = error_responses()


# ---- shared helpers ------------------------------------------------------------------------

# Service field → API field, so that `fields` names what the client sent.
SERVICE_FIELDS = {"fund": "fund_id", "donor": "donor_id", "campaign": "campaign_id",
                  "restriction": "restriction_id", "pledge": "pledge_id",
                  "area": "commune_code", "commune": "commune_code", "province": "province_code",
                  "warehouse": "warehouse_id", "item": "item_id", "recipient": "person_id"}


@contextmanager
def service_errors(*, conflict: tuple[str, ...] = (),
                   rename: dict[str, str] | None = None) -> Iterator[None]:
    """Turn a service's refusal into the API's error body with the API's field names. A
    refusal about the record's state (`conflict` fields) is a 409: the request was valid, the
    record has moved on. Any other refusal is a 422."""
    try:
        yield
    except ImmutableError as exc:
        raise ApiError(409, str(exc)) from exc
    except ValidationError as exc:
        message, fields = django_validation_fields(exc)
        names = {**SERVICE_FIELDS, **(rename or {})}
        fields = {names.get(f, f): m for f, m in fields.items()}
        if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(conflict):
            raise ApiError(409, next(iter(fields.values()))[0], fields) from exc
        raise ApiError(422, message, fields) from exc


def resolve_area(data: AreaIn | dict) -> AdminUnit:
    """The commune or province named by `commune_code` / `province_code`."""
    values = data if isinstance(data, dict) else data.model_dump()
    commune_code, province_code = values.get("commune_code"), values.get("province_code")
    if commune_code:
        commune = (AdminUnit.objects.communes().select_related("province")
                   .filter(code=commune_code).first())
        if commune is None:
            raise invalid("commune_code", f"Không có xã/phường hiện hành mã «{commune_code}».")
        if province_code and commune.province.code != province_code:
            raise invalid("commune_code", f"Xã/phường {commune.name} không thuộc tỉnh mã "
                                          f"«{province_code}».")
        return commune
    if province_code:
        province = AdminUnit.objects.provinces().filter(code=province_code).first()
        if province is None:
            raise invalid("province_code", f"Không có tỉnh/thành phố mã «{province_code}».")
        return province
    raise invalid("commune_code", "Phải có commune_code hoặc province_code.")


def lookup(qs, pk: int | None, field: str, what: str):
    """A related record named in a body, among those the caller may view: 422 on the field
    otherwise (the body is wrong, not the URL)."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise invalid(field, f"Không có {what} #{pk} trong địa bàn của bạn.")
    return obj


def _codes(obj) -> dict:
    return {"commune_code": obj.commune.code if obj.commune_id else None,
            "province_code": obj.province.code}


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


# ---- donors --------------------------------------------------------------------------------

def _donors(user):
    return selectors.donor_list(user).select_related("commune", "province")


def donor_out(user, donor: Donor) -> dict:
    data = selectors.donor_detail(user, donor)
    for key in ("commune_id", "province_id"):
        data.pop(key)
    return {**data, **_codes(donor)}


def donor_full(user, donor: Donor) -> dict:
    progress = selectors.donor_progress(user, donor)
    progress.pop("donor_id")
    return {**donor_out(user, donor), "progress": progress}


def _search_donors(qs, q: str):
    q = q.strip()
    if not q:
        return qs
    match = Q(name__icontains=q) | Q(tax_code=q) | Q(phone=q)
    by_name = selectors.donor_name_q(q)
    return qs.filter(match if by_name is None else match | by_name)


@router.get("/donors", response={200: DonorPage, **ERRORS}, summary="Nhà tài trợ")
def list_donors(request: HttpRequest, filters: Query[DonorFilters], limit: Limit = 50,
                offset: Offset = 0):
    """Donors in the caller's area, by name. `q` matches the name with or without diacritics
    (`nguyen van an` finds «Nguyễn Văn An»), the tax code or the phone number. Bank details
    are masked (`bank_masked: true`) unless the caller holds *donor_bank* on the donor's
    area."""
    user = request.auth
    qs = _search_donors(_donors(user), filters.q)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(request, qs.order_by("name", "id"), limit, offset,
                    lambda rows: [donor_out(user, d) for d in rows])


@router.get("/donors/{donor_id}", response={200: DonorDetail, **ERRORS},
            summary="Xem nhà tài trợ (cam kết, đã nhận, còn nợ)")
def get_donor(request: HttpRequest, donor_id: PathId):
    return donor_full(request.auth, get_in_area(_donors(request.auth), donor_id,
                                                "nhà tài trợ"))


@router.post("/donors", response={201: DonorDetail, **ERRORS}, summary="Thêm nhà tài trợ")
def create_donor(request: HttpRequest, payload: DonorCreate):
    """Needs *funds* on the area (403 otherwise). A foreign NGO needs `country`."""
    data = payload.model_dump(exclude={"commune_code", "province_code"}, exclude_none=True)
    with service_errors():
        donor = services.donor_create(request.auth, area=resolve_area(payload), **data)
    return Status(201, donor_full(request.auth, _donors(request.auth).get(pk=donor.pk)))


@router.patch("/donors/{donor_id}", response={200: DonorDetail, **ERRORS},
              summary="Sửa nhà tài trợ (chỉ các trường gửi lên)")
def update_donor(request: HttpRequest, donor_id: PathId, payload: DonorPatch):
    """Changing `bank_account` or `bank_name` needs *donor_bank* (403 otherwise); the audit
    log records that they changed, never their values."""
    user = request.auth
    donor = get_in_area(_donors(user), donor_id, "nhà tài trợ")
    changes = payload.model_dump(exclude_unset=True)
    for field in ("kind", "name", "display"):
        if field in changes and changes[field] is None:
            raise invalid(field, "Không được để trống.")
    changes = {k: "" if v is None else v for k, v in changes.items()}
    with service_errors():
        services.donor_update(user, donor, **changes)
    return donor_full(user, _donors(user).get(pk=donor.pk))


# ---- funds ---------------------------------------------------------------------------------

def _funds(user):
    return selectors.fund_list(user).select_related("commune", "province")


def fund_out(f: Fund) -> dict:
    return {"id": f.pk, "kind": f.kind, "name": f.name, "code": f.code, **_codes(f)}


@router.get("", response={200: FundPage, **ERRORS}, summary="Các quỹ")
def list_funds(request: HttpRequest, limit: Limit = 50, offset: Offset = 0):
    return paginate(request, _funds(request.auth).order_by("name", "id"), limit, offset,
                    lambda rows: [fund_out(f) for f in rows])


@router.get("/{int:fund_id}", response={200: FundOut, **ERRORS}, summary="Xem một quỹ")
def get_fund(request: HttpRequest, fund_id: PathId):
    return fund_out(get_in_area(_funds(request.auth), fund_id, "quỹ"))


@router.post("", response={201: FundOut, **ERRORS}, summary="Lập quỹ")
def create_fund(request: HttpRequest, payload: FundCreate):
    data = payload.model_dump(exclude={"commune_code", "province_code"})
    with service_errors():
        fund = services.fund_create(request.auth, area=resolve_area(payload), **data)
    return Status(201, fund_out(_funds(request.auth).get(pk=fund.pk)))


def _balances(user, fund: Fund | None) -> dict:
    rows = selectors.fund_balances(user, fund)
    funds = {f.pk: f for f in Fund.objects.filter(pk__in={r["fund_id"] for r in rows})}
    restrictions = dict(Restriction.objects.filter(
        pk__in={r["restriction_id"] for r in rows if r["restriction_id"]})
        .values_list("pk", "description"))
    return {"items": [
        {**r, "fund_code": funds[r["fund_id"]].code, "fund_name": funds[r["fund_id"]].name,
         "restriction": restrictions.get(r["restriction_id"], "")} for r in rows]}


@router.get("/balances", response={200: BalanceList, **ERRORS},
            summary="Số dư theo quỹ và hạn chế sử dụng")
def balances(request: HttpRequest, fund_id: PathId | None = None):
    """Per fund and restriction (none = unrestricted money): `received` (issued receipts,
    reversals taken out), `spent` (approved allocations), `reserved` (allocations waiting for
    approval) and `available`. Pledges never count. Computed from the ledger at each call."""
    fund = get_in_area(_funds(request.auth), fund_id, "quỹ") if fund_id else None
    return _balances(request.auth, fund)


# ---- campaigns -----------------------------------------------------------------------------

def _campaigns(user):
    return selectors.campaign_list(user).select_related("commune", "province")


def campaign_out(user, c: Campaign) -> dict:
    # The campaign came from the caller's scope, so the selector returns its one row.
    [progress] = selectors.campaign_progress(user, c)
    target = progress["target"]
    progress["percent_of_target"] = (round(progress["received"] * 100 / target, 2)
                                     if target else None)
    return {"id": c.pk, "name": c.name, "target_amount": c.target_amount,
            "starts_on": c.starts_on, "ends_on": c.ends_on,
            "responsible_unit": c.responsible_unit,
            "fund_ids": sorted(c.funds.values_list("pk", flat=True)), **_codes(c),
            "progress": {k: progress[k] for k in ("target", "pledged", "received",
                                                  "outstanding", "in_kind_pledges",
                                                  "percent_of_target")}}


@router.get("/campaigns", response={200: CampaignPage, **ERRORS},
            summary="Chiến dịch vận động và tiến độ")
def list_campaigns(request: HttpRequest, limit: Limit = 50, offset: Offset = 0):
    """Newest first, each with its progress: `pledged` (money pledges), `received` (issued
    receipt lines for the campaign, reversals taken out — a pledge is never received),
    `outstanding` pledges and the percentage of the target reached."""
    user = request.auth
    return paginate(request, _campaigns(user).order_by("-starts_on", "-id"), limit, offset,
                    lambda rows: [campaign_out(user, c) for c in rows])


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS},
            summary="Xem chiến dịch và tiến độ")
def get_campaign(request: HttpRequest, campaign_id: PathId):
    user = request.auth
    return campaign_out(user, get_in_area(_campaigns(user), campaign_id, "chiến dịch"))


@router.post("/campaigns", response={201: CampaignOut, **ERRORS}, summary="Lập chiến dịch")
def create_campaign(request: HttpRequest, payload: CampaignCreate):
    user = request.auth
    data = payload.model_dump(exclude={"commune_code", "province_code", "fund_ids"})
    funds = [lookup(_funds(user), pk, "fund_ids", "quỹ") for pk in dict.fromkeys(
        payload.fund_ids)]
    with service_errors():
        campaign = services.campaign_create(user, area=resolve_area(payload), funds=funds, **data)
    return Status(201, campaign_out(user, _campaigns(user).get(pk=campaign.pk)))


# ---- restrictions --------------------------------------------------------------------------

def _restrictions(user):
    return restrict(Restriction.objects.all(), user, "view")


def restriction_out(r: Restriction) -> dict:
    return {"id": r.pk, "fund_id": r.fund_id, "kind": r.kind, "description": r.description,
            "campaign_id": r.campaign_id, "donor_id": r.donor_id, "ends_on": r.ends_on}


@router.get("/restrictions", response={200: RestrictionPage, **ERRORS},
            summary="Hạn chế sử dụng của nhà tài trợ")
def list_restrictions(request: HttpRequest, filters: Query[RestrictionFilters],
                      limit: Limit = 50, offset: Offset = 0):
    qs = _restrictions(request.auth)
    if filters.fund_id:
        qs = qs.filter(fund_id=filters.fund_id)
    if filters.campaign_id:
        qs = qs.filter(campaign_id=filters.campaign_id)
    return paginate(request, qs.order_by("fund_id", "id"), limit, offset,
                    lambda rows: [restriction_out(r) for r in rows])


@router.get("/restrictions/{restriction_id}", response={200: RestrictionOut, **ERRORS},
            summary="Xem một hạn chế sử dụng")
def get_restriction(request: HttpRequest, restriction_id: PathId):
    return restriction_out(get_in_area(_restrictions(request.auth), restriction_id,
                                       "hạn chế sử dụng"))


@router.post("/restrictions", response={201: RestrictionOut, **ERRORS},
             summary="Ghi hạn chế sử dụng (theo chiến dịch, chương trình, mục đích)")
def create_restriction(request: HttpRequest, payload: RestrictionCreate):
    """Money received on this restriction may be spent only on it (and before `ends_on`)."""
    user = request.auth
    with service_errors():
        restriction = services.restriction_create(
            user, fund=lookup(_funds(user), payload.fund_id, "fund_id", "quỹ"),
            kind=payload.kind, description=payload.description,
            campaign=lookup(_campaigns(user), payload.campaign_id, "campaign_id", "chiến dịch"),
            donor=lookup(_donors(user), payload.donor_id, "donor_id", "nhà tài trợ"),
            ends_on=payload.ends_on)
    return Status(201, restriction_out(restriction))


# ---- pledges -------------------------------------------------------------------------------

def _pledges(user):
    return restrict(Pledge.objects.select_related("donor"), user, "view")


def pledges_out(rows: list[Pledge]) -> list[dict]:
    # What counts as paid against a pledge is decided by the fund selectors, once per page.
    paid = selectors._received_per_pledge([p.pk for p in rows])
    return [pledge_out(p, paid.get(p.pk, 0)) for p in rows]


def pledge_out(p: Pledge, received: int) -> dict:
    outstanding = max(p.amount - received, 0) if p.amount and not p.cancelled else 0
    return {"id": p.pk, "donor_id": p.donor_id, "donor_name": p.donor.name,
            "campaign_id": p.campaign_id, "fund_id": p.fund_id, "amount": p.amount,
            "in_kind": p.in_kind, "pledged_on": p.pledged_on, "received": received,
            "outstanding": outstanding, "cancelled_on": p.cancelled_on,
            "cancel_reason": p.cancel_reason}


@router.get("/pledges", response={200: PledgePage, **ERRORS}, summary="Cam kết tài trợ")
def list_pledges(request: HttpRequest, filters: Query[PledgeFilters], limit: Limit = 50,
                 offset: Offset = 0):
    """Newest first; each with what was received against it and what is still outstanding."""
    qs = _pledges(request.auth)
    for field in ("donor_id", "campaign_id", "fund_id"):
        if getattr(filters, field):
            qs = qs.filter(**{field: getattr(filters, field)})
    return paginate(request, qs.order_by("-pledged_on", "-id"), limit, offset, pledges_out)


@router.get("/pledges/{pledge_id}", response={200: PledgeOut, **ERRORS},
            summary="Xem một cam kết")
def get_pledge(request: HttpRequest, pledge_id: PathId):
    [out] = pledges_out([get_in_area(_pledges(request.auth), pledge_id, "cam kết")])
    return out


@router.post("/pledges", response={201: PledgeOut, **ERRORS}, summary="Ghi cam kết tài trợ")
def create_pledge(request: HttpRequest, payload: PledgeCreate):
    """A campaign or a fund (or both); money (`amount`) or goods and services (`in_kind`).
    A pledge is a promise: it never counts as money received."""
    user = request.auth
    with service_errors():
        pledge = services.pledge_create(
            user, donor=lookup(_donors(user), payload.donor_id, "donor_id", "nhà tài trợ"),
            pledged_on=payload.pledged_on, amount=payload.amount, in_kind=payload.in_kind,
            campaign=lookup(_campaigns(user), payload.campaign_id, "campaign_id", "chiến dịch"),
            fund=lookup(_funds(user), payload.fund_id, "fund_id", "quỹ"))
    return Status(201, pledges_out([_pledges(user).get(pk=pledge.pk)])[0])


# ---- receipts ------------------------------------------------------------------------------

def _receipts(user):
    return selectors.receipt_list(user).select_related("donor", "reversal",
                                                       "reversal__created_by")


def _reversal(r: Receipt):
    try:
        return r.reversal
    except Receipt.reversal.RelatedObjectDoesNotExist:
        return None


def receipt_out(r: Receipt) -> dict:
    return {"id": r.pk, "number": r.number, "status": r.status,
            "kind": getattr(r, "kind", "cash"), "fund_id": r.fund_id,
            "donor_id": r.donor_id, "donor_name": r.donor.name, "pledge_id": r.pledge_id,
            "method": r.method, "document_ref": r.document_ref, "received_on": r.received_on,
            "total": r.total, "currency": r.currency,
            "original_amount_minor": r.original_amount_minor,
            "exchange_rate": r.exchange_rate, "aid_approval_ref": r.aid_approval_ref,
            "description": r.description, "issued_at": r.issued_at,
            "reversed": _reversal(r) is not None, "created_at": r.created_at}


def receipt_detail(r: Receipt) -> dict:
    reversal = _reversal(r)
    return {**receipt_out(r),
            "lines": [{"fund_id": ln.fund_id, "restriction_id": ln.restriction_id,
                       "campaign_id": ln.campaign_id, "amount": ln.amount}
                      for ln in r.lines.order_by("pk")],
            "goods_lines": [{
                "id": ln.pk, "item_id": ln.item_id, "item_name": ln.item.name,
                "unit": ln.item.unit, "warehouse_id": ln.warehouse_id,
                "quantity": ln.quantity, "unit_value": ln.unit_value, "value": ln.value,
                "expiry_date": ln.expiry_date, "campaign_id": ln.campaign_id}
                for ln in r.goods_lines.select_related("item").order_by("pk")],
            "service_lines": [{
                "id": ln.pk, "service": ln.service, "unit": ln.unit, "places": ln.places,
                "unit_value": ln.unit_value, "value": ln.value, "campaign_id": ln.campaign_id}
                for ln in r.service_lines.order_by("pk")],
            "reversal": None if reversal is None else {
                "id": reversal.pk, "reason": reversal.reason,
                "reversed_on": reversal.reversed_on,
                "created_by": _username(reversal.created_by)}}


def _receipt(request, pk: int) -> Receipt:
    return get_in_area(_receipts(request.auth), pk, "biên nhận")


@router.get("/receipts", response={200: ReceiptPage, **ERRORS}, summary="Biên nhận tiền tài trợ")
def list_receipts(request: HttpRequest, filters: Query[ReceiptFilters], limit: Limit = 50,
                  offset: Offset = 0):
    """Newest first. `status`: draft | issued; reversed receipts stay issued with
    `reversed: true`."""
    f = filters
    qs = _receipts(request.auth)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    for field in ("fund_id", "donor_id", "pledge_id"):
        if getattr(f, field):
            qs = qs.filter(**{field: getattr(f, field)})
    if f.received_from:
        qs = qs.filter(received_on__gte=f.received_from)
    if f.received_until:
        qs = qs.filter(received_on__lte=f.received_until)
    return paginate(request, qs.order_by("-received_on", "-id"), limit, offset,
                    lambda rows: [receipt_out(r) for r in rows])


def _cash_lines(user, lines, field: str) -> list[dict]:
    funds, restrictions, campaigns = (_funds(user), _restrictions(user), _campaigns(user))
    return [{"fund": lookup(funds, ln.fund_id, f"{field}.{i}.fund_id", "quỹ"),
             "amount": ln.amount,
             "restriction": lookup(restrictions, ln.restriction_id,
                                   f"{field}.{i}.restriction_id", "hạn chế sử dụng"),
             "campaign": lookup(campaigns, ln.campaign_id, f"{field}.{i}.campaign_id",
                                "chiến dịch")}
            for i, ln in enumerate(lines)]


def _goods_lines(user, lines, field: str) -> list[dict]:
    items, campaigns = Item.objects.all(), _campaigns(user)
    warehouses = restrict(Warehouse.objects.all(), user, "view")
    return [{"item": lookup(items, ln.item_id, f"{field}.{i}.item_id", "mặt hàng"),
             "warehouse": lookup(warehouses, ln.warehouse_id, f"{field}.{i}.warehouse_id",
                                 "kho"),
             "quantity": ln.quantity, "unit_value": ln.unit_value,
             "expiry_date": ln.expiry_date,
             "campaign": lookup(campaigns, ln.campaign_id, f"{field}.{i}.campaign_id",
                                "chiến dịch")}
            for i, ln in enumerate(lines)]


def _service_lines(user, lines, field: str) -> list[dict]:
    campaigns = _campaigns(user)
    return [{"service": ln.service, "unit": ln.unit, "places": ln.places,
             "unit_value": ln.unit_value,
             "campaign": lookup(campaigns, ln.campaign_id, f"{field}.{i}.campaign_id",
                                "chiến dịch")}
            for i, ln in enumerate(lines)]


def _in_kind_head(user, payload) -> dict:
    return {"fund": lookup(_funds(user), payload.fund_id, "fund_id", "quỹ"),
            "donor": lookup(_donors(user), payload.donor_id, "donor_id", "nhà tài trợ"),
            "pledge": lookup(_pledges(user), payload.pledge_id, "pledge_id", "cam kết"),
            "received_on": payload.received_on, "total": payload.total,
            "document_ref": payload.document_ref,
            "aid_approval_ref": payload.aid_approval_ref, "description": payload.description}


# Before "/receipts/{receipt_id}", which would take "goods" for an id.
@router.post("/receipts/goods", response={201: ReceiptDetail, **ERRORS},
             summary="Lập biên nhận hàng hóa, hiện vật nháp")
def create_goods_receipt(request: HttpRequest, payload: GoodsReceiptCreate):
    """A draft of goods valued in đồng (quantity × unit value per line): nothing enters the
    stock until it is issued, then each line goes into its warehouse. A perishable item
    without expiry date, an expired one, a date in the future, lines not adding up to a
    `total` sent are 422; a warehouse outside the caller's area is 403."""
    user = request.auth
    lines = _goods_lines(user, payload.lines, "lines")
    with service_errors():
        receipt = in_kind.goods_receipt_create(user, lines=lines,
                                               **_in_kind_head(user, payload))
    return Status(201, receipt_detail(_receipt(request, receipt.pk)))


@router.post("/receipts/services", response={201: ReceiptDetail, **ERRORS},
             summary="Lập biên nhận dịch vụ nháp")
def create_service_receipt(request: HttpRequest, payload: ServiceReceiptCreate):
    """A draft of service places (vocational training, check-ups) valued in đồng: places ×
    value per line. The rules are those of goods receipts, without stock."""
    user = request.auth
    lines = _service_lines(user, payload.lines, "lines")
    with service_errors():
        receipt = in_kind.service_receipt_create(user, lines=lines,
                                                 **_in_kind_head(user, payload))
    return Status(201, receipt_detail(_receipt(request, receipt.pk)))


@router.get("/receipts/{receipt_id}", response={200: ReceiptDetail, **ERRORS},
            summary="Xem biên nhận và các dòng phân bổ")
def get_receipt(request: HttpRequest, receipt_id: PathId):
    return receipt_detail(_receipt(request, receipt_id))


@router.post("/receipts", response={201: ReceiptDetail, **ERRORS},
             summary="Lập biên nhận nháp (có các dòng phân bổ)")
def create_receipt(request: HttpRequest, payload: ReceiptCreate):
    """A draft: it counts in no balance until issued. The lines (per fund, restriction and
    campaign) must add up to `total` (422 on `lines`); a date in the future, cash without a
    receipt-slip number, foreign money whose amount × rate is not the total are 422 too."""
    user = request.auth
    lines = _cash_lines(user, payload.lines, "lines")
    with service_errors():
        receipt = services.receipt_create(
            user, fund=lookup(_funds(user), payload.fund_id, "fund_id", "quỹ"),
            donor=lookup(_donors(user), payload.donor_id, "donor_id", "nhà tài trợ"),
            received_on=payload.received_on, method=payload.method, total=payload.total,
            lines=lines, currency=payload.currency.upper(),
            original_amount_minor=payload.original_amount_minor,
            exchange_rate=payload.exchange_rate, document_ref=payload.document_ref,
            aid_approval_ref=payload.aid_approval_ref,
            pledge=lookup(_pledges(user), payload.pledge_id, "pledge_id", "cam kết"),
            description=payload.description)
    return Status(201, receipt_detail(_receipt(request, receipt.pk)))


# Back to đồng clears the foreign amount and rate.
NULLABLE_RECEIPT_FIELDS = ("original_amount_minor", "exchange_rate")


@router.patch("/receipts/{receipt_id}", response={200: ReceiptDetail, **ERRORS},
              summary="Sửa biên nhận nháp (giữ nguyên mã)")
def update_receipt(request: HttpRequest, receipt_id: PathId, payload: ReceiptPatch):
    """Edits a draft in place: only the fields sent change, lines sent replace all its
    lines, and the whole draft is checked again by the rules of a new one (422). An issued
    receipt is final: 409, it can only be reversed."""
    user = request.auth
    receipt = _receipt(request, receipt_id)
    # The right to edit first: a reader of the receipt gets 403 whatever the body holds, not
    # a 422 about fields she may not change anyway.
    require(user, "funds", receipt)
    sent = payload.model_dump(exclude_unset=True)
    if receipt.kind != "cash" and "lines" in sent:
        raise invalid("lines", "Biên nhận hàng hóa, dịch vụ: gửi goods_lines / "
                               "service_lines.")
    changes = {}
    for field, value in sent.items():
        if field in ("fund_id", "donor_id", "pledge_id"):
            qs = {"fund_id": _funds, "donor_id": _donors, "pledge_id": _pledges}[field](user)
            what = {"fund_id": "quỹ", "donor_id": "nhà tài trợ", "pledge_id": "cam kết"}[field]
            if value is None and field != "pledge_id":
                raise invalid(field, "Không được để trống.")
            changes[field.removesuffix("_id")] = lookup(qs, value, field, what)
        elif value is None and field not in NULLABLE_RECEIPT_FIELDS:
            # Before the line branches too: `"goods_lines": null` is not "no lines".
            raise invalid(field, "Không được để trống.")
        elif field == "lines":
            changes["lines"] = _cash_lines(user, payload.lines, field)
        elif field == "goods_lines":
            changes["lines" if receipt.kind == "goods" else field] = _goods_lines(
                user, payload.goods_lines, field)
        elif field == "service_lines":
            changes["lines" if receipt.kind == "services" else field] = _service_lines(
                user, payload.service_lines, field)
        else:
            changes[field] = value.upper() if field == "currency" else value
    with service_errors():
        services.receipt_update(user, receipt, **changes)
    return receipt_detail(_receipt(request, receipt_id))


@router.post("/receipts/{receipt_id}/issue", response={200: ReceiptDetail, **ERRORS},
             summary="Cấp biên nhận (đánh số; không sửa được nữa)")
def issue_receipt(request: HttpRequest, receipt_id: PathId):
    """Gives the next number of the issuing fund and year (`00001/2026/BN-ASXH`) and makes
    the receipt final. Foreign aid without its approval decision is 422; a receipt already
    issued is 409."""
    receipt = _receipt(request, receipt_id)
    with service_errors(conflict=("status",)):
        services.receipt_issue(request.auth, receipt)
    return receipt_detail(_receipt(request, receipt_id))


@router.post("/receipts/{receipt_id}/reverse", response={201: ReceiptDetail, **ERRORS},
             summary="Hủy biên nhận đã cấp bằng bút toán hủy")
def reverse_receipt(request: HttpRequest, receipt_id: PathId, payload: ReverseIn):
    """An issued receipt is never edited or deleted: a linked reversal takes it out of the
    balances. A draft, a receipt reversed already, or money already allocated is 409."""
    receipt = _receipt(request, receipt_id)
    with service_errors(conflict=("receipt",)):
        services.receipt_reverse(request.auth, receipt, reason=payload.reason,
                                 reversed_on=payload.reversed_on)
    return Status(201, receipt_detail(_receipt(request, receipt_id)))


# ---- allocations ---------------------------------------------------------------------------

def _allocations(user):
    return restrict(Allocation.objects.select_related("prepared_by", "decided_by"), user,
                    "view")


def allocation_out(a: Allocation, returns: list[dict] = ()) -> dict:
    return {"id": a.pk, "fund_id": a.fund_id, "restriction_id": a.restriction_id,
            "campaign_id": a.campaign_id, "amount": a.amount, "purpose": a.purpose,
            "allocated_on": a.allocated_on, "status": a.status,
            "prepared_by": _username(a.prepared_by), "decided_by": _username(a.decided_by),
            "decided_at": a.decided_at, "decision_note": a.decision_note,
            "returned": sum(r["amount"] for r in returns), "returns": list(returns)}


def allocations_out(user, rows: list[Allocation]) -> list[dict]:
    """The allocations with their returns, fetched for the whole page at once."""
    returns = returns_by_allocation(user, [a.pk for a in rows])
    return [allocation_out(a, returns.get(a.pk, [])) for a in rows]


def _allocation(request, pk: int) -> Allocation:
    return get_in_area(_allocations(request.auth), pk, "khoản chi")


def _allocation_out(request, pk: int) -> dict:
    return allocations_out(request.auth, [_allocation(request, pk)])[0]


@router.get("/allocations", response={200: AllocationPage, **ERRORS}, summary="Khoản chi")
def list_allocations(request: HttpRequest, filters: Query[AllocationFilters],
                     limit: Limit = 50, offset: Offset = 0):
    """Pending first (the approval queue), then the newest."""
    qs = _allocations(request.auth)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.fund_id:
        qs = qs.filter(fund_id=filters.fund_id)
    if filters.campaign_id:
        qs = qs.filter(campaign_id=filters.campaign_id)
    return paginate(request, qs.order_by("status", "-allocated_on", "-id"), limit, offset,
                    lambda rows: allocations_out(request.auth, rows))


@router.get("/allocations/{allocation_id}", response={200: AllocationOut, **ERRORS},
            summary="Xem một khoản chi")
def get_allocation(request: HttpRequest, allocation_id: PathId):
    """With `returned` (đồng given back to the pot so far) and `returns`, each dated; what is
    left spent is `amount − returned`."""
    return _allocation_out(request, allocation_id)


@router.post("/allocations", response={201: AllocationOut, **ERRORS},
             summary="Lập khoản chi (chờ phê duyệt)")
def prepare_allocation(request: HttpRequest, payload: AllocationPrepare):
    """Reserves the amount at once, under the pot's lock: more than the available balance of
    the fund and restriction is 422 on `amount`; restricted money spent outside its campaign
    or after its end date is 422."""
    user = request.auth
    with service_errors():
        allocation = services.allocation_prepare(
            user, fund=lookup(_funds(user), payload.fund_id, "fund_id", "quỹ"),
            amount=payload.amount, purpose=payload.purpose,
            restriction=lookup(_restrictions(user), payload.restriction_id, "restriction_id",
                               "hạn chế sử dụng"),
            campaign=lookup(_campaigns(user), payload.campaign_id, "campaign_id", "chiến dịch"),
            allocated_on=payload.allocated_on)
    return Status(201, _allocation_out(request, allocation.pk))


@router.post("/allocations/{allocation_id}/approve", response={200: AllocationOut, **ERRORS},
             summary="Phê duyệt khoản chi (người khác người lập)")
def approve_allocation(request: HttpRequest, allocation_id: PathId,
                       payload: ApproveIn | None = None):
    """Needs *fund_approve* on the area and a different user from the one who prepared it
    (403). A decided allocation is 409."""
    allocation = _allocation(request, allocation_id)
    with service_errors(conflict=("status",)):
        services.allocation_approve(request.auth, allocation,
                                    note=payload.note if payload else "")
    return _allocation_out(request, allocation_id)


@router.post("/allocations/{allocation_id}/reject", response={200: AllocationOut, **ERRORS},
             summary="Từ chối khoản chi (nêu lý do)")
def reject_allocation(request: HttpRequest, allocation_id: PathId, payload: RejectIn):
    """The reserved amount goes back to the pot. Same rights as approval."""
    allocation = _allocation(request, allocation_id)
    with service_errors(conflict=("status",)):
        services.allocation_reject(request.auth, allocation, note=payload.note)
    return _allocation_out(request, allocation_id)


# The stock endpoints use the helpers above, so their module is imported last.
from .fund_stock import router as stock_router  # noqa: E402

router.add_router("/stock", stock_router)

# The corrections and donor reports add their operations to this router (a path shared with
# a GET above must live on the same router), so their module is imported here.
from . import fund_edits  # noqa: E402, F401
