"""/api/v1/funds/statements: upload → preview → assign → apply, scoped, with 4xx bodies."""

import io

import pytest

from ansinh.access.models import ApiToken
from ansinh.funds.models import BankStatement, BankTransaction, Receipt
from ansinh.funds.services import donor_create, fund_create, receipt_reverse
from ansinh.funds.statements import bank_account_create
from tests.api.conftest import ApiClient
from tests.conftest import make_user
from tests.funds.test_statements import ACCOUNT, xlsx

pytestmark = pytest.mark.django_db

URL = "/api/v1/funds/statements"


@pytest.fixture
def staff(geo):
    return {"officer": make_user("canboquy", "fund_officer", geo["commune"]),
            "foreign": make_user("canboquyhp", "fund_officer", geo["other_province"]),
            "case_worker": make_user("canbo", "commune_officer", geo["commune"])}


def client_of(user) -> ApiClient:
    _token, secret = ApiToken.issue(user, name="test")
    return ApiClient(secret)


@pytest.fixture
def setup(geo, staff):
    officer = staff["officer"]
    fund = fund_create(officer, area=geo["commune"], kind="social_security",
                       name="Quỹ An sinh xã hội phường Ba Đình", code="ASXH")
    donor = donor_create(officer, area=geo["commune"], kind="business",
                         name="Công ty TNHH An Phú", bank_account="0011002233445")
    account = bank_account_create(officer, fund=fund, account_number=ACCOUNT,
                                  bank_name="Vietcombank")
    return {"fund": fund, "donor": donor, "account": account, "api": client_of(officer)}


LINES = [
    ["10/01/2026", "FT1", None, "5.000.000", None, "ung ho", "CONG TY TNHH AN PHU",
     "0011002233445"],
    ["11/01/2026", "FT2", 11_000, None, None, "Phi SMS", "", ""],
    ["12/01/2026", "FT3", None, 300_000, None, "ung ho nguoi ngheo", "NGUYEN VAN BA", ""],
]


def upload(api, content, name="saoke.xlsx", **data):
    f = io.BytesIO(content)
    f.name = name
    return api.client.post(URL, {"file": f, **data}, headers=api.headers)


def test_upload_preview_assign_and_apply(setup, geo, staff):
    api = setup["api"]
    r = upload(api, xlsx(LINES), account_number=ACCOUNT)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "staged" and body["counts"]["credit_new"] == 2
    sid = body["id"]
    r = api.get(f"{URL}/{sid}/lines?status=unmatched")
    assert r.status_code == 200 and r.json()["total"] == 1
    line = r.json()["rows"][0]
    giver = donor_create(staff["officer"], area=geo["commune"], kind="individual",
                         name="Nguyễn Văn Ba")
    r = api.patch(f"{URL}/{sid}/lines/{line['id']}", {"donor_id": giver.pk})
    assert r.status_code == 200 and r.json()["will_receipt"] is True
    r = api.post(f"{URL}/{sid}/apply")
    assert r.status_code == 200, r.content
    assert r.json()["result"]["receipts"] == 2 and r.json()["statement"]["status"] == "applied"
    again = api.post(f"{URL}/{sid}/apply").json()
    assert again["result"]["already_applied"] is True
    assert Receipt.objects.count() == 2 and BankTransaction.objects.count() == 3
    rows = api.get(f"{URL}/{sid}/lines?status=known").json()
    assert rows["total"] == 0
    listed = api.get(URL).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == sid


def test_an_unknown_account_is_422_naming_the_account(setup):
    r = upload(setup["api"], xlsx(LINES, account=None), account_number="999999999")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "validation_error"
    assert "999999999" in r.json()["error"]["fields"]["account"][0]
    assert not BankStatement.objects.exists()


def test_a_file_that_is_not_a_statement_is_422_on_file(setup):
    r = upload(setup["api"], b"%PDF-1.4", name="x.pdf", account_number=ACCOUNT)
    assert r.status_code == 422 and "file" in r.json()["error"]["fields"]


