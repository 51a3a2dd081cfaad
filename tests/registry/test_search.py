from datetime import date

import pytest
from django.db import connection

from ansinh.registry import search
from ansinh.registry.models import Person
from ansinh.registry.selectors import person_search
from ansinh.registry.services import person_create
from tests.conftest import make_user, new_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(geo):
    root = make_user("search-root")
    root.is_superuser = True
    root.save()

    def add(ho, ten_dem, ten, sex="M", born=date(1960, 4, 5)):
        return person_create(root, ho=ho, ten_dem=ten_dem, ten=ten, sex=sex, birth_date=born,
                             commune=geo["commune"], id_number=new_id(sex, born.year))

    return {
        "dung": add("Nguyễn", "Văn", "Dũng"),
        "dang": add("Đặng", "Thị", "Hoa", sex="F", born=date(1975, 1, 2)),
        "dungg": add("Trần", "", "Dũngg"),
        "an": add("Lê", "Minh", "An", born=date(2001, 12, 31)),
    }


def names(qs):
    return {p.full_name for p in qs}


def test_it_finds_a_name_typed_without_diacritics(registry):
    assert names(person_search(Person.objects.all(), q="nguyen van dung")) == {"Nguyễn Văn Dũng"}
    assert names(person_search(Person.objects.all(), q="NGUYEN dung")) == {"Nguyễn Văn Dũng"}


def test_d_bar_folds_to_d(registry):
    assert names(person_search(Person.objects.all(), q="dang")) == {"Đặng Thị Hoa"}
    assert names(person_search(Person.objects.all(), q="Đặng")) == {"Đặng Thị Hoa"}


def test_it_matches_whole_words_only(registry):
    assert names(person_search(Person.objects.all(), q="dung")) == {"Nguyễn Văn Dũng"}
    assert not person_search(Person.objects.all(), q="nguy").exists()


def test_it_finds_by_id_number_even_when_excel_dropped_the_leading_zero(registry):
    number = registry["an"].id_number
    assert names(person_search(Person.objects.all(), q=number)) == {"Lê Minh An"}
    assert names(person_search(Person.objects.all(), q=number.lstrip("0"))) == {"Lê Minh An"}


@pytest.mark.parametrize("birth, expected", [
    ("31/12/2001", {"Lê Minh An"}), ("12/2001", {"Lê Minh An"}), ("1975", {"Đặng Thị Hoa"}),
])
def test_it_finds_by_date_of_birth_at_any_precision(registry, birth, expected):
    assert names(person_search(Person.objects.all(), birth=birth)) == expected


def test_results_come_in_vietnamese_order(registry):
    ordered = [p.ten for p in person_search(Person.objects.all())]
    assert ordered == ["An", "Dũng", "Dũngg", "Hoa"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner choice on PostgreSQL")
def test_rare_words_are_sorted_after_the_word_index_and_common_words_walk_the_sort_index(
    registry, monkeypatch,
):
    monkeypatch.setattr(search, "word_frequencies", lambda: {"nguyen": 0.38, "hung": 0.03})
    walk = str(search.order_for_list(Person.objects.all(), ["nguyen"]).query)
    fetch_and_sort = str(search.order_for_list(Person.objects.all(), ["nguyen", "hung"]).query)
    assert 'ORDER BY "registry_person"."sort_key" ASC' in walk
    assert "||" in fetch_and_sort.split("ORDER BY")[1]
    # Both orders give the same rows in the same order.
    qs = person_search(Person.objects.all(), q="nguyen dung")
    assert names(qs) == {"Nguyễn Văn Dũng"}
