import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from ansinh.audit.models import AuditEvent
from ansinh.imports.models import ImportBatch
from ansinh.registry.models import Person


def run(*args):
    out = io.StringIO()
    call_command("registry", "import", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_validates_and_writes_nothing(xlsx, household, geo):
    output = run(str(xlsx(household())), "--dry-run")
    assert "mới / new:            3" in output
    assert "Chạy thử" in output
    assert not Person.objects.exists()
    assert ImportBatch.objects.get().status == "validated"


def test_it_applies_as_the_system_audited_as_cli(xlsx, household, geo):
    output = run(str(xlsx(household())))
    assert "Đã áp dụng" in output
    assert Person.objects.count() == 3
    assert set(AuditEvent.objects.filter(object_type="person")
               .values_list("source", flat=True)) == {"cli"}


def test_it_exits_2_when_some_rows_were_rejected_and_writes_the_rejects(
        xlsx, household, users, tmp_path):
    rows = household()
    rows[1][2] = "31/02/1978"
    out = tmp_path / "loi.xlsx"
    with pytest.raises(CommandError) as exc:
        run(str(xlsx(rows)), "--as", users["commune_officer"].username, "--rejects", str(out))
    assert exc.value.returncode == 2
    assert Person.objects.count() == 2
    ws = load_workbook(out).active
    assert "không tồn tại" in ws.cell(row=2, column=ws.max_column).value


def test_it_exits_1_when_the_file_is_refused(tmp_path, geo):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(CommandError) as exc:
        run(str(bad))
    assert exc.value.returncode == 1
    assert "bị hỏng" in str(exc.value)


def test_it_exits_1_when_every_row_is_rejected(xlsx, household, users, geo):
    path = xlsx(household(commune=geo["foreign_commune"].code))
    with pytest.raises(CommandError) as exc:
        run(str(path), "--as", users["commune_officer"].username)
    assert exc.value.returncode == 1
    assert not Person.objects.exists()


def test_it_takes_a_mapping_and_a_commune(xlsx, users, geo, id_number):
    headers = ["Tên", "Định danh", "Quan hệ", "Hộ số", "Giới tính"]
    path = xlsx([["Vi Văn Dũng", id_number("M", 1970), "Chủ hộ", "H3", "Nam"]],
                headers=headers)
    output = run(str(path), "--commune", geo["sibling_commune"].code,
                 "--mapping", '{"Hộ số": "household_code"}', "--as",
                 users["province_officer"].username)
    assert "mới / new:            1" in output
    assert Person.objects.get().commune == geo["sibling_commune"]
