"""Opening a cycle: its package, fund, campaign and criteria are checked."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.distributions.services import cycle_close, cycle_create
from tests.distributions.conftest import STARTS
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db


def error(exc, field):
    return exc.value.message_dict[field][0]


def test_it_opens_a_gift_cycle_with_cash_and_goods(officer, campaign, fund, items, warehouse):
    cycle = gift_cycle(officer, campaign, fund, components=[(items["gift"], 1),
                                                           (items["rice"], 10)],
                       warehouse=warehouse)
    assert sorted(cycle.items.values_list("item__name", "quantity")) == [("Gạo", 10),
                                                                        ("Quà Tết", 1)]
    assert (cycle.province_id, cycle.commune_id) == (fund.province_id, None)
    assert AuditEvent.objects.filter(object_type="cycle", object_id=cycle.pk).exists()


def test_it_refuses_goods_without_a_warehouse(officer, campaign, fund, items):
    with pytest.raises(ValidationError) as exc:
        gift_cycle(officer, campaign, fund, components=[(items["gift"], 1)])
    assert "Kho" in error(exc, "warehouse")


def test_it_refuses_an_empty_package(officer, campaign, fund):
    with pytest.raises(ValidationError) as exc:
        gift_cycle(officer, campaign, fund, cash=0)
    assert "phải có tiền, hiện vật" in error(exc, "cash_per_recipient")


@pytest.mark.parametrize("cash", [-1, 1.5, "100"])
def test_it_refuses_cash_that_is_not_whole_dong(officer, campaign, fund, cash):
    with pytest.raises(ValidationError):
        gift_cycle(officer, campaign, fund, cash=cash)


def test_it_refuses_a_zero_quantity_of_goods(officer, campaign, fund, items, warehouse):
    with pytest.raises(ValidationError) as exc:
        gift_cycle(officer, campaign, fund, components=[(items["gift"], 0)],
                   warehouse=warehouse)
    assert "Quà Tết" in error(exc, "items")


def test_a_training_cycle_needs_its_number_of_places(officer, campaign, fund, donor):
    with pytest.raises(ValidationError) as exc:
        gift_cycle(officer, campaign, fund, kind="training", cash=0, donor=donor)
    assert "Số suất" in error(exc, "places")
    cycle = gift_cycle(officer, campaign, fund, kind="training", cash=0, donor=donor, places=30)
    assert cycle.places == 30


@pytest.mark.parametrize("criteria, word", [
    ({"poverty": ["rich"]}, "diện hộ"),
    ({"groups": ["hiv"]}, "nhóm đối tượng"),
    ({"communes": ["99999"]}, "xã/phường"),
    ({"age_min": 20, "age_max": 10}, "tuổi"),
    ({"age_min": -1}, "tuổi"),
    ({"religion": "x"}, "không hỗ trợ"),
])
def test_it_refuses_bad_criteria(officer, campaign, fund, criteria, word):
    with pytest.raises(ValidationError) as exc:
        gift_cycle(officer, campaign, fund, criteria=criteria)
    assert word in error(exc, "criteria")


def test_it_refuses_a_commune_of_another_province_in_the_criteria(officer, campaign, fund, geo):
    with pytest.raises(ValidationError):
        gift_cycle(officer, campaign, fund, criteria={"communes": [geo["foreign_commune"].code]})


def test_it_refuses_a_fund_the_campaign_does_not_use(officer, geo, campaign):
    from ansinh.funds.services import fund_create
    other = fund_create(officer, area=geo["province"], kind="other", name="Quỹ khác", code="QK")
    with pytest.raises(ValidationError) as exc:
        gift_cycle(officer, campaign, other)
    assert "không tiếp nhận" in error(exc, "fund")


def test_it_refuses_a_restriction_of_another_campaign(officer, geo, fund, campaign, restricted):
    from ansinh.funds.services import campaign_create
    other = campaign_create(officer, area=geo["province"], name="Học bổng 2026",
                            starts_on=STARTS, funds=[fund])
    with pytest.raises(ValidationError) as exc:
        gift_cycle(officer, other, fund, restriction=restricted)
    assert "chiến dịch khác" in error(exc, "restriction")


@pytest.mark.parametrize("who", ["case_worker", "foreign_officer", "commune_fund"])
def test_only_fund_staff_of_the_funds_area_open_a_cycle(staff, campaign, fund, who):
    with pytest.raises(PermissionDenied):
        gift_cycle(staff[who], campaign, fund)


def test_it_refuses_an_end_before_the_start(officer, campaign, fund):
    from datetime import date
    with pytest.raises(ValidationError):
        cycle_create(officer, name="x", kind="gift", campaign=campaign, fund=fund,
                     cash_per_recipient=1, starts_on=STARTS, ends_on=date(2026, 1, 1))


def test_a_closed_cycle_takes_no_more_recipients(officer, campaign, fund, registry):
    from ansinh.distributions.services import recipient_add
    cycle = gift_cycle(officer, campaign, fund)
    cycle_close(officer, cycle)
    with pytest.raises(ValidationError) as exc:
        recipient_add(officer, cycle, person=registry["orphan"])
    assert "đã kết thúc" in error(exc, "cycle")
