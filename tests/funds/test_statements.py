"""Bank statements: read as banks export them, matched to pledges and donors, applied once."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook

from ansinh.audit.models import AuditEvent
from ansinh.funds.choices import LineStatus, MatchKind, StatementStatus
from ansinh.funds.models import (
    BankStatement,
    BankStatementLine,
    BankTransaction,
    Receipt,
)
from ansinh.funds.selectors import balance_of, donor_progress
from ansinh.funds.services import (
    campaign_create,
    donor_create,
    pledge_create,
    restriction_create,
)
from ansinh.funds.statements import (
    StatementRefused,
    bank_account_create,
    bank_transaction_receipt,
    parse_amount,
    parse_statement,
    pledge_code,
    statement_apply,
    statement_line_assign,
    statement_preview,
    statement_stage,
)

ACCOUNT = "0071001234567"
HEADER = ["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có",
          "Số dư", "Nội dung", "Tên người chuyển", "Số tài khoản"]


def xlsx(lines, *, account=ACCOUNT, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"])
    ws.append(["SAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT"])
    ws.append([f"Số tài khoản: {account}" if account else "Từ ngày 01/01/2026"])
    ws.append([])
    ws.append(header)
    for i, line in enumerate(lines, start=1):
        ws.append([i, *line])
    ws.append(["", "Tổng cộng", "", 0, sum(ln[3] or 0 for ln in lines
                                            if isinstance(ln[3], int))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(user, content: bytes, name="saoke.xlsx", account=ACCOUNT):
    f = io.BytesIO(content)
    return statement_stage(user, f, name, account_number=account)


@pytest.fixture
def account(officer, fund):
    return bank_account_create(officer, fund=fund, account_number="0071 0012 34567",
                               bank_name="Vietcombank", branch="Ba Đình")


@pytest.fixture
def lines(donor):
    """A credit from the donor's account, a debit (bank fee), a credit naming no one."""
    return [
        [datetime(2026, 1, 10), "FT26010001", None, "5.000.000", 105_000_000,
         "CONG TY TNHH AN PHU ung ho quy", "CONG TY TNHH AN PHU", "0011002233445"],
        ["11/01/2026", "FT26011002", 11_000, None, 104_989_000, "Phi dich vu SMS", "", ""],
        ["12/01/2026", "FT26012003", None, 300_000, 105_289_000, "ung ho nguoi ngheo",
         "NGUYEN VAN BA", "1903555666777"],
    ]


def test_it_reads_title_rows_text_amounts_and_both_kinds_of_dates(lines):
    parsed = parse_statement([["SAO KÊ"], [f"Số tài khoản: {ACCOUNT}"], [], HEADER,
                              [1, *lines[0]], [2, *lines[1]], [3, *lines[2]],
                              ["", "Tổng cộng", "", 11_000, 5_300_000]])
    assert parsed.header_row == 4 and parsed.title_account == ACCOUNT
    first, fee, third = parsed.lines
    assert (first.booked_on, first.direction, first.amount) == (date(2026, 1, 10), "credit",
                                                               5_000_000)
    assert (fee.booked_on, fee.direction, fee.amount) == (date(2026, 1, 11), "debit", 11_000)
    assert third.row_number == 7 and third.counterparty_account == "1903555666777"
    assert len({ln.identity for ln in parsed.lines}) == 3


@pytest.mark.parametrize("raw, amount", [
    ("1.500.000", 1_500_000), ("1,500,000", 1_500_000), ("1.500.000,00", 1_500_000),
    ("1,500,000.00", 1_500_000), ("1500000", 1_500_000), (1_500_000.0, 1_500_000),
    ("-250.000", -250_000), ("(250.000)", -250_000), ("2.000.000 VND", 2_000_000),
    ("750.000 đ", 750_000), ("", None), (None, None), ("1500000.00", 1_500_000),
])
def test_amounts_are_read_as_banks_write_them(raw, amount):
    assert parse_amount(raw) == amount


@pytest.mark.parametrize("raw", ["1.500,50", "12a", 10.5, "1.5"])
def test_it_refuses_amounts_that_are_not_whole_dong(raw):
    with pytest.raises(ValueError):
        parse_amount(raw)


def test_it_refuses_a_statement_for_an_account_the_fund_does_not_have(officer, account, lines):
    with pytest.raises(StatementRefused) as err:
        upload(officer, xlsx(lines, account="0999888777666"), account="0999888777666")
    assert "không phải tài khoản của quỹ" in err.value.message_dict["account"][0]
    assert not BankStatement.objects.exists()


