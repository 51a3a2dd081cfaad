from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ansinh.core.months import month_of
from ansinh.enrolment.models import Application, Decision, Entitlement
from ansinh.enrolment.services import (
    application_post,
    application_receive,
    decision_prepare_grant,
    decision_sign,
    entitlement_adjust,
    entitlement_move,
    entitlement_resume,
    entitlement_stop,
    entitlement_suspend,
)

pytestmark = pytest.mark.django_db


def receive(users, person, **terms):
    data = {"benefit": "monthly_allowance", "category": "5.5a", "household_poverty": "poor"}
    data.update(terms)
    return application_receive(users["commune_officer"], person=person,
                               received_on=date(2026, 1, 5), **data)


def granted(users, person, **terms):
    app = receive(users, person, **terms)
    application_post(users["commune_officer"], app, posted_from=date(2026, 1, 6))
    decision = decision_prepare_grant(users["commune_officer"], app)
    return decision_sign(users["commune_leader"], decision, signed_on=date(2026, 1, 20))


def test_an_application_gets_a_deadline_in_working_days(users, make_person):
    app = receive(users, make_person())
    # 10 working days after Monday 05/01/2026: Monday 19/01/2026.
    assert app.review_due == date(2026, 1, 19)
    assert app.status == Application.Status.RECEIVED


def test_the_posting_lasts_two_working_days_and_blocks_the_decision(users, make_person):
    app = receive(users, make_person())
    today = timezone.localdate()
    application_post(users["commune_officer"], app, posted_from=today)
    assert app.posted_until > today
    with pytest.raises(ValidationError, match="niêm yết"):
        decision_prepare_grant(users["commune_officer"], app)


def test_the_signed_decision_is_numbered_and_enrols_the_person(users, make_person):
    person = make_person()
    decision = granted(users, person)
    assert decision.status == Decision.Status.SIGNED
    assert decision.number == "1/QĐ-UBND"
    entitlement = decision.entitlement
    assert entitlement.start_month == date(2026, 1, 1)
    assert entitlement.category == "5.5a"
    # The signed text keeps its amount: 1.5 × Hà Nội's 650,000 in 01/2026.
    assert (decision.monthly_amount, decision.coefficient) == (975_000, "1.5")
    second = granted(users, make_person("Bình"))
    assert second.number == "2/QĐ-UBND"


def test_the_preparer_cannot_approve_his_own_decision(users, make_person, geo):
    app = receive(users, make_person())
    application_post(users["commune_officer"], app, posted_from=date(2026, 1, 6))
    decision = decision_prepare_grant(users["province_admin"], app)
    with pytest.raises(PermissionDenied):
        decision_sign(users["province_admin"], decision)


def test_an_officer_without_the_approving_role_cannot_sign(users, make_person):
    app = receive(users, make_person())
    application_post(users["commune_officer"], app, posted_from=date(2026, 1, 6))
    decision = decision_prepare_grant(users["commune_officer"], app)
    with pytest.raises(PermissionDenied):
        decision_sign(users["province_officer"], decision)
    assert Decision.objects.get(pk=decision.pk).status == Decision.Status.DRAFT


def test_the_approving_roles_are_configuration(users, make_person, settings):
    settings.ANSINH_DECISION_APPROVERS = {"*": ["province_admin"]}
    app = receive(users, make_person())
    application_post(users["commune_officer"], app, posted_from=date(2026, 1, 6))
    decision = decision_prepare_grant(users["commune_officer"], app)
    with pytest.raises(PermissionDenied):
        decision_sign(users["commune_leader"], decision)
    assert decision_sign(users["province_admin"], decision).status == Decision.Status.SIGNED


def test_a_second_grant_of_the_same_benefit_is_refused(users, make_person):
    person = make_person()
    granted(users, person)
    with pytest.raises(ValidationError, match="đang hưởng"):
        receive(users, person, category="5.5a")


def test_a_single_parent_may_also_hold_another_category(users, make_person):
    person = make_person(born=date(1985, 2, 1), sex="F")
    granted(users, person, category="5.6", disability_level="severe", household_poverty="")
    decision = granted(users, person, category="5.4", children_count=2)
    assert decision.entitlement.category == "5.4"


def test_a_disability_is_paid_from_the_month_of_its_certificate(users, make_person):
    person = make_person(born=date(1990, 2, 1))
    decision = granted(users, person, category="5.6", disability_level="extremely_severe",
                       household_poverty="", disability_certified_on=date(2025, 11, 12))
    entitlement = decision.entitlement
    assert entitlement.start_month == date(2025, 11, 1)
    assert entitlement.recalc_from == date(2025, 11, 1)  # earlier than the signing month


