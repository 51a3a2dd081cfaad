"""The generator on its own: no database."""

from datetime import date

import polars as pl
import pytest

from ansinh.core.identity import check_id_number
from ansinh.core.text import clean_name, fold, name_sort_key
from ansinh.synth.generate import Commune, Counters, Random, Synthesizer

AS_OF = date(2026, 1, 1)
COMMUNES = [
    Commune(id=1, code="06652", name="Phường Hà Tu", kind="phường", province_id=99,
            prefix="022"),
    Commune(id=2, code="06985", name="Xã Quảng Tân", kind="xã", province_id=99, prefix="022"),
]


def draw(n=3000, seed=7, province="22", counters=None):
    synth = Synthesizer(province_code=province, seed=seed, counters=counters or Counters(),
                        as_of=AS_OF)
    return synth.chunk(COMMUNES, synth.split(n, COMMUNES))


def test_the_same_seed_gives_the_same_registry():
    a, b = draw(seed=11), draw(seed=11)
    assert a.persons.equals(b.persons)
    assert a.households.equals(b.households)
    assert not draw(seed=12).persons.equals(a.persons)


def test_uniforms_match_their_python_twin():
    r = Random(5)
    df = r.with_uniforms(pl.DataFrame({"i": [0, 1, 2, 10**9]}), "i", ["x!"])
    assert df["_u_x"].to_list() == [r.python("x!", i) for i in (0, 1, 2, 10**9)]


def test_it_makes_exactly_the_persons_asked_for_in_households_of_one_to_eight():
    chunk = draw(n=2345)
    assert chunk.n_persons == 2345
    sizes = chunk.persons.group_by("household_id").len()["len"]
    assert sizes.min() >= 1 and sizes.max() <= 8
    assert 3.0 < chunk.n_persons / chunk.n_households < 4.0


def test_every_household_has_one_head_and_points_to_it():
    chunk = draw()
    heads = chunk.persons.filter(pl.col("relationship") == "head")
    assert heads.height == chunk.n_households
    assert heads["household_id"].n_unique() == chunk.n_households
    joined = chunk.households.join(heads, left_on="head_id", right_on="id")
    assert (joined["id"] == joined["household_id"]).all()


def test_derived_names_are_what_refresh_derived_computes():
    for row in draw().persons.iter_rows(named=True):
        for part in (row["ho"], row["ten_dem"], row["ten"]):
            assert clean_name(part) == part
        full = " ".join(p for p in (row["ho"], row["ten_dem"], row["ten"]) if p)
        assert row["full_name"] == full
        assert row["search_name"] == fold(full)
        assert row["sort_key"] == name_sort_key(row["ho"], row["ten_dem"], row["ten"])


def test_ids_are_valid_unique_and_agree_with_sex_and_birth_year():
    persons = draw(n=4000).persons
    ids = persons["id_number"].drop_nulls()
    assert ids.n_unique() == ids.len()
    assert 0.005 < persons["id_number"].null_count() / persons.height < 0.07
    own = 0
    for row in persons.drop_nulls("id_number").iter_rows(named=True):
        parts = check_id_number(row["id_number"], sex=row["sex"],
                                birth_year=int(row["birth_date"][:4]))
        own += parts.province_prefix == "022"
    assert own / ids.len() > 0.8


def test_serials_continue_after_the_counters():
    counters = Counters()
    first = draw(counters=counters)
    second = draw(counters=counters, seed=99)
    ids = pl.concat([first.persons["id_number"], second.persons["id_number"]]).drop_nulls()
    assert ids.n_unique() == ids.len()
    assert second.persons["id"].min() == first.persons["id"].max() + 1
    codes = pl.concat([first.households["code"], second.households["code"]])
    assert codes.n_unique() == codes.len()


def test_shapes_look_like_vietnam():
    persons = draw(n=20000).persons
    n = persons.height
    share = lambda expr: persons.filter(expr).height / n  # noqa: E731
    assert 0.30 < share(pl.col("ho") == "Nguyễn") < 0.45
    assert 0.45 < share(pl.col("sex") == "M") < 0.56
    age = AS_OF.year - pl.col("birth_date").str.slice(0, 4).cast(pl.Int32)
    assert 0.15 < share(age < 15) < 0.30
    assert 0.05 < share(age >= 65) < 0.16
    assert 0.04 < share(pl.col("disability_level") != "") < 0.10
    assert 0.003 < share(pl.col("deceased_date").is_not_null()) < 0.04
    assert share(pl.col("birth_date_precision") == "Y") > 0.005
    assert share(pl.col("ethnicity") == "01") > 0.6
    assert (persons["birth_date"] < AS_OF.isoformat()).all()
    dead = persons.drop_nulls("deceased_date")
    assert (dead["deceased_date"] > dead["birth_date"]).all()
    assert (dead["deceased_date"] < AS_OF.isoformat()).all()


@pytest.mark.parametrize("province", ["04", "79", "66", "01"])
def test_minorities_depend_on_the_province(province):
    persons = draw(n=3000, province=province).persons
    kinh = (persons["ethnicity"] == "01").mean()
    if province == "04":  # Cao Bằng: Tày and Nùng
        assert kinh < 0.5
    else:
        assert kinh > 0.5
