"""/api/v1/beneficiaries and /api/v1/payroll: the same operations as the CLI and the UI,
scoped by area, with the common error body."""

import csv
import io
from datetime import date

import pytest

from ansinh.payments.models import PayrollMonth
from tests.conftest import new_id
from tests.payments.conftest import enrol  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

LEGACY = ["id_number", "full_name", "date_of_birth", "sex", "commune_code", "benefit",
          "category", "household_poverty", "decision_number", "decision_date", "start_month"]


def legacy_file(*rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LEGACY)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def elderly(commune="00004", born="1948", number=None):
    return [number or new_id("F", 1948), "Trần Thị Mai", born, "Nữ", commune,
            "monthly_allowance", "5.5a", "poor", "3/QĐ-UBND", "01/03/2024", "2024-03"]


def test_the_legacy_list_imports_through_the_api(api_as):
    api = api_as("commune_officer")
    upload = legacy_file(elderly(), elderly(born="1990"))
    upload.name = "ds.csv"
    response = api.client.post("/api/v1/beneficiaries/import", {"file": upload},
                               headers=api.headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["new"], body["rejected"]) == (1, 1)
    assert body["rejected_rows"][0]["row"] == 3
    assert "category" in body["rejected_rows"][0]["errors"]
    listed = api.get("/api/v1/beneficiaries").json()
    assert listed["count"] == 1 and listed["items"][0]["category"] == "5.5a"


def test_a_file_of_another_type_is_a_422_on_file(api_as):
    api = api_as("commune_officer")
    upload = io.BytesIO(b"x")
    upload.name = "ds.pdf"
    response = api.client.post("/api/v1/beneficiaries/import", {"file": upload},
                               headers=api.headers)
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["file"]


def test_another_communes_beneficiary_is_404(api_as, enrol, geo):  # noqa: F811
    entitlement = enrol("5.5a", commune=geo["sibling_commune"])
    assert api_as("commune_officer").get(
        f"/api/v1/beneficiaries/{entitlement.pk}").status_code == 404
    assert api_as("province_officer").get(
        f"/api/v1/beneficiaries/{entitlement.pk}").status_code == 200


def test_stop_through_the_api(api_as, enrol):  # noqa: F811
    entitlement = enrol("5.5a")
    api = api_as("commune_officer")
    response = api.post("/api/v1/beneficiaries/stop", {
        "id_number": entitlement.person.id_number, "reason": "death", "date": "2026-02-03"})
    assert response.status_code == 200, response.content
    assert response.json()["stopped"][0]["end_month"] == "2026-02-01"
    bad = api.post("/api/v1/beneficiaries/stop", {
        "id_number": entitlement.person.id_number, "reason": "bored", "date": "2026-02-03"})
    assert bad.status_code == 422 and "reason" in bad.json()["error"]["fields"]


def test_the_payroll_month_through_the_api(api_as, enrol):  # noqa: F811
    enrol("5.5a")
    officer, leader = api_as("commune_officer"), api_as("commune_leader")
    ran = officer.post("/api/v1/payroll/2026-01/run")
    assert ran.status_code == 200, ran.content
    assert ran.json()["communes"][0]["status"] == "draft"
    assert officer.post("/api/v1/payroll/2026-01/approve").status_code == 403
    approved = leader.post("/api/v1/payroll/2026-01/approve")
    assert approved.json()["communes"][0]["status"] == "approved"
    rows = officer.get("/api/v1/payroll/2026-01/rows").json()
    assert rows["items"][0]["total_amount"] == 975_000
    exported = officer.get("/api/v1/payroll/2026-01/export.csv")
    assert exported.status_code == 200
    table = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert table[0]["total_amount"] == "975000"
    reconciled = officer.get("/api/v1/payroll/2026-01/reconciliation").json()
    assert reconciled[0]["difference"] == 0


def test_a_background_run_answers_202_and_is_polled_until_done(api_as, enrol):  # noqa: F811
    from ansinh.payments.models import PayrollRun
    from ansinh.payments.tasks import run_payroll

    enrol("5.5a")
    officer = api_as("commune_officer")
    queued = officer.post("/api/v1/payroll/2026-01/run?background=true")
    assert queued.status_code == 202, queued.content
    body = queued.json()
    assert (body["status"], body["month"]) == ("queued", "2026-01")
    assert not PayrollMonth.objects.exists()
    again = officer.post("/api/v1/payroll/2026-01/run?background=true")
    assert again.status_code == 202 and again.json()["id"] == body["id"]
    assert PayrollRun.objects.count() == 1

    run_payroll.call(body["id"])
    done = officer.get(f"/api/v1/payroll/runs/{body['id']}").json()
    assert (done["status"], done["beneficiaries"], done["regular_total"]) == ("done", 1, 975_000)
    assert api_as("commune_leader").get(f"/api/v1/payroll/runs/{body['id']}").status_code == 404
    assert api_as("national_viewer").post(
        "/api/v1/payroll/2026-01/run?background=true").status_code == 403


def test_payroll_errors_have_the_common_body(api_as, enrol):  # noqa: F811
    enrol("5.5a")
    assert api_as("national_viewer").post("/api/v1/payroll/2026-01/run").status_code == 403
    bad_month = api_as("commune_officer").post("/api/v1/payroll/2026-13/run")
    assert bad_month.status_code == 422
    assert bad_month.json()["error"]["code"] == "validation_error"
    nothing = api_as("commune_leader").post("/api/v1/payroll/2026-01/approve")
    assert nothing.status_code == 422
    assert PayrollMonth.objects.count() == 0


def test_a_return_file_through_the_api(api_as, enrol):  # noqa: F811
    entitlement = enrol("5.5a")
    api_as("commune_officer").post("/api/v1/payroll/2026-01/run")
    api_as("commune_leader").post("/api/v1/payroll/2026-01/approve")
    content = ("id_number,benefit,month,amount,status,paid_on,reference\n"
               f"{entitlement.person.id_number},monthly_allowance,2026-01,975000,paid,"
               "2026-01-10,R1\n").encode()
    upload = io.BytesIO(content)
    upload.name = "ret.csv"
    api = api_as("commune_officer")
    response = api.client.post("/api/v1/payroll/2026-01/returns", {"file": upload},
                               headers=api.headers)
    assert response.status_code == 200, response.content
    assert response.json()["paid"] == 1
    wrong = io.BytesIO(content.replace(b"975000", b"1"))
    wrong.name = "ret.csv"
    response = api.client.post("/api/v1/payroll/2026-01/returns", {"file": wrong},
                               headers=api.headers)
    assert response.status_code == 422
    assert date(2026, 1, 1)  # the month in the path is the one checked


def test_the_provider_file_through_the_api(api_as, enrol):  # noqa: F811
    entitlement = enrol("5.5a", payment_channel="ewallet", account_number="0912345678")
    api_as("commune_officer").post("/api/v1/payroll/2026-01/run")
    api_as("commune_leader").post("/api/v1/payroll/2026-01/approve")
    api = api_as("commune_officer")
    response = api.get("/api/v1/payroll/2026-01/provider/ewallet.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["id_number"] == entitlement.person.id_number
    assert api.get("/api/v1/payroll/2026-01/provider/cash.csv").status_code == 422
