"""The cycle page reads its criteria in the reader's language: in Vietnamese word for word what
`criteria_text` writes for the API and the services' messages, in English from the
catalogue."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ansinh.access.models import ApiToken
from ansinh.distributions.choices import GROUP_CATEGORIES
from ansinh.distributions.criteria_display import criteria_display
from ansinh.distributions.services import criteria_text
from ansinh.registry.choices import Poverty
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db

@pytest.mark.parametrize(("criteria", "reveal", "vietnamese"), [
    ({}, True, "mọi người trên địa bàn"),
    ({"poverty": ["poor", "near_poor"], "age_min": 60}, True,
     "hộ nghèo hoặc hộ cận nghèo; từ 60 tuổi"),
    ({"groups": ["orphan", "disability", "elderly_alone"], "age_max": 16}, False,
     "đối tượng bảo trợ xã hội hoặc người cao tuổi cô đơn; không quá 16 tuổi"),
    ({"communes": ["00008", "00004"], "age_min": 6, "age_max": 18}, True,
     "cư trú tại Phường Ba Đình, Phường Ngọc Hà; từ 6 đến 18 tuổi"),
])
def test_the_services_sentence_is_vietnamese_whatever_the_active_language(
        geo, criteria, reveal, vietnamese):
    for language in ("vi", "en"):
        with translation.override(language):
            assert criteria_text(criteria, reveal=reveal) == vietnamese
    with translation.override("vi"):
        assert criteria_display(criteria, reveal=reveal) == vietnamese


def test_every_poverty_status_and_group_has_its_words(geo):
    every = {"poverty": [Poverty.POOR, Poverty.NEAR_POOR], "groups": list(GROUP_CATEGORIES)}
    with translation.override("en"):
        english = criteria_display(every)
    assert english == ("poor households or near-poor households; orphans or children without "
                       "means of support or older people living alone or people with a "
                       "severe disability")


@pytest.mark.parametrize(("criteria", "reveal", "english"), [
    ({}, True, "everyone in the area"),
    ({"poverty": ["poor"], "age_min": 60}, True, "poor households; aged 60 or over"),
    ({"groups": ["orphan", "disability", "elderly_alone"], "age_max": 16}, False,
     "social assistance beneficiaries or older people living alone; aged 16 or under"),
    ({"communes": ["00008", "00004"], "age_min": 6, "age_max": 18}, True,
     "living in Phường Ba Đình, Phường Ngọc Hà; aged 6 to 18"),
])
def test_in_english_it_reads_english(geo, criteria, reveal, english):
    with translation.override("en"):
        assert criteria_display(criteria, reveal=reveal) == english


def test_the_cycle_page_shows_the_criteria_in_the_readers_language(
        officer, staff, campaign, fund):
    cycle = gift_cycle(officer, campaign, fund, criteria={"poverty": ["poor", "near_poor"],
                                                          "groups": ["orphan"], "age_max": 16})
    url = reverse("distributions:cycle_detail", args=[cycle.pk])
    client = Client()
    client.force_login(officer)  # holds no `sensitive`: the orphans are a protected group
    vietnamese = "hộ nghèo hoặc hộ cận nghèo; đối tượng bảo trợ xã hội; không quá 16 tuổi"
    assert criteria_text(cycle.criteria, reveal=False) == vietnamese
    assert f"<dd>{vietnamese}</dd>" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(url).content.decode()
    assert ("<dd>poor households or near-poor households; social assistance beneficiaries; "
            "aged 16 or under</dd>") in page
    assert vietnamese not in page
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert f"<dd>{vietnamese}</dd>" in client.get(url).content.decode()


def test_the_api_keeps_the_vietnamese_sentence_whatever_the_language(officer, campaign, fund):
    cycle = gift_cycle(officer, campaign, fund, criteria={"poverty": ["poor"], "age_min": 60})
    _token, secret = ApiToken.issue(officer, name="test")
    client = Client(headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"})
    with translation.override("en"):
        body = client.get(f"/api/v1/funds/distributions/cycles/{cycle.pk}").json()
    assert body["criteria_text"] == "hộ nghèo; từ 60 tuổi"


def test_the_communes_named_are_the_current_units_with_those_codes(geo):
    """Wards of before the 2025 reform may carry the same codes; they are not named."""
    assert criteria_text({"communes": ["00008", "00004"]}) == \
        "cư trú tại Phường Ba Đình, Phường Ngọc Hà"
