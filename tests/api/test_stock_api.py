"""/api/v1/funds/stock: items, warehouses, balances, movements and the four movements, with
stock that never goes negative, area scoping and audit rows from the API."""

# Fixtures imported from tests/funds and tests/stock are parameters of the tests below.
# ruff: noqa: F811

from datetime import timedelta

import pytest
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.stock.models import StockLot, StockMovement
from ansinh.stock.services import stock_receive
from tests.stock.conftest import foreign_person, houses, items, person, staff  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/funds/stock"


@pytest.fixture
def province(api_as, staff):
    return api_as(staff["province"])


@pytest.fixture
def stocked(staff, items, houses):
    """100 gift packages in the central warehouse, 20 in Ba Đình."""
    officer = staff["province"]
    stock_receive(officer, warehouse=houses["central"], item=items["gift"], quantity=100,
                  unit_value=300_000, donor_name="Công ty An Phú")
    stock_receive(officer, warehouse=houses["badinh"], item=items["gift"], quantity=20,
                  unit_value=300_000, donor_name="Công ty An Phú")


def error(response) -> dict:
    return response.json()["error"]


def test_items_are_listed_and_created_by_fund_staff(province, api_as, staff, items):
    listed = province.get(f"{URL}/items").json()
    assert listed["count"] == 3
    assert {i["name"] for i in listed["items"]} == {"Quà Tết", "Gạo", "Sữa hộp"}
    response = province.post(f"{URL}/items", {"name": "Vở học sinh", "unit": "quyen",
                                              "category": "school"})
    assert response.status_code == 201, response.content
    assert response.json()["unit_label"] == "quyển"
    duplicate = province.post(f"{URL}/items", {"name": "gạo", "unit": "kg",
                                               "category": "food"})
    assert duplicate.status_code == 422 and "name" in error(duplicate)["fields"]
    bad = province.post(f"{URL}/items", {"name": "X", "unit": "tấn", "category": "food"})
    assert bad.status_code == 422 and "unit" in error(bad)["fields"]
    denied = api_as(staff["commune_officer"]).post(
        f"{URL}/items", {"name": "Mì", "unit": "thung", "category": "food"})
    assert denied.status_code == 403


def test_warehouses_are_scoped_and_created_in_the_area(province, api_as, staff, geo,
                                                       houses):
    names = {w["name"] for w in province.get(f"{URL}/warehouses").json()["items"]}
    assert names == {"Kho Trung tâm", "Điểm phát Ba Đình", "Điểm phát Ngọc Hà"}
    commune = api_as(staff["commune"])
    assert {w["name"] for w in commune.get(f"{URL}/warehouses").json()["items"]} == {
        "Điểm phát Ba Đình"}
    assert commune.get(f"{URL}/warehouses/{houses['central'].pk}").status_code == 404
    assert province.get(f"{URL}/warehouses/{houses['haiphong'].pk}").status_code == 404
    response = province.post(f"{URL}/warehouses", {"name": "Kho Ngọc Hà",
                                                   "commune_code": geo["sibling_commune"].code,
                                                   "kind": "warehouse"})
    assert response.status_code == 201, response.content
    assert response.json()["commune_code"] == geo["sibling_commune"].code
    elsewhere = province.post(f"{URL}/warehouses", {"name": "Kho HP", "province_code": "31"})
    assert elsewhere.status_code == 403


def test_receive_issue_and_the_balance_through_the_api(province, staff, items, houses,
                                                       person):
    response = province.post(f"{URL}/receive", {
        "warehouse_id": houses["badinh"].pk, "item_id": items["gift"].pk, "quantity": 10,
        "unit_value": 250_000, "donor_name": "Ngân hàng Vietcombank"})
    assert response.status_code == 201, response.content
    [movement] = response.json()["items"]
    assert (movement["kind"], movement["quantity"], movement["value"]) == (
        "receive", 10, 2_500_000)
    issued = province.post(f"{URL}/issue", {
        "warehouse_id": houses["badinh"].pk, "item_id": items["gift"].pk, "quantity": 1,
        "person_id": person.pk})
    assert issued.status_code == 201, issued.content
    assert issued.json()["items"][0]["recipient_id"] == person.pk
    [row] = province.get(f"{URL}/balances").json()["items"]
    assert (row["warehouse_name"], row["quantity"], row["value"]) == (
        "Điểm phát Ba Đình", 9, 2_250_000)
    sources = set(AuditEvent.objects.filter(object_type="stockmovement")
                  .values_list("source", flat=True))
    assert sources == {"api"}


def test_stock_never_goes_negative_and_nothing_moves(province, items, houses, person,
                                                     stocked):
    before = StockMovement.objects.count()
    response = province.post(f"{URL}/issue", {
        "warehouse_id": houses["badinh"].pk, "item_id": items["gift"].pk, "quantity": 21,
        "person_id": person.pk})
    assert response.status_code == 422
    assert "quantity" in error(response)["fields"]
    assert "còn 20" in error(response)["fields"]["quantity"][0]
    assert StockMovement.objects.count() == before
    lot = StockLot.objects.get(warehouse=houses["badinh"], item=items["gift"])
    assert lot.quantity == 20


