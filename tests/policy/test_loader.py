"""Mirroring the parameter files into the database: idempotent, never over an officer's value."""

import shutil
from datetime import date

import pytest

from ansinh.policy.loader import load_parameters
from ansinh.policy.models import BenefitAmount, Coefficient, Origin, StandardLevel
from ansinh.policy.schema import PARAMETERS_DIR, ParameterFileError, read_parameters

pytestmark = pytest.mark.django_db


def snapshot():
    return {model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
            for model in (StandardLevel, BenefitAmount, Coefficient)}


def test_the_migration_loaded_every_shipped_value():
    params = read_parameters()
    levels = [r for r in params.amounts if r.series == "standard_level"]
    assert StandardLevel.objects.count() == len(levels)
    assert BenefitAmount.objects.count() == len(params.amounts) - len(levels)
    assert Coefficient.objects.count() == len(params.coefficients)
    assert set(StandardLevel.objects.values_list("origin", flat=True)) == {Origin.LAW}
    hanoi = StandardLevel.objects.get(province_code="01")
    assert (hanoi.amount, hanoi.effective) == (650_000, date(2026, 1, 1))
    assert "63/2025/NQ-HĐND" in hanoi.basis
    assert hanoi.source_url.startswith("https://")
    assert Coefficient.objects.get(category="5.6", band="extremely_severe_child_or_elderly")\
        .hundredths == 250


def test_loading_twice_changes_nothing():
    before = snapshot()
    first = load_parameters()
    second = load_parameters()
    assert not first.changed and not second.changed
    assert second.unchanged == StandardLevel.objects.count() + BenefitAmount.objects.count() \
        + Coefficient.objects.count()
    assert snapshot() == before


def test_it_recreates_deleted_law_values():
    StandardLevel.objects.filter(province_code="31").delete()
    result = load_parameters()
    assert [str(r) for r in result.created] == ["Mức chuẩn 31 từ 01/01/2026: 700.000 đ"]


def test_it_brings_law_values_in_line_with_the_files(tmp_path):
    for path in PARAMETERS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    path = tmp_path / "standard_level.yaml"
    path.write_text(path.read_text("utf-8").replace("value: 700000\n", "value: 710000\n", 1))
    result = load_parameters(tmp_path)
    [(row, changes)] = result.updated
    assert (row.province_code, row.amount) == ("22", 710_000)
    assert changes == {"amount": [700_000, 710_000]}


def test_it_never_overwrites_a_value_an_officer_set(tmp_path):
    row = StandardLevel.objects.get(province_code="22", effective=date(2024, 10, 1))
    row.amount, row.origin = 720_000, Origin.OFFICER
    row.save()
    for path in PARAMETERS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    result = load_parameters(tmp_path)
    assert result.kept == 1 and not result.changed
    row.refresh_from_db()
    assert row.amount == 720_000


def test_invalid_files_load_nothing(tmp_path):
    for path in PARAMETERS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    path = tmp_path / "standard_level.yaml"
    path.write_text(path.read_text("utf-8").replace("value: 700000\n", "value: 7e5\n", 1))
    StandardLevel.objects.filter(province_code="01").delete()
    with pytest.raises(ParameterFileError):
        load_parameters(tmp_path)
    assert not StandardLevel.objects.filter(province_code="01").exists()
