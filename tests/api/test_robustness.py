"""Property-style: junk bodies and parameters never make the API answer 5xx.

A seeded generator (no extra dependency) builds JSON of wrong types, nested objects, huge
strings, nulls, NUL bytes, lone surrogates and out-of-range numbers, keyed by real field
names as well as unknown ones.
"""

import json
import random

import pytest

from ansinh.registry.models import Person

pytestmark = pytest.mark.django_db

PERSON_FIELDS = ["full_name", "ho", "ten_dem", "ten", "birth_date", "birth_date_precision",
                 "sex", "ethnicity", "id_number", "documents", "phone", "disability_level",
                 "disability_type", "disability_notes", "hiv_status", "deceased_date",
                 "household_id", "relationship", "commune_code"]
HOUSEHOLD_FIELDS = ["code", "address", "commune_code", "poverty_status", "poverty_year"]

ATOMS = [
    None, True, False, 0, -1, 1, 5, 2**31, 2**63, 2**70, -(2**70), 1.5, 1e308, -0.0,
    "", " ", "M", "F", "Y", "00004", "4", "abc", "1945", "31/02/1990", "2999-01-01",
    "0012345678901", "001080000001", "x" * 10_000, "Đặng Thị Ánh", "\x00", "a\x00b",
    "\ud800", "😀" * 30, "<script>", "'; DROP TABLE registry_person; --", "%_\\",
    "head", "poor", "cmnd", "mild", "visual", "NaN", "1e9", "-1", "true", "null",
]


def junk(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth < 3 and roll < 0.12:
        return [junk(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if depth < 3 and roll < 0.24:
        return {rng.choice(["type", "number", "a", "", "issued_on"]): junk(rng, depth + 1)
                for _ in range(rng.randint(0, 4))}
    return rng.choice(ATOMS)


def junk_body(rng: random.Random, fields: list[str]):
    roll = rng.random()
    if roll < 0.05:
        return junk(rng)  # not even an object
    body = {}
    for _ in range(rng.randint(0, len(fields))):
        key = rng.choice(fields) if rng.random() < 0.85 else rng.choice(["x", "", "ten ", "id"])
        body[key] = junk(rng)
    return body


def send(client, method, url, body):
    raw = json.dumps(body)  # lone surrogates travel as "\ud800" escapes, as a client may send
    return getattr(client.client, method)(url, raw, content_type="application/json",
                                          headers=client.headers)


@pytest.fixture
def targets(geo, person_factory, household_factory):
    return {"person": person_factory(), "household": household_factory("HN-R")}


@pytest.mark.parametrize("seed", range(4))
def test_junk_bodies_never_cause_a_server_error(api_as, targets, seed):
    rng = random.Random(seed)
    client = api_as("province_officer")
    endpoints = [
        ("post", "/api/v1/persons", PERSON_FIELDS),
        ("patch", f"/api/v1/persons/{targets['person'].pk}", PERSON_FIELDS),
        ("post", "/api/v1/households", HOUSEHOLD_FIELDS),
        ("patch", f"/api/v1/households/{targets['household'].pk}", HOUSEHOLD_FIELDS),
    ]
    for _ in range(40):
        method, url, fields = rng.choice(endpoints)
        body = junk_body(rng, fields)
        response = send(client, method, url, body)
        assert response.status_code < 500, (method, url, body, response.content[:500])
        if response.status_code >= 400:
            assert response.json()["error"]["code"]


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe", b"null", b"[]", b"1", b'"x"',
                                 b"{" * 10_000, b'{"ten": "' + b"a" * 100_000 + b'"}'])
def test_raw_junk_never_causes_a_server_error(api_as, targets, raw):
    client = api_as("commune_officer")
    for method, url in (("post", "/api/v1/persons"),
                        ("patch", f"/api/v1/persons/{targets['person'].pk}"),
                        ("post", "/api/v1/households")):
        response = getattr(client.client, method)(url, raw, content_type="application/json",
                                                  headers=client.headers)
        assert response.status_code < 500, (method, url, raw[:50], response.content[:300])


@pytest.mark.parametrize("seed", range(2))
def test_junk_query_parameters_never_cause_a_server_error(api_as, targets, seed):
    rng = random.Random(100 + seed)
    client = api_as("commune_officer")
    names = ["q", "birth", "household", "commune", "sex", "include_sensitive", "limit",
             "offset", "poverty", "x"]
    for _ in range(30):
        params = {rng.choice(names): str(rng.choice(ATOMS)).replace("\ud800", "?")
                  for _ in range(rng.randint(1, 4))}
        for url in ("/api/v1/persons", "/api/v1/households"):
            response = client.get(url, data=params)
            assert response.status_code < 500, (url, params, response.content[:300])
    for bad_id in ("0", "-1", "abc", str(2**70), "1.5", "%00"):
        for url in (f"/api/v1/persons/{bad_id}", f"/api/v1/households/{bad_id}"):
            assert client.get(url).status_code < 500


def test_the_junk_left_the_registry_consistent(api_as, targets):
    """After all that, every stored person still passes the model's own validation."""
    for person in Person.objects.all():
        person.full_clean()
