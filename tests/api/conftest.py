"""An API client that speaks JSON with a bearer token, and a few registry records."""

import json

import pytest
from django.test import Client

from ansinh.access.models import ApiToken
from ansinh.registry.models import Household, Person


class ApiClient:
    def __init__(self, secret: str | None = None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _send(self, method, url, body=None, **kwargs):
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        call = getattr(self.client, method)
        if body is None:
            return call(url, headers=self.headers, **kwargs)
        return call(url, body, content_type="application/json", headers=self.headers, **kwargs)

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url, body=None, **kwargs):
        return self._send("post", url, body if body is not None else {}, **kwargs)

    def patch(self, url, body=None, **kwargs):
        return self._send("patch", url, body if body is not None else {}, **kwargs)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The shared `users` fixture creates seven users with passwords; the production hasher
    # makes that take seconds per test. The API tests never log in with a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_as(users):
    """`api_as("commune_officer")` → a client with a fresh token of that user."""

    def make(role_or_user):
        user = users[role_or_user] if isinstance(role_or_user, str) else role_or_user
        _token, secret = ApiToken.issue(user, name="test")
        return ApiClient(secret)

    return make


@pytest.fixture
def person_factory(geo, id_number):
    def make(commune=None, ten="An", ho="Nguyễn", ten_dem="Văn", sex="M", year=1980, **extra):
        commune = commune or geo["commune"]
        person = Person(
            ho=ho, ten_dem=ten_dem, ten=ten, sex=sex, commune=commune,
            province_id=commune.province_id, id_number=extra.pop("id_number", None)
            or id_number(sex, year), **extra,
        )
        person.refresh_derived()
        person.save()
        return person

    return make


@pytest.fixture
def household_factory(geo):
    def make(code="HN-001", commune=None, **extra):
        commune = commune or geo["commune"]
        return Household.objects.create(
            code=code, commune=commune, province_id=commune.province_id, **extra
        )

    return make
