"""The refusals of the fund, stock, distribution and transparency services in the reader's
language: on a page switched to English they read English, amounts grouped the English way;
by default they stay Vietnamese, and the API answers Vietnamese whatever the caller's cookie.
What the services keep in the records stays Vietnamese."""

from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ansinh.access.models import ApiToken
from ansinh.core.money_words import format_money
from ansinh.distributions.choices import ListStatus
from ansinh.distributions.models import Recipient
from ansinh.distributions.services import (
    cycle_create,
    list_approve,
    list_submit,
    recipient_add,
    recipient_cancel,
)
from ansinh.funds.models import AllocationReturn
from ansinh.funds.services import allocation_prepare, campaign_create, restriction_create
from ansinh.registry import services as registry_services
from ansinh.stock import choices as stock_choices
from ansinh.stock.services import item_create, stock_receive, warehouse_create

# The fund section's fixtures: a commune fund, its officer and manager, a donor.
from tests.funds.conftest import DAY, donor, fund, fund_users, give, officer  # noqa: F401


@pytest.fixture
def world(geo, admin, id_number, fund_users, officer, fund, give):  # noqa: F811 - fixtures
    """Tết money restricted to a campaign (5,000,000 đ received, 1,000,000 đ reserved by a
    disbursement awaiting approval), 100 cartons of noodles in a warehouse, a gift cycle for
    poor households, a poor household and a man of Ba Đình who is not poor."""
    campaign = campaign_create(officer, area=geo["commune"], name="Xuân yêu thương 2026",
                               starts_on=DAY, funds=[fund])
    tet = restriction_create(officer, fund=fund, kind="campaign", description="",
                             campaign=campaign)
    give(5_000_000, restriction=tet, campaign=campaign)
    allocation_prepare(officer, fund=fund, amount=1_000_000, purpose="Quà Tết",
                       restriction=tet, campaign=campaign)
    noodles = item_create(officer, name="Mì ăn liền", unit=stock_choices.Unit.THUNG,
                          category=stock_choices.Category.FOOD)
    warehouse = warehouse_create(officer, name="Kho phường Ba Đình", commune=geo["commune"])
    stock_receive(officer, warehouse=warehouse, item=noodles, quantity=100, unit_value=80_000,
                  received_on=DAY, donor_name="Công ty An Phú")
    household = registry_services.household_create(
        admin, code="BD-001", commune=geo["commune"], poverty_status="poor", poverty_year=2025)
    head = registry_services.person_create(
        admin, ho="Nguyễn", ten_dem="Văn", ten="Dũng", sex="M", birth_date=date(1975, 3, 5),
        id_number=id_number("M", 1975), household=household, relationship="head",
        commune=geo["commune"])
    neighbour = registry_services.person_create(
        admin, ho="Phạm", ten_dem="Văn", ten="Long", sex="M", birth_date=date(1980, 2, 2),
        id_number=id_number("M", 1980), commune=geo["commune"])

    def cycle(**kwargs):
        return cycle_create(officer, kind="gift", campaign=campaign, fund=fund,
                            restriction=tet, cash_per_recipient=500_000, starts_on=DAY,
                            criteria={"poverty": ["poor"]}, **kwargs)

    return {"officer": officer, "manager": fund_users["manager"], "fund": fund,
            "campaign": campaign, "tet": tet, "noodles": noodles, "warehouse": warehouse,
            "household": household, "head": head, "neighbour": neighbour, "cycle": cycle}


def reader(user, language=None):
    """A browser of `user`; with a language, after using the switch."""
    client = Client()
    client.force_login(user)
    if language:
        response = client.post(reverse("set_language"), {"language": language, "next": "/"})
        assert response.status_code == 302
    return client


def shows(text, present, absent):
    missing = [s for s in present if s not in text]
    left = [s for s in absent if s in text]
    assert not missing and not left, f"missing {missing}, still there {left}"


def test_amounts_in_messages_follow_the_language():
    with translation.override("vi"):
        assert format_money(1_250_000) == "1.250.000 đ"
    with translation.override("en"):
        assert format_money(1_250_000) == "1,250,000 đ"
        assert format_money(-5_000, unit="") == "-5,000"


# ---- funds -----------------------------------------------------------------------------------

def test_a_disbursement_beyond_the_balance_is_refused_in_the_readers_language(world):
    data = {"fund": world["fund"].pk, "restriction": world["tet"].pk,
            "campaign": world["campaign"].pk, "amount": "5.000.000", "purpose": "Quà Tết"}
    english = "Amount: more than the available balance of 4,000,000 đ."
    vietnamese = "Số tiền: vượt số dư khả dụng 4.000.000 đ."

    refused = reader(world["officer"], "en").post(reverse("funds:allocation_prepare"), data)
    assert refused.status_code == 200
    shows(refused.text, [english], [vietnamese, "4.000.000"])

    refused = reader(world["officer"]).post(reverse("funds:allocation_prepare"), data)
    assert refused.status_code == 200
    shows(refused.text, [vietnamese], [english])


def test_a_pledge_without_amount_or_goods_is_refused_in_english(world, donor):  # noqa: F811
    data = {"donor": donor.pk, "campaign": world["campaign"].pk, "amount": "", "in_kind": "",
            "pledged_on": "15/01/2026"}
    refused = reader(world["officer"], "en").post(reverse("funds:pledge_create"), data)
    assert refused.status_code == 200
    shows(refused.text, ["Amount pledged: required, or a description of the goods."],
          ["Số tiền cam kết: bắt buộc"])


# ---- stock -----------------------------------------------------------------------------------