def test_it_refuses_a_file_whose_title_names_another_account(officer, account, lines):
    with pytest.raises(StatementRefused) as err:
        upload(officer, xlsx(lines, account="0999888777666"))
    assert "0999888777666" in err.value.message_dict["account"][0]


def test_the_account_may_come_from_the_title_rows(officer, account, lines):
    statement = upload(officer, xlsx(lines), account=None)
    assert statement.account == account


def test_a_fund_officer_of_another_province_cannot_use_the_account(fund_users, account,
                                                                    lines):
    with pytest.raises(StatementRefused):
        upload(fund_users["foreign_officer"], xlsx(lines))


def test_it_refuses_a_file_without_a_header_row(officer, account):
    with pytest.raises(StatementRefused) as err:
        upload(officer, b"a;b;c\n1;2;3\n", name="x.csv")
    assert "tiêu đề" in err.value.message_dict["file"][0]


def test_bad_rows_are_reported_with_row_field_and_rule_and_nothing_is_applied(
        officer, account, lines):
    future = (timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y")
    bad = [*lines,
           ["31/02/2026", "FT1", None, 100_000, None, "x", "", ""],
           [future, "FT2", None, 100_000, None, "y", "", ""],
           ["13/01/2026", "FT3", None, "abc", None, "z", "", ""],
           ["13/01/2026", "FT4", 5_000, 5_000, None, "both", "", ""]]
    statement = upload(officer, xlsx(bad))
    assert statement.counts["rejected"] == 4
    errors = {ln.row_number: ln.errors for ln in statement.lines.filter(status="rejected")}
    assert errors[9][0]["field"] == "booked_on" and "Dòng 9" in errors[9][0]["message"]
    assert "không phải ngày có thật" in errors[9][0]["message"]
    assert "sau ngày hôm nay" in errors[10][0]["message"]
    assert errors[11][0]["field"] == "credit" and "không phải số tiền" in errors[11][0]["message"]
    assert "cả Ghi có và Ghi nợ" in errors[12][0]["message"]
    with pytest.raises(ValidationError) as err:
        statement_apply(officer, statement)
    assert "4 dòng bị từ chối" in err.value.message_dict["statement"][0]
    assert not Receipt.objects.exists() and not BankTransaction.objects.exists()


def test_it_proposes_a_pledge_by_its_code_then_donors_by_account_tax_code_and_name(
        officer, geo, fund, donor, account):
    campaign = campaign_create(officer, area=geo["commune"], name="Tết 2026",
                               starts_on=date(2026, 1, 1), funds=[fund])
    person = donor_create(officer, area=geo["commune"], kind="individual",
                          name="Trần Thị Mai")
    other = donor_create(officer, area=geo["commune"], kind="business",
                         name="Công ty CP Bình Minh", tax_code="0309876543")
    pledge = pledge_create(officer, donor=person, pledged_on=date(2026, 1, 2),
                           amount=2_000_000, campaign=campaign)
    rows = [
        ["10/01/2026", "R1", None, 1_000_000, None, f"ung ho tet {pledge_code(pledge)}",
         "TRAN THI MAI", "5550001"],
        ["10/01/2026", "R2", None, 2_000_000, None, "chuyen tien", "", "0011002233445"],
        ["10/01/2026", "R3", None, 3_000_000, None, "MST 0309876543 ung ho", "", ""],
        ["10/01/2026", "R4", None, 4_000_000, None, "ung ho", "TRAN THI MAI", ""],
        ["10/01/2026", "R5", None, 5_000_000, None, "ung ho", "LE VAN TAM", ""],
    ]
    statement = upload(officer, xlsx(rows))
    found = {ln.reference: (ln.match_kind, ln.donor_id, ln.pledge_id)
             for ln in statement.lines.all()}
    assert found["R1"] == (MatchKind.PLEDGE, person.pk, pledge.pk)
    assert found["R2"] == (MatchKind.ACCOUNT, donor.pk, None)
    assert found["R3"] == (MatchKind.TAX_CODE, other.pk, None)
    assert found["R4"] == (MatchKind.NAME, person.pk, None)
    assert found["R5"] == (MatchKind.NONE, None, None)
    assert statement.counts == {"rows": 5, "credit_new": 5, "debit_new": 0, "known": 0,
                                "rejected": 0, "matched": 4, "credit_amount": 15_000_000}


def test_two_donors_with_one_name_are_not_guessed(officer, geo, account):
    for _ in range(2):
        donor_create(officer, area=geo["commune"], kind="individual", name="Lê Văn Tám")
    statement = upload(officer, xlsx([["10/01/2026", "R1", None, 1_000, None, "ung ho",
                                       "LE VAN TAM", ""]]))
    line = statement.lines.get()
    assert line.donor is None and "Nhiều nhà tài trợ" in line.match_note


def test_applying_issues_receipts_for_matched_credits_and_keeps_debits_and_unmatched(
        officer, fund, donor, account, lines):
    statement = upload(officer, xlsx(lines))
    result = statement_apply(officer, statement)
    assert result["receipts"] == 1 and result["transactions"] == 3
    assert (result["credits"], result["debits"], result["unmatched"]) == (2, 1, 1)
    receipt = Receipt.objects.get()
    assert receipt.issued and receipt.donor == donor and receipt.total == 5_000_000
    assert receipt.method == "bank_transfer" and receipt.document_ref == "FT26010001"
    assert receipt.received_on == date(2026, 1, 10)
    assert receipt.bank_transaction.reference == "FT26010001"
    assert not BankTransaction.objects.filter(direction="debit", receipt__isnull=False).exists()
    assert balance_of(fund.pk, None).received == 5_000_000
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPLIED
    assert AuditEvent.objects.filter(object_type="bankstatement", action="update").exists()


def test_re_importing_the_same_statement_changes_nothing(officer, account, lines):
    statement_apply(officer, upload(officer, xlsx(lines)))
    again = upload(officer, xlsx(lines))
    assert again.counts["known"] == 3 and again.counts["credit_new"] == 0
    result = statement_apply(officer, again)
    assert result["receipts"] == 0 and result["transactions"] == 0 and result["known"] == 3
    assert Receipt.objects.count() == 1 and BankTransaction.objects.count() == 3


def test_an_overlapping_statement_adds_only_its_new_lines(officer, donor, account, lines):
    statement_apply(officer, upload(officer, xlsx(lines[:2])))
    later = [*lines[1:], ["14/01/2026", "FT26014009", None, 700_000, 105_989_000,
                          "ung ho", "", "0011002233445"]]
    statement = upload(officer, xlsx(later))
    assert (statement.counts["known"], statement.counts["credit_new"]) == (1, 2)
    result = statement_apply(officer, statement)
    assert result["receipts"] == 1 and result["known"] == 1
    assert Receipt.objects.count() == 2


def test_a_statement_staged_twice_before_applying_gives_receipts_once(officer, account,
                                                                      lines):
    first, second = upload(officer, xlsx(lines)), upload(officer, xlsx(lines))
    statement_apply(officer, first)
    result = statement_apply(officer, second)
    assert result["receipts"] == 0 and result["known"] == 3
    assert Receipt.objects.count() == 1
    assert set(second.lines.values_list("status", flat=True)) == {LineStatus.KNOWN}


def test_applying_twice_writes_nothing_the_second_time(officer, account, lines):
    statement = upload(officer, xlsx(lines))
    statement_apply(officer, statement)
    assert statement_apply(officer, statement)["already_applied"] is True
    assert Receipt.objects.count() == 1


def test_lines_without_reference_are_known_by_a_hash_and_twins_stay_two(officer, account):
    rows = [["15/01/2026", "", None, 50_000, None, "ung ho", "", ""],
            ["15/01/2026", "", None, 50_000, None, "ung ho", "", ""]]
    header = [h for h in HEADER if h != "Số tham chiếu"]
    content = xlsx([[r[0], *r[2:]] for r in rows], header=header)
    statement_apply(officer, upload(officer, content))
    assert BankTransaction.objects.count() == 2
    again = upload(officer, content)
    assert again.counts["known"] == 2


def test_a_partial_payment_is_still_a_receipt_for_the_pledge(officer, geo, fund, account):
    campaign = campaign_create(officer, area=geo["commune"], name="Tết 2026",
                               starts_on=date(2026, 1, 1), funds=[fund])
    restriction = restriction_create(officer, fund=fund, kind="campaign", description="",
                                     campaign=campaign)
    giver = donor_create(officer, area=geo["commune"], kind="individual", name="Phạm Hùng")
    pledge = pledge_create(officer, donor=giver, pledged_on=date(2026, 1, 2),
                           amount=10_000_000, campaign=campaign)
    statement = upload(officer, xlsx([["10/01/2026", "P1", None, 4_000_000, None,
                                       f"{pledge_code(pledge)} dot 1", "", ""]]))
    statement_apply(officer, statement)
    receipt = Receipt.objects.get()
    assert receipt.pledge == pledge and receipt.total == 4_000_000
    line = receipt.lines.get()
    assert line.campaign == campaign and line.restriction == restriction
    assert donor_progress(officer, giver)["outstanding"] == 6_000_000


def test_the_officer_may_assign_an_unmatched_line_and_skip_a_proposed_one(
        officer, geo, donor, account, lines):
    giver = donor_create(officer, area=geo["commune"], kind="individual",
                         name="Nguyễn Văn Ba")
    statement = upload(officer, xlsx(lines))
    unmatched = statement.lines.get(reference="FT26012003")
    proposed = statement.lines.get(reference="FT26010001")
    statement_line_assign(officer, unmatched, donor=giver)
    statement_line_assign(officer, proposed, skip=True)
    result = statement_apply(officer, statement)
    assert result["receipts"] == 1 and result["unmatched"] == 1
    assert Receipt.objects.get().donor == giver


def test_the_officer_cannot_assign_a_debit_or_a_donor_of_another_province(
        officer, fund_users, geo, account, lines):
    statement = upload(officer, xlsx(lines))
    with pytest.raises(ValidationError):
        statement_line_assign(officer, statement.lines.get(reference="FT26011002"),
                              skip=True)
    stranger = donor_create(fund_users["foreign_officer"], area=geo["foreign_commune"],
                            kind="individual", name="Hải Phòng")
    with pytest.raises(PermissionDenied):
        statement_line_assign(officer, statement.lines.get(reference="FT26012003"),
                              donor=stranger)


def test_an_applied_statement_can_no_longer_be_changed(officer, account, lines, donor):
    statement = upload(officer, xlsx(lines))
    statement_apply(officer, statement)
    with pytest.raises(ValidationError):
        statement_line_assign(officer, statement.lines.get(reference="FT26012003"),
                              donor=donor)


def test_any_error_while_applying_rolls_everything_back(officer, geo, account, lines):
    ngo = donor_create(officer, area=geo["commune"], kind="foreign_ngo", name="Hope Fund",
                       country="US")
    statement = upload(officer, xlsx(lines))
    line = statement.lines.get(reference="FT26012003")
    statement_line_assign(officer, line, donor=ngo)
    with pytest.raises(ValidationError) as err:
        statement_apply(officer, statement)
    assert "Dòng 8" in err.value.message_dict["lines"][0]
    assert "phê duyệt viện trợ" in err.value.message_dict["lines"][0]
    assert not Receipt.objects.exists() and not BankTransaction.objects.exists()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.STAGED


def test_a_foreign_donor_found_by_account_is_proposed_but_left_for_a_manual_receipt(
        officer, geo, account):
    donor_create(officer, area=geo["commune"], kind="foreign_ngo", name="Hope Fund",
                 country="US", bank_account="9988776655")
    statement = upload(officer, xlsx([["10/01/2026", "F1", None, 1_000_000, None, "grant",
                                       "", "9988776655"]]))
    line = statement.lines.get()
    assert line.skip and "phê duyệt viện trợ" in line.match_note
    assert statement_apply(officer, statement)["receipts"] == 0


def test_outsiders_can_neither_stage_nor_apply(officer, fund_users, users, account, lines):
    statement = upload(officer, xlsx(lines))
    with pytest.raises(PermissionDenied):
        statement_apply(fund_users["foreign_officer"], statement)
    with pytest.raises(PermissionDenied):
        upload(users["commune_officer"], xlsx(lines))
    assert not Receipt.objects.exists()


def test_a_line_can_never_have_two_receipts(officer, account, lines):
    statement_apply(officer, upload(officer, xlsx(lines)))
    receipt = Receipt.objects.get()
    other = BankTransaction.objects.filter(receipt__isnull=True, direction="credit").get()
    with pytest.raises(IntegrityError), transaction.atomic():
        BankTransaction.objects.filter(pk=other.pk).update(receipt=receipt)
    first = BankTransaction.objects.get(receipt=receipt)
    with pytest.raises(IntegrityError), transaction.atomic():
        BankTransaction.objects.create(
            account=account, identity=first.identity, booked_on=first.booked_on,
            direction="credit", amount=1, statement=first.statement, row_number=1,
            province=account.province, commune=account.commune)


def test_an_unmatched_credit_can_become_a_receipt_later_once(officer, geo, account, lines):
    statement_apply(officer, upload(officer, xlsx(lines)))
    txn = BankTransaction.objects.get(reference="FT26012003")
    giver = donor_create(officer, area=geo["commune"], kind="individual",
                         name="Nguyễn Văn Ba")
    receipt = bank_transaction_receipt(officer, txn, donor=giver)
    assert receipt.issued and receipt.total == 300_000
    with pytest.raises(ValidationError):
        bank_transaction_receipt(officer, txn, donor=giver)
    fee = BankTransaction.objects.get(reference="FT26011002")
    with pytest.raises(ValidationError):
        bank_transaction_receipt(officer, fee, donor=giver)


def test_a_csv_with_short_headers_and_a_two_row_header_is_read(officer, donor, account):
    csv = ("Sao kê tài khoản 0071001234567\n"
           "Ngày;Diễn giải;Số tiền;;Mã giao dịch\n"
           ";;Nợ;Có;\n"
           "16/01/2026;CTY TNHH AN PHU chuyen;;2.500.000;TX9\n"
           "16/01/2026;phi;3.300;;TX10\n").encode()
    statement = upload(officer, csv, name="vcb.csv", account=None)
    assert statement.counts["credit_new"] == 1 and statement.counts["debit_new"] == 1
    line = statement.lines.get(reference="TX9")
    assert line.amount == 2_500_000 and line.donor == donor
    assert line.match_kind == MatchKind.NAME


def test_the_preview_masks_the_sender_account_without_donor_bank(officer, users, geo,
                                                                 account, lines):
    statement = upload(officer, xlsx(lines))
    shown = statement_preview(officer, statement)
    assert shown["rows"][0]["counterparty_account"] == "0011002233445"
    assert shown["rows"][0]["will_receipt"] is True
    hidden = statement_preview(users["auditor"], statement)
    assert hidden["rows"][0]["counterparty_account"].endswith("445")
    assert "0011002233445" not in str(hidden)
    assert statement_preview(officer, statement, status="unmatched")["total"] == 1


def test_staged_lines_keep_what_the_bank_wrote(officer, account, lines):
    statement = upload(officer, xlsx(lines))
    line = BankStatementLine.objects.get(statement=statement, reference="FT26010001")
    assert line.raw[2] == "FT26010001" and line.running_balance == 105_000_000


# ---------------------------------------------------------------------------- command line

def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("fund_statement", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def statement_file(tmp_path, lines):
    path = tmp_path / "saoke.xlsx"
    path.write_bytes(xlsx(lines))
    return str(path)


def test_the_command_applies_a_statement_as_the_named_user(officer, account, statement_file):
    code, out, _ = run("import", statement_file, "--account", ACCOUNT, "--user", "canboquy")
    assert code == 0
    assert "biên nhận cho / receipt for Công ty TNHH An Phú" in out
    assert "Đã áp dụng / applied: 1 biên nhận" in out
    assert Receipt.objects.get().created_by == officer
    code, out, _ = run("import", statement_file, "--account", ACCOUNT, "--user", "canboquy")
    assert code == 0 and "0 biên nhận" in out and "3 đã có" in out
    assert Receipt.objects.count() == 1


def test_a_dry_run_writes_nothing(officer, account, statement_file):
    code, out, _ = run("import", statement_file, "--account", ACCOUNT, "--dry-run")
    assert code == 0 and "Chạy thử" in out
    assert not BankStatement.objects.exists() and not Receipt.objects.exists()


def test_rejected_rows_exit_2_and_apply_nothing(officer, account, tmp_path, lines):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([*lines, ["32/01/2026", "X", None, 1, None, "", "", ""]]))
    code, _, err = run("import", str(path), "--account", ACCOUNT, "--user", "canboquy")
    assert code == 2 and "Dòng 9" in err
    assert not Receipt.objects.exists() and not BankTransaction.objects.exists()


def test_an_unknown_account_or_a_missing_user_exits_1(officer, account, statement_file):
    code, _, err = run("import", statement_file, "--account", "123456789", "--user",
                       "canboquy")
    assert code == 1 and "123456789" in err
    assert run("import", statement_file, "--account", ACCOUNT)[0] == 1
    assert run("import", "/no/such/file.xlsx", "--user", "canboquy")[0] == 1
    assert not Receipt.objects.exists()
