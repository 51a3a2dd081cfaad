"""/api/v1/funds: donors, funds, campaigns, restrictions, pledges, receipts, allocations and
balances — the rules of the fund services seen through the API's error shape and scoping."""

# Fixtures imported from tests/funds and tests/stock are parameters of the tests below.
# ruff: noqa: F811

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.funds.choices import AllocationStatus
from ansinh.funds.models import Allocation, Donor, Pledge, Receipt, ReceiptReversal
from ansinh.funds.services import (
    allocation_prepare,
    campaign_create,
    pledge_create,
    receipt_create,
    restriction_create,
)
from tests.funds.conftest import DAY, donor, fund, fund_users, give, officer  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/funds"


@pytest.fixture
def as_officer(api_as, officer):
    return api_as(officer)


@pytest.fixture
def as_manager(api_as, fund_users):
    return api_as(fund_users["manager"])


@pytest.fixture
def campaign(geo, officer, fund):
    return campaign_create(officer, area=geo["commune"], name="Tết nghĩa tình 2026",
                           starts_on=date(2026, 1, 1), target_amount=10_000_000, funds=[fund])


def receipt_body(fund, donor, total=1_000_000, line_amount=None, **extra):
    return {"fund_id": fund.pk, "donor_id": donor.pk, "received_on": DAY.isoformat(),
            "method": "bank_transfer", "total": total, "document_ref": "FT26015001",
            "lines": [{"fund_id": fund.pk, "amount": line_amount or total}], **extra}


def error(response) -> dict:
    return response.json()["error"]


# ---- donors --------------------------------------------------------------------------------

def test_a_fund_officer_creates_a_donor_and_the_audit_names_the_api(as_officer, officer,
                                                                     geo):
    response = as_officer.post(f"{URL}/donors", {
        "commune_code": geo["commune"].code, "kind": "individual", "name": "Trần Thị Bích",
        "phone": "0987654321", "display": "anonymous", "bank_account": "123456789"})
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["name"] == "Trần Thị Bích" and out["display"] == "anonymous"
    assert out["bank_account"] == "123456789" and out["bank_masked"] is False
    assert out["commune_code"] == geo["commune"].code and out["province_code"] == "01"
    assert out["progress"] == {"pledged": 0, "received": 0, "outstanding": 0}
    event = AuditEvent.objects.get(object_type="donor", action=AuditAction.CREATE)
    assert (event.user_id, event.source) == (officer.pk, "api")
    assert "123456789" not in str(event.changes)


def test_a_province_level_donor_needs_only_the_province_code(api_as, fund_users):
    response = api_as(fund_users["province_officer"]).post(f"{URL}/donors", {
        "province_code": "01", "kind": "business", "name": "Công ty Cổ phần Bình Minh"})
    assert response.status_code == 201, response.content
    assert response.json()["commune_code"] is None


@pytest.mark.parametrize("body, field", [
    ({"kind": "alien"}, "kind"), ({"name": ""}, "name"), ({"name": 5}, "name"),
    ({"colour": "red"}, "colour"), ({"commune_code": "abc"}, "commune_code"),
    ({"commune_code": "99999"}, "commune_code"), ({"email": "khong-phai-email"}, "email"),
    ({"kind": "foreign_ngo"}, "country"), ({"display": "hidden"}, "display"),
    ({"commune_code": None}, "commune_code"),
])
def test_bad_donor_input_is_422_naming_the_field(as_officer, geo, body, field):
    payload = {"commune_code": geo["commune"].code, "kind": "individual", "name": "A", **body}
    response = as_officer.post(f"{URL}/donors", payload)
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    assert not Donor.objects.exists()


def test_recording_a_donor_outside_the_area_or_without_funds_is_403(api_as, users,
                                                                     fund_users, geo):
    body = {"commune_code": geo["commune"].code, "kind": "individual", "name": "Nguyễn Văn A"}
    for user in (fund_users["foreign_officer"], users["commune_officer"],
                 users["national_viewer"]):
        response = api_as(user).post(f"{URL}/donors", body)
        assert response.status_code == 403, (user, response.content)
        assert error(response)["code"] == "forbidden"
    assert not Donor.objects.exists()


def test_bank_details_are_masked_without_donor_bank(api_as, users, donor):
    out = api_as(users["commune_officer"]).get(f"{URL}/donors/{donor.pk}").json()
    assert out["bank_masked"] is True
    assert "0011002233" not in out["bank_account"] and out["bank_account"].endswith("445")
    assert out["bank_name"] != "Vietcombank"
    listed = api_as(users["commune_officer"]).get(f"{URL}/donors").json()["items"]
    assert listed[0]["bank_masked"] is True and "0011002233" not in str(listed)


