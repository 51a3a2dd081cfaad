import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.imports.models import ImportBatch
from ansinh.registry.models import Household, Person
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports"
HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Quan hệ với chủ hộ",
           "Mã hộ", "Địa chỉ", "Xã/Phường"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def workbook(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH HỘ GIA ĐÌNH"])
    ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def family(id_number, geo):
    commune = geo["commune"].code

    def make(code="H001", bad_date=False):
        return [
            [1, "Nguyễn Văn An", dt.datetime(1975, 4, 2), "Nam", id_number("M", 1975),
             "Chủ hộ", code, "Tổ 5", commune],
            [2, "Trần Thị Bình", "05/06/1978", "Nữ", id_number("F", 1978), "Vợ", code, "",
             commune],
            [3, "Nguyễn Minh Châu", "31/02/2005" if bad_date else "2005", "Nữ",
             id_number("F", 2005), "Con", code, "", commune],
        ]

    return make


def upload(client, content: bytes, name="ds.xlsx", **data):
    f = io.BytesIO(content)
    f.name = name
    return client.client.post(URL, {"file": f, **data}, headers=client.headers)


def test_the_import_goes_from_upload_to_preview_to_apply_to_report(api_as, users, family):
    client = api_as("commune_officer")
    response = upload(client, workbook(family(bad_date=True)))
    assert response.status_code == 201, response.content
    batch = response.json()
    assert batch["status"] == "validated"
    assert batch["counts"] == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 1}
    assert batch["total_rows"] == 3 and batch["uploaded_by"] == "canbo"
    assert not Person.objects.exists()  # staging writes nothing to the registry

    status = client.get(f"{URL}/{batch['id']}")
    assert status.status_code == 200 and status.json()["status"] == "validated"
    listed = client.get(URL).json()
    assert [b["id"] for b in listed["items"]] == [batch["id"]]

    preview = client.get(f"{URL}/{batch['id']}/preview").json()
    assert preview["total"] == 3 and len(preview["rows"]) == 3
    rejected = client.get(f"{URL}/{batch['id']}/preview", data={"outcome": "rejected"}).json()
    assert [r["full_name"] for r in rejected["rows"]] == ["Nguyễn Minh Châu"]
    assert "không tồn tại" in rejected["rows"][0]["errors"][0]["message"]
    paged = client.get(f"{URL}/{batch['id']}/preview", data={"page_size": 1, "page": 2}).json()
    assert paged["pages"] == 3 and [r["row_number"] for r in paged["rows"]] == [5]

    applied = client.post(f"{URL}/{batch['id']}/apply")
    assert applied.status_code == 200, applied.content
    body = applied.json()
    assert body["batch"]["status"] == "applied"
    assert body["result"]["persons_created"] == 2
    assert Person.objects.count() == 2 and Household.objects.count() == 1
    event = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="person").first()
    assert (event.username, event.source) == ("canbo", "api")
    assert event.import_batch_id == batch["id"]
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, source="api").exists()

    again = client.post(f"{URL}/{batch['id']}/apply").json()
    assert again["result"].get("already_applied") is True
    assert Person.objects.count() == 2

    report = client.get(f"{URL}/{batch['id']}/report")
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(report.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("Nguyễn Minh Châu" in (row or []) for row in values)


def test_the_openapi_schema_lists_the_import_paths():
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/imports", "/api/v1/imports/{batch_id}",
                 "/api/v1/imports/{batch_id}/preview", "/api/v1/imports/{batch_id}/apply",
                 "/api/v1/imports/{batch_id}/report"):
        assert path in paths


def test_a_file_that_is_not_a_spreadsheet_is_422_with_its_reason(api_as):
    response = upload(api_as("commune_officer"), b"this is not excel", name="ds.xlsx")
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] and error["fields"]["file"]
    assert not ImportBatch.objects.exists()


def test_a_sheet_without_a_header_is_422(api_as):
    content = workbook([[1, 2, 3]], headers=["a", "b", "c"])
    response = upload(api_as("commune_officer"), content)
    assert response.status_code == 422
    assert "tiêu đề" in response.json()["error"]["message"]


def test_the_upload_needs_a_file(api_as):
    response = api_as("commune_officer").client.post(
        URL, {"commune_code": "00004"}, headers=api_as("commune_officer").headers)
    assert response.status_code == 422
    assert "file" in response.json()["error"]["fields"]


def test_an_explicit_mapping_is_used_and_a_bad_one_is_422(api_as, family):
    client = api_as("commune_officer")
    content = workbook(family())
    mapping = {"header_row": 3, "columns": {"1": "full_name", "2": "birth_date", "3": "sex",
                                            "4": "id_number", "5": "relationship",
                                            "6": "household_code", "8": "commune"}}
    response = upload(client, content, mapping=json.dumps(mapping))
    assert response.status_code == 201, response.content
    assert response.json()["counts"]["new"] == 3
    response = upload(client, content, mapping="{not json")
    assert response.status_code == 422 and "mapping" in response.json()["error"]["fields"]
    response = upload(client, content, mapping="[1, 2]")
    assert response.status_code == 422 and "mapping" in response.json()["error"]["fields"]


def test_uploading_for_a_foreign_commune_is_403(api_as, geo, family):
    response = upload(api_as("commune_officer"), workbook(family()),
                      commune_code=geo["foreign_commune"].code)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_a_role_without_import_cannot_upload(api_as, family):
    for role in ("national_viewer", "auditor", "commune_leader"):
        response = upload(api_as(role), workbook(family()))
        assert response.status_code == 403, (role, response.content)


def test_another_areas_batch_is_404(api_as, geo, family, users):
    response = upload(api_as("commune_officer"), workbook(family()))
    batch_id = response.json()["id"]
    other = api_as(make_user("canbo_hp", "commune_officer", geo["foreign_commune"]))
    for path in ("", "/preview", "/report"):
        assert other.get(f"{URL}/{batch_id}{path}").status_code == 404
    assert other.post(f"{URL}/{batch_id}/apply").status_code == 404
    assert other.get(URL).json()["count"] == 0
    # The province officer of the same province does see it.
    assert api_as("province_officer").get(f"{URL}/{batch_id}").status_code == 200


def test_preview_parameters_are_validated(api_as, family):
    client = api_as("commune_officer")
    batch_id = upload(client, workbook(family())).json()["id"]
    for params in ({"outcome": "maybe"}, {"page": 0}, {"page_size": 10_000}, {"page": "x"}):
        response = client.get(f"{URL}/{batch_id}/preview", data=params)
        assert response.status_code == 422, params
    assert client.get(f"{URL}/999999/preview").status_code == 404


def test_a_batch_still_staging_cannot_be_previewed_or_applied(api_as, family, settings):
    settings.IMPORT_USE_TASKS = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = api_as("commune_officer")
    response = upload(client, workbook(family()))
    assert response.status_code == 202, response.content
    batch = response.json()
    assert batch["status"] == "staged"
    assert client.get(f"{URL}/{batch['id']}/preview").status_code == 409
    response = client.post(f"{URL}/{batch['id']}/apply")
    assert response.status_code == 422
    assert response.json()["error"]["message"]
    assert not Person.objects.exists()
