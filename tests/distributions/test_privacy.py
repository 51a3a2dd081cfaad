"""Fund staff see who is on a list, never why when the reason is protected; public totals
carry no identity and no small cell."""

import pytest

from ansinh.distributions.choices import Basis, ProofKind
from ansinh.distributions.selectors import MASKED_BASIS, public_totals, recipient_rows
from ansinh.distributions.services import (
    handout_record,
    list_approve,
    list_mark_printed,
    list_submit,
    recipients_build,
)
from ansinh.registry.models import Person
from tests.distributions.conftest import make_household
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db

PERSON_FIELDS = {"id", "list_id", "list_number", "person_id", "name", "birth_year",
                 "household_id", "household_code", "commune_code", "commune_name", "basis",
                 "exception", "exception_reason", "repeat", "cash", "status", "status_label",
                 "handed_out_on", "proof_kind", "has_photo"}


@pytest.fixture
def orphans(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund, criteria={"groups": ["orphan",
                                                                     "elderly_alone"]})
    recipients_build(officer, cycle)
    return cycle


def test_fund_staff_see_name_year_household_commune_but_not_an_orphans_reason(
        officer, orphans):
    rows = {r["name"]: r for r in recipient_rows(officer, orphans)}
    orphan = rows["Nguyễn Thị Cúc"]
    assert (orphan["birth_year"], orphan["household_code"], orphan["commune_name"]) == \
        (2015, "BD-001", "Phường Ba Đình")
    assert orphan["basis"] == MASKED_BASIS
    # Living alone in old age is not a protected status.
    assert rows["Nguyễn Thị Lan"]["basis"] == Basis.ELDERLY_ALONE.label
    assert set(orphan) == PERSON_FIELDS
    assert not set(orphan) & set(Person.SENSITIVE_FIELDS)


def test_staff_holding_sensitive_see_the_reason(staff, orphans):
    rows = {r["name"]: r for r in recipient_rows(staff["case_worker"], orphans)}
    assert rows["Nguyễn Thị Cúc"]["basis"] == Basis.ORPHAN.label


def test_staff_of_another_area_see_no_one(staff, orphans):
    assert recipient_rows(staff["foreign_officer"], orphans) == []


def test_the_signature_list_does_not_say_why(officer, manager, orphans, give):
    from ansinh.distributions.services import list_signature_pdf
    give(10_000_000)
    rlist = list_approve(manager, list_submit(officer, orphans.lists.get()))
    pdf = list_signature_pdf(officer, rlist)
    assert b"m\xc3\xb4 c\xc3\xb4i" not in pdf and b"5.1" not in pdf


@pytest.fixture
def handed_out(officer, campaign, fund, manager, give, geo, registry):
    """7 poor households in Ba Đình and 1 (with 2 persons) in Ngọc Hà handed 500,000 đ each."""
    give(100_000_000)
    for i in range(6):
        make_household(geo["commune"], f"BD-2{i:02d}", "poor", "Quang")
    cycle = gift_cycle(officer, campaign, fund)
    rlist = list_approve(manager, list_submit(officer, recipients_build(officer, cycle)[0]))
    list_mark_printed(officer, rlist)
    for line in rlist.lines.all():
        handout_record(officer, line, proof_kind=ProofKind.SIGNATURE)
    return cycle


def test_public_totals_are_per_commune_and_kind_without_identities(handed_out, campaign):
    rows = public_totals(campaign=campaign)
    assert rows[0] == {"commune_code": "00004", "commune_name": "Phường Ba Đình",
                       "category": "Quà (tiền và hiện vật)", "recipients": 8,
                       "cash": 4_000_000, "goods_value": 0}
    # Ngọc Hà's single recipient cannot be singled out: merged, count suppressed.
    assert rows[1] == {"commune_code": "", "commune_name": "Khác",
                       "category": "Quà (tiền và hiện vật)", "recipients": None,
                       "cash": 500_000, "goods_value": 0}
    text = repr(rows)
    for person in Person.objects.all():
        assert person.full_name not in text and (person.id_number or "-") not in text
    assert "Ngọc Hà" not in text


def test_public_totals_count_only_what_was_handed_out_until_a_date(handed_out, campaign):
    from datetime import date, timedelta
    assert public_totals(campaign=campaign, until=date.today() - timedelta(days=1)) == []
    assert public_totals(fund=handed_out.fund)[0]["recipients"] == 8


def test_public_totals_value_the_goods_handed_out(officer, campaign, fund, manager, give, geo,
                                                  registry, items, warehouse, stock):
    stock("gift", 10, 300_000)
    for i in range(4):
        make_household(geo["commune"], f"BD-3{i:02d}", "poor", "Sơn")
    cycle = gift_cycle(officer, campaign, fund, cash=0, components=[(items["gift"], 1)],
                       warehouse=warehouse, criteria={"poverty": ["poor"],
                                                      "communes": [geo["commune"].code]})
    rlist = list_approve(manager, list_submit(officer, recipients_build(officer, cycle)[0]))
    list_mark_printed(officer, rlist)
    for line in rlist.lines.all():
        handout_record(officer, line, proof_kind=ProofKind.SIGNATURE)
    (row,) = public_totals(campaign=campaign)
    assert (row["recipients"], row["cash"], row["goods_value"]) == (6, 0, 1_800_000)
