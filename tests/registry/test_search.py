from datetime import date

import pytest
from django.db import connection

from ansinh.core.text import fold
from ansinh.registry import search
from ansinh.registry.models import Household, Person
from ansinh.registry.selectors import household_search, person_search, persons_for
from ansinh.registry.services import household_create, person_create
from ansinh.web.paginator import paginate
from tests.conftest import make_user, new_id

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the search key index is PostgreSQL's")


@pytest.fixture
def root(db):
    user = make_user("search-root")
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def registry(geo, root):
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


def test_household_search_matches_the_heads_name_by_whole_words(geo, root, registry):
    household = household_create(root, code="HO-01", commune=geo["commune"])
    Person.objects.filter(pk=registry["dungg"].pk).update(household=household,
                                                          relationship="head")
    Household.objects.filter(pk=household.pk).update(head=registry["dungg"])
    found = household_search(Household.objects.all(), q="dungg")
    assert list(found.values_list("code", flat=True)) == ["HO-01"]
    assert not household_search(Household.objects.all(), q="dung").exists()
    assert not household_search(Household.objects.all(), q="dun").exists()
    assert household_search(Household.objects.all(), q="HO-0").exists()


# ---- the same rows in the same order on both databases ------------------------------------

NAMES = [
    ("Nguyễn", "Văn", "Dũng", date(1975, 3, 1)), ("Nguyễn", "Thị", "Dung", date(1975, 7, 9)),
    ("Nguyễn", "Văn", "Dũng", date(1980, 1, 1)), ("Đặng", "Văn", "Hùng", date(1975, 3, 2)),
    ("Đặng", "Hùng", "Sơn", date(1990, 5, 5)), ("Lê", "Thị", "Lê", date(1975, 3, 1)),
    ("Trần", "", "Hùng", None), ("Hoàng", "Thị Minh", "Khai", date(1961, 11, 30)),
    ("Nguyễn", "Hùng", "Dũng", date(1975, 12, 31)), ("Dương", "Văn", "Đăng", date(2001, 1, 1)),
    ("Nguyễn", "Văn", "Hùng", date(1975, 3, 1)), ("Phan", "Thị", "Hoa", date(1999, 9, 9)),
]
QUERIES = [
    ("nguyen", ""), ("hung", ""), ("dung", ""), ("nguyen dung", ""), ("dung nguyen", ""),
    ("van hung", ""), ("le", ""), ("dang", ""), ("hung", "1975"), ("", "1975"),
    ("", "03/1975"), ("nguyen", "01/03/1975"), ("thi minh khai", ""), ("khong co", ""),
    ("nguyen van dung", "1980"), ("", "1930"), ("nguyen thi", ""), ("van", ""),
]


@pytest.fixture
def crowd(geo, root):
    """The same names in two communes of one province and in another province."""
    made = []
    for commune in ("commune", "sibling_commune", "foreign_commune"):
        for i, (ho, dem, ten, born) in enumerate(NAMES):
            sex = "F" if "Thị" in dem else "M"
            made.append(person_create(
                root, ho=ho, ten_dem=dem, ten=ten, sex=sex, birth_date=born,
                commune=geo[commune], id_number=new_id(sex, born.year) if born and i % 2 else None,
            ))
    return made


@pytest.fixture
def officers(geo):
    return {
        "commune": make_user("xa", "commune_officer", geo["commune"]),
        "province": make_user("tinh", "province_officer", geo["province"]),
        "national": make_user("bo", "national_viewer", None),
    }


def expected(user, q, birth):
    from ansinh.registry.selectors import parse_birth_filter

    words = set(fold(q).split())
    born = parse_birth_filter(birth) if birth else None
    rows = [p for p in persons_for(user)
            if words <= set(p.search_name.split())
            and (not born or (p.birth_date and born[0] <= p.birth_date < born[1]))]
    return [p.pk for p in sorted(rows, key=lambda p: (p.sort_key, p.pk))]


