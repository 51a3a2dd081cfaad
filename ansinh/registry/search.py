"""Whole-word name search, and the order in which its results are read.

A name matches when every folded query word is one of its words: `nguyen van dung` finds
`Nguyễn Văn Dũng`, `dang` finds `Đặng`, `dung` does not find `Dũng` inside `Dũngg`.

Results are listed in Vietnamese order (`sort_key`, which starts with the tên). On PostgreSQL
there are two ways to get the first page, and picking the wrong one costs seconds on a
million rows:
- walk the `sort_key` index and keep matching rows — cheap when the rarest query word is
  common *and spread over all tên*, like a họ or tên đệm (`nguyen`, `thi`, `van`);
- fetch the matches through the word index and sort them — cheap when a word is rare, and
  the only sane way when matches cluster in one stretch of the order (a tên such as `hung`
  sits in one stretch of `sort_key`, so the walk would read half the table first).
The planner cannot see clustering, so the choice is made here from ANALYZE's per-word
frequencies of the word index: the walk only for words above WALK_MIN_FREQUENCY.
"""

import time

from django.db import connection
from django.db.models import BooleanField, F, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

WALK_MIN_FREQUENCY = 0.08
_STATS_TTL = 600.0
_stats: dict = {"at": 0.0, "freq": {}}


def word_filter(qs: QuerySet, words: list[str]) -> QuerySet:
    if not words:
        return qs
    if connection.vendor == "postgresql":
        # Matches the expression of the `person_words` GIN index exactly.
        return qs.filter(RawSQL(
            "string_to_array(registry_person.search_name, ' ') @> %s::text[]",
            (list(words),), output_field=BooleanField(),
        ))
    padded = Concat(Value(" "), F("search_name"), Value(" "))
    qs = qs.annotate(_padded_name=padded)
    for word in words:
        qs = qs.filter(_padded_name__contains=f" {word} ")
    return qs


def word_frequencies() -> dict[str, float]:
    """Share of persons having each common word, from ANALYZE (refreshed every 10 minutes)."""
    now = time.monotonic()
    if now - _stats["at"] < _STATS_TTL:
        return _stats["freq"]
    freq: dict[str, float] = {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs "
            "FROM pg_stats WHERE tablename = 'person_words'"
        )
        row = cur.fetchone()
    if row and row[0]:
        freq = dict(zip(row[0], row[1], strict=False))
    _stats.update(at=now, freq=freq)
    return freq


def order_for_list(qs: QuerySet, words: list[str]) -> QuerySet:
    """Vietnamese order, served the cheap way for this query (see the module docstring)."""
    if connection.vendor != "postgresql" or not words:
        return qs.order_by("sort_key", "pk")
    freq = word_frequencies()
    rarest = min(freq.get(w, 0.0) for w in words)
    if rarest >= WALK_MIN_FREQUENCY:
        return qs.order_by("sort_key", "pk")
    # `sort_key || ''` sorts the same (same collation) but no index can serve it, so the
    # planner fetches the matches through the word index and sorts them.
    return qs.order_by(Concat(F("sort_key"), Value("")), "pk")


def reset_statistics_cache() -> None:
    _stats.update(at=0.0, freq={})