def test_5_5b_starts_in_the_month_of_the_75th_birthday(users, make_person):
    person = make_person(born=date(1951, 4, 9))  # turns 75 in 04/2026
    decision = granted(users, person, category="5.5b", household_poverty="near_poor")
    assert decision.entitlement.start_month == date(2026, 4, 1)


def test_a_commune_officer_cannot_receive_for_another_commune(users, make_person, geo):
    person = make_person(commune=geo["sibling_commune"])
    with pytest.raises(PermissionDenied):
        receive(users, person)


def test_a_death_stops_from_the_next_month_and_records_the_date(users, make_person):
    person = make_person()
    entitlement = granted(users, person).entitlement
    entitlement_stop(users["commune_officer"], person, "death", date(2026, 3, 15))
    entitlement.refresh_from_db()
    person.refresh_from_db()
    assert entitlement.end_month == date(2026, 3, 1)
    assert entitlement.status == Entitlement.Status.ENDED
    assert entitlement.recalc_from == date(2026, 4, 1)
    assert person.deceased_date == date(2026, 3, 15)
    assert entitlement.decisions.filter(kind="terminate").count() == 1


def test_suspension_and_resumption_with_back_pay(users, make_person):
    entitlement = granted(users, make_person()).entitlement
    pause = entitlement_suspend(users["commune_officer"], entitlement, "uncollected",
                                date(2026, 3, 1))
    entitlement.refresh_from_db()
    assert entitlement.status == Entitlement.Status.SUSPENDED
    entitlement_resume(users["commune_officer"], entitlement, date(2026, 6, 1), back_pay=True)
    pause.refresh_from_db()
    entitlement.refresh_from_db()
    assert (pause.from_month, pause.to_month, pause.back_pay) == \
        (date(2026, 3, 1), date(2026, 5, 1), True)
    assert entitlement.status == Entitlement.Status.ACTIVE


def test_an_adjustment_closes_one_entitlement_and_opens_the_next(users, make_person):
    person = make_person(born=date(1990, 2, 1))
    old = granted(users, person, category="5.6", disability_level="severe",
                  household_poverty="").entitlement
    new = entitlement_adjust(users["commune_officer"], old, date(2026, 5, 1),
                             disability_level="extremely_severe")
    old.refresh_from_db()
    assert old.end_month == date(2026, 4, 1)
    assert (new.start_month, new.disability_level, new.previous_id) == \
        (date(2026, 5, 1), "extremely_severe", old.pk)


def test_a_move_continues_payment_the_month_after_in_the_new_commune(users, make_person, geo):
    person = make_person()
    old = granted(users, person).entitlement
    new = entitlement_move(users["province_admin"], old, geo["sibling_commune"],
                           date(2026, 4, 1))
    old.refresh_from_db()
    assert old.end_month == date(2026, 4, 1)
    assert new.start_month == date(2026, 5, 1)
    assert new.commune == geo["sibling_commune"]


def test_a_commune_officer_cannot_move_someone_into_another_commune(users, make_person, geo):
    old = granted(users, make_person()).entitlement
    with pytest.raises(PermissionDenied):
        entitlement_move(users["commune_officer"], old, geo["sibling_commune"],
                         month_of(date(2026, 4, 1)))


def test_funeral_support_is_decided_for_a_deceased_beneficiary(users, make_person):
    from ansinh.enrolment.services import funeral_prepare

    person = make_person()
    granted(users, person)
    organiser = make_person("Con")
    with pytest.raises(ValidationError, match="ngày mất"):
        funeral_prepare(users["commune_officer"], person, organiser)
    entitlement_stop(users["commune_officer"], person, "death", date(2026, 3, 2))
    person.refresh_from_db()
    decision = funeral_prepare(users["commune_officer"], person, organiser)
    signed = decision_sign(users["commune_leader"], decision, signed_on=date(2026, 3, 10))
    entitlement = signed.entitlement
    assert (entitlement.benefit, entitlement.recipient, entitlement.start_month,
            entitlement.end_month) == ("funeral", organiser, date(2026, 3, 1), date(2026, 3, 1))
    with pytest.raises(ValidationError, match="Đã có"):
        funeral_prepare(users["commune_officer"], person, organiser)


def test_no_funeral_support_for_someone_who_was_not_a_beneficiary(users, make_person):
    from ansinh.enrolment.services import funeral_prepare

    person = make_person(deceased_date=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="Chỉ hỗ trợ"):
        funeral_prepare(users["commune_officer"], person, make_person("Con"))
