"""Recipient lists built from the registry by criteria, or by hand; one package per recipient
per cycle, unless a documented exception."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from ansinh.audit.models import AuditEvent
from ansinh.distributions.choices import Basis, LineStatus
from ansinh.distributions.models import Recipient
from ansinh.distributions.services import recipient_add, recipient_cancel, recipients_build
from tests.distributions.conftest import make_household, make_person
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db


def names(cycle):
    return sorted(Recipient.objects.filter(cycle=cycle).exclude(status="cancelled")
                  .values_list("person__ten", flat=True))


def test_it_builds_the_poor_of_the_province_set_wise(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund, criteria={"poverty": ["poor"]})
    rlist, added = recipients_build(officer, cycle)
    # Everyone alive in a poor household of Hà Nội; the Hải Phòng household is not ours.
    assert added == 3
    assert names(cycle) == ["Bình", "Cúc", "Minh"]
    assert set(rlist.lines.values_list("basis", flat=True)) == {Basis.POOR}
    assert all(line.cash == 500_000 for line in rlist.lines.all())


def test_the_build_costs_the_same_queries_for_three_or_thirty_recipients(
        officer, campaign, fund, registry, geo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_of_a_build(name):
        cycle = gift_cycle(officer, campaign, fund, name=name)
        with CaptureQueriesContext(connection) as ctx:
            recipients_build(officer, cycle)
        return len(ctx), Recipient.objects.filter(cycle=cycle).count()

    few = queries_of_a_build("Đợt 1")
    for i in range(27):
        make_household(geo["commune"], f"BD-1{i:02d}", "poor", "Phúc")
    many = queries_of_a_build("Đợt 2")
    assert (few[1], many[1]) == (3, 30)
    assert many[0] <= few[0]  # the first also read the user's roles


def test_it_does_not_list_anyone_twice_when_built_again(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    recipients_build(officer, cycle)
    _, added = recipients_build(officer, cycle)
    assert added == 0
    assert Recipient.objects.filter(cycle=cycle).count() == 3


def test_it_builds_orphans_and_the_elderly_alone_from_active_entitlements(
        officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund,
                       criteria={"groups": ["orphan", "elderly_alone"]})
    recipients_build(officer, cycle)
    bases = dict(Recipient.objects.filter(cycle=cycle).values_list("person__ten", "basis"))
    assert bases == {"Cúc": Basis.ORPHAN, "Lan": Basis.ELDERLY_ALONE}


def test_it_combines_commune_age_and_poverty(officer, campaign, fund, registry, geo):
    cycle = gift_cycle(officer, campaign, fund,
                       criteria={"poverty": ["poor", "near_poor"], "age_min": 6,
                                 "age_max": 16, "communes": [geo["commune"].code]})
    recipients_build(officer, cycle)
    assert names(cycle) == ["Cúc"]


def test_it_leaves_out_the_dead(officer, campaign, fund, registry, geo):
    from datetime import date
    make_person(geo["commune"], "Tâm", household=registry["poor"], relationship="spouse",
                deceased=date(2025, 12, 1))
    cycle = gift_cycle(officer, campaign, fund)
    recipients_build(officer, cycle)
    assert "Tâm" not in names(cycle)


def test_it_builds_households_for_a_household_package(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund, unit="household",
                       criteria={"poverty": ["poor", "near_poor"]})
    recipients_build(officer, cycle)
    rows = Recipient.objects.filter(cycle=cycle).values_list("household__code", "person__ten")
    # One package per household, signed for by its head.
    assert sorted(rows) == [("BD-001", "Bình"), ("BD-002", "Dũng"), ("NH-001", "Minh")]


def test_a_commune_officer_builds_only_inside_his_commune(staff, officer, campaign, fund,
                                                          registry):
    cycle = gift_cycle(officer, campaign, fund)
    with pytest.raises(PermissionDenied):
        recipients_build(staff["commune_fund"], cycle)
    with pytest.raises(PermissionDenied):
        recipients_build(staff["case_worker"], cycle)
    assert not Recipient.objects.exists()


def test_it_refuses_a_recipient_outside_the_criteria(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    with pytest.raises(ValidationError) as exc:
        recipient_add(officer, cycle, person=registry["rich"].head)
    message = exc.value.message_dict["person"][0]
    assert "không thuộc tiêu chí" in message and "hộ nghèo" in message
    assert not Recipient.objects.exists()


def test_it_accepts_a_recipient_outside_the_criteria_as_a_documented_exception(
        officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    line = recipient_add(officer, cycle, person=registry["rich"].head,
                         exception_reason="Nhà bị cháy ngày 02/01/2026, UBND phường đề nghị")
    assert line.basis == Basis.EXCEPTION and line.status == LineStatus.PENDING
    assert AuditEvent.objects.filter(object_type="recipient", object_id=line.pk).exists()


def test_it_adds_by_hand_someone_meeting_the_criteria_with_his_basis(officer, campaign, fund,
                                                                     registry):
    cycle = gift_cycle(officer, campaign, fund)
    line = recipient_add(officer, cycle, person=registry["orphan"])
    assert (line.basis, line.exception_reason) == (Basis.POOR, "")


def test_it_refuses_a_second_package_in_the_same_cycle(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    recipients_build(officer, cycle)
    with pytest.raises(ValidationError) as exc:
        recipient_add(officer, cycle, person=registry["orphan"])
    assert "đã có trong đợt" in exc.value.message_dict["person"][0]


def test_a_second_package_needs_a_written_exception(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    recipients_build(officer, cycle)
    line = recipient_add(officer, cycle, person=registry["orphan"],
                         exception_reason="Hai em sinh đôi, phường đề nghị thêm một suất")
    assert line.repeat == 1


def test_the_database_refuses_a_second_package_without_exception(officer, campaign, fund,
                                                                  registry):
    cycle = gift_cycle(officer, campaign, fund)
    first = recipient_add(officer, cycle, person=registry["orphan"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Recipient.objects.create(recipient_list=first.recipient_list, cycle=cycle,
                                 person=registry["orphan"], basis=Basis.POOR,
                                 province=first.province, commune=first.commune)
    with pytest.raises(IntegrityError), transaction.atomic():
        Recipient.objects.create(recipient_list=first.recipient_list, cycle=cycle,
                                 person=registry["orphan"], basis=Basis.POOR, repeat=1,
                                 province=first.province, commune=first.commune)


def test_the_database_refuses_a_second_package_for_a_household(officer, campaign, fund,
                                                               registry):
    cycle = gift_cycle(officer, campaign, fund, unit="household")
    first = recipient_add(officer, cycle, household=registry["poor"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Recipient.objects.create(recipient_list=first.recipient_list, cycle=cycle,
                                 per_household=True, household=registry["poor"],
                                 person=registry["orphan"], basis=Basis.POOR,
                                 province=first.province, commune=first.commune)


def test_a_cancelled_line_frees_the_recipient(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    line = recipient_add(officer, cycle, person=registry["orphan"])
    recipient_cancel(officer, line, reason="Trùng danh sách của phường")
    again = recipient_add(officer, cycle, person=registry["orphan"])
    assert again.repeat == 0


def test_it_refuses_to_cancel_without_a_reason(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    line = recipient_add(officer, cycle, person=registry["orphan"])
    with pytest.raises(ValidationError):
        recipient_cancel(officer, line, reason=" ")


def test_it_refuses_a_dead_person(officer, campaign, fund, registry, geo):
    from datetime import date
    dead = make_person(geo["commune"], "Tâm", household=registry["poor"], relationship="spouse",
                       deceased=date(2025, 12, 1))
    cycle = gift_cycle(officer, campaign, fund)
    with pytest.raises(ValidationError) as exc:
        recipient_add(officer, cycle, person=dead, exception_reason="x")
    assert "đã mất" in exc.value.message_dict["person"][0]


def test_it_refuses_a_person_outside_the_users_area(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    with pytest.raises(PermissionDenied):
        recipient_add(officer, cycle, person=registry["foreign_poor"].head,
                      exception_reason="Tạm trú tại Hà Nội")


def test_it_refuses_a_person_outside_the_cycles_area(staff, geo, registry):
    from ansinh.funds.services import campaign_create, fund_create
    from tests.distributions.conftest import STARTS

    # A commune fund's cycle serves its commune, even to an officer who sees the province.
    small = fund_create(staff["officer"], area=geo["commune"], kind="other",
                        name="Quỹ phường Ba Đình", code="BD")
    local = campaign_create(staff["officer"], area=geo["commune"], name="Tết phường",
                            starts_on=STARTS, funds=[small])
    cycle = gift_cycle(staff["officer"], local, small)
    with pytest.raises(ValidationError) as exc:
        recipient_add(staff["officer"], cycle, person=registry["sibling_poor"].head,
                      exception_reason="Người thân ở Ba Đình")
    assert "ngoài địa bàn của đợt" in exc.value.message_dict["person"][0]
