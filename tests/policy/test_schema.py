"""The parameter files' schema: every mistake is an error naming the file and the entry."""

import shutil

import pytest

from ansinh.policy.schema import PARAMETERS_DIR, ParameterFileError, read_parameters


@pytest.fixture
def files(tmp_path):
    """A writable copy of the shipped parameter files, and a helper to edit one of them."""
    for path in PARAMETERS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)

    def edit(name, old, new, count=1):
        path = tmp_path / name
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, count), "utf-8")

    edit.dir = tmp_path
    return edit


def problems(directory) -> list[str]:
    with pytest.raises(ParameterFileError) as exc:
        read_parameters(directory)
    return exc.value.problems


def test_the_shipped_files_are_valid_and_complete():
    params = read_parameters()
    levels = {(r.province_code, str(r.effective)): r.amount for r in params.amounts
              if r.series == "standard_level"}
    assert levels == {
        (None, "2014-01-01"): 270_000, (None, "2021-07-01"): 360_000,
        (None, "2024-07-01"): 500_000, ("01", "2026-01-01"): 650_000,
        ("22", "2021-08-01"): 450_000, ("22", "2023-01-01"): 500_000,
        ("22", "2024-10-01"): 700_000, ("31", "2026-01-01"): 700_000,
    }
    assert all(r.basis and r.source_url.startswith("http") for r in params.amounts)
    assert all(r.basis and r.source_url.startswith("http") for r in params.coefficients)


def test_no_unconfirmed_value_is_shipped():
    # The 540,000 of a "Decree 335/2026" is UNCONFIRMED in the rules notes.
    params = read_parameters()
    assert 540_000 not in {r.amount for r in params.amounts}
    assert not [r for r in params.amounts if "335/2026" in r.basis]


def test_an_unknown_key_is_an_error(files):
    files("standard_level.yaml", "    value: 360000\n", "    value: 360000\n    valeu: 1\n")
    found = problems(files.dir)
    assert found == ["standard_level.yaml: national[1] (effective 2021-07-01).valeu: "
                     "Extra inputs are not permitted"]


def test_an_unknown_top_level_key_is_an_error(files):
    files("funeral.yaml", "benefit: funeral\n", "benefit: funeral\nnotes: x\n")
    assert problems(files.dir) == ["funeral.yaml: notes: Extra inputs are not permitted"]


def test_a_missing_basis_is_an_error(files):
    files("standard_level.yaml",
          '    basis: "Nghị định 76/2024/NĐ-CP, Điều 1 khoản 1 (sửa đổi Điều 4 khoản 2 Nghị định '
          '20/2021/NĐ-CP)"\n', "")
    found = problems(files.dir)
    assert len(found) == 1
    assert found[0].startswith("standard_level.yaml: national[2] (effective 2024-07-01).basis:")
    assert "required" in found[0].lower()


def test_a_blank_basis_is_an_error(files):
    files("social_pension.yaml", 'basis: "Luật Bảo hiểm xã hội số 41/2024/QH15; Nghị định '
          '176/2025/NĐ-CP (trợ cấp hưu trí xã hội)"', 'basis: "  "')
    assert problems(files.dir) == [
        "social_pension.yaml: national[0] (effective 2025-07-01).basis: "
        "Value error, must not be blank"]


@pytest.mark.parametrize("value", ["500000.5", '"500000"', "5.0e5", "0", "-500000", "true"])
def test_money_must_be_a_positive_whole_number(files, value):
    files("standard_level.yaml", "value: 500000\n", f"value: {value}\n")
    found = problems(files.dir)
    assert len(found) == 1
    assert found[0].startswith("standard_level.yaml: national[2] (effective 2024-07-01).value:")


def test_a_coefficient_with_three_decimals_is_an_error(files):
    files("monthly_allowance.yaml", "value: 2.5\n", "value: 2.505\n")
    found = problems(files.dir)
    assert found == ['monthly_allowance.yaml: coefficients.5.1.under_4[0] '
                     '(effective 2021-07-01).value: Value error, must have at most two decimals']


def test_unsorted_effective_dates_are_an_error(files):
    files("standard_level.yaml", "effective: 2021-07-01", "effective: 2025-07-01")
    found = problems(files.dir)
    assert found == ["standard_level.yaml: national: Value error, entries must be sorted by "
                     "effective date: 2024-07-01 comes after 2025-07-01"]


def test_a_repeated_effective_date_is_an_error(files):
    files("standard_level.yaml", "effective: 2023-01-01", "effective: 2021-08-01")
    found = problems(files.dir)
    assert found == ["standard_level.yaml: provinces.22: Value error, effective date "
                     "2021-08-01 appears twice"]


def test_a_timestamp_is_not_a_date(files):
    files("standard_level.yaml", "effective: 2024-07-01", "effective: 2024-07-01 10:00:00")
    found = problems(files.dir)
    assert found[0].startswith("standard_level.yaml: national[2]")
    assert "YYYY-MM-DD" in found[0]


def test_an_unknown_province_code_is_an_error(files):
    files("standard_level.yaml", '"31":', '"30":')
    found = problems(files.dir)
    assert found == ["standard_level.yaml: provinces: Value error, not a 2025 province code "
                     "(Decision 19/2025): 30"]


def test_an_unknown_category_or_band_is_an_error(files):
    files("monthly_allowance.yaml", '"5.8":', '"5.9":')
    files("care_allowance.yaml", "    adult:\n", "    grown_up:\n")
    found = problems(files.dir)
    assert any(p.startswith("care_allowance.yaml: coefficients: Value error, unknown band "
                            "'grown_up' for foster_disabled") for p in found)
    assert any(p.startswith("monthly_allowance.yaml: coefficients: Value error, unknown "
                            "category '5.9'") for p in found)


def test_a_missing_cell_is_an_error(files):
    text = (files.dir / "funeral.yaml").read_text("utf-8")
    (files.dir / "funeral.yaml").write_text(text.split('  "facility":')[0], "utf-8")
    assert problems(files.dir) == [f"{files.dir}: no coefficient for funeral / facility / all"]


def test_a_wrong_unit_is_an_error(files):
    files("funeral.yaml", "unit: coefficient", "unit: percent")
    assert problems(files.dir) == [
        "funeral.yaml: unit: must be 'dong' or 'coefficient', not 'percent'"]


def test_invalid_yaml_is_an_error(files):
    files("funeral.yaml", "benefit: funeral", "benefit: [funeral")
    found = problems(files.dir)
    assert found[0].startswith("funeral.yaml: not valid YAML")


def test_a_series_defined_twice_is_an_error(files):
    shutil.copy(files.dir / "social_pension.yaml", files.dir / "social_pension_2.yaml")
    assert problems(files.dir) == [
        "social_pension_2.yaml: series social_pension is already defined in social_pension.yaml"]


def test_every_problem_is_reported_at_once(files):
    files("standard_level.yaml", "value: 500000\n", "value: 500000.5\n")
    files("funeral.yaml", "value: 50\n", "value: 0\n")
    found = problems(files.dir)
    assert [p.split(":")[0] for p in found] == ["funeral.yaml", "standard_level.yaml"]
