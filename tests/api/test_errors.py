"""The error handlers themselves: a database conflict is 409, a bug is a JSON 500."""

import pytest
from django.db import IntegrityError

pytestmark = pytest.mark.django_db


def test_a_database_uniqueness_race_is_409(api_as, geo, monkeypatch):
    def racing_create(user, **data):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("ansinh.api.persons.person_create", racing_create)
    response = api_as("commune_officer").post(
        "/api/v1/persons", {"ten": "An", "sex": "M", "commune_code": geo["commune"].code})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_an_unexpected_error_is_a_json_500_without_details(api_as, geo, monkeypatch):
    def broken(user, **data):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("ansinh.api.persons.person_create", broken)
    response = api_as("commune_officer").post(
        "/api/v1/persons", {"ten": "An", "sex": "M", "commune_code": geo["commune"].code})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "secret" not in response.content.decode()


def test_a_method_the_path_does_not_have_is_405(api_as, geo):
    response = api_as("commune_officer").client.delete(
        "/api/v1/persons/1", headers=api_as("commune_officer").headers)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "PATCH" in response["Allow"]