def test_rejected_rows_make_apply_422_and_write_nothing(setup):
    api = setup["api"]
    bad = [*LINES, ["31/02/2026", "FT9", None, 1_000, None, "", "", ""]]
    sid = upload(api, xlsx(bad), account_number=ACCOUNT).json()["id"]
    rows = api.get(f"{URL}/{sid}/lines?status=rejected").json()["rows"]
    assert rows[0]["errors"][0]["field"] == "booked_on"
    r = api.post(f"{URL}/{sid}/apply")
    assert r.status_code == 422 and "statement" in r.json()["error"]["fields"]
    assert not Receipt.objects.exists() and not BankTransaction.objects.exists()


def test_statements_outside_the_area_are_404_and_case_workers_are_refused(setup, staff):
    sid = upload(setup["api"], xlsx(LINES), account_number=ACCOUNT).json()["id"]
    foreign = client_of(staff["foreign"])
    assert foreign.get(f"{URL}/{sid}").status_code == 404
    assert foreign.post(f"{URL}/{sid}/apply").status_code == 404
    assert foreign.get(URL).json()["count"] == 0
    worker = client_of(staff["case_worker"])
    assert worker.get(f"{URL}/{sid}/lines").status_code == 404
    assert upload(worker, xlsx(LINES), account_number=ACCOUNT).status_code == 403
    assert not Receipt.objects.exists()


def test_assigning_a_bad_donor_or_unknown_fields_is_4xx(setup, staff, geo):
    api = setup["api"]
    sid = upload(api, xlsx(LINES), account_number=ACCOUNT).json()["id"]
    line = api.get(f"{URL}/{sid}/lines?status=debit").json()["rows"][0]
    assert api.patch(f"{URL}/{sid}/lines/{line['id']}", {"skip": True}).status_code == 422
    assert api.patch(f"{URL}/{sid}/lines/{line['id']}", {"colour": 1}).status_code == 422
    stranger = donor_create(staff["foreign"], area=geo["foreign_commune"], kind="individual",
                            name="X")
    credit = api.get(f"{URL}/{sid}/lines?status=credit").json()["rows"][0]
    r = api.patch(f"{URL}/{sid}/lines/{credit['id']}", {"donor_id": stranger.pk})
    assert r.status_code == 404


def test_bank_accounts_are_listed_and_registered_in_the_area(setup, staff):
    api = setup["api"]
    assert [a["account_number"] for a in api.get(f"{URL}/accounts").json()["items"]] == [
        ACCOUNT]
    r = api.post(f"{URL}/accounts", {"fund_id": setup["fund"].pk,
                                     "account_number": "1234 5678 90", "bank_name": "BIDV"})
    assert r.status_code == 201 and r.json()["account_number"] == "1234567890"
    dup = api.post(f"{URL}/accounts", {"fund_id": setup["fund"].pk,
                                       "account_number": "1234567890", "bank_name": "BIDV"})
    assert dup.status_code == 422 and "account_number" in dup.json()["error"]["fields"]
    foreign = client_of(staff["foreign"])
    assert foreign.get(f"{URL}/accounts").json()["items"] == []
    r = foreign.post(f"{URL}/accounts", {"fund_id": setup["fund"].pk,
                                         "account_number": "555666777", "bank_name": "ACB"})
    assert r.status_code == 404


def test_the_receipt_pdf_is_served_in_the_area_only(setup, staff):
    api = setup["api"]
    sid = upload(api, xlsx(LINES), account_number=ACCOUNT).json()["id"]
    rid = api.post(f"{URL}/{sid}/apply").json()["result"]["receipt_ids"][0]
    r = api.get(f"{URL}/receipts/{rid}/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    receipt_reverse(staff["officer"], Receipt.objects.get(pk=rid), reason="Nhầm")
    assert api.get(f"{URL}/receipts/{rid}/pdf").status_code == 200
    assert client_of(staff["foreign"]).get(f"{URL}/receipts/{rid}/pdf").status_code == 404
    assert client_of(staff["case_worker"]).get(f"{URL}/receipts/{rid}/pdf").status_code == 404
