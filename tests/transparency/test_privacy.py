"""The public page never shows who received help or why: no name, ID number or birth date
of a recipient, no word linking anyone to disability, HIV, violence or orphanhood — in the
HTML or in the JSON."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ansinh.funds.services import campaign_create, restriction_create
from ansinh.registry import services as registry
from ansinh.stock.choices import Category, Unit
from ansinh.stock.services import item_create, stock_issue, stock_receive, warehouse_create
from ansinh.transparency import selectors
from ansinh.transparency.privacy import merge_small_groups, neutral_category
from ansinh.transparency.services import snapshot_publish
from tests.conftest import make_user, new_id
from tests.funds.conftest import DAY

pytestmark = pytest.mark.django_db


# Seven recipients in one poor household's commune, two of them with sensitive records.
PEOPLE = [
    ("Hoàng", "Thị", "Xuyến", date(1948, 3, 7), {}),
    ("Vương", "Đình", "Khải", date(1952, 11, 23), {}),
    ("Quách", "Ngọc", "Lan", date(2012, 5, 2), {"hiv_status": True}),
    ("Lạc", "Văn", "Thông", date(1960, 8, 19),
     {"disability_level": "severe", "disability_type": "intellectual",
      "disability_notes": "Khuyết tật trí tuệ"}),
    ("Mạc", "Thị", "Huệ", date(1971, 1, 30), {}),
    ("Tạ", "Quang", "Bửu", date(1944, 12, 1), {}),
]
SCHOLARS = [("Ôn", "Gia", "Nghiêm", date(2013, 9, 9)), ("Khổng", "Minh", "Triết",
                                                        date(2014, 2, 14))]
FORBIDDEN_WORDS = ("HIV", "khuyết tật", "Khuyết tật", "mồ côi", "Mồ côi", "bạo lực",
                   "intellectual", "severe")


@pytest.fixture
def people(geo):
    admin = make_user("quantritinh", "province_admin", geo["province"])
    household = registry.household_create(admin, code="BD-NGHEO-01", address="Ngõ 5 Đội Cấn",
                                          commune=geo["commune"], poverty_status="poor",
                                          poverty_year=2025)
    persons = []
    for i, (ho, dem, ten, born, extra) in enumerate(PEOPLE + [(*s, {}) for s in SCHOLARS]):
        persons.append(registry.person_create(
            admin, ho=ho, ten_dem=dem, ten=ten, sex="F" if dem in ("Thị", "Ngọc") else "M",
            birth_date=born, id_number=new_id("F" if dem in ("Thị", "Ngọc") else "M",
                                              born.year),
            household=household, relationship="head" if i == 0 else "other",
            commune=geo["commune"], **extra))
    return persons


def _identities(persons) -> list[str]:
    out = []
    for p in persons:
        out += [p.full_name, f"{p.ten_dem} {p.ten}", p.id_number,
                p.birth_date.strftime("%d/%m/%Y"), p.birth_date.isoformat()]
    return out


@pytest.fixture
def open_campaign(geo, officer, fund):
    """A campaign still running, so today's hand-outs fall inside its period."""
    campaign = campaign_create(officer, area=geo["commune"], name="Mùa đông ấm 2026",
                               starts_on=DAY, funds=[fund])
    restriction = restriction_create(officer, fund=fund, kind="campaign", description="",
                                     campaign=campaign)
    return campaign, restriction


def _distribute_through_cycles(officer, manager, fund, campaign, tet, persons):
    from ansinh.distributions.services import (
        cycle_create,
        handout_record,
        list_approve,
        list_mark_printed,
        list_submit,
        recipient_add,
    )

    gifts = cycle_create(officer, name="Quà Tết 2026", kind="gift", campaign=campaign,
                         fund=fund, restriction=tet, starts_on=DAY, cash_per_recipient=500_000,
                         criteria={"poverty": ["poor"]})
    scholarships = cycle_create(officer, name="Học bổng vượt khó", kind="scholarship",
                                campaign=campaign, fund=fund, restriction=tet, starts_on=DAY,
                                cash_per_recipient=3_000_000, criteria={"poverty": ["poor"]})
    lines = [recipient_add(officer, gifts, person=p) for p in persons[:6]]
    lines += [recipient_add(officer, scholarships, person=p,
                            exception_reason="Mồ côi cha, mẹ nhiễm HIV") for p in persons[6:]]
    for rlist in {line.recipient_list for line in lines}:
        list_submit(officer, rlist)
        list_approve(manager, rlist)
        list_mark_printed(officer, rlist)
    for line in lines:
        handout_record(officer, line, proof_kind="signature")


def _distribute_through_stock(officer, geo, persons):
    house = warehouse_create(officer, name="Điểm phát Ba Đình", commune=geo["commune"])
    gift = item_create(officer, name="Quà Tết", unit=Unit.PHAN_QUA, category=Category.GIFT)
    stock_receive(officer, warehouse=house, item=gift, quantity=20, unit_value=400_000,
                  received_on=DAY, donor_name="Công ty TNHH An Phú")
    for p in persons:
        stock_issue(officer, warehouse=house, item=gift, quantity=1, recipient=p,
                    issued_on=DAY + timedelta(days=2))


def _public_texts(client, snaps) -> list[str]:
    texts = [client.get(reverse("transparency:index")).content.decode()]
    for snap in snaps:
        texts.append(client.get(reverse("transparency:snapshot", args=[snap.pk])).content.decode())
        texts.append(json.dumps(
            client.get(reverse("transparency:snapshot_json", args=[snap.pk])).json(),
            ensure_ascii=False))
    return texts


