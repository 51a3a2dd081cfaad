"""The stock pages under /funds/stock/: warehouses, items, balances, movements, the receive,
transfer, hand-out and write-off forms, and lots expiring soon; with the access denials."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ansinh.registry.models import Person
from ansinh.stock.choices import Category, PointKind, Unit
from ansinh.stock.models import Item, StockLot, StockMovement, Warehouse
from ansinh.stock.services import item_create, stock_receive, warehouse_create
from tests.conftest import make_user, new_id

TODAY = timezone.localdate()


@pytest.fixture
def staff(geo):
    return {
        "officer": make_user("quy_badinh", "fund_officer", geo["commune"]),
        "province": make_user("quy_hn", "fund_officer", geo["province"]),
        "foreign": make_user("quy_hp", "fund_officer", geo["other_province"]),
        "commune_officer": make_user("canbo_xa", "commune_officer", geo["commune"]),
    }


@pytest.fixture
def items(staff):
    officer = staff["province"]
    return {
        "gift": item_create(officer, name="Quà Tết", unit=Unit.PHAN_QUA, category=Category.GIFT),
        "milk": item_create(officer, name="Sữa hộp", unit=Unit.THUNG, category=Category.FOOD,
                            perishable=True),
    }


@pytest.fixture
def houses(geo, staff):
    return {
        "central": warehouse_create(staff["province"], name="Kho Trung tâm",
                                    province=geo["province"]),
        "badinh": warehouse_create(staff["officer"], name="Điểm phát Ba Đình",
                                   commune=geo["commune"], kind=PointKind.DISTRIBUTION_POINT),
        "haiphong": warehouse_create(staff["foreign"], name="Kho Hải Phòng",
                                     province=geo["other_province"]),
    }


def _person(commune, ten, year=1950):
    person = Person(ho="Nguyễn", ten_dem="Văn", ten=ten, sex="M", id_number=new_id("M", year),
                    commune=commune, province=commune.province)
    person.refresh_derived()
    person.save()
    return person


@pytest.fixture
def stocked(staff, items, houses):
    """100 gift packages at the central warehouse, 20 at Ba Đình."""
    stock_receive(staff["province"], warehouse=houses["central"], item=items["gift"],
                  quantity=100, unit_value=300_000, donor_name="Công ty Đức Phú")
    stock_receive(staff["officer"], warehouse=houses["badinh"], item=items["gift"],
                  quantity=20, unit_value=300_000, donor_name="Công ty Đức Phú")


STOCK_PAGES = ["funds:warehouse_list", "funds:warehouse_create", "funds:item_list",
               "funds:item_create", "funds:balance_list", "funds:movement_list",
               "funds:expiring_lots", "funds:stock_receive", "funds:stock_transfer",
               "funds:stock_issue", "funds:stock_write_off"]


@pytest.mark.parametrize("name", STOCK_PAGES)
def test_it_refuses_a_commune_officer_without_the_funds_right(login, staff, name):
    assert login(staff["commune_officer"]).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", STOCK_PAGES)
def test_fund_staff_open_every_stock_page(login, staff, stocked, name):
    assert login(staff["officer"]).get(reverse(name)).status_code == 200


def test_a_warehouse_of_another_province_is_404_and_not_listed(login, staff, houses):
    client = login(staff["foreign"])
    url = reverse("funds:warehouse_detail", args=[houses["central"].pk])
    assert client.get(url).status_code == 404
    page = client.get(reverse("funds:warehouse_list")).text
    assert "Kho Hải Phòng" in page and "Kho Trung tâm" not in page


def test_a_commune_officer_sees_only_his_commune_and_not_the_province_warehouse(
        login, staff, stocked, houses):
    client = login(staff["officer"])
    page = client.get(reverse("funds:balance_list")).text
    assert "Điểm phát Ba Đình" in page and "Kho Trung tâm" not in page
    url = reverse("funds:warehouse_detail", args=[houses["central"].pk])
    assert client.get(url).status_code == 404


def test_a_warehouse_is_created_in_the_users_area_only(login, staff, geo):
    client = login(staff["officer"])
    response = client.post(reverse("funds:warehouse_create"), {
        "name": "Điểm phát Tổ 5", "kind": "point", "area": geo["commune"].pk})
    warehouse = Warehouse.objects.get(name="Điểm phát Tổ 5")
    assert response["Location"] == reverse("funds:warehouse_detail", args=[warehouse.pk])
    assert (warehouse.commune, warehouse.province) == (geo["commune"], geo["province"])
    response = client.post(reverse("funds:warehouse_create"), {
        "name": "Kho lạ", "kind": "warehouse", "area": geo["other_province"].pk})
    assert "Đơn vị ngoài địa bàn của bạn." in response.text
    assert not Warehouse.objects.filter(name="Kho lạ").exists()


def test_an_item_is_added_once(login, staff):
    client = login(staff["officer"])
    data = {"name": "Gạo", "unit": "kg", "category": "food"}
    assert client.post(reverse("funds:item_create"), data).status_code == 302
    response = client.post(reverse("funds:item_create"), data)
    assert "Mặt hàng này (cùng tên và đơn vị tính) đã có." in response.text
    assert Item.objects.filter(name="Gạo").count() == 1


def test_goods_are_received_and_shown_in_the_balances(login, staff, items, houses):
    client = login(staff["officer"])
    response = client.post(reverse("funds:stock_receive"), {
        "warehouse": houses["badinh"].pk, "item": items["gift"].pk, "quantity": "40",
        "unit_value": "250.000", "source": "donation", "donor_name": "Ngân hàng Á Châu"})
    assert response.status_code == 302
    movement = StockMovement.objects.get()
    assert (movement.quantity, movement.value, movement.created_by) == (
        40, 10_000_000, staff["officer"])
    page = client.get(reverse("funds:balance_list")).text
    assert "Quà Tết" in page and "10.000.000" in page
    page = client.get(reverse("funds:movement_list")).text
    assert "Ngân hàng Á Châu" in page and "+40" in page


def test_a_perishable_item_needs_its_expiry_date(login, staff, items, houses):
    response = login(staff["officer"]).post(reverse("funds:stock_receive"), {
        "warehouse": houses["badinh"].pk, "item": items["milk"].pk, "quantity": "5",
        "source": "donation", "donor_name": "Vinamilk"})
    assert "Mặt hàng có hạn sử dụng: phải nhập hạn sử dụng." in response.text
    assert not StockMovement.objects.exists()


def test_a_zero_quantity_and_a_foreign_warehouse_are_refused(login, staff, items, houses):
    client = login(staff["officer"])
    response = client.post(reverse("funds:stock_receive"), {
        "warehouse": houses["badinh"].pk, "item": items["gift"].pk, "quantity": "0",
        "source": "purchase"})
    assert "Số lượng phải lớn hơn 0." in response.text
    response = client.post(reverse("funds:stock_receive"), {
        "warehouse": houses["haiphong"].pk, "item": items["gift"].pk, "quantity": "3",
        "source": "purchase"})
    assert "Kho/điểm phát: không có trong địa bàn của bạn." in response.text
    assert not StockMovement.objects.exists()


def test_goods_are_transferred_between_warehouses(login, staff, items, houses, stocked):
    response = login(staff["province"]).post(reverse("funds:stock_transfer"), {
        "source": houses["central"].pk, "destination": houses["badinh"].pk,
        "item": items["gift"].pk, "quantity": "30"})
    assert response.status_code == 302
    lots = dict(StockLot.objects.values_list("warehouse_id", "quantity"))
    assert lots[houses["central"].pk] == 70 and lots[houses["badinh"].pk] == 50


def test_a_transfer_larger_than_the_stock_is_refused(login, staff, items, houses, stocked):
    response = login(staff["province"]).post(reverse("funds:stock_transfer"), {
        "source": houses["central"].pk, "destination": houses["badinh"].pk,
        "item": items["gift"].pk, "quantity": "101"})
    assert "Không đủ hàng trong kho: còn 100 phần quà Quà Tết có thể xuất" in response.text
    assert StockLot.objects.get(warehouse=houses["central"]).quantity == 100


def test_goods_are_handed_out_to_a_person_found_by_id_number(login, staff, items, houses,
                                                             stocked, geo):
    person = _person(geo["commune"], "An")
    client = login(staff["officer"])
    response = client.post(reverse("funds:stock_issue"), {
        "warehouse": houses["badinh"].pk, "item": items["gift"].pk, "quantity": "1",
        "recipient_id": person.id_number})
    assert response.status_code == 302
    movement = StockMovement.objects.get(kind="issue")
    assert movement.recipient == person
    assert StockLot.objects.get(warehouse=houses["badinh"]).quantity == 19


def test_a_hand_out_to_a_person_outside_the_area_is_refused(login, staff, items, houses,
                                                            stocked, geo):
    stranger = _person(geo["foreign_commune"], "Bình")
    response = login(staff["officer"]).post(reverse("funds:stock_issue"), {
        "warehouse": houses["badinh"].pk, "item": items["gift"].pk, "quantity": "1",
        "recipient_id": stranger.id_number})
    assert "Không tìm thấy người có số định danh này trong địa bàn của bạn." in response.text
    assert not StockMovement.objects.filter(kind="issue").exists()


def test_a_write_off_for_another_reason_needs_a_note(login, staff, items, houses, stocked):
    client = login(staff["officer"])
    data = {"warehouse": houses["badinh"].pk, "item": items["gift"].pk, "quantity": "2",
            "reason": "other"}
    response = client.post(reverse("funds:stock_write_off"), data)
    assert "Lý do khác: phải ghi rõ lý do xuất hủy." in response.text
    response = client.post(reverse("funds:stock_write_off"), {**data, "reason": "damaged"})
    assert response.status_code == 302
    assert StockLot.objects.get(warehouse=houses["badinh"]).quantity == 18


def test_lots_expiring_soon_are_listed_with_a_write_off_link(login, staff, items, houses):
    stock_receive(staff["officer"], warehouse=houses["badinh"], item=items["milk"],
                  quantity=8, donor_name="Vinamilk", expiry_date=TODAY + timedelta(days=5))
    stock_receive(staff["officer"], warehouse=houses["badinh"], item=items["milk"],
                  quantity=9, donor_name="Vinamilk", expiry_date=TODAY + timedelta(days=90))
    client = login(staff["officer"])
    page = client.get(reverse("funds:expiring_lots")).text
    assert (TODAY + timedelta(days=5)).strftime("%d/%m/%Y") in page
    assert (TODAY + timedelta(days=90)).strftime("%d/%m/%Y") not in page
    assert reverse("funds:stock_write_off") in page
    page = client.get(reverse("funds:expiring_lots"), {"days": "120"}).text
    assert (TODAY + timedelta(days=90)).strftime("%d/%m/%Y") in page


def test_the_movement_list_filters_by_kind_and_answers_htmx(login, staff, items, houses,
                                                            stocked):
    client = login(staff["province"])
    client.post(reverse("funds:stock_transfer"), {
        "source": houses["central"].pk, "destination": houses["badinh"].pk,
        "item": items["gift"].pk, "quantity": "5", "note": "Chuyển cho Tết"})
    response = client.get(reverse("funds:movement_list"), {"kind": "transfer_in"},
                          HTTP_HX_REQUEST="true")
    assert 'id="movement-table"' in response.text and "<html" not in response.text
    assert "Chuyển cho Tết" in response.text and "Công ty Đức Phú" not in response.text


def test_the_warehouse_page_shows_its_stock_and_movement_buttons(login, staff, houses, stocked):
    page = login(staff["officer"]).get(
        reverse("funds:warehouse_detail", args=[houses["badinh"].pk])).text
    assert "Quà Tết" in page and "20 phần quà" in page
    assert f'{reverse("funds:stock_issue")}?warehouse={houses["badinh"].pk}' in page