@pytest.mark.parametrize("scope", ["commune", "province", "national"])
@pytest.mark.parametrize("frequencies", ["analyzed", "year is rarest", "words are rarest"])
def test_every_search_gives_the_rows_and_count_a_plain_filter_gives(
    crowd, officers, scope, frequencies, monkeypatch,
):
    if frequencies == "year is rarest":
        monkeypatch.setattr(search, "key_frequencies", lambda: {"nguyen": .5, "hung": .3,
                                                                "dung": .3, "thi": .4})
    elif frequencies == "words are rarest":
        monkeypatch.setattr(search, "key_frequencies", lambda: {"#1975": .9, "nguyen": .5})
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {search.KEY_TABLE}")
        search.reset_statistics_cache()
    user = officers[scope]
    for q, birth in QUERIES:
        want = expected(user, q, birth)
        qs = person_search(persons_for(user), q=q, birth=birth)
        assert list(qs.values_list("pk", flat=True)) == want, (q, birth)
        # As the list page asks for it: related rows and the Vietnamese order again.
        listed = qs.select_related("household", "commune").order_by("sort_key", "pk")
        assert [p.pk for p in listed] == want, (q, birth)
        assert qs.count() == len(want), (q, birth)
        page = paginate(listed, 2, per_page=2, count_cap=5)
        assert [p.pk for p in page.object_list] == want[2:4]
        assert page.total == (len(want) if len(want) <= 5 else None)
        assert qs[1:3].count() == len(want[1:3])
    search.reset_statistics_cache()


def test_filters_beyond_the_area_are_counted_on_the_persons(crowd, officers, geo):
    user = officers["province"]
    qs = person_search(persons_for(user), q="hung", sex="M")
    want = [p.pk for p in qs]
    assert qs.count() == len(want) > 0
    narrowed = qs.filter(commune=geo["sibling_commune"])
    assert narrowed.count() == len([p for p in narrowed]) < len(want)
    assert person_search(persons_for(user), q="hung", commune_id=geo["commune"].pk).count() == \
        len([p for p in crowd if "hung" in p.search_name.split()
             and p.commune_id == geo["commune"].pk])


def test_a_user_without_a_role_finds_nobody(crowd):
    nobody = make_user("khach")
    qs = person_search(persons_for(nobody), q="nguyen", birth="1975")
    assert list(qs) == [] and qs.count() == 0


# ---- the key table on PostgreSQL ---------------------------------------------------------

def keys_of(person_id):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT word, sort_key::bytea, words, birth_date, commune_id, province_id "
            f"FROM {search.KEY_TABLE} WHERE person_id = %s ORDER BY word", [person_id])
        return cursor.fetchall()


def packed(sort_key):
    digits = "".join("123456789abc"[" .0123456789".index(c)]
                     for c in sort_key if c in " .0123456789")
    return bytes.fromhex(digits + "0" * (len(digits) % 2))


def keys_derived(person):
    person.refresh_from_db()
    words = sorted(set(person.search_name.split()))
    if person.birth_date:
        words.append(search.year_key(person.birth_date.year))
    return sorted(
        (w, packed(person.sort_key), f" {person.search_name} ", person.birth_date,
         person.commune_id, person.province_id) for w in words
    )


@postgres_only
def test_the_triggers_keep_the_keys_of_every_write(crowd, registry, geo, root):
    from ansinh.registry.services import person_update

    dung = registry["dung"]
    assert keys_of(dung.pk) == keys_derived(dung)
    person_update(root, dung, ten="Hùng", birth_date=None)
    assert keys_of(dung.pk) == keys_derived(dung)
    person_update(root, dung, commune=geo["foreign_commune"])
    assert keys_of(dung.pk) == keys_derived(dung)
    # Set-wise writes, as the import's bulk writer does them.
    Person.objects.filter(ten="Hùng").update(birth_date=None)
    Person.objects.filter(ten="Dung").update(search_name="nguyen thi dung moi")
    for person in Person.objects.all():
        assert keys_of(person.pk) == keys_derived(person)
    # An update that leaves the name alone does not touch the keys.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {search.KEY_TABLE} WHERE person_id = %s",
                       [registry["an"].pk])
        before = cursor.fetchall()
        Person.objects.filter(pk=registry["an"].pk).update(phone="0900000000")
        cursor.execute(f"SELECT xmin::text FROM {search.KEY_TABLE} WHERE person_id = %s",
                       [registry["an"].pk])
        assert cursor.fetchall() == before
    Person.objects.bulk_create([Person(ho="Lò", ten_dem="Văn", ten="Pọm", full_name="Lò Văn Pọm",
                                       search_name="lo van pom", sort_key="x", sex="M",
                                       commune=geo["commune"], province=geo["province"])])
    assert [w for w, *_ in keys_of(Person.objects.get(ten="Pọm").pk)] == ["lo", "pom", "van"]
    gone = registry["an"].pk
    Person.objects.filter(pk=gone).delete()
    assert keys_of(gone) == []


