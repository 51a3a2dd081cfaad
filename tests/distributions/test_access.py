"""Who may open the distribution pages and API: fund staff only (the `funds` right, as every
fund page asks), records of another area stay hidden (404)."""

import pytest
from django.test import Client
from django.urls import reverse

from ansinh.access.models import ApiToken
from ansinh.distributions.services import recipients_build
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db

BASE = "/api/v1/funds/distributions"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    _, secret = ApiToken.issue(user, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def cycle(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    recipients_build(officer, cycle)
    return cycle


@pytest.fixture
def reader(staff, users):
    """A commune officer (view and sensitive on Ba Đình, no funds) and a province auditor
    (view, export, audit on Hà Nội, no funds): both can read the registry of the cycle's
    area, neither holds the fund right."""
    return {"case_worker": staff["case_worker"], "auditor": users["auditor"]}


def pages(cycle):
    return [reverse("distributions:cycle_list"),
            reverse("distributions:cycle_detail", args=[cycle.pk]),
            reverse("distributions:sponsorship_list")]


@pytest.mark.parametrize("who", ["case_worker", "auditor"])
def test_a_reader_without_the_fund_right_gets_403_on_every_page(reader, cycle, who):
    client = login(reader[who])
    for url in pages(cycle):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Nguyễn Văn Bình" not in response.content.decode()


@pytest.mark.parametrize("who", ["case_worker", "auditor"])
def test_a_reader_without_the_fund_right_cannot_post_either(reader, cycle, who):
    client = login(reader[who])
    line = cycle.recipients.first()
    for url in (reverse("distributions:cycle_build", args=[cycle.pk]),
                reverse("distributions:recipient_cancel", args=[cycle.pk, line.pk]),
                reverse("distributions:handout_list", args=[cycle.pk])):
        assert client.post(url, {"reason": "x"}).status_code == 403, url
    line.refresh_from_db()
    assert line.status == "pending"


def test_fund_staff_of_the_area_open_every_page(officer, cycle):
    client = login(officer)
    for url in pages(cycle):
        assert client.get(url).status_code == 200, url


def test_commune_fund_staff_reach_the_pages_but_not_a_province_cycle(staff, cycle):
    client = login(staff["commune_fund"])
    assert client.get(reverse("distributions:cycle_list")).status_code == 200
    assert client.get(reverse("distributions:cycle_detail", args=[cycle.pk])).status_code \
        == 404


def test_fund_staff_of_another_province_see_no_cycle_and_get_404_on_it(staff, cycle):
    client = login(staff["foreign_officer"])
    listing = client.get(reverse("distributions:cycle_list"))
    assert listing.status_code == 200 and "Quà Tết 2026" not in listing.content.decode()
    assert client.get(reverse("distributions:cycle_detail", args=[cycle.pk])).status_code \
        == 404
    assert client.post(reverse("distributions:handout_list", args=[cycle.pk])).status_code \
        == 404


@pytest.mark.parametrize("who", ["case_worker", "auditor"])
def test_the_api_refuses_a_reader_without_the_fund_right_with_403(reader, cycle, who):
    client = api(reader[who])
    line = cycle.recipients.first()
    for url in (f"{BASE}/cycles", f"{BASE}/cycles/{cycle.pk}",
                f"{BASE}/cycles/{cycle.pk}/recipients"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "forbidden"
    cancel = client.post(f"{BASE}/recipients/{line.pk}/cancel", {"reason": "x"},
                         content_type="application/json")
    assert cancel.status_code == 403
    listed = client.post(f"{BASE}/cycles/{cycle.pk}/hand-out")
    assert listed.status_code == 403


def test_the_api_hides_another_provinces_cycle_behind_404(staff, cycle):
    client = api(staff["foreign_officer"])
    assert client.get(f"{BASE}/cycles").json()["count"] == 0
    for url in (f"{BASE}/cycles/{cycle.pk}", f"{BASE}/cycles/{cycle.pk}/recipients"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["error"]["code"] \
            == "not_found", url
    line = cycle.recipients.first()
    response = client.post(f"{BASE}/recipients/{line.pk}/cancel", {"reason": "x"},
                           content_type="application/json")
    assert response.status_code == 404


def test_the_api_serves_fund_staff_of_the_area(officer, cycle):
    body = api(officer).get(f"{BASE}/cycles/{cycle.pk}/recipients").json()
    assert body["count"] == 3
