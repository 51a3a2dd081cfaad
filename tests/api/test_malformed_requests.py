"""Malformed request bodies and uploads are the client's error: a 4xx with the usual error body,
never a 500. Each case here was a 500 before (found by fuzzing the OpenAPI schema)."""

import io

import pytest

pytestmark = pytest.mark.django_db

UPLOAD_ENDPOINTS = ["/api/v1/imports", "/api/v1/payroll/2026-01/returns",
                    "/api/v1/beneficiaries/import"]


def post_raw(api, url, body: bytes, content_type: str):
    return api.client.post(url, body, content_type=content_type, headers=api.headers)


@pytest.mark.parametrize("url", UPLOAD_ENDPOINTS)
def test_multipart_without_a_boundary_is_400(api_as, geo, url):
    api = api_as("province_officer")
    response = post_raw(api, url, b"file=x", "multipart/form-data")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert "boundary" in error["message"]


def test_a_body_over_the_upload_limit_is_413(api_as, geo, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    api = api_as("commune_officer")
    body = b'{"ten": "' + b"a" * (1024 * 1024 + 1) + b'"}'
    response = post_raw(api, "/api/v1/persons", body, "application/json")
    assert response.status_code == 413, response.content
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert "1 MB" in error["message"]


def test_too_many_form_fields_is_400(api_as, geo, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    api = api_as("province_officer")
    body = "&".join(f"f{i}=1" for i in range(50)).encode()
    response = post_raw(api, "/api/v1/imports", body, "application/x-www-form-urlencoded")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "bad_request"


def test_a_form_body_in_another_charset_is_400(api_as, geo):
    api = api_as("province_officer")
    response = post_raw(api, "/api/v1/imports", b"a=1",
                        "application/x-www-form-urlencoded; charset=latin-1")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("name, content", [
    ("return.csv", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"),  # a JPEG, not UTF-8
    ("return.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"),  # read as CSV by default
    ("return.csv", b"id_number,benefit\x00,month\n"),  # NUL: a binary file
    ("return.xlsx", b"PK\x03\x04 not really a workbook"),
])
def test_an_unreadable_return_file_is_422(api_as, geo, name, content):
    api = api_as("commune_officer")
    upload = io.BytesIO(content)
    upload.name = name
    response = api.client.post("/api/v1/payroll/2026-01/returns", {"file": upload},
                               headers=api.headers)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"].startswith(("Tệp", "Không đọc được"))