def _assert_private(texts, persons):
    for text in texts:
        for identity in _identities(persons):
            assert identity not in text, identity
        for word in FORBIDDEN_WORDS:
            assert word not in text, word
        assert "BD-NGHEO-01" not in text and "Đội Cấn" not in text


def test_no_recipient_identity_or_status_reaches_the_public_page(client, monkeypatch, officer,
                                                                 manager, fund, open_campaign,
                                                                 give, people):
    campaign, tet = open_campaign
    give(100_000_000, restriction=tet)
    _distribute_through_cycles(officer, manager, fund, campaign, tet, people)
    # Published the same day: hand-outs recorded before the snapshot's moment are in it.
    snaps = [snapshot_publish(officer, campaign=campaign), snapshot_publish(officer, fund=fund)]
    assert selectors.snapshot_verify(snaps[0]).ok
    dist = snaps[0].figures["distributed"]
    assert dist["cash"] == 6 * 500_000 + 2 * 3_000_000
    # Six gift packages show; the two scholarships are a group too small to show a count.
    counts = {(r["category"], r["recipients"]) for r in dist["rows"]}
    assert ("Quà (tiền và hiện vật)", 6) in counts
    assert ("Học bổng", None) in counts
    texts = _public_texts(client, snaps)
    assert "Quà (tiền và hiện vật)" in texts[1] and "dưới 5" in texts[1]
    _assert_private(texts, people)


def test_stock_hand_outs_reach_the_page_only_as_totals(client, geo, officer, fund, people):
    _distribute_through_stock(officer, geo, people)
    snap = snapshot_publish(officer, fund=fund, period_start=date(2026, 1, 1),
                            period_end=date(2026, 1, 31))
    rows = snap.figures["distributed"]["rows"]
    assert rows == [{"commune_code": geo["commune"].code, "commune_name": geo["commune"].name,
                     "category": "Phần quà", "recipients": 8, "cash": 0,
                     "goods_value": 3_200_000}]
    assert snap.figures["in_kind"]["value"] == 8_000_000
    _assert_private(_public_texts(client, [snap]), people)


def test_a_vulnerability_label_is_replaced_and_small_groups_are_merged():
    assert neutral_category("Hỗ trợ trẻ mồ côi") == "Hỗ trợ khác"
    assert neutral_category("Người nhiễm HIV") == "Hỗ trợ khác"
    assert neutral_category("Nạn nhân bạo lực gia đình") == "Hỗ trợ khác"
    assert neutral_category("Quà Tết") == "Quà Tết"
    rows = merge_small_groups([
        {"commune_code": "1", "commune_name": "A", "category": "Quà Tết", "recipients": 9,
         "cash": 9, "goods_value": 0},
        {"commune_code": "2", "commune_name": "B", "category": "Quà Tết", "recipients": 2,
         "cash": 2, "goods_value": 0},
        {"commune_code": "3", "commune_name": "C", "category": "Quà Tết", "recipients": 1,
         "cash": 1, "goods_value": 0},
        {"commune_code": "3", "commune_name": "C", "category": "Trẻ mồ côi",
         "recipients": 7, "cash": 70, "goods_value": 0},
    ])
    assert rows == [
        {"commune_code": "1", "commune_name": "A", "category": "Quà Tết", "recipients": 9,
         "cash": 9, "goods_value": 0},
        {"commune_code": "3", "commune_name": "C", "category": "Hỗ trợ khác",
         "recipients": 7, "cash": 70, "goods_value": 0},
        {"commune_code": "", "commune_name": "Các xã/phường khác", "category": "Quà Tết",
         "recipients": None, "cash": 3, "goods_value": 0},
    ]
    assert sum(r["cash"] for r in rows) == 82  # merged, never dropped


def test_a_hand_out_recorded_after_publication_waits_for_the_next_snapshot(
        officer, manager, fund, open_campaign, give, people):
    from ansinh.distributions.services import (
        cycle_create,
        handout_record,
        list_approve,
        list_mark_printed,
        list_submit,
        recipient_add,
    )

    campaign, tet = open_campaign
    give(100_000_000, restriction=tet)
    gifts = cycle_create(officer, name="Quà Tết 2026", kind="gift", campaign=campaign,
                         fund=fund, restriction=tet, starts_on=DAY, cash_per_recipient=500_000,
                         criteria={"poverty": ["poor"]})
    lines = [recipient_add(officer, gifts, person=p) for p in people[:6]]
    rlist = lines[0].recipient_list
    list_submit(officer, rlist)
    list_approve(manager, rlist)
    list_mark_printed(officer, rlist)
    for line in lines[:5]:
        handout_record(officer, line, proof_kind="signature")
    first = snapshot_publish(officer, campaign=campaign)
    assert first.figures["distributed"]["cash"] == 5 * 500_000

    # Recorded later, though dated the same day as the others: the published figures and
    # their check stand; the next snapshot counts it.
    handout_record(officer, lines[5], proof_kind="signature",
                   handed_out_on=timezone.localdate())
    assert selectors.snapshot_verify(first).ok
    second = snapshot_publish(officer, campaign=campaign)
    assert second.figures["distributed"]["cash"] == 6 * 500_000
    assert selectors.snapshot_verify(second).ok
