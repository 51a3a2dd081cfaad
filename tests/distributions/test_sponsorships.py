"""Nhận đỡ đầu: a donor sponsors a poor household until the registry says it left poverty."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.distributions.choices import SponsorshipEnd
from ansinh.distributions.selectors import sponsorship_list, sponsorships_by_donor
from ansinh.distributions.services import (
    sponsorship_create,
    sponsorship_end,
    sponsorships_follow_up,
)

pytestmark = pytest.mark.django_db

FROM = date(2026, 2, 1)


def sponsor(officer, donor, household, **kw):
    return sponsorship_create(officer, donor=donor, household=household, starts_on=FROM,
                              support=kw.pop("support", "monthly"),
                              amount=kw.pop("amount", 1_000_000), **kw)


def test_a_sponsorship_runs_while_the_household_is_poor(officer, donor, registry):
    s = sponsor(officer, donor, registry["poor"])
    assert sponsorship_list(officer).get(pk=s.pk).state == "active"


def test_it_shows_graduated_once_the_household_leaves_poverty_and_ends_it_on_follow_up(
        officer, donor, registry):
    s = sponsor(officer, donor, registry["near"])
    registry["near"].poverty_status = ""
    registry["near"].save()
    assert sponsorship_list(officer).get(pk=s.pk).state == SponsorshipEnd.GRADUATED
    assert sponsorships_follow_up(officer, on=date(2026, 6, 30)) == 1
    s.refresh_from_db()
    assert (s.ended_on, s.end_reason) == (date(2026, 6, 30), SponsorshipEnd.GRADUATED)
    assert sponsorships_follow_up(officer) == 0  # idempotent
    assert AuditEvent.objects.filter(object_type="sponsorship", action="update").count() == 1


def test_it_lists_sponsored_households_per_donor(officer, donor, registry):
    sponsor(officer, donor, registry["poor"])
    sponsor(officer, donor, registry["near"], support="one_off", amount=5_000_000)
    s = sponsor(officer, donor, registry["sibling_poor"])
    sponsorship_end(officer, s, ended_on=date(2026, 3, 1))
    registry["near"].poverty_status = ""
    registry["near"].save()
    (row,) = sponsorships_by_donor(officer)
    assert (row["running"], row["graduated"], row["stopped"]) == (1, 1, 1)
    assert [x.household.code for x in sponsorship_list(officer, donor=donor)
            .filter(state="active")] == ["BD-001"]


def test_it_refuses_a_household_that_is_not_poor(officer, donor, registry):
    with pytest.raises(ValidationError) as exc:
        sponsor(officer, donor, registry["rich"])
    assert "không phải hộ nghèo" in exc.value.message_dict["household"][0]


def test_it_refuses_a_second_running_sponsorship_by_the_same_donor(officer, donor, registry):
    sponsor(officer, donor, registry["poor"])
    with pytest.raises(ValidationError):
        sponsor(officer, donor, registry["poor"])


@pytest.mark.parametrize("amount", [0, -5, 1.5])
def test_it_refuses_an_amount_that_is_not_positive_whole_dong(officer, donor, registry,
                                                               amount):
    with pytest.raises(ValidationError):
        sponsor(officer, donor, registry["poor"], amount=amount)


def test_it_refuses_an_end_before_the_start(officer, donor, registry):
    s = sponsor(officer, donor, registry["poor"])
    with pytest.raises(ValidationError):
        sponsorship_end(officer, s, ended_on=date(2026, 1, 1))


@pytest.mark.parametrize("who", ["case_worker", "foreign_officer"])
def test_only_fund_staff_of_the_households_area_record_a_sponsorship(staff, donor, registry,
                                                                     who):
    with pytest.raises(PermissionDenied):
        sponsor(staff[who], donor, registry["poor"])


def test_staff_of_another_area_see_no_sponsorship(staff, officer, donor, registry):
    sponsor(officer, donor, registry["poor"])
    assert not sponsorship_list(staff["foreign_officer"]).exists()
