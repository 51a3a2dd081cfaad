"""/api/v1/funds/distributions: the same rules as the services, errors as 4xx bodies."""

import json

import pytest
from django.test import Client

from ansinh.access.models import ApiToken
from ansinh.distributions.services import recipients_build
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db

BASE = "/api/v1/funds/distributions"


def client_of(user):
    _, secret = ApiToken.issue(user, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def cycle(officer, campaign, fund, registry):
    return gift_cycle(officer, campaign, fund, criteria={"groups": ["orphan"],
                                                         "poverty": ["poor"]})


def test_it_lists_and_shows_cycles_in_the_callers_area(officer, staff, cycle):
    body = client_of(officer).get(f"{BASE}/cycles").json()
    assert body["count"] == 1 and body["items"][0]["name"] == "Quà Tết 2026"
    assert "hộ nghèo" in body["items"][0]["criteria_text"]
    assert client_of(staff["foreign_officer"]).get(f"{BASE}/cycles/{cycle.pk}").status_code \
        == 404


def test_build_submit_approve_and_hand_out_through_the_api(officer, manager, cycle, give):
    give(10_000_000)
    api, boss = client_of(officer), client_of(manager)
    built = post(api, f"{BASE}/cycles/{cycle.pk}/build")
    assert built.status_code == 200 and built.json()["added"] == 1
    list_id = built.json()["list_id"]
    assert post(api, f"{BASE}/lists/{list_id}/submit").json()["status"] == "submitted"
    own = post(api, f"{BASE}/lists/{list_id}/approve")
    assert own.status_code == 403
    approved = post(boss, f"{BASE}/lists/{list_id}/approve", {"note": "Đồng ý"})
    assert approved.status_code == 200 and approved.json()["cash"] == 500_000
    rows = api.get(f"{BASE}/cycles/{cycle.pk}/recipients").json()["items"]
    assert rows[0]["basis"] == "Theo tiêu chí của đợt"  # orphan is masked for fund staff
    pdf = api.get(f"{BASE}/lists/{list_id}/signature-list.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    done = api.post(f"{BASE}/recipients/{rows[0]['id']}/hand-out",
                    {"proof_kind": "signature"})
    assert done.status_code == 200 and done.json()["status"] == "handed_out"
    again = api.post(f"{BASE}/recipients/{rows[0]['id']}/hand-out",
                     {"proof_kind": "signature"})
    assert again.status_code == 422 and "status" in again.json()["error"]["fields"]


def test_a_recipient_outside_the_criteria_is_422_naming_the_field(officer, cycle, registry):
    response = post(client_of(officer), f"{BASE}/cycles/{cycle.pk}/recipients",
                    {"person_id": registry["rich"].head_id})
    assert response.status_code == 422
    assert "không thuộc tiêu chí" in response.json()["error"]["fields"]["person"][0]
    ok = post(client_of(officer), f"{BASE}/cycles/{cycle.pk}/recipients",
              {"person_id": registry["rich"].head_id, "exception_reason": "Hỏa hoạn"})
    assert ok.status_code == 201 and ok.json()["exception"] is True


def test_a_list_larger_than_the_balance_is_422_and_nothing_applied(officer, manager, cycle):
    rlist, _ = recipients_build(officer, cycle)
    post(client_of(officer), f"{BASE}/lists/{rlist.pk}/submit")
    response = post(client_of(manager), f"{BASE}/lists/{rlist.pk}/approve")
    assert response.status_code == 422 and "amount" in response.json()["error"]["fields"]
    rlist.refresh_from_db()
    assert rlist.status == "submitted"


def test_a_case_worker_cannot_build(staff, cycle):
    response = post(client_of(staff["case_worker"]), f"{BASE}/cycles/{cycle.pk}/build")
    assert response.status_code in (403, 404)


def test_unknown_fields_are_refused(officer, cycle, registry):
    response = post(client_of(officer), f"{BASE}/cycles/{cycle.pk}/recipients",
                    {"person_id": registry["orphan"].pk, "why": "x"})
    assert response.status_code == 422


def test_a_photo_proof_reaches_the_hand_out_through_the_api(officer, manager, cycle, give):
    from django.core.files.uploadedfile import SimpleUploadedFile

    give(10_000_000)
    api = client_of(officer)
    rlist, _ = recipients_build(officer, cycle)
    post(api, f"{BASE}/lists/{rlist.pk}/submit")
    post(client_of(manager), f"{BASE}/lists/{rlist.pk}/approve")
    line = rlist.lines.get()
    url = f"{BASE}/recipients/{line.pk}/hand-out"
    photo = SimpleUploadedFile("nhan.jpg", b"\xff\xd8\xff" + b"0" * 50, "image/jpeg")
    done = api.post(url, {"proof_kind": "photo", "photo": photo})
    assert done.status_code == 200, done.content
    assert done.json()["has_photo"] is True