def test_the_donor_list_searches_without_diacritics_and_by_tax_code(as_officer, officer,
                                                                     geo, donor):
    from ansinh.funds.services import donor_create

    donor_create(officer, area=geo["commune"], kind="individual", name="Đặng Thị Ánh")
    names = lambda q: [d["name"] for d in as_officer.get(  # noqa: E731
        f"{URL}/donors", data={"q": q}).json()["items"]]
    assert names("dang thi anh") == ["Đặng Thị Ánh"]
    assert names("Ánh") == ["Đặng Thị Ánh"]
    assert names("0101234567") == ["Công ty TNHH An Phú"]
    assert names("an phu") == ["Công ty TNHH An Phú"]
    assert names("khong co ai") == []
    page = as_officer.get(f"{URL}/donors", data={"limit": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1 and page["next"]


def test_donors_outside_the_area_are_404_and_not_listed(api_as, fund_users, donor):
    other = api_as(fund_users["foreign_officer"])
    assert other.get(f"{URL}/donors/{donor.pk}").status_code == 404
    assert other.get(f"{URL}/donors").json()["count"] == 0
    assert other.patch(f"{URL}/donors/{donor.pk}", {"phone": "1"}).status_code == 404


def test_patch_changes_only_what_is_sent_and_bank_needs_donor_bank(as_officer, api_as, users,
                                                                    donor):
    response = as_officer.patch(f"{URL}/donors/{donor.pk}", {"display": "anonymous"})
    assert response.status_code == 200, response.content
    assert response.json()["display"] == "anonymous"
    assert response.json()["tax_code"] == "0101234567"
    assert as_officer.patch(f"{URL}/donors/{donor.pk}", {"name": None}).status_code == 422
    denied = api_as(users["commune_officer"]).patch(f"{URL}/donors/{donor.pk}",
                                                    {"bank_account": "1"})
    assert denied.status_code == 403
    assert Donor.objects.get(pk=donor.pk).bank_account == "0011002233445"


# ---- funds, campaigns, restrictions, pledges -----------------------------------------------

def test_funds_are_created_listed_and_scoped(as_officer, api_as, fund_users, geo, fund):
    response = as_officer.post(URL, {"commune_code": geo["commune"].code,
                                     "kind": "for_the_poor", "name": "Quỹ Vì người nghèo",
                                     "code": "vnn"})
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "VNN"
    assert as_officer.get(URL).json()["count"] == 2
    assert as_officer.get(f"{URL}/{fund.pk}").json()["name"] == fund.name
    assert api_as(fund_users["foreign_officer"]).get(f"{URL}/{fund.pk}").status_code == 404
    assert as_officer.post(URL, {"commune_code": geo["commune"].code, "kind": "x",
                                 "name": "Q", "code": "Q"}).status_code == 422


def test_a_campaign_shows_progress_and_a_pledge_is_never_received(as_officer, geo, fund,
                                                                   donor, give):
    response = as_officer.post(f"{URL}/campaigns", {
        "commune_code": geo["commune"].code, "name": "Thủ Đức nghĩa tình",
        "starts_on": "2026-01-01", "target_amount": 5_000_000, "fund_ids": [fund.pk]})
    assert response.status_code == 201, response.content
    campaign = response.json()
    assert campaign["fund_ids"] == [fund.pk] and campaign["progress"]["received"] == 0
    pledge = as_officer.post(f"{URL}/pledges", {
        "donor_id": donor.pk, "campaign_id": campaign["id"], "amount": 3_000_000,
        "pledged_on": DAY.isoformat()})
    assert pledge.status_code == 201, pledge.content
    progress = as_officer.get(f"{URL}/campaigns/{campaign['id']}").json()["progress"]
    assert (progress["pledged"], progress["received"], progress["outstanding"]) == (
        3_000_000, 0, 3_000_000)
    from ansinh.funds.models import Campaign
    give(1_000_000, campaign=Campaign.objects.get(pk=campaign["id"]),
         pledge=Pledge.objects.get(pk=pledge.json()["id"]))
    progress = as_officer.get(f"{URL}/campaigns").json()["items"][0]["progress"]
    assert (progress["received"], progress["outstanding"]) == (1_000_000, 2_000_000)
    assert progress["percent_of_target"] == 20.0
    out = as_officer.get(f"{URL}/pledges/{pledge.json()['id']}").json()
    assert (out["received"], out["outstanding"]) == (1_000_000, 2_000_000)


def test_campaign_rules_are_422(as_officer, geo):
    base = {"commune_code": geo["commune"].code, "name": "C", "starts_on": "2026-02-01"}
    for extra, field in (({"ends_on": "2026-01-01"}, "ends_on"),
                         ({"target_amount": 0}, "target_amount"),
                         ({"target_amount": "1000"}, "target_amount"),
                         ({"fund_ids": [999999]}, "fund_ids"),
                         ({"starts_on": "01/02/2026"}, "starts_on")):
        response = as_officer.post(f"{URL}/campaigns", {**base, **extra})
        assert response.status_code == 422, (extra, response.content)
        assert field in error(response)["fields"], (extra, error(response))


def test_pledge_rules_are_422(as_officer, donor, fund, campaign):
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    for extra, field in (({"pledged_on": future}, "pledged_on"),
                         ({"amount": -5}, "amount"), ({"amount": 1.5}, "amount"),
                         ({"campaign_id": None}, "campaign_id"),
                         ({"donor_id": 999999}, "donor_id"),
                         ({"amount": None}, "amount")):
        body = {"donor_id": donor.pk, "campaign_id": campaign.pk, "amount": 1_000,
                "pledged_on": DAY.isoformat(), **extra}
        response = as_officer.post(f"{URL}/pledges", body)
        assert response.status_code == 422, (extra, response.content)
        assert field in error(response)["fields"], (extra, error(response))
    assert not Pledge.objects.exists()


def test_restrictions_are_created_and_listed_by_fund(as_officer, fund, campaign):
    response = as_officer.post(f"{URL}/restrictions", {
        "fund_id": fund.pk, "kind": "campaign", "campaign_id": campaign.pk})
    assert response.status_code == 201, response.content
    assert response.json()["description"] == campaign.name
    listed = as_officer.get(f"{URL}/restrictions", data={"fund_id": fund.pk}).json()
    assert listed["count"] == 1
    missing = as_officer.post(f"{URL}/restrictions", {"fund_id": fund.pk, "kind": "campaign"})
    assert missing.status_code == 422 and "campaign_id" in error(missing)["fields"]


# ---- receipts ------------------------------------------------------------------------------

def test_a_receipt_is_drafted_issued_and_reversed_through_the_api(as_officer, officer, fund,
                                                                   donor):
    response = as_officer.post(f"{URL}/receipts", receipt_body(fund, donor))
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["number"] == ""
    assert draft["lines"] == [{"fund_id": fund.pk, "restriction_id": None,
                               "campaign_id": None, "amount": 1_000_000}]
    assert as_officer.get(f"{URL}/balances").json()["items"] == []
    issued = as_officer.post(f"{URL}/receipts/{draft['id']}/issue")
    assert issued.status_code == 200, issued.content
    assert issued.json()["number"] == "00001/2026/BN-ASXH"
    [pot] = as_officer.get(f"{URL}/balances").json()["items"]
    assert (pot["fund_code"], pot["received"], pot["available"]) == ("ASXH", 1_000_000,
                                                                     1_000_000)
    again = as_officer.post(f"{URL}/receipts/{draft['id']}/issue")
    assert again.status_code == 409 and error(again)["code"] == "conflict"
    assert "status" in error(again)["fields"]
    reversed_ = as_officer.post(f"{URL}/receipts/{draft['id']}/reverse",
                                {"reason": "Chuyển nhầm tài khoản"})
    assert reversed_.status_code == 201, reversed_.content
    assert reversed_.json()["reversed"] is True
    assert reversed_.json()["reversal"]["reason"] == "Chuyển nhầm tài khoản"
    twice = as_officer.post(f"{URL}/receipts/{draft['id']}/reverse", {"reason": "Lần hai"})
    assert twice.status_code == 409
    assert ReceiptReversal.objects.count() == 1
    assert as_officer.get(f"{URL}/balances").json()["items"] == []  # nothing left in the pot
    sources = set(AuditEvent.objects.filter(object_type__in=["receipt", "receiptreversal"])
                  .values_list("source", flat=True))
    assert sources == {"api"}


def test_reversing_a_draft_is_409_and_needs_a_reason(as_officer, fund, donor):
    draft = as_officer.post(f"{URL}/receipts", receipt_body(fund, donor)).json()
    response = as_officer.post(f"{URL}/receipts/{draft['id']}/reverse", {"reason": "x"})
    assert response.status_code == 409
    assert as_officer.post(f"{URL}/receipts/{draft['id']}/reverse",
                           {"reason": ""}).status_code == 422


@pytest.mark.parametrize("extra, field", [
    ({"lines": [{"fund_id": 0, "amount": 1}]}, "lines.0.fund_id"),
    ({"total": 2_000_000, "line_amount": 1_000_000}, "lines"),
    ({"received_on": "2999-01-01"}, "received_on"),
    ({"total": 0}, "total"),
    ({"total": "1000000"}, "total"),
    ({"method": "cash", "document_ref": ""}, "document_ref"),
    ({"method": "cheque"}, "method"),
    ({"lines": []}, "lines"),
    ({"currency": "USD"}, "original_amount_minor"),
    ({"currency": "USD", "original_amount_minor": 5000, "exchange_rate": "25000"}, "total"),
    ({"pledge_id": 999999}, "pledge_id"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_receipts_are_422_naming_the_field(as_officer, fund, donor, extra, field):
    response = as_officer.post(f"{URL}/receipts", receipt_body(fund, donor, **extra))
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    assert not Receipt.objects.exists()


def test_a_line_into_a_fund_outside_the_area_is_refused(as_officer, api_as, fund_users, geo,
                                                        fund, donor):
    from ansinh.funds.services import fund_create

    foreign = fund_create(fund_users["foreign_officer"], area=geo["foreign_commune"],
                          kind="other", name="Quỹ Hải Phòng", code="HP")
    body = receipt_body(fund, donor, lines=[{"fund_id": foreign.pk, "amount": 1_000_000}])
    response = as_officer.post(f"{URL}/receipts", body)
    assert response.status_code == 422 and "lines.0.fund_id" in error(response)["fields"]


def test_foreign_aid_cannot_be_issued_without_its_approval_decision(as_officer, officer, geo,
                                                                     fund):
    from ansinh.funds.services import donor_create

    ngo = donor_create(officer, area=geo["commune"], kind="foreign_ngo", name="Hope Org",
                       country="US", currency="USD")
    body = receipt_body(fund, ngo, total=25_000_000, currency="usd",
                        original_amount_minor=100_000, exchange_rate="25000")
    draft = as_officer.post(f"{URL}/receipts", body)
    assert draft.status_code == 201, draft.content
    assert draft.json()["currency"] == "USD"
    response = as_officer.post(f"{URL}/receipts/{draft.json()['id']}/issue")
    assert response.status_code == 422
    assert "aid_approval_ref" in error(response)["fields"]


def test_receipts_outside_the_area_are_404(api_as, fund_users, give):
    receipt = give(500_000)
    other = api_as(fund_users["foreign_officer"])
    assert other.get(f"{URL}/receipts/{receipt.pk}").status_code == 404
    assert other.post(f"{URL}/receipts/{receipt.pk}/reverse",
                      {"reason": "x"}).status_code == 404
    assert other.get(f"{URL}/receipts").json()["count"] == 0


def test_a_commune_officer_may_read_receipts_but_not_write_them(api_as, users, fund, donor,
                                                                give):
    give(500_000)
    client = api_as(users["commune_officer"])
    assert client.get(f"{URL}/receipts").json()["count"] == 1
    assert client.post(f"{URL}/receipts", receipt_body(fund, donor)).status_code == 403


def test_a_reader_patching_a_receipt_is_refused_before_its_body_is_checked(
        api_as, users, as_officer, fund, donor):
    draft = as_officer.post(f"{URL}/receipts", receipt_body(fund, donor)).json()
    reader = api_as(users["commune_officer"])
    for body in ({"goods_lines": None}, {"received_on": "2999-01-01"}, {"total": 5}):
        response = reader.patch(f"{URL}/receipts/{draft['id']}", body)
        assert response.status_code == 403 and error(response)["code"] == "forbidden", body
    assert Receipt.objects.get().total == 1_000_000


def test_receipts_filter_by_status_and_date(as_officer, fund, donor, give):
    give(100_000)
    as_officer.post(f"{URL}/receipts", receipt_body(fund, donor))
    assert as_officer.get(f"{URL}/receipts", data={"status": "draft"}).json()["count"] == 1
    assert as_officer.get(f"{URL}/receipts", data={"status": "issued"}).json()["count"] == 1
    assert as_officer.get(f"{URL}/receipts",
                          data={"received_from": "2026-02-01"}).json()["count"] == 0
    assert as_officer.get(f"{URL}/receipts", data={"status": "lost"}).status_code == 422


# ---- goods and services receipts, editing drafts -------------------------------------------

@pytest.fixture
def goods(officer, geo):
    from ansinh.stock.choices import Category, Unit
    from ansinh.stock.services import item_create, warehouse_create

    return {
        "rice": item_create(officer, name="Gạo", unit=Unit.KG, category=Category.FOOD),
        "milk": item_create(officer, name="Sữa hộp", unit=Unit.THUNG, category=Category.FOOD,
                            perishable=True),
        "store": warehouse_create(officer, name="Kho phường Ba Đình", commune=geo["commune"]),
    }


def later(days=200):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def goods_body(fund, donor, goods, **extra):
    return {"fund_id": fund.pk, "donor_id": donor.pk, "received_on": DAY.isoformat(),
            "total": 24_000_000, "document_ref": "BBGN-01", "lines": [
                {"item_id": goods["rice"].pk, "warehouse_id": goods["store"].pk,
                 "quantity": 500, "unit_value": 20_000},
                {"item_id": goods["milk"].pk, "warehouse_id": goods["store"].pk,
                 "quantity": 40, "unit_value": 350_000, "expiry_date": later()}], **extra}


def services_body(fund, donor, **extra):
    return {"fund_id": fund.pk, "donor_id": donor.pk, "received_on": DAY.isoformat(),
            "lines": [{"service": "Suất học nghề may", "places": 30,
                       "unit_value": 4_000_000}], **extra}


def test_a_goods_receipt_is_drafted_and_its_goods_reach_the_stock_on_issue(
        as_officer, officer, fund, donor, goods):
    from ansinh.stock.selectors import balance_of as stock_balance

    response = as_officer.post(f"{URL}/receipts/goods", goods_body(fund, donor, goods))
    assert response.status_code == 201, response.content
    out = response.json()
    assert (out["kind"], out["method"], out["total"], out["lines"]) == (
        "goods", "in_kind", 24_000_000, [])
    rice, milk = out["goods_lines"]
    assert (rice["item_name"], rice["unit"], rice["quantity"], rice["value"]) == (
        "Gạo", "kg", 500, 10_000_000)
    assert milk["expiry_date"] == later() and milk["warehouse_id"] == goods["store"].pk
    issued = as_officer.post(f"{URL}/receipts/{out['id']}/issue")
    assert issued.status_code == 200, issued.content
    assert stock_balance(officer, goods["store"], goods["milk"]) == (40, 14_000_000)
    assert as_officer.get(f"{URL}/receipts", data={"kind": "goods"}).json()["count"] == 1
    assert as_officer.get(f"{URL}/receipts", data={"kind": "cash"}).json()["count"] == 0


def test_a_services_receipt_is_drafted_and_shows_its_lines(as_officer, fund, donor):
    response = as_officer.post(f"{URL}/receipts/services", services_body(fund, donor))
    assert response.status_code == 201, response.content
    out = as_officer.get(f"{URL}/receipts/{response.json()['id']}").json()
    assert out["kind"] == "services" and out["total"] == 120_000_000
    assert out["service_lines"] == [{
        "id": out["service_lines"][0]["id"], "service": "Suất học nghề may", "unit": "suất",
        "places": 30, "unit_value": 4_000_000, "value": 120_000_000, "campaign_id": None}]


@pytest.mark.parametrize("change, field", [
    ({"total": 1_000}, "lines"),
    ({"received_on": "2999-01-01"}, "received_on"),
    ({"line": {"quantity": 0}}, "lines.0.quantity"),
    ({"line": {"quantity": -4}}, "lines.0.quantity"),
    ({"line": {"unit_value": 0}}, "lines.0.unit_value"),
    ({"line": {"expiry_date": None, "item": "milk"}}, "lines"),
    ({"line": {"item_id": 999999}}, "lines.0.item_id"),
    ({"line": {"warehouse_id": 999999}}, "lines.0.warehouse_id"),
    ({"method": "cash"}, "method"),
])
def test_bad_goods_receipts_are_422_naming_the_field(as_officer, fund, donor, goods, change,
                                                     field):
    body = goods_body(fund, donor, goods)
    line = change.pop("line", None)
    if line is not None:
        if line.pop("item", None):
            line["item_id"] = goods["milk"].pk
        body["lines"][0].update(line)
    body.update(change)
    response = as_officer.post(f"{URL}/receipts/goods", body)
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    assert not Receipt.objects.exists()


def test_a_kind_other_than_cash_on_the_cash_endpoint_is_422(as_officer, fund, donor):
    response = as_officer.post(f"{URL}/receipts", receipt_body(fund, donor, kind="goods"))
    assert response.status_code == 422 and "kind" in error(response)["fields"]


def test_foreign_aid_goods_need_the_approval_decision_to_be_issued(as_officer, officer, geo,
                                                                   fund, goods):
    from ansinh.funds.services import donor_create

    ngo = donor_create(officer, area=geo["commune"], kind="foreign_ngo", name="Hope Org",
                       country="US", currency="USD")
    draft = as_officer.post(f"{URL}/receipts/goods", goods_body(fund, ngo, goods)).json()
    response = as_officer.post(f"{URL}/receipts/{draft['id']}/issue")
    assert response.status_code == 422 and "aid_approval_ref" in error(response)["fields"]
    patched = as_officer.patch(f"{URL}/receipts/{draft['id']}",
                               {"aid_approval_ref": "15/QĐ-UBND"})
    assert patched.status_code == 200, patched.content
    assert as_officer.post(f"{URL}/receipts/{draft['id']}/issue").status_code == 200


def test_a_cash_draft_is_patched_in_place_and_audited(as_officer, fund, donor):
    draft = as_officer.post(f"{URL}/receipts", receipt_body(fund, donor)).json()
    response = as_officer.patch(f"{URL}/receipts/{draft['id']}", {
        "total": 1_500_000, "description": "Ủng hộ Tết",
        "lines": [{"fund_id": fund.pk, "amount": 1_500_000}]})
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["id"] == draft["id"] and out["total"] == 1_500_000
    assert out["lines"][0]["amount"] == 1_500_000 and out["description"] == "Ủng hộ Tết"
    event = AuditEvent.objects.get(object_type="receipt", object_id=draft["id"],
                                   action=AuditAction.UPDATE)
    assert event.changes["total"] == [1_000_000, 1_500_000] and event.source == "api"


def test_a_goods_draft_gets_new_lines_by_patch(as_officer, fund, donor, goods):
    draft = as_officer.post(f"{URL}/receipts/goods", goods_body(fund, donor, goods)).json()
    response = as_officer.patch(f"{URL}/receipts/{draft['id']}", {"goods_lines": [
        {"item_id": goods["rice"].pk, "warehouse_id": goods["store"].pk, "quantity": 10,
         "unit_value": 20_000}]})
    assert response.status_code == 200, response.content
    assert response.json()["total"] == 200_000
    assert [ln["quantity"] for ln in response.json()["goods_lines"]] == [10]


@pytest.mark.parametrize("body, field", [
    ({"total": 2_000_000}, "lines"),
    ({"received_on": "2999-01-01"}, "received_on"),
    ({"lines": [{"fund_id": 0, "amount": 1}]}, "lines.0.fund_id"),
    ({"goods_lines": [{"item_id": 1, "warehouse_id": 1, "quantity": 1, "unit_value": 1}]},
     "goods_lines.0.item_id"),
    ({"fund_id": None}, "fund_id"),
    ({"method": "cash", "document_ref": ""}, "document_ref"),
    ({"status": "issued"}, "status"),
    ({"lines": None}, "lines"),
    ({"goods_lines": None}, "goods_lines"),
    ({"service_lines": None}, "service_lines"),
])
def test_bad_patches_are_422_and_change_nothing(as_officer, fund, donor, body, field):
    draft = as_officer.post(f"{URL}/receipts", receipt_body(fund, donor)).json()
    response = as_officer.patch(f"{URL}/receipts/{draft['id']}", body)
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    receipt = Receipt.objects.get()
    assert receipt.total == 1_000_000 and receipt.lines.get().amount == 1_000_000


def test_lines_of_another_kind_are_422(as_officer, fund, donor, goods):
    draft = as_officer.post(f"{URL}/receipts/goods", goods_body(fund, donor, goods)).json()
    response = as_officer.patch(f"{URL}/receipts/{draft['id']}",
                                {"lines": [{"fund_id": fund.pk, "amount": 1}]})
    assert response.status_code == 422 and "lines" in error(response)["fields"]
    response = as_officer.patch(f"{URL}/receipts/{draft['id']}", {"service_lines": [
        {"service": "Khám bệnh", "places": 1, "unit_value": 1}]})
    assert response.status_code == 422 and "service_lines" in error(response)["fields"]


@pytest.mark.parametrize("field", ["goods_lines", "service_lines", "lines"])
def test_null_lines_on_a_goods_draft_are_422_not_a_server_error(as_officer, fund, donor, goods,
                                                                 field):
    draft = as_officer.post(f"{URL}/receipts/goods", goods_body(fund, donor, goods)).json()
    response = as_officer.patch(f"{URL}/receipts/{draft['id']}", {field: None})
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    unchanged = as_officer.get(f"{URL}/receipts/{draft['id']}").json()
    assert len(unchanged["goods_lines"]) == 2


def test_patching_an_issued_receipt_is_409(as_officer, give, fund, donor, goods):
    receipt = give(500_000)
    response = as_officer.patch(f"{URL}/receipts/{receipt.pk}", {"description": "Sửa"})
    assert response.status_code == 409 and error(response)["code"] == "conflict"
    draft = as_officer.post(f"{URL}/receipts/goods", goods_body(fund, donor, goods)).json()
    as_officer.post(f"{URL}/receipts/{draft['id']}/issue")
    response = as_officer.patch(f"{URL}/receipts/{draft['id']}", {"description": "Sửa"})
    assert response.status_code == 409
    assert set(Receipt.objects.values_list("description", flat=True)) == {""}


def test_patching_or_drafting_in_kind_outside_the_area_or_without_funds_is_refused(
        api_as, users, fund_users, fund, donor, goods):
    draft = api_as(fund_users["officer"]).post(
        f"{URL}/receipts/goods", goods_body(fund, donor, goods)).json()
    foreign = api_as(fund_users["foreign_officer"])
    assert foreign.patch(f"{URL}/receipts/{draft['id']}",
                         {"description": "x"}).status_code == 404
    assert foreign.get(f"{URL}/receipts/{draft['id']}").status_code == 404
    reader = api_as(users["commune_officer"])
    assert reader.get(f"{URL}/receipts/{draft['id']}").status_code == 200
    response = reader.patch(f"{URL}/receipts/{draft['id']}", {"description": "x"})
    assert response.status_code == 403 and error(response)["code"] == "forbidden"
    assert reader.post(f"{URL}/receipts/services",
                       services_body(fund, donor)).status_code == 403
    assert Receipt.objects.get().description == ""


# ---- allocations ---------------------------------------------------------------------------

def test_an_allocation_is_prepared_by_one_and_approved_by_another(as_officer, as_manager,
                                                                   fund, give):
    give(1_000_000)
    response = as_officer.post(f"{URL}/allocations", {
        "fund_id": fund.pk, "amount": 700_000, "purpose": "Quà Tết cho hộ nghèo"})
    assert response.status_code == 201, response.content
    allocation = response.json()
    assert allocation["status"] == "pending" and allocation["prepared_by"] == "canboquy"
    [pot] = as_officer.get(f"{URL}/balances", data={"fund_id": fund.pk}).json()["items"]
    assert (pot["reserved"], pot["available"]) == (700_000, 300_000)
    too_much = as_officer.post(f"{URL}/allocations", {
        "fund_id": fund.pk, "amount": 300_001, "purpose": "Thêm"})
    assert too_much.status_code == 422 and "amount" in error(too_much)["fields"]
    assert as_officer.post(f"{URL}/allocations/{allocation['id']}/approve").status_code == 403
    approved = as_manager.post(f"{URL}/allocations/{allocation['id']}/approve",
                               {"note": "Đồng ý"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "giamdocquy"
    again = as_manager.post(f"{URL}/allocations/{allocation['id']}/reject", {"note": "x"})
    assert again.status_code == 409 and error(again)["code"] == "conflict"
    [pot] = as_officer.get(f"{URL}/balances").json()["items"]
    assert (pot["spent"], pot["reserved"], pot["available"]) == (700_000, 0, 300_000)
    event = AuditEvent.objects.filter(object_type="allocation",
                                      action=AuditAction.UPDATE).get()
    assert event.source == "api" and event.username == "giamdocquy"


def test_the_maker_cannot_approve_their_own_allocation(as_manager, fund_users, fund,
                                                       give):
    give(1_000_000, by=fund_users["manager"])
    allocation = as_manager.post(f"{URL}/allocations", {
        "fund_id": fund.pk, "amount": 500_000, "purpose": "Học bổng"}).json()
    response = as_manager.post(f"{URL}/allocations/{allocation['id']}/approve")
    assert response.status_code == 403
    assert Allocation.objects.get(pk=allocation["id"]).status == AllocationStatus.PENDING


def test_a_rejection_needs_a_reason_and_frees_the_money(as_officer, as_manager, fund,
                                                        give):
    give(1_000_000)
    allocation = as_officer.post(f"{URL}/allocations", {
        "fund_id": fund.pk, "amount": 1_000_000, "purpose": "Quà"}).json()
    url = f"{URL}/allocations/{allocation['id']}/reject"
    assert as_manager.post(url, {}).status_code == 422
    response = as_manager.post(url, {"note": "Danh sách chưa đủ"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    [pot] = as_officer.get(f"{URL}/balances").json()["items"]
    assert pot["available"] == 1_000_000


def test_restricted_money_is_spent_only_on_its_campaign(as_officer, officer, fund, campaign,
                                                        give):
    restriction = restriction_create(officer, fund=fund, kind="campaign", description="",
                                     campaign=campaign)
    give(2_000_000, restriction=restriction)
    body = {"fund_id": fund.pk, "amount": 500_000, "purpose": "Quà",
            "restriction_id": restriction.pk}
    outside = as_officer.post(f"{URL}/allocations", body)
    assert outside.status_code == 422 and "campaign_id" in error(outside)["fields"]
    inside = as_officer.post(f"{URL}/allocations", {**body, "campaign_id": campaign.pk})
    assert inside.status_code == 201, inside.content
    pots = as_officer.get(f"{URL}/balances").json()["items"]
    assert [(p["restriction"], p["available"]) for p in pots] == [
        (campaign.name, 1_500_000)]


def test_allocations_of_another_area_are_404_and_the_queue_is_listed_first(
        api_as, as_officer, fund_users, fund, give):
    give(1_000_000)
    pending = allocation_prepare(fund_users["officer"], fund=fund, amount=100,
                                 purpose="Chờ duyệt")
    other = api_as(fund_users["foreign_manager"])
    assert other.get(f"{URL}/allocations/{pending.pk}").status_code == 404
    assert other.post(f"{URL}/allocations/{pending.pk}/approve").status_code == 404
    listed = as_officer.get(f"{URL}/allocations", data={"status": "pending"}).json()
    assert [a["id"] for a in listed["items"]] == [pending.pk]


def test_a_reversal_of_allocated_money_is_a_409(as_officer, officer, fund, give):
    receipt = give(1_000_000)
    allocation_prepare(officer, fund=fund, amount=600_000, purpose="Quà")
    response = as_officer.post(f"{URL}/receipts/{receipt.pk}/reverse", {"reason": "Nhầm"})
    assert response.status_code == 409, response.content
    assert "receipt" in error(response)["fields"]


def test_unauthenticated_calls_are_401(geo):
    from tests.api.conftest import ApiClient

    for path in ("/donors", "", "/receipts", "/balances", "/stock/items"):
        assert ApiClient().get(f"{URL}{path}").status_code == 401


def test_pledges_of_a_fund_receipt_for_the_pledge_counts_for_it(as_officer, officer, fund,
                                                                donor):
    pledge = pledge_create(officer, donor=donor, fund=fund, amount=2_000_000, pledged_on=DAY)
    body = receipt_body(fund, donor, total=500_000, pledge_id=pledge.pk)
    draft = as_officer.post(f"{URL}/receipts", body).json()
    assert draft["pledge_id"] == pledge.pk
    as_officer.post(f"{URL}/receipts/{draft['id']}/issue")
    out = as_officer.get(f"{URL}/pledges", data={"donor_id": donor.pk}).json()["items"][0]
    assert (out["received"], out["outstanding"]) == (500_000, 1_500_000)
    donor_out = as_officer.get(f"{URL}/donors/{donor.pk}").json()["progress"]
    assert donor_out == {"pledged": 2_000_000, "received": 500_000, "outstanding": 1_500_000}


def test_a_receipt_drafted_by_the_service_is_issued_by_the_api(as_officer, officer, fund,
                                                               donor):
    receipt = receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                             method="bank_transfer", total=10,
                             lines=[{"fund": fund, "amount": 10}])
    assert as_officer.post(f"{URL}/receipts/{receipt.pk}/issue").status_code == 200


# ---- junk never makes a 500 ----------------------------------------------------------------

JUNK_ENDPOINTS = [
    ("/donors", ["kind", "name", "commune_code", "province_code", "email", "display",
                 "country", "currency", "tax_code", "bank_account"]),
    ("", ["kind", "name", "code", "commune_code", "province_code"]),
    ("/campaigns", ["name", "starts_on", "ends_on", "target_amount", "fund_ids",
                    "commune_code"]),
    ("/restrictions", ["fund_id", "kind", "description", "campaign_id", "donor_id",
                       "ends_on"]),
    ("/pledges", ["donor_id", "pledged_on", "amount", "in_kind", "campaign_id", "fund_id"]),
    ("/receipts", ["fund_id", "donor_id", "received_on", "method", "total", "lines",
                   "currency", "original_amount_minor", "exchange_rate", "document_ref",
                   "aid_approval_ref", "pledge_id"]),
    ("/receipts/goods", ["fund_id", "donor_id", "received_on", "total", "lines",
                         "pledge_id", "aid_approval_ref"]),
    ("/receipts/services", ["fund_id", "donor_id", "received_on", "total", "lines",
                            "description"]),
    ("/allocations", ["fund_id", "amount", "purpose", "restriction_id", "campaign_id",
                      "allocated_on"]),
    ("/stock/receive", ["warehouse_id", "item_id", "quantity", "unit_value", "received_on",
                        "expiry_date", "source", "donor_name"]),
    ("/stock/transfer", ["source_id", "destination_id", "item_id", "quantity",
                         "expiry_date"]),
    ("/stock/issue", ["warehouse_id", "item_id", "quantity", "person_id", "issued_on"]),
    ("/stock/write-off", ["warehouse_id", "item_id", "quantity", "reason", "note"]),
    ("/stock/items", ["name", "unit", "category", "perishable"]),
    ("/stock/warehouses", ["name", "kind", "address", "commune_code", "province_code"]),
]


@pytest.mark.parametrize("seed", range(3))
def test_junk_bodies_never_cause_a_server_error(api_as, fund_users, fund, donor, give, seed):
    import random

    from tests.api.test_robustness import junk_body, send

    give(1_000_000)
    rng = random.Random(seed)
    client = api_as(fund_users["manager"])
    draft = client.post(f"{URL}/receipts", receipt_body(fund, donor)).json()
    for _ in range(60):
        path, fields = rng.choice(JUNK_ENDPOINTS)
        body = junk_body(rng, fields)
        if path == "/receipts" and rng.random() < 0.5 and isinstance(body, dict):
            body["lines"] = [junk_body(rng, ["fund_id", "amount", "restriction_id"])]
        response = send(client, "post", f"{URL}{path}", body)
        assert response.status_code < 500, (path, body, response.content[:500])
        if response.status_code >= 400:
            assert response.json()["error"]["code"]
    for path in (f"/receipts/{draft['id']}/reverse", "/allocations/1/reject",
                 f"/donors/{donor.pk}", f"/receipts/{draft['id']}"):
        for _ in range(10):
            method = "patch" if path.startswith("/donors") or path.endswith(
                str(draft["id"])) else "post"
            body = junk_body(rng, ["reason", "note", "reversed_on", "name", "display",
                                   "total", "lines", "goods_lines", "exchange_rate"])
            response = send(client, method, f"{URL}{path}", body)
            assert response.status_code < 500, (path, body, response.content[:500])


@pytest.mark.parametrize("path", ["/donors", "/receipts", "/pledges", "/allocations",
                                  "/restrictions", "/balances", "/stock/movements",
                                  "/stock/balances"])
def test_junk_query_parameters_never_cause_a_server_error(as_officer, path):
    for params in ({"fund_id": "abc"}, {"fund_id": str(2**70)}, {"status": "\x00"},
                   {"q": "%_\\" * 50}, {"received_from": "31/02/2026"}, {"limit": "0"},
                   {"kind": "x", "since": "hôm qua"}, {"donor_id": "-1"}):
        response = as_officer.get(f"{URL}{path}", data=params)
        assert response.status_code < 500, (path, params, response.content[:300])
    for bad_id in ("0", "-1", "abc", str(2**70)):
        assert as_officer.get(f"{URL}{path}/{bad_id}").status_code in (404, 405, 422)


# ---- concurrent requests (PostgreSQL) --------------------------------------------------------

def _race(*calls) -> list:
    """Send the requests at the same moment, each from its own thread and connection."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    statuses = []

    def run(call):
        try:
            barrier.wait()
            statuses.append(call().status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(statuses)


def on_postgres(test):
    for mark in (
        pytest.mark.postgres,
        pytest.mark.skipif(connection.vendor != "postgresql",
                           reason="needs concurrent transactions"),
        # Restored after the test: the flush would otherwise take the migrated units with it.
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ):
        test = mark(test)
    return test


@on_postgres
def test_two_api_allocations_of_the_last_balance_give_one(api_as, fund_users, fund, give):
    give(1_000_000)
    officer, manager = api_as(fund_users["officer"]), api_as(fund_users["manager"])
    body = {"fund_id": fund.pk, "amount": 800_000, "purpose": "Hỗ trợ khẩn cấp"}
    statuses = _race(lambda: officer.post(f"{URL}/allocations", body),
                     lambda: manager.post(f"{URL}/allocations", body))
    assert statuses == [201, 422]
    assert Allocation.objects.count() == 1


@on_postgres
def test_issuing_one_draft_twice_at_once_numbers_it_once(api_as, fund_users, fund, donor):
    officer, manager = api_as(fund_users["officer"]), api_as(fund_users["manager"])
    draft = officer.post(f"{URL}/receipts", receipt_body(fund, donor)).json()
    url = f"{URL}/receipts/{draft['id']}/issue"
    statuses = _race(lambda: officer.post(url), lambda: manager.post(url))
    assert statuses == [200, 409]
    assert Receipt.objects.get(pk=draft["id"]).number == "00001/2026/BN-ASXH"


# ---- donor search, reports sent, corrections -----------------------------------------------

def test_the_donor_search_folds_diacritics_in_sql(as_officer, geo, officer, donor):
    from ansinh.funds.services import donor_create
    donor_create(officer, area=geo["commune"], kind="individual", name="Đặng Văn Bình")
    assert [d["name"] for d in as_officer.get(
        f"{URL}/donors", data={"q": "cong ty an phu"}).json()["items"]] == ["Công ty TNHH An Phú"]
    assert [d["name"] for d in as_officer.get(
        f"{URL}/donors", data={"q": "dang"}).json()["items"]] == ["Đặng Văn Bình"]


def test_donor_reports_are_posted_listed_and_downloaded(as_officer, settings, tmp_path,
                                                        donor):
    settings.MEDIA_ROOT = tmp_path
    url = f"{URL}/donors/{donor.pk}/reports"
    r = as_officer.client.post(url, {"sent_on": DAY.isoformat(), "channel": "email",
                                     "format": "xlsx"}, headers=as_officer.headers)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["file_name"].endswith(".xlsx") and body["kind"] == "donor"
    listed = as_officer.get(url).json()
    assert listed["count"] == 1
    file = as_officer.get(body["download_url"])
    assert file.status_code == 200 and file.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT,
                                     object_type__endswith="donorreport").count() == 1


def test_a_bad_donor_report_is_422_and_another_area_is_404(api_as, as_officer, fund_users,
                                                           settings, tmp_path, donor):
    settings.MEDIA_ROOT = tmp_path
    url = f"{URL}/donors/{donor.pk}/reports"
    r = as_officer.client.post(url, {"sent_on": DAY.isoformat(), "channel": "email",
                                     "kind": "thanks"}, headers=as_officer.headers)
    assert r.status_code == 422 and "file" in r.json()["error"]["fields"]
    foreign = api_as(fund_users["foreign_officer"])
    assert foreign.get(url).status_code == 404
    r = foreign.client.post(url, {"sent_on": DAY.isoformat(), "channel": "email"},
                            headers=foreign.headers)
    assert r.status_code == 404


def test_patch_fund_campaign_restriction_and_pledge(as_officer, officer, fund, campaign,
                                                    donor):
    from ansinh.funds.services import pledge_create, restriction_create
    r = as_officer.patch(f"{URL}/{fund.pk}", {"name": "Quỹ đổi tên"})
    assert r.status_code == 200 and r.json()["name"] == "Quỹ đổi tên"
    r = as_officer.patch(f"{URL}/campaigns/{campaign.pk}", {"target_amount": 20_000_000})
    assert r.status_code == 200 and r.json()["target_amount"] == 20_000_000
    restriction = restriction_create(officer, fund=fund, kind="purpose", description="Học")
    r = as_officer.patch(f"{URL}/restrictions/{restriction.pk}", {"description": "Học nghề"})
    assert r.status_code == 200 and r.json()["description"] == "Học nghề"
    pledge = pledge_create(officer, donor=donor, campaign=campaign, amount=1_000_000,
                           pledged_on=DAY)
    r = as_officer.patch(f"{URL}/pledges/{pledge.pk}", {"amount": 3_000_000})
    assert r.status_code == 200 and r.json()["outstanding"] == 3_000_000


def test_patch_refusals_are_422_and_a_second_cancel_is_409(as_officer, api_as, fund_users,
                                                          officer, fund, campaign, donor):
    from ansinh.funds.services import pledge_create
    assert as_officer.patch(f"{URL}/{fund.pk}", {"name": None}).status_code == 422
    assert as_officer.patch(f"{URL}/{fund.pk}", {"commune_code": "x"}).status_code == 422
    r = as_officer.patch(f"{URL}/campaigns/{campaign.pk}", {"ends_on": "2025-01-01"})
    assert r.status_code == 422 and "ends_on" in r.json()["error"]["fields"]
    pledge = pledge_create(officer, donor=donor, campaign=campaign, amount=1_000_000,
                           pledged_on=DAY)
    r = as_officer.post(f"{URL}/pledges/{pledge.pk}/cancel", {"reason": "Rút lại"})
    assert r.status_code == 200
    assert r.json()["outstanding"] == 0 and r.json()["cancel_reason"] == "Rút lại"
    assert as_officer.post(f"{URL}/pledges/{pledge.pk}/cancel",
                           {"reason": "Lần nữa"}).status_code == 409
    assert as_officer.patch(f"{URL}/pledges/{pledge.pk}",
                            {"amount": 5_000_000}).status_code == 409
    foreign = api_as(fund_users["foreign_officer"])
    assert foreign.patch(f"{URL}/{fund.pk}", {"name": "X"}).status_code == 404
