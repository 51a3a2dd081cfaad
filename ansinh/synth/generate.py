"""The generator: households and persons of a group of communes as two Polars frames.

Everything is computed column-wise. Randomness comes from a counter-based generator
(SplitMix64 written in Polars integer arithmetic): the value drawn for "the age of household
no. 1234" is a pure function of (seed, "head_age", 1234). So a seed gives the same registry on
every machine whatever the chunk size, and a million persons take a couple of seconds.

Name keys are computed once per distinct name part: a province has a few hundred distinct
words, so `fold` and `word_sort_key` run a few hundred times, not a million, and the per-row
work is a dictionary lookup and a string concatenation in Polars.
"""

import itertools
import zlib
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from ansinh.core.identity import BIRTH_PROVINCE_PREFIXES
from ansinh.core.text import fold, word_sort_key

from . import names as N
from . import population as P

HOUSEHOLD_COLUMNS = [
    "id", "code", "address", "commune_id", "province_id", "poverty_status", "poverty_year",
    "head_id", "created_at", "updated_at",
]
PERSON_COLUMNS = [
    "id", "household_id", "relationship", "ho", "ten_dem", "ten", "full_name", "search_name",
    "sort_key", "birth_date", "birth_date_precision", "sex", "ethnicity", "id_number",
    "documents", "phone", "disability_level", "disability_type", "disability_notes",
    "hiv_status", "deceased_date", "commune_id", "province_id", "created_at", "updated_at",
]
# Columns that are the same on every row; the writers add them.
# The named random draws, per household (indexed by draw slot) and per person.
HOUSEHOLD_TAGS = [
    "size", "eth_kinh", "eth", "age_band", "age_year", "head_sex", "spouse", "gap1", "gap2",
    "gap3", "gap4", "spouse_eth", "spouse_eth2", "head_ho_pool", "head_ho", "spouse_ho_pool",
    "spouse_ho", "kind", "n_parents", "adult_age", "adult_sex", "parent_age", "hamlet", "house",
    "poverty", "has_house",
]
PERSON_TAGS = [
    "sex", "parent_sex", "gc_age", "cil_age", "gc_age2", "sib_age", "child_age", "ho_pool",
    "ho", "ten", "ten_dem", "ten_eth", "ten_eth2", "dem_eth", "dem_eth2", "precision", "day",
    "month", "disabled", "dead", "dead_day", "phone_prefix", "phone_number!", "dis_level",
    "dis_type", "id_own", "id_other", "id_missing", "id_gap", "has_phone",
]
PERSON_CONSTANTS = {"documents": "[]", "disability_notes": "", "hiv_status": None}

_M64 = (1 << 64) - 1


def _splitmix_int(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.UInt64)


