import csv
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from ansinh.enrolment.models import Decision, Entitlement
from ansinh.registry.models import Person
from tests.conftest import new_id

pytestmark = pytest.mark.django_db

HEADER = ["id_number", "full_name", "date_of_birth", "sex", "commune_code", "benefit",
          "category", "disability_level", "children_count", "household_poverty",
          "decision_number", "decision_date", "start_month", "payment_channel",
          "account_number"]


def row(**values):
    base = {"id_number": new_id("F", 1948), "full_name": "Trần Thị Mai",
            "date_of_birth": "12/05/1948", "sex": "Nữ", "commune_code": "00004",
            "benefit": "monthly_allowance", "category": "5.5a", "household_poverty": "poor",
            "decision_number": "15/QĐ-UBND", "decision_date": "20/03/2024",
            "start_month": "2024-03", "payment_channel": "cash"}
    base.update(values)
    return [base.get(h, "") for h in HEADER]


def write(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["DANH SÁCH ĐỐI TƯỢNG ĐANG HƯỞNG TRỢ CẤP"])  # a title row
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def test_it_migrates_a_legacy_list_and_creates_missing_persons(geo, tmp_path, capsys):
    path = write(tmp_path / "ds.csv", [
        row(),
        row(id_number=new_id("M", 2012), full_name="Lê Văn Nam", date_of_birth="2012",
            sex="Nam", category="5.1", household_poverty="", start_month="2020-09"),
        row(id_number=new_id("M", 1985), full_name="Phạm Văn Hùng", date_of_birth="3/4/1985",
            sex="Nam", category="5.6", disability_level="extremely_severe",
            household_poverty="", payment_channel="bank", account_number="0123456789"),
    ])
    call_command("beneficiaries", "import", path)
    assert Entitlement.objects.count() == 3
    assert Person.objects.filter(full_name="Lê Văn Nam", birth_date_precision="Y").exists()
    decision = Decision.objects.get(person__full_name="Trần Thị Mai")
    assert (decision.number, decision.migrated, decision.signed_on) == \
        ("15/QĐ-UBND", True, date(2024, 3, 20))
    assert "đã thêm / added 3" in capsys.readouterr().out


def test_reimporting_the_same_file_changes_nothing(geo, tmp_path, capsys):
    path = write(tmp_path / "ds.csv", [row()])
    call_command("beneficiaries", "import", path)
    call_command("beneficiaries", "import", path)
    assert Entitlement.objects.count() == 1
    assert "không đổi / unchanged 1" in capsys.readouterr().out


def test_bad_rows_are_rejected_with_row_field_and_reason(geo, tmp_path, capsys):
    rejects = tmp_path / "loi.xlsx"
    path = write(tmp_path / "ds.csv", [
        row(),
        row(id_number=new_id("F", 1990), date_of_birth="01/01/1990"),  # 5.5a at 34
        row(id_number=new_id("M", 1985), full_name="Phạm Văn Hùng", date_of_birth="1985",
            sex="Nam", category="5.6", household_poverty=""),  # no disability level
        row(id_number=new_id("M", 2020), full_name="Bé Na", date_of_birth="05/05/2020",
            sex="Nam", category="5.1", household_poverty="", start_month="2019-01"),
    ])
    with pytest.raises(CommandError) as exc:
        call_command("beneficiaries", "import", path, "--rejects", str(rejects))
    assert exc.value.returncode == 2
    err = capsys.readouterr().err
    assert "Dòng / row 4, category" in err
    assert "Dòng / row 5, disability_level" in err
    assert "Dòng / row 6, start_month" in err
    assert Entitlement.objects.count() == 1  # the valid row is applied
    sheet = load_workbook(rejects).active
    assert sheet.max_row == 4  # header + three rejected rows
    assert "Lỗi" in [c.value for c in sheet[1]]


def test_a_person_already_enrolled_in_the_benefit_is_rejected(geo, tmp_path, capsys):
    number = new_id("F", 1948)
    call_command("beneficiaries", "import", write(tmp_path / "a.csv", [row(id_number=number)]))
    second = write(tmp_path / "b.csv", [row(id_number=number, decision_number="99/QĐ-UBND",
                                            start_month="2025-01")])
    with pytest.raises(CommandError) as exc:
        call_command("beneficiaries", "import", second)
    assert exc.value.returncode == 1
    assert "đang hưởng" in capsys.readouterr().err


def test_a_file_without_the_required_columns_is_refused(geo, tmp_path):
    path = write(tmp_path / "ds.csv", [row()[:4]], header=HEADER[:4])
    with pytest.raises(CommandError, match="commune_code"):
        call_command("beneficiaries", "import", path)
    assert Entitlement.objects.count() == 0


def test_an_officer_cannot_import_into_another_commune(geo, users, tmp_path, capsys):
    path = write(tmp_path / "ds.csv", [row(commune_code="00008")])
    with pytest.raises(CommandError):
        call_command("beneficiaries", "import", path, "--as", "canbo")
    assert "ngoài địa bàn" in capsys.readouterr().err
    assert Entitlement.objects.count() == 0


def test_stop_ends_every_benefit_from_the_month_after(geo, tmp_path, capsys):
    number = new_id("F", 1948)
    call_command("beneficiaries", "import", write(tmp_path / "a.csv", [row(id_number=number)]))
    call_command("beneficiaries", "stop", number, "--reason", "death", "--date", "2026-02-10")
    entitlement = Entitlement.objects.get()
    assert entitlement.end_month == date(2026, 2, 1)
    assert Person.objects.get(id_number=number).deceased_date == date(2026, 2, 10)
    assert "02/2026" in capsys.readouterr().out


def test_stop_refuses_an_unknown_person_and_a_bad_date(geo):
    with pytest.raises(CommandError) as exc:
        call_command("beneficiaries", "stop", "001080000001", "--reason", "death",
                     "--date", "2026-02-10")
    assert exc.value.returncode == 1
    with pytest.raises(CommandError):
        call_command("beneficiaries", "stop", "001080000001", "--reason", "death",
                     "--date", "10/02/2026")
