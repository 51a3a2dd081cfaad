from datetime import date

import pytest

from ansinh.geo.loader import load_units
from ansinh.geo.models import AdminUnit, Level, Scheme

pytestmark = pytest.mark.django_db


def test_the_2025_reform_has_34_provinces_and_3321_communes():
    assert AdminUnit.objects.provinces().count() == 34
    assert AdminUnit.objects.communes().count() == 3321


def test_codes_have_their_official_width():
    assert set(AdminUnit.objects.provinces().values_list("code", flat=True)) >= {"01", "79", "96"}
    lengths = {len(c) for c in AdminUnit.objects.communes().values_list("code", flat=True)}
    assert lengths == {5}


def test_every_current_commune_lies_in_a_current_province():
    orphan = AdminUnit.objects.communes().exclude(parent__scheme=Scheme.CURRENT)
    assert not orphan.exists()
    assert not AdminUnit.objects.communes().exclude(province_id=models_parent()).exists()


def models_parent():
    from django.db.models import F

    return F("parent_id")


def test_retired_provinces_resolve_to_their_successor():
    hai_duong = AdminUnit.objects.get(scheme=Scheme.RETIRED, level=Level.PROVINCE, code="30")
    assert hai_duong.successor.code == "31"  # merged into Hải Phòng
    assert hai_duong.valid_to == date(2025, 6, 30)
    ha_giang = AdminUnit.objects.get(scheme=Scheme.RETIRED, level=Level.PROVINCE, code="02")
    assert ha_giang.successor.name.endswith("Tuyên Quang")


def test_all_63_old_provinces_and_their_districts_are_kept_as_retired():
    retired = AdminUnit.objects.filter(scheme=Scheme.RETIRED)
    assert retired.filter(level=Level.PROVINCE).count() == 63
    assert retired.filter(level=Level.DISTRICT).count() > 600
    assert not retired.filter(level=Level.PROVINCE, successor__isnull=True).exists()
    # A district resolves to the current province of its old province's successor.
    district = retired.filter(level=Level.DISTRICT, parent__code="30").first()
    assert district.province.code == "31"


def test_loading_twice_changes_nothing():
    before = AdminUnit.objects.count()
    counts = load_units()
    assert counts["written"] == 0
    assert AdminUnit.objects.count() == before
