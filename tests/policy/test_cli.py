"""`ansinh policy …` as operators script it: output, exit codes, audit source."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from ansinh.audit.models import AuditEvent
from ansinh.policy.models import Origin, StandardLevel

pytestmark = pytest.mark.django_db

BASIS = "Nghị quyết 99/2026/NQ-HĐND (thử nghiệm)"


def run(*args) -> str:
    out = io.StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


def fails(*args) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run(*args)
    return exc.value


def test_set_standard_level_as_a_province_admin(users, geo):
    output = run("set-standard-level", "800.000", "--effective", "2026-07-01",
                 "--province", "01", "--basis", BASIS, "--as", "quantri")
    assert "Đã ghi / saved: Mức chuẩn 01 từ 01/07/2026: 800.000 đ" in output
    assert "re-price from: 07/2026" in output
    row = StandardLevel.objects.get(province_code="01", effective=date(2026, 7, 1))
    assert (row.amount, row.origin, row.created_by) == (800_000, Origin.OFFICER,
                                                        users["province_admin"])
    event = AuditEvent.objects.get(object_type="standardlevel", object_id=row.pk)
    assert (event.source, event.username) == ("cli", "quantri")


def test_set_standard_level_as_the_system_sets_a_national_value(geo):
    output = run("set-standard-level", "600000", "--effective", "2027-01-01",
                 "--basis", BASIS, "--source", "https://vbpl.vn/x")
    assert "toàn quốc từ 01/01/2027: 600.000 đ" in output
    row = StandardLevel.objects.get(province_code=None, effective=date(2027, 1, 1))
    assert row.created_by is None and row.source_url == "https://vbpl.vn/x"
    assert AuditEvent.objects.get(object_id=row.pk, object_type="standardlevel").source == "cli"


def test_setting_the_same_value_twice_is_unchanged_and_exits_0(geo):
    args = ("set-standard-level", "600000", "--effective", "2027-01-01", "--basis", BASIS)
    run(*args)
    assert "Không đổi / unchanged" in run(*args)


@pytest.mark.parametrize("amount", ["650000.5", "65,0000", "abc", "0", "-5", "6.5e5"])
def test_a_bad_amount_exits_1_with_a_bilingual_message(geo, amount):
    error = fails("set-standard-level", amount, "--effective", "2027-01-01", "--basis", BASIS)
    assert error.returncode == 1
    assert "/" in str(error) and ("đồng" in str(error) or "positive" in str(error))
    assert not StandardLevel.objects.filter(effective=date(2027, 1, 1)).exists()


def test_a_bad_date_exits_1(geo):
    error = fails("set-standard-level", "600000", "--effective", "01/07/2027", "--basis", BASIS)
    assert error.returncode == 1
    assert "YYYY-MM-DD" in str(error)


def test_a_blank_basis_exits_1(geo):
    error = fails("set-standard-level", "600000", "--effective", "2027-01-01", "--basis", " ")
    assert error.returncode == 1
    assert "căn cứ pháp lý" in str(error) and "legal basis" in str(error)


def test_a_missing_basis_is_a_usage_error(geo):
    with pytest.raises(CommandError, match="--basis"):
        run("set-standard-level", "600000", "--effective", "2027-01-01")


def test_an_unknown_province_exits_1(geo):
    error = fails("set-standard-level", "800000", "--effective", "2027-01-01",
                  "--province", "30", "--basis", BASIS)
    assert error.returncode == 1
    assert "30" in str(error)


def test_another_provinces_level_is_refused_with_exit_1(users):
    error = fails("set-standard-level", "800000", "--effective", "2026-07-01",
                  "--province", "31", "--basis", BASIS, "--as", "quantri")
    assert error.returncode == 1
    assert "không có quyền" in str(error)
    assert not StandardLevel.objects.filter(province_code="31",
                                            effective=date(2026, 7, 1)).exists()


def test_a_commune_officer_is_refused_with_exit_1(users):
    error = fails("set-standard-level", "800000", "--effective", "2026-07-01",
                  "--province", "01", "--basis", BASIS, "--as", "canbo")
    assert error.returncode == 1


def test_an_unknown_user_exits_1(geo):
    error = fails("set-standard-level", "800000", "--effective", "2026-07-01",
                  "--basis", BASIS, "--as", "ai-do")
    assert error.returncode == 1
    assert "ai-do" in str(error)


def test_set_coefficient_and_social_pension(geo):
    run("set-coefficient", "monthly_allowance", "5.8", "all", "1.75", "--effective",
        "2027-01-01", "--basis", BASIS)
    run("set-social-pension", "600000", "--effective", "2027-01-01", "--basis", BASIS)
    output = run("show", "--month", "2027-01")
    assert "Trợ cấp hưu trí xã hội / social pension: 600.000 đ" in output
    assert "1.75" in output
    error = fails("set-coefficient", "monthly_allowance", "5.8", "all", "1.755",
                  "--effective", "2027-01-01", "--basis", BASIS)
    assert error.returncode == 1


def test_load_is_idempotent_and_reports_it(geo):
    output = run("load")
    assert "0 mới / new, 0 cập nhật / updated" in output
    StandardLevel.objects.filter(province_code="31").delete()
    output = run("load")
    assert "1 mới / new" in output
    assert "+ Mức chuẩn 31 từ 01/01/2026: 700.000 đ" in output
    assert AuditEvent.objects.filter(object_type="standardlevel", source="cli").count() == 1


def test_load_refuses_invalid_files(geo, monkeypatch, tmp_path):
    (tmp_path / "standard_level.yaml").write_text("unit: dong\nseries: standard_level\n")
    monkeypatch.setattr("ansinh.policy.schema.PARAMETERS_DIR", tmp_path)
    error = fails("load")
    assert error.returncode == 1
    assert "standard_level.yaml" in str(error)


def test_show_a_province_in_a_month(geo):
    output = run("show", "--province", "01", "--month", "2026-01")
    assert "Thành phố Hà Nội (01)" in output
    assert "standard level: 650.000 đ" in output
    assert "63/2025/NQ-HĐND" in output
    assert "5.5a" in output and "1.300.000 đ" in output
    assert "funeral" in output and "13.000.000 đ" in output


def test_show_the_nation_lists_provinces_above_the_national_level(geo):
    output = run("show", "--month", "01/2026")
    assert "standard level: 500.000 đ" in output
    assert "01: 650.000 đ" in output and "31: 700.000 đ" in output and "22: 700.000 đ" in output


def test_show_refuses_a_bad_month_or_province(geo):
    assert fails("show", "--month", "2026-13").returncode == 1
    assert fails("show", "--province", "99").returncode == 1