def test_a_write_off_beyond_the_stock_is_refused_in_the_readers_language(world):
    data = {"warehouse": world["warehouse"].pk, "item": world["noodles"].pk, "quantity": "500",
            "reason": stock_choices.WriteOffReason.DAMAGED}
    english = ("Not enough in stock: 100 cartons of Mì ăn liền can leave the warehouse, "
               "500 were asked for.")
    vietnamese = "Không đủ hàng trong kho: còn 100 thùng Mì ăn liền có thể xuất, yêu cầu 500."

    refused = reader(world["officer"], "en").post(reverse("funds:stock_write_off"), data)
    assert refused.status_code == 200
    shows(refused.text, [english], [vietnamese])

    refused = reader(world["officer"]).post(reverse("funds:stock_write_off"), data)
    shows(refused.text, [vietnamese], [english])


def test_a_transfer_to_the_same_warehouse_is_refused_in_english(world):
    warehouse = world["warehouse"].pk
    data = {"source": warehouse, "destination": warehouse, "item": world["noodles"].pk,
            "quantity": "5"}
    refused = reader(world["officer"], "en").post(reverse("funds:stock_transfer"), data)
    shows(refused.text, ["The receiving warehouse must differ from the sending one."],
          ["Kho nhận phải khác kho xuất."])


# ---- distributions ---------------------------------------------------------------------------

def test_a_recipient_outside_the_criteria_is_refused_in_the_readers_language(world):
    cycle = world["cycle"](name="Quà Tết 2026")
    url = reverse("distributions:recipient_add", args=[cycle.pk])
    data = {"id_number": world["neighbour"].id_number, "household_code": "",
            "exception_reason": ""}
    english = ("Recipient «Phạm Văn Long»: does not meet the criteria of the cycle «Quà Tết "
               "2026» (poor households). Can only be added as an exception, with the reason "
               "stated.")
    vietnamese = ("Người nhận «Phạm Văn Long»: không thuộc tiêu chí của đợt «Quà Tết 2026» "
                  "(hộ nghèo). Chỉ thêm được như ngoại lệ, ghi rõ lý do.")

    page = reader(world["officer"], "en").post(url, data, follow=True).text
    shows(page, [english], [vietnamese, "không thuộc tiêu chí"])

    page = reader(world["officer"]).post(url, data, follow=True).text
    shows(page, [vietnamese], [english])
    assert not Recipient.objects.filter(cycle=cycle).exists()


def test_a_household_is_named_in_english_but_its_return_is_recorded_in_vietnamese(world):
    """Cancelling an approved household line after the switch: the refusal to cancel it twice
    names «household BD-001» and its status in English, while the return to the fund keeps its
    reason in Vietnamese, like every record."""
    cycle = world["cycle"](name="Quà Tết theo hộ 2026", unit="household")
    line = recipient_add(world["officer"], cycle, household=world["household"])
    rlist = list_approve(world["manager"], list_submit(world["officer"], line.recipient_list))
    assert rlist.status == ListStatus.APPROVED
    client = reader(world["officer"], "en")
    url = reverse("distributions:recipient_cancel", args=[cycle.pk, line.pk])

    page = client.post(url, {"reason": "Hộ chuyển đi nơi khác"}, follow=True).text
    shows(page, ["Recipient cancelled. 500,000 đ returned to the fund."], ["hoàn lại quỹ"])
    returned = AllocationReturn.objects.get(distribution_line_id=line.pk)
    assert returned.reason == ("Hủy người nhận hộ BD-001, Quà Tết theo hộ 2026 – danh sách số "
                               "1: Hộ chuyển đi nơi khác")

    page = client.post(url, {"reason": "Lần nữa"}, follow=True).text
    shows(page, ["Recipient household BD-001: the status is «Cancelled»; it cannot be "
                 "cancelled."], ["đang ở trạng thái", "không hủy được"])


def test_a_service_refuses_in_the_language_active_when_it_is_called(world):
    cycle = world["cycle"](name="Quà Tết theo hộ 2026", unit="household")
    line = recipient_add(world["officer"], cycle, household=world["household"])
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        recipient_cancel(world["officer"], line, reason="")
    assert refused.value.messages == ["Reason for cancelling: required."]
    with pytest.raises(ValidationError) as refused:
        recipient_cancel(world["officer"], line, reason="")
    assert refused.value.messages == ["Lý do hủy: bắt buộc."]


# ---- transparency ----------------------------------------------------------------------------

def test_a_giving_account_with_letters_is_refused_in_the_readers_language(world):
    url = reverse("transparency:giving", args=[world["fund"].pk])
    data = {"bank_account": "0011 ABC", "bank_name": "Vietcombank", "account_holder": "",
            "address": "", "phone": "", "text": ""}
    english = "Receiving account number: digits only."
    vietnamese = "Số tài khoản tiếp nhận: chỉ gồm chữ số."

    refused = reader(world["officer"], "en").post(url, data)
    assert refused.status_code == 400
    shows(refused.text, [english], [vietnamese])

    refused = reader(world["officer"]).post(url, data)
    shows(refused.text, [vietnamese], [english])


# ---- the API ---------------------------------------------------------------------------------

def test_the_api_answers_in_vietnamese_even_with_the_english_cookie(world):
    _token, secret = ApiToken.issue(world["officer"], name="test")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = {"fund_id": world["fund"].pk, "restriction_id": world["tet"].pk,
            "campaign_id": world["campaign"].pk, "amount": 5_000_000, "purpose": "Quà Tết"}

    response = client.post("/api/v1/funds/allocations", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["amount"] == [
        "Số tiền: vượt số dư khả dụng 4.000.000 đ."]
    assert response["Content-Language"] == "vi"

    # The same cookie still gives the pages in English.
    client.force_login(world["officer"])
    assert 'lang="en"' in client.get(reverse("funds:dashboard")).text
