"""The statement pages: upload → preview → change a match → apply, and the receipt PDF."""

import io

import pytest
from django.urls import reverse

from ansinh.funds.models import BankAccount, BankStatement, Receipt
from ansinh.funds.services import donor_create, fund_create
from ansinh.funds.statements import bank_account_create
from tests.conftest import make_user
from tests.funds.test_statements import ACCOUNT, xlsx

pytestmark = pytest.mark.django_db

LINES = [
    ["10/01/2026", "FT1", None, "5.000.000", None, "ung ho", "CONG TY TNHH AN PHU",
     "0011002233445"],
    ["11/01/2026", "FT2", 11_000, None, None, "Phi SMS", "", ""],
    ["12/01/2026", "FT3", None, 300_000, None, "ung ho nguoi ngheo", "NGUYEN VAN BA", ""],
]


@pytest.fixture
def staff(geo):
    return {"officer": make_user("canboquy", "fund_officer", geo["commune"]),
            "foreign": make_user("canboquyhp", "fund_officer", geo["other_province"]),
            "case_worker": make_user("canbo", "commune_officer", geo["commune"])}


@pytest.fixture
def setup(geo, staff):
    officer = staff["officer"]
    fund = fund_create(officer, area=geo["commune"], kind="social_security",
                       name="Quỹ An sinh xã hội phường Ba Đình", code="ASXH")
    donor = donor_create(officer, area=geo["commune"], kind="business",
                         name="Công ty TNHH An Phú", bank_account="0011002233445")
    account = bank_account_create(officer, fund=fund, account_number=ACCOUNT,
                                  bank_name="Vietcombank")
    return {"fund": fund, "donor": donor, "account": account}


def upload(client, account, content=None, name="saoke.xlsx"):
    f = io.BytesIO(content or xlsx(LINES))
    f.name = name
    return client.post(reverse("fund_statements:statement_list"),
                       {"account": account.pk if account else "", "file": f})


def test_the_officer_uploads_previews_assigns_and_applies(client, setup, staff, geo):
    client.force_login(staff["officer"])
    page = client.get(reverse("fund_statements:statement_list"))
    assert page.status_code == 200 and ACCOUNT in page.content.decode()
    r = upload(client, setup["account"])
    statement = BankStatement.objects.get()
    assert r.status_code == 302 and r.url == reverse("fund_statements:statement_detail",
                                                     args=[statement.pk])
    html = client.get(r.url).content.decode()
    assert "Sẽ lập biên nhận" in html and "Chưa khớp" in html and "Công ty TNHH An Phú" in html
    giver = donor_create(staff["officer"], area=geo["commune"], kind="individual",
                         name="Nguyễn Văn Ba")
    line = statement.lines.get(reference="FT3")
    r = client.post(reverse("fund_statements:line_assign", args=[statement.pk, line.pk]),
                    {"donor": f"{giver.pk} · {giver.name}", "status": "unmatched"})
    assert r.status_code == 302 and r.url.endswith("?status=unmatched")
    r = client.post(reverse("fund_statements:statement_apply", args=[statement.pk]),
                    follow=True)
    html = r.content.decode()
    assert "Đã áp dụng: 2 biên nhận" in html
    assert Receipt.objects.count() == 2
    receipt = Receipt.objects.get(donor=giver)
    assert reverse("fund_statements:receipt_pdf", args=[receipt.pk]) in html
    again = client.post(reverse("fund_statements:statement_apply", args=[statement.pk]),
                        follow=True)
    assert "đã được áp dụng trước đó" in again.content.decode()
    assert Receipt.objects.count() == 2


def test_an_unknown_account_in_the_file_is_shown_on_the_form(client, setup, staff):
    client.force_login(staff["officer"])
    r = upload(client, None, xlsx(LINES, account="0999888777666"))
    assert r.status_code == 200
    assert "không phải tài khoản của quỹ" in r.content.decode()
    assert not BankStatement.objects.exists()


def test_rejected_rows_are_listed_and_the_apply_button_is_gone(client, setup, staff):
    client.force_login(staff["officer"])
    upload(client, setup["account"], xlsx([*LINES, ["31/02/2026", "X", None, 1, None, "",
                                                     "", ""]]))
    statement = BankStatement.objects.get()
    html = client.get(reverse("fund_statements:statement_detail", args=[statement.pk])
                      + "?status=rejected").content.decode()
    assert "Dòng 9 – Ngày giao dịch" in html and 'id="apply"' not in html
    client.post(reverse("fund_statements:statement_apply", args=[statement.pk]))
    assert not Receipt.objects.exists()


def test_an_officer_registers_an_account(client, setup, staff):
    client.force_login(staff["officer"])
    r = client.post(reverse("fund_statements:account_create"), {
        "fund": setup["fund"].pk, "account_number": "1234 5678 90", "bank_name": "BIDV"},
        follow=True)
    assert "Đã đăng ký tài khoản 1234567890" in r.content.decode()
    assert BankAccount.objects.filter(account_number="1234567890").exists()


def test_outsiders_get_404_and_case_workers_403(client, setup, staff):
    client.force_login(staff["officer"])
    upload(client, setup["account"])
    statement = BankStatement.objects.get()
    client.post(reverse("fund_statements:statement_apply", args=[statement.pk]))
    receipt = Receipt.objects.get()
    client.force_login(staff["foreign"])
    assert client.get(reverse("fund_statements:statement_detail",
                              args=[statement.pk])).status_code == 404
    assert client.get(reverse("fund_statements:receipt_pdf",
                              args=[receipt.pk])).status_code == 404
    assert setup["account"].account_number not in client.get(
        reverse("fund_statements:statement_list")).content.decode()
    client.force_login(staff["case_worker"])
    assert client.get(reverse("fund_statements:statement_list")).status_code == 403
    assert client.get(reverse("fund_statements:receipt_pdf",
                              args=[receipt.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("fund_statements:statement_list")).status_code == 302


def test_the_receipt_pdf_downloads(client, setup, staff):
    client.force_login(staff["officer"])
    upload(client, setup["account"])
    statement = BankStatement.objects.get()
    client.post(reverse("fund_statements:statement_apply", args=[statement.pk]))
    receipt = Receipt.objects.get()
    r = client.get(f"/funds/statements/receipts/{receipt.pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert "00001-2026-BN-ASXH" in r["Content-Disposition"]