@postgres_only
def test_a_repeated_word_is_one_key(geo, root):
    person = person_create(root, ho="Lê", ten_dem="Thị", ten="Lê", sex="F",
                           birth_date=date(1950, 1, 1), commune=geo["commune"])
    assert [w for w, *_ in keys_of(person.pk)] == ["#1950", "le", "thi"]
    assert list(person_search(Person.objects.all(), q="le")) == [person]


@postgres_only
def test_a_search_reads_the_key_index_in_order_and_counts_on_it_alone(crowd, officers):
    qs = person_search(persons_for(officers["commune"]), q="nguyen hung")
    listed = qs.select_related("household").order_by("sort_key", "pk")
    sql = str(listed.query)
    assert f'ORDER BY "{search.KEY_TABLE}"."sort_key" ASC, "{search.KEY_TABLE}"."person_id"' \
        in sql
    counted = str(qs.counted().query)
    assert "registry_person" not in counted and search.KEY_TABLE in counted
    # Another order is another order: it is kept, and the rows are the same.
    by_id = qs.order_by("-pk")
    assert [p.pk for p in by_id] == sorted((p.pk for p in qs), reverse=True)


@postgres_only
def test_the_bulk_load_rebuilds_the_keys_set_wise(db, geo):
    from ansinh.synth.load import synth_to_database

    synth_to_database(province="22", persons=300, communes=2, seed=5, rebuild_indexes=True)
    synth_to_database(province="22", persons=200, communes=2, seed=6, rebuild_indexes=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'registry_person'::regclass "
            "AND tgname LIKE 'registry_person_keys_%%' AND tgenabled = 'O' ORDER BY 1")
        assert len(cursor.fetchall()) == 4
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY 1", [search.KEY_TABLE])
        assert [name for (name,) in cursor.fetchall()] == ["searchkey_commune_order",
                                                           "searchkey_order"]
    for person in Person.objects.all():
        assert keys_of(person.pk) == keys_derived(person)



@postgres_only
def test_the_word_frequencies_are_read_even_just_after_the_machine_started(crowd, monkeypatch):
    # time.monotonic() counts from boot: a cache stamped 0 looked fresh for ten minutes.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {search.KEY_TABLE}")
    search.reset_statistics_cache()
    monkeypatch.setattr(search.time, "monotonic", lambda: 5.0)
    try:
        assert search.key_frequencies().get("nguyen", 0) > 0
    finally:
        search.reset_statistics_cache()


@postgres_only
def test_a_commune_officer_reads_and_counts_her_own_communes_keys_only(crowd, officers, geo):
    qs = person_search(persons_for(officers["commune"]), q="nguyen")
    page = qs.select_related("household").order_by("sort_key", "pk")[:51]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql, params in (page.query.sql_with_params(), qs[:51].count_sql()):
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using searchkey_commune_order" in plan, plan
            assert f"commune_id = {geo['commune'].pk})" in plan
    assert qs.count() == len([p for p in crowd if p.commune_id == geo["commune"].pk
                              and "nguyen" in p.search_name.split()]) > 0


@postgres_only
def test_the_packed_sort_key_is_the_same_bytes_as_before_for_any_text(db):
    with connection.cursor() as cursor:
        for text in ("", "5", "12 3.4", "12 3x.4", "ÿ9 .", " . 0123456789", "abc"):
            cursor.execute("SELECT registry_pack_sort_key(%s)", [text])
            assert bytes(cursor.fetchone()[0]) == packed(text), text
        cursor.execute("SELECT registry_pack_sort_key(NULL) IS NULL")
        assert cursor.fetchone()[0]