def test_a_transfer_moves_goods_with_a_shared_key(province, items, houses, stocked):
    response = province.post(f"{URL}/transfer", {
        "source_id": houses["central"].pk, "destination_id": houses["ngocha"].pk,
        "item_id": items["gift"].pk, "quantity": 30})
    assert response.status_code == 201, response.content
    out, in_ = response.json()["items"]
    assert (out["kind"], in_["kind"]) == ("transfer_out", "transfer_in")
    assert out["transfer_key"] == in_["transfer_key"] is not None
    rows = province.get(f"{URL}/balances", data={"item_id": items["gift"].pk}).json()["items"]
    assert {r["warehouse_name"]: r["quantity"] for r in rows} == {
        "Kho Trung tâm": 70, "Điểm phát Ba Đình": 20, "Điểm phát Ngọc Hà": 30}
    same = province.post(f"{URL}/transfer", {
        "source_id": houses["central"].pk, "destination_id": houses["central"].pk,
        "item_id": items["gift"].pk, "quantity": 1})
    assert same.status_code == 422 and "destination_id" in error(same)["fields"]


def test_a_transfer_to_a_warehouse_the_user_cannot_manage_is_refused(api_as, staff, items,
                                                                      houses, stocked):
    response = api_as(staff["commune"]).post(f"{URL}/transfer", {
        "source_id": houses["badinh"].pk, "destination_id": houses["central"].pk,
        "item_id": items["gift"].pk, "quantity": 1})
    assert response.status_code == 422  # the central warehouse is not in its area at all
    assert "destination_id" in error(response)["fields"]
    assert not StockMovement.objects.filter(kind="transfer_out").exists()


def test_a_write_off_needs_a_reason_and_a_note_for_other(province, items, houses,
                                                         stocked):
    body = {"warehouse_id": houses["central"].pk, "item_id": items["gift"].pk, "quantity": 2}
    assert province.post(f"{URL}/write-off", body).status_code == 422
    other = province.post(f"{URL}/write-off", {**body, "reason": "other"})
    assert other.status_code == 422 and "note" in error(other)["fields"]
    done = province.post(f"{URL}/write-off", {**body, "reason": "damaged"})
    assert done.status_code == 201, done.content
    assert done.json()["items"][0]["write_off_reason"] == "damaged"


def test_a_perishable_item_needs_a_future_expiry(province, items, houses):
    body = {"warehouse_id": houses["central"].pk, "item_id": items["milk"].pk, "quantity": 5,
            "source": "purchase"}
    missing = province.post(f"{URL}/receive", body)
    assert missing.status_code == 422 and "expiry_date" in error(missing)["fields"]
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert province.post(f"{URL}/receive", {**body, "expiry_date": past}).status_code == 422
    future = (timezone.localdate() + timedelta(days=90)).isoformat()
    ok = province.post(f"{URL}/receive", {**body, "expiry_date": future})
    assert ok.status_code == 201, ok.content


def test_a_recipient_outside_the_area_is_refused(province, items, houses, stocked,
                                                 foreign_person):
    response = province.post(f"{URL}/issue", {
        "warehouse_id": houses["central"].pk, "item_id": items["gift"].pk, "quantity": 1,
        "person_id": foreign_person.pk})
    assert response.status_code == 422 and "person_id" in error(response)["fields"]


@pytest.mark.parametrize("extra, field", [
    ({"quantity": 0}, "quantity"), ({"quantity": "5"}, "quantity"),
    ({"quantity": 1.5}, "quantity"), ({"unit_value": -1}, "unit_value"),
    ({"warehouse_id": 999999}, "warehouse_id"), ({"item_id": 999999}, "item_id"),
    ({"received_on": "2999-01-01"}, "received_on"), ({"source": "stolen"}, "source"),
    ({"donor_name": ""}, "donor_name"), ({"colour": "red"}, "colour"),
])
def test_bad_receive_input_is_422(province, items, houses, extra, field):
    body = {"warehouse_id": houses["central"].pk, "item_id": items["gift"].pk, "quantity": 5,
            "donor_name": "Bà Lan", **extra}
    response = province.post(f"{URL}/receive", body)
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    assert not StockMovement.objects.exists()


def test_movements_are_listed_newest_first_filtered_and_scoped(province, api_as, staff,
                                                               items, houses, stocked):
    listed = province.get(f"{URL}/movements", data={"kind": "receive"}).json()
    assert listed["count"] == 2
    commune = api_as(staff["commune"]).get(f"{URL}/movements").json()
    assert commune["count"] == 1 and commune["items"][0]["warehouse_id"] == houses["badinh"].pk
    central = StockMovement.objects.get(warehouse=houses["central"])
    assert api_as(staff["commune"]).get(f"{URL}/movements/{central.pk}").status_code == 404
    assert api_as(staff["foreign"]).get(f"{URL}/balances").json()["count"] == 0
    assert province.get(f"{URL}/movements", data={"kind": "gift"}).status_code == 422


def test_an_outsider_without_roles_sees_nothing(api_as, users, houses, stocked):
    client = api_as(users["no_role"])
    assert client.get(f"{URL}/items").status_code == 403
    assert client.get(f"{URL}/warehouses").json()["count"] == 0
    assert client.get(f"{URL}/balances").json()["count"] == 0
