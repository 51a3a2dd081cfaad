"""Officers adding dated values: permissions, validation, audit, and what the payroll reads."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.policy.models import BenefitAmount, Origin, StandardLevel
from ansinh.policy.selectors import changes_since, in_force, level_table, standard_level
from ansinh.policy.services import coefficient_set, social_pension_set, standard_level_set
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BASIS = "Nghị quyết 99/2026/NQ-HĐND (thử nghiệm)"


@pytest.fixture
def admin():
    return get_user_model().objects.create_superuser("bo-ld", password="x")


def test_a_province_admin_sets_their_provinces_level(users, geo):
    row = standard_level_set(800_000, date(2026, 7, 1), "01", basis=BASIS,
                             user=users["province_admin"])
    assert (row.province_code, row.amount, row.origin) == ("01", 800_000, Origin.OFFICER)
    assert row.created_by == users["province_admin"]
    assert standard_level("01", date(2026, 7, 1)) == 800_000
    assert standard_level("01", date(2026, 6, 1)) == 650_000
    event = AuditEvent.objects.get(object_type="standardlevel", object_id=row.pk)
    assert event.action == "create"
    assert event.province_id == geo["province"].pk
    assert event.changes["amount"] == 800_000
    assert event.changes["effective"] == "2026-07-01"


def test_a_province_admin_of_hanoi_cannot_set_haiphongs_level(users):
    with pytest.raises(PermissionDenied):
        standard_level_set(800_000, date(2026, 7, 1), "31", basis=BASIS,
                           user=users["province_admin"])
    assert not StandardLevel.objects.filter(province_code="31", effective=date(2026, 7, 1))\
        .exists()


def test_a_province_admin_cannot_set_the_national_level(users):
    with pytest.raises(PermissionDenied):
        standard_level_set(600_000, date(2026, 7, 1), basis=BASIS, user=users["province_admin"])


@pytest.mark.parametrize("role", ["commune_officer", "commune_leader", "province_officer",
                                  "auditor", "national_viewer", "no_role"])
def test_no_other_role_can_set_any_level(users, role):
    for province in ("01", None):
        with pytest.raises(PermissionDenied):
            standard_level_set(800_000, date(2026, 7, 1), province, basis=BASIS,
                               user=users[role])
    with pytest.raises(PermissionDenied):
        standard_level_set(800_000, date(2026, 7, 1), "01", basis=BASIS, user=None)
    assert not StandardLevel.objects.filter(origin=Origin.OFFICER).exists()


def test_a_national_role_sets_the_national_level(admin, geo):
    row = standard_level_set(600_000, date(2026, 7, 1), basis=BASIS, user=admin)
    assert row.province_code is None
    assert standard_level("40", date(2026, 7, 1)) == 600_000
    assert standard_level("01", date(2026, 7, 1)) == 650_000


def test_a_nationwide_role_without_policy_cannot_set_the_national_level(geo):
    national_auditor = make_user("thanhtra-tw", "auditor", None)
    with pytest.raises(PermissionDenied):
        standard_level_set(600_000, date(2026, 7, 1), basis=BASIS, user=national_auditor)


@pytest.mark.parametrize("amount", [0, -1, 650_000.0, "650000", True, None])
def test_the_amount_must_be_a_positive_integer(users, amount):
    with pytest.raises(ValidationError) as exc:
        standard_level_set(amount, date(2026, 7, 1), "01", basis=BASIS,
                           user=users["province_admin"])
    assert "amount" in exc.value.message_dict


@pytest.mark.parametrize("basis", ["", "   ", None, "x" * 301])
def test_the_basis_is_required(users, basis):
    with pytest.raises(ValidationError) as exc:
        standard_level_set(800_000, date(2026, 7, 1), "01", basis=basis,
                           user=users["province_admin"])
    assert "basis" in exc.value.message_dict


def test_the_effective_date_must_be_a_date(users):
    with pytest.raises(ValidationError):
        standard_level_set(800_000, "2026-07-01", "01", basis=BASIS,
                           user=users["province_admin"])
    with pytest.raises(ValidationError):
        standard_level_set(800_000, timezone.now(), "01", basis=BASIS,
                           user=users["province_admin"])


def test_the_province_must_be_a_2025_province(admin, geo):
    for code in ("30", "1", "001", "00004"):  # 30 = Hải Dương, retired in 2025
        with pytest.raises(ValidationError) as exc:
            standard_level_set(800_000, date(2026, 7, 1), code, basis=BASIS, user=admin)
        assert "province_code" in exc.value.message_dict


def test_a_provincial_level_below_the_national_one_is_refused(users):
    with pytest.raises(ValidationError, match="4.3"):
        standard_level_set(450_000, date(2026, 7, 1), "01", basis=BASIS,
                           user=users["province_admin"])


def test_the_source_must_be_a_url(users):
    with pytest.raises(ValidationError):
        standard_level_set(800_000, date(2026, 7, 1), "01", basis=BASIS,
                           user=users["province_admin"], source_url="hdnd.hanoi")


def test_setting_the_same_value_again_changes_nothing(users):
    first = standard_level_set(800_000, date(2026, 7, 1), "01", basis=BASIS,
                               user=users["province_admin"])
    again = standard_level_set(800_000, date(2026, 7, 1), "01", basis=BASIS,
                               user=users["province_admin"])
    assert (again.pk, again.updated_at) == (first.pk, first.updated_at)
    assert AuditEvent.objects.filter(object_type="standardlevel").count() == 1


def test_setting_a_key_again_corrects_it_and_audits_old_and_new(users):
    standard_level_set(800_000, date(2026, 7, 1), "01", basis=BASIS,
                       user=users["province_admin"])
    row = standard_level_set(810_000, date(2026, 7, 1), "01", basis=BASIS,
                             user=users["province_admin"])
    assert StandardLevel.objects.filter(province_code="01").count() == 2
    event = AuditEvent.objects.get(object_type="standardlevel", action="update")
    assert event.changes == {"amount": [800_000, 810_000]}
    assert row.amount == 810_000


def test_correcting_a_law_value_makes_it_the_officers(users):
    row = standard_level_set(660_000, date(2026, 1, 1), "01", basis=BASIS,
                             user=users["province_admin"])
    assert row.origin == Origin.OFFICER
    event = AuditEvent.objects.get(object_type="standardlevel", action="update")
    assert event.changes["origin"] == ["law", "officer"]
    assert event.changes["amount"] == [650_000, 660_000]


def test_coefficients_need_national_scope_and_a_known_cell(admin, users):
    with pytest.raises(PermissionDenied):
        coefficient_set("monthly_allowance", "5.8", "all", "2.0", date(2027, 1, 1),
                        basis=BASIS, user=users["province_admin"])
    with pytest.raises(ValidationError):
        coefficient_set("monthly_allowance", "5.9", "all", "2.0", date(2027, 1, 1),
                        basis=BASIS, user=admin)
    with pytest.raises(ValidationError):
        coefficient_set("monthly_allowance", "5.6", "all", "2.0", date(2027, 1, 1),
                        basis=BASIS, user=admin)
    with pytest.raises(ValidationError):
        coefficient_set("monthly_allowance", "5.8", "all", "1.555", date(2027, 1, 1),
                        basis=BASIS, user=admin)
    row = coefficient_set("monthly_allowance", "5.8", "all", Decimal("1.75"), date(2027, 1, 1),
                          basis=BASIS, user=admin)
    assert (row.hundredths, row.value) == (175, Decimal("1.75"))
    assert AuditEvent.objects.filter(object_type="coefficient", object_id=row.pk).exists()


def test_a_province_admin_sets_their_social_pension_top_up(users):
    row = social_pension_set(700_000, date(2026, 7, 1), "01", basis=BASIS,
                             user=users["province_admin"])
    assert isinstance(row, BenefitAmount) and row.series == "social_pension"
    with pytest.raises(PermissionDenied):
        social_pension_set(700_000, date(2026, 7, 1), "31", basis=BASIS,
                           user=users["province_admin"])


def test_level_table_reads_the_database(users):
    standard_level_set(800_000, date(2026, 7, 1), "01", basis=BASIS,
                       user=users["province_admin"])
    table = level_table(date(2026, 6, 1), date(2026, 7, 1), ["01", "40"])
    assert table.rows() == [("01", date(2026, 6, 1), 650_000), ("01", date(2026, 7, 1), 800_000),
                            ("40", date(2026, 6, 1), 500_000), ("40", date(2026, 7, 1), 500_000)]


def test_changes_since_gives_each_province_its_first_month_to_reprice(users, admin):
    mark = timezone.now() - timedelta(microseconds=1)
    assert changes_since(mark) == []
    standard_level_set(800_000, date(2026, 3, 15), "01", basis=BASIS,
                       user=users["province_admin"])
    standard_level_set(820_000, date(2026, 9, 1), "01", basis=BASIS,
                       user=users["province_admin"])
    assert changes_since(mark) == [("01", date(2026, 3, 1))]
    standard_level_set(550_000, date(2026, 5, 1), basis=BASIS, user=admin)
    coefficient_set("care_allowance", "household_care", "all", "1.2", date(2026, 1, 1),
                    basis=BASIS, user=admin)
    assert changes_since(mark) == [(None, date(2026, 1, 1)), ("01", date(2026, 3, 1))]
    later = timezone.now()
    assert changes_since(later) == []


def test_changes_since_sees_a_correction_of_an_old_value(users):
    mark = timezone.now() - timedelta(microseconds=1)
    quang_ninh_admin = make_user("qn", "province_admin", _province("22"))
    standard_level_set(720_000, date(2024, 10, 1), "22", basis=BASIS, user=quang_ninh_admin)
    assert changes_since(mark) == [("22", date(2024, 10, 1))]


def _province(code):
    from ansinh.geo.models import AdminUnit

    return AdminUnit.objects.provinces().get(code=code)


def test_in_force_names_the_rows_that_set_the_values(geo):
    data = in_force(date(2026, 1, 20), "01")
    assert data["standard_level"].amount == 650_000
    assert data["standard_level"].own.amount == 650_000
    assert data["standard_level"].national.amount == 500_000
    assert data["social_pension"].amount == 650_000
    national = in_force(date(2026, 1, 1))
    assert national["standard_level"].amount == 500_000
    assert [p.province_code for p in national["provinces_above"]] == ["01", "22", "31"]
    assert len(national["coefficients"]) == 27
