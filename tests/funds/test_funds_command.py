"""`ansinh funds donors import|balances|campaigns` at the console: exit codes, the acting
user's area, the rejects file and the tables."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from ansinh.audit.models import AuditEvent
from ansinh.funds.models import Donor, Pledge
from ansinh.funds.services import campaign_create, pledge_create, restriction_create
from tests.funds.test_donor_import import ROWS, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(geo, officer, fund):
    return campaign_create(officer, area=geo["commune"], name="Thủ Đức nghĩa tình",
                           starts_on=date(2026, 1, 1), target_amount=10_000_000, funds=[fund])


def funds(*args):
    call_command("funds", *args)


def test_it_imports_a_campaigns_donor_list_and_exits_0(officer, campaign, tmp_path, capsys):
    path = write_xlsx(tmp_path / "ds.xlsx", ROWS)
    funds("donors", "import", path, "--campaign", "thu duc nghia tinh", "--user", "canboquy")
    out = capsys.readouterr().out
    assert "nhà tài trợ mới / new donors 4" in out and "cam kết mới / new pledges 4" in out
    assert Pledge.objects.filter(campaign=campaign).count() == 4
    assert set(AuditEvent.objects.filter(object_type="donor")
               .values_list("source", "username")) == {("cli", "canboquy")}
    funds("donors", "import", path, "--campaign", str(campaign.pk), "--as", "canboquy")
    assert "không đổi / unchanged 4" in capsys.readouterr().out
    assert Donor.objects.count() == 4


def test_some_rejected_rows_exit_2_with_a_rejects_file(officer, campaign, tmp_path, capsys):
    rows = [ROWS[0], [2, "Lê Văn Hùng", "Cá nhân", "", "", "-5", "", "12/01/2026", ""]]
    rejects = tmp_path / "loi.xlsx"
    with pytest.raises(CommandError) as exc:
        funds("donors", "import", write_xlsx(tmp_path / "ds.xlsx", rows), "--campaign",
              str(campaign.pk), "--rejects", str(rejects), "--user", "canboquy")
    assert exc.value.returncode == 2
    err = capsys.readouterr().err
    assert "Dòng / row 6, amount: Số tiền cam kết" in err
    sheet = load_workbook(rejects).active
    assert [c.value for c in next(sheet.iter_rows())][-1] == "Lỗi"
    assert Donor.objects.count() == 1  # the valid row stands


def test_every_row_rejected_exits_1(officer, campaign, tmp_path):
    rows = [[1, "Lê Văn Hùng", "Cá nhân", "", "", "abc", "", "12/01/2026", ""]]
    with pytest.raises(CommandError) as exc:
        funds("donors", "import", write_csv(tmp_path / "ds.csv", rows), "--campaign",
              str(campaign.pk), "--user", "canboquy")
    assert exc.value.returncode == 1
    assert not Donor.objects.exists()


def test_a_refused_file_or_missing_target_exits_1(officer, campaign, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", ROWS)
    as_officer = ["--user", "canboquy"]
    for args in (["donors", "import", str(tmp_path / "none.xlsx"), "--campaign",
                  str(campaign.pk), *as_officer],
                 ["donors", "import", path, *as_officer],
                 ["donors", "import", path, "--campaign", str(campaign.pk)],  # the console
                 ["donors", "import", path, "--campaign", "Chiến dịch không có", *as_officer],
                 ["donors", "import", path, "--fund", "KHONGCO", *as_officer],
                 ["donors", "import", path, "--area", "99999", *as_officer],
                 ["donors", "import", path, "--campaign", str(campaign.pk), "--pledged-on",
                  "12/01/2026", *as_officer],
                 ["donors", "import", path, "--campaign", str(campaign.pk), "--user",
                  "khongai"]):
        with pytest.raises(CommandError) as exc:
            funds(*args)
        assert exc.value.returncode == 1, args
    assert not Donor.objects.exists()


def test_an_officer_of_another_province_cannot_see_the_campaign(fund_users, campaign,
                                                                tmp_path):
    with pytest.raises(CommandError) as exc:
        funds("donors", "import", write_xlsx(tmp_path / "ds.xlsx", ROWS), "--campaign",
              str(campaign.pk), "--user", fund_users["foreign_officer"].username)
    assert exc.value.returncode == 1
    assert not Donor.objects.exists()


def test_a_commune_officer_without_funds_is_refused(users, geo, campaign, tmp_path):
    with pytest.raises(CommandError) as exc:
        funds("donors", "import", write_xlsx(tmp_path / "ds.xlsx", ROWS), "--campaign",
              str(campaign.pk), "--user", users["commune_officer"].username)
    assert exc.value.returncode == 1
    assert not Donor.objects.exists()


def test_a_fund_pledge_list_with_a_default_date(officer, fund, tmp_path):
    rows = [[1, "Nguyễn Văn Phúc", "Cá nhân", "", "", 2_000_000, "", "", ""]]
    funds("donors", "import", write_csv(tmp_path / "ds.csv", rows), "--fund", "asxh",
          "--pledged-on", "2026-01-05", "--user", "canboquy")
    pledge = Pledge.objects.get()
    assert (pledge.fund, pledge.campaign, pledge.pledged_on) == (fund, None,
                                                                 date(2026, 1, 5))


def test_a_dry_run_writes_nothing(officer, campaign, tmp_path, capsys):
    funds("donors", "import", write_xlsx(tmp_path / "ds.xlsx", ROWS), "--campaign",
          str(campaign.pk), "--dry-run")
    assert "sẽ thêm / would add 4" in capsys.readouterr().out
    assert not Donor.objects.exists()


def test_balances_are_a_table_per_fund_and_restriction(officer, fund, campaign, give,
                                                       capsys):
    restriction = restriction_create(officer, fund=fund, kind="campaign", description="",
                                     campaign=campaign)
    give(1_500_000)
    give(2_000_000, restriction=restriction)
    funds("balances", "--fund", "ASXH", "--user", "canboquy")
    out = capsys.readouterr().out
    assert "(không hạn chế / unrestricted)" in out and "Thủ Đức nghĩa tình" in out
    assert "1.500.000 đ" in out and "3.500.000 đ" in out  # the total line
    with pytest.raises(CommandError) as exc:
        funds("balances", "--fund", "KHONGCO")
    assert exc.value.returncode == 1


def test_balances_follow_the_acting_users_area(fund_users, give, capsys):
    give(1_500_000)
    funds("balances", "--user", fund_users["foreign_officer"].username)
    assert "Chưa có tiền nhận" in capsys.readouterr().out


def test_campaigns_show_pledged_received_and_progress(officer, donor, campaign, give,
                                                      capsys):
    pledge = pledge_create(officer, donor=donor, campaign=campaign, amount=4_000_000,
                           pledged_on=date(2026, 1, 10))
    give(2_500_000, campaign=campaign, pledge=pledge)
    funds("campaigns", "--user", "canboquy")
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith("Thủ Đức nghĩa tình"))
    for figure in ("10.000.000 đ", "4.000.000 đ", "2.500.000 đ", "1.500.000 đ", "25,0%"):
        assert figure in line, (figure, line)


def test_help_is_in_vietnamese_and_english(capsys):
    from ansinh.funds.management.commands.funds import Command

    parser = Command().create_parser("ansinh", "funds")
    text = parser.format_help()
    assert "Quỹ an sinh xã hội / Social-security fund" in text
    with pytest.raises(SystemExit):
        parser.parse_args(["donors", "import", "--help"])
    help_text = capsys.readouterr().out
    assert "Mã thoát / exit codes" in help_text and "--rejects" in help_text
