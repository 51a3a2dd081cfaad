import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.access.models import ApiToken
from ansinh.audit.models import AuditEvent

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_it_serves_the_openapi_schema_with_every_path():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/persons", "/api/v1/persons/{person_id}",
        "/api/v1/households", "/api/v1/households/{household_id}",
    } <= paths
    assert "validation_error" in schema["info"]["description"]
    assert "ErrorOut" in schema["components"]["schemas"]


def test_it_serves_the_docs_page():
    assert Client().get("/api/v1/docs").status_code == 200


def test_it_answers_401_with_a_json_body_without_a_token(geo):
    response = Client().get("/api/v1/persons")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_answers_401_to_a_post_without_a_token(geo):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/persons", "{}", content_type="application/json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Bearer ans_not-a-real-token", "Bearer ", "Token abc",
                                    "Bearer " + "x" * 5000])
def test_it_answers_401_to_a_bad_token(geo, header):
    response = Client().get("/api/v1/persons", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_it_refuses_a_revoked_token(users):
    token, secret = ApiToken.issue(users["commune_officer"])
    assert ApiClient(secret).get("/api/v1/persons").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert ApiClient(secret).get("/api/v1/persons").status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(users):
    _token, secret = ApiToken.issue(users["commune_officer"])
    users["commune_officer"].is_active = False
    users["commune_officer"].save()
    assert ApiClient(secret).get("/api/v1/persons").status_code == 401


def test_it_records_last_use_at_most_once_a_minute(users):
    token, secret = ApiToken.issue(users["commune_officer"])
    client = ApiClient(secret)
    client.get("/api/v1/persons")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/persons")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=5))
    client.get("/api/v1/persons")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=5)


def test_it_accepts_the_browser_session_and_checks_csrf_on_writes(users, geo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["commune_officer"])
    assert client.get("/api/v1/persons").status_code == 200
    body = json.dumps({"ten": "An", "sex": "M", "commune_code": geo["commune"].code})
    response = client.post("/api/v1/persons", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "CSRF" in response.json()["error"]["message"]
    csrf_value = "k" * 32  # any well-formed secret, sent as cookie and header alike
    client.cookies["csrftoken"] = csrf_value
    response = client.post("/api/v1/persons", body, content_type="application/json",
                           headers={"X-CSRFToken": csrf_value})
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(object_type="person", action="create")
    assert (event.username, event.source) == ("canbo", "api")


def test_an_unknown_api_path_is_a_json_404(users, api_as):
    response = api_as("commune_officer").get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_every_response_carries_the_request_id_of_its_audit_rows(api_as, geo):
    client = api_as("commune_officer")
    response = client.post("/api/v1/persons", {"ten": "An", "sex": "M",
                                               "commune_code": geo["commune"].code})
    assert response.status_code == 201
    event = AuditEvent.objects.get(object_type="person", action="create")
    assert event.request_id == response["X-Request-ID"]