def _splitmix(x: pl.Expr) -> pl.Expr:
    # Unsigned 64-bit arithmetic wraps in Polars, as in the reference algorithm.
    z = x + _u64(0x9E3779B97F4A7C15)
    z = z.xor(z // _u64(1 << 30)) * _u64(0xBF58476D1CE4E5B9)
    z = z.xor(z // _u64(1 << 27)) * _u64(0x94D049BB133111EB)
    return z.xor(z // _u64(1 << 31))


class Random:
    """Counter-based uniforms: the draw named `tag` for row `index` is U[0, 1).

    `with_uniforms` adds one column `_u_<tag>` per tag, computing SplitMix64 stage by stage
    over all tags at once (an expression that used its input twice at each stage would
    grow exponentially without common-subexpression elimination).
    """

    def __init__(self, seed: int):
        self.seed = seed

    def key(self, tag: str) -> int:
        return _splitmix_int((self.seed * 0x2545F4914F6CDD1D + zlib.crc32(tag.encode())) & _M64)

    def with_uniforms(self, df: pl.DataFrame, index: str, tags: list[str]) -> pl.DataFrame:
        # One SplitMix64 output gives three 21-bit uniforms (steps of 1/2,097,152), which is
        # fine for every draw here; a tag ending in "!" gets a full 53-bit one.
        x = pl.col(index).cast(pl.UInt64) * _u64(0xD1B54A32D192ED03)
        wide = [t for t in tags if t.endswith("!")]
        narrow = [t for t in tags if not t.endswith("!")]
        groups = [narrow[i:i + 3] for i in range(0, len(narrow), 3)] + [[t] for t in wide]
        z = {i: f"_z_{i}" for i in range(len(groups))}
        df = df.with_columns(**{
            z[i]: x + _u64((self.key("+".join(g)) + 0x9E3779B97F4A7C15) & _M64)
            for i, g in enumerate(groups)
        })
        for shift, mul in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
            df = df.with_columns(**{
                z[i]: pl.col(z[i]).xor(pl.col(z[i]) // _u64(1 << shift)) * _u64(mul)
                for i in z
            })
        df = df.with_columns(**{z[i]: pl.col(z[i]).xor(pl.col(z[i]) // _u64(1 << 31)) for i in z})
        cols = {}
        for i, g in enumerate(groups):
            if g[0].endswith("!"):
                cols[f"_u_{g[0][:-1]}"] = (pl.col(z[i]) // _u64(1 << 11)).cast(pl.Float64) \
                    / float(1 << 53)
                continue
            for k, t in enumerate(g):
                bits = (pl.col(z[i]) // _u64(1 << (21 * k))) % _u64(1 << 21)
                cols[f"_u_{t}"] = bits.cast(pl.Float64) / float(1 << 21)
        return df.with_columns(**cols).drop(list(z.values()))

    def python(self, tag: str, i: int) -> float:
        """The same draw, for the few values computed in Python."""
        h = _splitmix_int((i * 0xD1B54A32D192ED03 + self.key(tag)) & _M64)
        return (h >> 11) / float(1 << 53)


def U(tag: str) -> pl.Expr:
    return pl.col(f"_u_{tag}")


def pick(u: pl.Expr, values: list, weights: list[float]) -> pl.Expr:
    """A weighted choice among `values` for each row's uniform `u`."""
    cum = list(itertools.accumulate(weights))
    thresholds = pl.Series(cum[:-1], dtype=pl.Float64)
    index = pl.lit(thresholds).search_sorted(u * cum[-1], side="right")
    return pl.lit(pl.Series(values)).gather(index)


def pick_grouped(u: pl.Expr, group: pl.Expr, pools: list[tuple[list, list[float]]]) -> pl.Expr:
    """`pick` with a different pool per row: `group` is the row's pool number. The pools are
    laid end to end on [0, len(pools)) so one sorted search serves them all."""
    thresholds, flat = [], []
    for g, (values, weights) in enumerate(pools):
        total = sum(weights)
        cum = list(itertools.accumulate(weights))
        thresholds += [g + w / total for w in cum[:-1]] + [g + 1.0]
        flat += values
    index = pl.lit(pl.Series(thresholds[:-1], dtype=pl.Float64)).search_sorted(
        group.cast(pl.Float64) + u, side="right")
    return pl.lit(pl.Series(flat)).gather(index)


def pick_in(u: pl.Expr, key: pl.Expr, pools: dict[int, list]) -> pl.Expr:
    """A uniform choice in the pool numbered by each row's integer `key` (null where there is
    none)."""
    flat, starts, sizes = [], {}, {}
    for name, pool in pools.items():
        starts[name], sizes[name] = len(flat), len(pool)
        flat += pool
    start = key.replace_strict(starts, default=0, return_dtype=pl.Int64)
    size = key.replace_strict(sizes, default=1, return_dtype=pl.Int64)
    index = start + (u * size).floor().cast(pl.Int64)
    return pl.when(key.is_in(list(pools))).then(pl.lit(pl.Series(flat)).gather(index))


class Vocab:
    """The values a name part can take, numbered; names travel as numbers through the
    generator and become text (and folded text, and sort keys) by one gather at the end."""

    def __init__(self, values):
        self.values = sorted(set(values))
        self.index = {v: i for i, v in enumerate(self.values)}
        self.text = pl.Series(self.values, dtype=pl.String)
        self.folded = pl.Series([fold(v) for v in self.values], dtype=pl.String)
        self.sort = pl.Series(
            [" ".join(word_sort_key(w) for w in v.split(" ") if w) for v in self.values],
            dtype=pl.String)

    def ids(self, values) -> list[int]:
        return [self.index[v] for v in values]

    def pools(self, pools: dict[str, list[str]]) -> dict[int, list[int]]:
        return {_eth_key(k): self.ids(v) for k, v in pools.items()}


def _eth_key(code: str, sex: str | None = None) -> int:
    return int(code) * 2 + (sex == "M") if sex else int(code)


@dataclass(frozen=True)
class Commune:
    id: int
    code: str
    name: str
    kind: str  # "xã", "phường", "đặc khu"
    province_id: int
    prefix: str  # the ID prefix of the pre-2025 province the commune lay in


@dataclass
class Counters:
    """What continues from the data already in the database, so that another run adds
    without collisions: the next primary keys, the last ID serial used under each 6-digit
    head (prefix + century/sex digit + year), the last household number per commune."""

    next_person_id: int = 1
    next_household_id: int = 1
    id_serials: dict[str, int] = field(default_factory=dict)
    household_seq: dict[int, int] = field(default_factory=dict)


@dataclass
class Chunk:
    communes: list[Commune]
    households: pl.DataFrame  # HOUSEHOLD_COLUMNS without the timestamps
    persons: pl.DataFrame  # PERSON_COLUMNS without the constants and timestamps

    @property
    def n_persons(self) -> int:
        return self.persons.height

    @property
    def n_households(self) -> int:
        return self.households.height


def household_code(commune_code: str, seq: int) -> str:
    return f"{commune_code}-{seq:06d}"


HOUSEHOLD_CODE_PATTERN = r"^\d{5}-\d{6}$"


def _unique_weights(pairs):
    merged: dict[str, float] = {}
    for value, weight in pairs:
        merged[value] = merged.get(value, 0.0) + weight
    return list(merged), list(merged.values())


class Synthesizer:
    """Draws the registry of one province. One instance per run: it carries the positions of
    the counter-based random streams and the `Counters` from one chunk to the next."""

    def __init__(self, *, province_code: str, seed: int, counters: Counters,
                 as_of: date | None = None):
        self.rand = Random(seed)
        self.counters = counters
        # Ages are counted at 1 January, so no birth date lies in the future.
        self.as_of = as_of or date(date.today().year, 1, 1)
        self.province_code = province_code
        self.slot_pos = 0  # household draws consumed so far in this run
        self.person_pos = 0

        south = int(province_code) >= P.SOUTHERN_NAMES_FROM
        pairs = []
        for name, share in N.MAIN_SURNAMES:
            if "|" in name:
                north_form, south_form = name.split("|")
                major = 0.85 if south else 0.9
                first, second = (south_form, north_form) if south else (north_form, south_form)
                pairs += [(first, share * major), (second, share * (1 - major))]
            else:
                pairs.append((name, share))
        rest = 100.0 - sum(w for _, w in pairs)
        zipf = [1 / (i + 1) ** 0.8 for i in range(len(N.OTHER_SURNAMES))]
        pairs += [(s, rest * z / sum(zipf)) for s, z in zip(N.OTHER_SURNAMES, zipf, strict=True)]
        self.surnames = _unique_weights(pairs)

        eth = P.ETHNICITY_BY_PROVINCE.get(province_code, P.DEFAULT_ETHNICITY)
        total = sum(s for _, s in eth)
        self.kinh_share = sum(s for c, s in eth if c == "01") / total
        self.ethnicity = _unique_weights(eth)
        self.minorities = _unique_weights([(c, s) for c, s in eth if c != "01"])

        surnames = set(self.surnames[0]) | {s for p in N.ETHNIC_SURNAMES.values() for s in p}
        middles = {v for v, _, _ in N.MIDDLE_MALE + N.MIDDLE_FEMALE}
        middles |= {v for m, f in N.ETHNIC_MIDDLE.values() for v in m + f}
        givens = {v for v, _, _ in N.GIVEN_MALE + N.GIVEN_FEMALE}
        givens |= {v for m, f in N.ETHNIC_GIVEN.values() for v in m + f}
        for value in surnames | givens:
            assert " " not in value, f"a họ or tên must be one word: {value!r}"
        assert "" not in middles
        self.ho, self.mid, self.ten = Vocab(surnames), Vocab(middles), Vocab(givens)

    # ---- planning --------------------------------------------------------------------------

    def split(self, total: int, communes: list[Commune]) -> list[int]:
        """Persons per commune: uneven, as communes are (a phường of 40,000 beside a xã of
        6,000), summing exactly to `total`."""
        weights = [0.4 + 1.2 * self.rand.python("commune_size", i) for i in range(len(communes))]
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
        return counts

    def _kinh_share(self, i: int) -> float:
        """Minorities cluster: the province's minority share is scaled per commune by a factor
        between about 0.1 and 3 (mean 1), so some communes are mostly minority."""
        minority = 1 - self.kinh_share
        if minority <= 0 or self.kinh_share <= 0:
            return self.kinh_share
        u = self.rand.python("commune_ethnicity", i)
        factor = 0.1 + 2.7 * u * u
        return max(0.03, 1 - min(0.97, minority * factor))

    # ---- one chunk -------------------------------------------------------------------------

    def chunk(self, communes: list[Commune], counts: list[int], commune_index: int = 0) -> Chunk:
        """Households and persons of `communes` (with `counts` persons each). `commune_index`
        is the position of the first of them in the run, for per-commune draws."""
        r = self.rand
        c = self.counters
        as_of = self.as_of
        ci = list(range(len(communes)))
        n_slots = [n * 2 // 5 + 50 for n in counts]
        slot_base = self.slot_pos
        self.slot_pos += sum(n_slots)

        def per_commune(values, dtype):
            return pl.col("cidx").replace_strict(dict(zip(ci, values, strict=True)),
                                                 return_dtype=dtype)

        # -- households: draw generously, keep as many as fill each commune exactly --------
        H = pl.DataFrame({
            "cidx": pl.Series([i for i in ci for _ in range(n_slots[i])], dtype=pl.Int32),
        }).with_columns(slot=pl.int_range(slot_base, slot_base + pl.len(), dtype=pl.Int64))
        H = r.with_uniforms(H, "slot", HOUSEHOLD_TAGS)
        H = H.with_columns(size=pick(U("size"), P.HOUSEHOLD_SIZES,
                                     P.HOUSEHOLD_SIZE_WEIGHTS).cast(pl.Int32))
        H = H.with_columns(target=per_commune(counts, pl.Int64),
                           filled=pl.col("size").cum_sum().over("cidx"))
        short = H.group_by("cidx").agg(pl.col("filled").max(), pl.col("target").first()).filter(
            pl.col("filled") < pl.col("target"))
        assert short.height == 0, "household draws too few; raise the overdraw"
        H = H.filter(pl.col("filled") - pl.col("size") < pl.col("target")).with_columns(
            size=pl.min_horizontal("size", pl.col("target") - pl.col("filled") + pl.col("size"))
        ).drop("target", "filled")

        n_hh = H.height
        first_hh = c.next_household_id
        first_person = c.next_person_id
        H = H.with_columns(
            id=pl.int_range(first_hh, first_hh + pl.len(), dtype=pl.Int64),
            head_id=(pl.col("size").cum_sum() - pl.col("size") + first_person).cast(pl.Int64),
            seq=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("cidx")
            + per_commune([c.household_seq.get(cm.id, 0) for cm in communes], pl.Int64),
            commune_id=per_commune([cm.id for cm in communes], pl.Int64),
            province_id=per_commune([cm.province_id for cm in communes], pl.Int64),
            kinh=per_commune([self._kinh_share(commune_index + i) for i in ci], pl.Float64),
        )
        u = U
        eth = pl.when(u("eth_kinh") < pl.col("kinh")).then(pl.lit("01")).otherwise(
            pick(u("eth"), *self.minorities) if self.minorities[0] else pl.lit("01"))
        H = H.with_columns(eth=eth)
        single = pl.col("size") == 1
        head_age = pl.when(single).then(self._age(u("age_band"), u("age_year"),
                                                  P.SINGLE_AGE_BANDS)).otherwise(
            self._age(u("age_band"), u("age_year"), P.HEAD_AGE_BANDS))
        H = H.with_columns(head_age=head_age)
        old = pl.col("head_age") >= 65
        H = H.with_columns(
            head_sex=pl.when(single).then(
                pl.when(u("head_sex") < pl.when(old).then(0.65).otherwise(0.45))
                .then(pl.lit("F")).otherwise(pl.lit("M"))
            ).otherwise(pl.when(u("head_sex") < 0.74).then(pl.lit("M")).otherwise(pl.lit("F"))),
            has_spouse=(pl.col("size") >= 2) & (
                u("spouse") < pl.when(pl.col("head_age") < 70).then(0.86).otherwise(0.6)),
            # A sum of four uniforms: a rough bell for the age gap (mean 3.5, sd ≈ 3).
            gap=((u("gap1") + u("gap2") + u("gap3") + u("gap4") - 2) * 5.2 + 3.5).floor()
            .cast(pl.Int32),
            spouse_eth=pl.when(u("spouse_eth") < 0.92).then(pl.col("eth"))
            .otherwise(pick(u("spouse_eth2"), *self.ethnicity)),
        )
        H = H.with_columns(
            spouse_sex=pl.when(pl.col("head_sex") == "M").then(pl.lit("F")).otherwise(pl.lit("M")),
            spouse_age=pl.max_horizontal(18, pl.when(pl.col("head_sex") == "M")
                                         .then(pl.col("head_age") - pl.col("gap"))
                                         .otherwise(pl.col("head_age") + pl.col("gap"))),
            head_ho=self._surname(u("head_ho_pool"), u("head_ho"), pl.col("eth")),
            spouse_ho=self._surname(u("spouse_ho_pool"), u("spouse_ho"), pl.col("spouse_eth")),
        )
        spouse_is_wife = pl.col("has_spouse") & (pl.col("spouse_sex") == "F")
        H = H.with_columns(
            mother_age=pl.when(spouse_is_wife).then(pl.col("spouse_age"))
            .when(pl.col("head_sex") == "F").then(pl.col("head_age"))
            .otherwise(pl.col("head_age") - 3),
            father_ho=pl.when(pl.col("has_spouse") & (pl.col("spouse_sex") == "M"))
            .then(pl.col("spouse_ho")).otherwise(pl.col("head_ho")),
            rest=pl.col("size") - 1 - pl.col("has_spouse").cast(pl.Int32),
        )
        H = H.with_columns(
            kind=pl.when((pl.col("head_age") >= 55) & (pl.col("rest") >= 2) & (u("kind") < 0.6))
            .then(pl.lit("three"))
            .when((pl.col("head_age") < 45) & (pl.col("rest") >= 1) & (u("kind") < 0.28))
            .then(pl.lit("parents")).otherwise(pl.lit("nuclear")),
            n_parents=pl.when((pl.col("rest") >= 3) & (u("n_parents") < 0.5)).then(2)
            .otherwise(1),
            adult_age=pl.max_horizontal(
                18, pl.col("mother_age") - 20 - (u("adult_age") * 15).floor().cast(pl.Int32)),
            adult_sex=pl.when(u("adult_sex") < 0.65).then(pl.lit("M")).otherwise(pl.lit("F")),
            parent_age=pl.col("head_age") + 22 + (u("parent_age") * 10).floor().cast(pl.Int32),
        )

        # -- persons: one row per member, head first ------------------------------------------
        members = H.select(
            "id", "cidx", "slot", "eth", "spouse_eth", "head_age", "head_sex", "has_spouse",
            "spouse_sex", "spouse_age", "head_ho", "spouse_ho", "father_ho", "mother_age",
            "kind", "n_parents", "adult_age", "adult_sex", "parent_age", "commune_id",
            "province_id", k=pl.int_ranges(0, "size", dtype=pl.Int32),
        ).explode("k").rename({"id": "household_id"})
        person_base = self.person_pos
        self.person_pos += members.height
        Pp = members.with_columns(
            id=pl.int_range(first_person, first_person + pl.len(), dtype=pl.Int64),
            pos=pl.int_range(person_base, person_base + pl.len(), dtype=pl.Int64),
            j=pl.col("k") - 1 - pl.col("has_spouse").cast(pl.Int32),
        )
        Pp = r.with_uniforms(Pp, "pos", PERSON_TAGS)
        v = U
        k, j, kind = pl.col("k"), pl.col("j"), pl.col("kind")
        is_spouse = pl.col("has_spouse") & (k == 1)
        three, parents = kind == "three", (kind == "parents") & (j < pl.col("n_parents"))
        rel = (
            pl.when(k == 0).then(pl.lit("head"))
            .when(is_spouse).then(pl.lit("spouse"))
            .when(three & (j == 0)).then(pl.lit("child"))
            .when(three & (j == 1)).then(pl.lit("child_in_law"))
            .when(three).then(pl.lit("grandchild"))
            .when(parents).then(pl.lit("parent"))
            .when(pl.col("mother_age") < 19).then(pl.lit("sibling"))
            .otherwise(pl.lit("child"))
        )
        Pp = Pp.with_columns(relationship=rel)
        rel = pl.col("relationship")
        coin = pl.when(v("sex") < 0.512).then(pl.lit("M")).otherwise(pl.lit("F"))
        other = {"M": "F", "F": "M"}
        sex = (
            pl.when(rel == "head").then(pl.col("head_sex"))
            .when(rel == "spouse").then(pl.col("spouse_sex"))
            .when(three & (rel == "child")).then(pl.col("adult_sex"))
            .when(rel == "child_in_law").then(pl.col("adult_sex").replace_strict(other))
            .when(rel == "parent").then(
                pl.when(pl.col("n_parents") == 2)
                .then(pl.when(j == 0).then(pl.lit("M")).otherwise(pl.lit("F")))
                .otherwise(pl.when(v("parent_sex") < 0.6).then(pl.lit("F")).otherwise(pl.lit("M"))))
            .otherwise(coin)
        )
        Pp = Pp.with_columns(sex=sex)
        grandchild = pl.col("adult_age") - 20 - (v("gc_age") * 14).floor().cast(pl.Int32)
        mother = pl.col("mother_age")
        age = (
            pl.when(rel == "head").then(pl.col("head_age"))
            .when(rel == "spouse").then(pl.col("spouse_age"))
            .when(three & (rel == "child")).then(pl.col("adult_age"))
            .when(rel == "child_in_law").then(
                pl.col("adult_age") + ((v("cil_age") - 0.5) * 6).floor().cast(pl.Int32))
            .when(rel == "grandchild").then(
                pl.when(grandchild >= 0).then(grandchild).otherwise(
                    (v("gc_age2") * pl.max_horizontal(1, pl.col("adult_age") - 17))
                    .floor().cast(pl.Int32)))
            .when(rel == "parent").then(
                pl.col("parent_age") + pl.when(pl.col("sex") == "M").then(3).otherwise(0))
            .when(rel == "sibling").then(
                pl.col("head_age") - 6 + (v("sib_age") * 12).floor().cast(pl.Int32))
            .otherwise(
                mother - 18 - (v("child_age") * pl.min_horizontal(24, mother - 17))
                .floor().cast(pl.Int32))
        )
        Pp = Pp.with_columns(age=pl.min_horizontal(104, pl.max_horizontal(0, age)),
                             ethnicity=pl.when(rel == "spouse").then(pl.col("spouse_eth"))
                             .otherwise(pl.col("eth")))
        own_ho = self._surname(v("ho_pool"), v("ho"), pl.col("ethnicity"))
        ho = (
            pl.when(rel == "head").then(pl.col("head_ho"))
            .when(rel == "spouse").then(pl.col("spouse_ho"))
            .when(rel == "sibling").then(pl.col("head_ho"))
            .when(rel == "parent").then(
                pl.when(pl.col("sex") == "M").then(pl.col("head_ho")).otherwise(own_ho))
            .when(rel == "child_in_law").then(own_ho)
            .when(rel == "grandchild").then(
                pl.when(pl.col("adult_sex") == "M").then(pl.col("father_ho")).otherwise(own_ho))
            .otherwise(pl.col("father_ho"))
        )
        Pp = Pp.with_columns(ho=ho, birth_year=as_of.year - 1 - pl.col("age"))
        Pp = Pp.with_columns(**self._names(v))
        Pp = Pp.with_columns(**self._derived())
        Pp = Pp.with_columns(**self._birth(v))
        Pp = Pp.with_columns(**self._misc(v, communes, commune_index))
        Pp = self._ids(Pp, v, communes)

        persons = Pp.select(
            "id", "household_id", "relationship", "ho", "ten_dem", "ten", "full_name",
            "search_name", "sort_key", "birth_date", "birth_date_precision", "sex", "ethnicity",
            "id_number", "phone", "disability_level", "disability_type", "deceased_date",
            "commune_id", "province_id",
        )
        households = self._household_columns(H, communes)
        c.next_person_id += persons.height
        c.next_household_id += n_hh
        for cm, n in zip(communes, H.group_by("cidx", maintain_order=True).len()
                         .sort("cidx").get_column("len").to_list(), strict=True):
            c.household_seq[cm.id] = c.household_seq.get(cm.id, 0) + n
        assert persons.height == sum(counts)
        return Chunk(communes=communes, households=households, persons=persons)

    # ---- pieces ----------------------------------------------------------------------------

    @staticmethod
    def _age(u_band: pl.Expr, u_year: pl.Expr, bands: list[float]) -> pl.Expr:
        band = pick(u_band, list(range(len(bands))), bands).cast(pl.Int32)
        return 20 + 5 * band + (u_year * 5).floor().cast(pl.Int32)

    def _surname(self, u_pool: pl.Expr, u_name: pl.Expr, eth: pl.Expr) -> pl.Expr:
        """A surname number: from the group's own pool for most minority persons."""
        values, weights = self.surnames
        kinh = pick(u_name, self.ho.ids(values), weights)
        pools = self.ho.pools(N.ETHNIC_SURNAMES)
        key = eth.cast(pl.Int32)
        return pl.when((u_pool < 0.8) & key.is_in(list(pools))) \
            .then(pick_in(u_name, key, pools)).otherwise(kinh)

    def _names(self, v) -> dict[str, pl.Expr]:
        male = pl.col("sex") == "M"
        old = pl.col("birth_year") < 1975
        group = male.cast(pl.Int32) * 2 + old.cast(pl.Int32)

        def by_sex_and_era(tag, vocab, male_pool, female_pool):
            pools = []
            for entries in (female_pool, male_pool):
                for era in (1, 0):  # young first: group = 2 * male + old
                    pools.append((vocab.ids(e[0] for e in entries),
                                  [e[1 + era] for e in entries]))
            return pick_grouped(v(tag), group, pools)

        key = pl.col("ethnicity").cast(pl.Int32) * 2 + male.cast(pl.Int32)
        eth_given = {_eth_key(e, s): self.ten.ids(m if s == "M" else f)
                     for e, (m, f) in N.ETHNIC_GIVEN.items() for s in "MF"}
        eth_middle = {_eth_key(e, s): self.mid.ids(m if s == "M" else f)
                      for e, (m, f) in N.ETHNIC_MIDDLE.items() for s in "MF"}
        ten = by_sex_and_era("ten", self.ten, N.GIVEN_MALE, N.GIVEN_FEMALE)
        ten_dem = by_sex_and_era("ten_dem", self.mid, N.MIDDLE_MALE, N.MIDDLE_FEMALE)
        return {
            "ten": pl.when((v("ten_eth") < 0.45) & key.is_in(list(eth_given)))
            .then(pick_in(v("ten_eth2"), key, eth_given)).otherwise(ten),
            "ten_dem": pl.when((v("dem_eth") < 0.7) & key.is_in(list(eth_middle)))
            .then(pick_in(v("dem_eth2"), key, eth_middle)).otherwise(ten_dem),
        }

    def _derived(self) -> dict[str, pl.Expr]:
        """The name parts as text, and full_name, search_name and sort_key exactly as
        Person.refresh_derived() makes them (every part is a clean, non-empty value whose
        fold and sort key were computed once in its Vocab)."""
        ho, td, ten = pl.col("ho"), pl.col("ten_dem"), pl.col("ten")

        def text(series, col):
            return pl.lit(series).gather(col)

        return {
            "ho": text(self.ho.text, ho), "ten_dem": text(self.mid.text, td),
            "ten": text(self.ten.text, ten),
            "full_name": pl.concat_str([text(self.ho.text, ho), text(self.mid.text, td),
                                        text(self.ten.text, ten)], separator=" "),
            "search_name": pl.concat_str([text(self.ho.folded, ho), text(self.mid.folded, td),
                                          text(self.ten.folded, ten)], separator=" "),
            "sort_key": pl.concat_str([text(self.ten.sort, ten), text(self.ho.sort, ho),
                                       text(self.mid.sort, td)], separator=" ").str.slice(0, 250),
        }

    def _birth(self, v) -> dict[str, pl.Expr]:
        year = pl.col("birth_year")
        p = v("precision")
        year_only = pl.when(year < 1950).then(0.35).when(year < 1965).then(0.08).otherwise(0.005)
        month_only = pl.when(year < 1950).then(0.40).when(year < 1965).then(0.10).otherwise(0.008)
        jan1 = pl.date(year, 1, 1)
        days_in_year = (pl.date(year + 1, 1, 1) - jan1).dt.total_days()
        full = jan1 + pl.duration(days=(v("day") * days_in_year).floor().cast(pl.Int64))
        month = pl.date(year, 1 + (v("month") * 12).floor().cast(pl.Int32), 1)
        return {
            "birth_date": pl.when(p < year_only).then(jan1).when(p < month_only).then(month)
            .otherwise(full),
            "birth_date_precision": pl.when(p < year_only).then(pl.lit("Y"))
            .when(p < month_only).then(pl.lit("M")).otherwise(pl.lit("D")),
        }

    def _misc(self, v, communes, commune_index) -> dict[str, pl.Expr]:
        age = pl.col("age")

        def by_age(bands):
            expr = pl.when(age < bands[0][0]).then(bands[0][1] / 100)
            for limit, share in bands[1:]:
                expr = expr.when(age < limit).then(share / 100)
            return expr.otherwise(0.0)

        disabled = v("disabled") < by_age(P.DISABILITY_BY_AGE)
        dead = (v("dead") < by_age(P.DECEASED_BY_AGE)) & (pl.col("relationship") != "head")
        end = pl.lit(self.as_of) - pl.duration(days=1)
        start = pl.max_horizontal(pl.col("birth_date") + pl.duration(days=1),
                                  pl.lit(self.as_of) - pl.duration(days=5 * 365))
        span = pl.max_horizontal(1, (end - start).dt.total_days())
        phone = pl.concat_str([
            pick(v("phone_prefix"), P.PHONE_PREFIXES, [1] * len(P.PHONE_PREFIXES)),
            (v("phone_number") * 10_000_000).floor().cast(pl.Int64).cast(pl.String)
            .str.zfill(7),
        ])
        return {
            "disability_level": pl.when(disabled).then(
                pick(v("dis_level"), *_unique_weights(P.DISABILITY_LEVELS))).otherwise(pl.lit("")),
            "disability_type": pl.when(disabled).then(
                pick(v("dis_type"), *_unique_weights(P.DISABILITY_TYPES))).otherwise(pl.lit("")),
            "deceased_date": pl.when(dead).then(
                (start + pl.duration(days=(v("dead_day") * span).floor().cast(pl.Int64)))
                .cast(pl.String)),
            "phone": pl.when((age >= 18) & (age <= 80)
                             & (v("has_phone") < P.PHONE_SHARE_ADULTS / 100))
            .then(phone).otherwise(pl.lit("")),
        }

    def _ids(self, Pp: pl.DataFrame, v, communes) -> pl.DataFrame:
        """12-digit IDs: birth-province prefix (mostly the commune's own pre-2025 province),
        century/sex digit, year, then a serial that continues after the highest one already
        used under the same first six digits."""
        others = sorted(BIRTH_PROVINCE_PREFIXES)
        own = pl.col("cidx").replace_strict({i: cm.prefix for i, cm in enumerate(communes)},
                                            return_dtype=pl.String)
        year = pl.col("birth_year")
        digit = ((year - 1900) // 100) * 2 + (pl.col("sex") == "F").cast(pl.Int32)
        Pp = Pp.with_columns(
            id_head=pl.concat_str([
                pl.when(v("id_own") < 0.92).then(own)
                .otherwise(pick(v("id_other"), others, [1] * len(others))),
                digit.cast(pl.String), (year % 100).cast(pl.String).str.zfill(2),
            ]),
            id_missing=v("id_missing") < P.MISSING_ID_SHARE / 100,
            gap=1 + (v("id_gap") * 9).floor().cast(pl.Int64),
        )
        serials = self.counters.id_serials
        heads = Pp.get_column("id_head").unique().to_list()
        base = {h: serials.get(h, 0) for h in heads}
        Pp = Pp.with_columns(
            serial=pl.when(~pl.col("id_missing")).then(pl.col("gap")).otherwise(0)
            .cum_sum().over("id_head")
            + pl.col("id_head").replace_strict(base, return_dtype=pl.Int64)
        )
        top = Pp.select("id_head", "serial", "id_missing").filter(~pl.col("id_missing")) \
            .group_by("id_head").agg(pl.col("serial").max())
        serials.update(dict(zip(top["id_head"].to_list(), top["serial"].to_list(), strict=True)))
        return Pp.with_columns(
            id_number=pl.when(~pl.col("id_missing") & (pl.col("serial") <= 999_999))
            .then(pl.concat_str([pl.col("id_head"), pl.col("serial").cast(pl.String)
                                 .str.zfill(6)])),
            birth_date=pl.col("birth_date").cast(pl.String),
        )

    def _household_columns(self, H: pl.DataFrame, communes) -> pl.DataFrame:
        u = U
        k = self.kinh_share
        denom = k + P.MINORITY_POVERTY_FACTOR * (1 - k)
        factor = pl.when(pl.col("eth") == "01").then(1.0).otherwise(P.MINORITY_POVERTY_FACTOR)
        poor = P.POOR_SHARE / 100 / denom * factor
        near = (P.POOR_SHARE + P.NEAR_POOR_SHARE) / 100 / denom * factor
        code = pl.col("cidx").replace_strict({i: cm.code for i, cm in enumerate(communes)},
                                             return_dtype=pl.String)
        street = pl.col("cidx").replace_strict(
            {i: cm.kind == "phường" for i, cm in enumerate(communes)}, return_dtype=pl.Boolean)
        hamlets = pl.max_horizontal(5, pl.min_horizontal(40, pl.len().over("cidx") // 150))
        hamlet = (1 + (u("hamlet") * hamlets).floor().cast(pl.Int64)).cast(pl.String)
        house = (1 + (u("house") * 180).floor().cast(pl.Int64)).cast(pl.String)
        p = u("poverty")
        status = pl.when(p < poor).then(pl.lit("poor")).when(p < near).then(pl.lit("near_poor")) \
            .otherwise(pl.lit(""))
        return H.select(
            "id",
            code=pl.concat_str([code, pl.lit("-"), pl.col("seq").cast(pl.String).str.zfill(6)]),
            address=pl.when(street & (u("has_house") < 0.5))
            .then(pl.concat_str([pl.lit("Số "), house, pl.lit(", Tổ dân phố "), hamlet]))
            .when(street).then(pl.concat_str([pl.lit("Tổ dân phố "), hamlet]))
            .otherwise(pl.concat_str([pl.lit("Thôn "), hamlet])),
            commune_id="commune_id", province_id="province_id",
            poverty_status=status,
            poverty_year=pl.when(status != "").then(self.as_of.year).cast(pl.Int64),
            head_id="head_id",
        )
