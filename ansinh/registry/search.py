"""Whole-word name search, and the order in which its results are read.

A name matches when every folded query word is one of its words: `nguyen van dung` finds
`Nguyễn Văn Dũng`, `dang` finds `Đặng`, `dung` does not find `Dũng` inside `Dũngg`. A birth
filter (a day, a month or a year) narrows it. Results are listed in Vietnamese order
(`sort_key`, which starts with the tên, then the id) on every database.

SQLite (a commune, a demo): the folded name is matched with `LIKE '% word %'` and the matches
are sorted; the data is small.

PostgreSQL (up to a country): through `registry_searchkey` (models.SearchKey), one row per
person and key — each distinct word of the name, and `#yyyy` for the year of birth — indexed
on (word, sort_key, person_id) with the area, the birth date and the whole folded name
included. A search picks its rarest key (from ANALYZE's frequencies) and reads that key's
range of the index in order: each entry says whether the person is in the user's area and has
the other words and the birth date asked for, without a visit to `registry_person`. The first
page stops after 51 hits, whatever the key — a given name such as `hung`, whose persons sit in
one stretch of `sort_key`, costs the same as `nguyen`, spread over all of it. The capped count
reads the same range and nothing else (`PersonQuerySet.count`). The range of the rarest key
bounds the work of a search whose hits are few.

A commune officer — most users, searching their own residents — reads a second order of the
same keys, (commune, word, sort_key, person_id) (migration 0006): only her commune's entries
of the key, still in Vietnamese order, for the page and for the count alike; the planner
picks it from the `commune_id = …` condition her scope adds. A province officer's search
still reads the key's range across all areas and skips the other provinces' entries: keyed
by province (partitions, or a province-leading index) is the step for a country-sized
registry.
"""

import time
from datetime import date
from functools import reduce
from operator import or_

from django.db import connection, connections
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains

KEY_TABLE = "registry_searchkey"
# The order of the key index: the same rows in the same order as ("sort_key", "pk") — the
# key row's sort_key is the person's, packed in a way that keeps its order (migration 0005).
KEY_ORDER = ("search_keys__sort_key", "search_keys__person_id")
_VIETNAMESE_ORDER = {("sort_key", "pk"), ("sort_key", "id"), ("sort_key",)}
_STATS_TTL = 600.0
# "at" is None until the first read: time.monotonic() counts from the machine's boot, so a
# zero would pass for "read moments ago" during the first ten minutes after a restart.
_stats: dict = {"at": None, "freq": {}}


def year_key(year: int) -> str:
    """The key of a birth year. `#` never occurs in a folded name, so it is no word."""
    return f"#{year}"


class PersonQuerySet(QuerySet):
    """Persons, remembering what a name search needs to be cheap on PostgreSQL.

    - `_area`: the area scope `registry.selectors.persons_for` restricted the rows to, with the
      WHERE clause it produced; a search scopes the key index the same way, and only while
      no other filter has been added.
    - `_keyed`: the rows come from a key search, joined to their key row; the Vietnamese
      order is that of the key index.
    - `_keys`: the same search on `SearchKey` alone, for `count()`, with the WHERE clause it
      stands for: a filter added later makes it stale, and the count then runs on the
      persons as usual.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._area = None
        self._keyed = False
        self._keys = None

    def _clone(self):
        clone = super()._clone()
        clone._area = self._area
        clone._keyed = self._keyed
        clone._keys = self._keys
        return clone

    def scoped(self, scope) -> "PersonQuerySet":
        clone = self._chain()
        clone._area = (scope, clone.query.where)
        return clone

    def area_scope(self):
        """The area scope of these rows if nothing but that scope filters them, else None."""
        if not self.query.where:
            from ansinh.access.scoping import Scope

            return Scope(national=True)
        if self._area and self._unchanged_since(self._area[1]):
            return self._area[0]
        return None

    def _unchanged_since(self, where) -> bool:
        q = self.query
        return (q.where == where and not q.combinator and not q.extra
                and not q.annotations)

    def order_by(self, *field_names):
        # Callers that ask for the Vietnamese order after a key search get it from the key
        # index; ordered by the person's own column, the rows would be fetched and sorted.
        if self._keyed and tuple(field_names) in _VIETNAMESE_ORDER:
            field_names = KEY_ORDER
        return super().order_by(*field_names)

    def counted(self) -> QuerySet:
        """The queryset `count()` runs: the key search alone when it still stands for these
        rows, else these rows."""
        if (self._keys is not None and self._result_cache is None
                and not self.query.is_empty() and self._unchanged_since(self._keys[1])):
            return self._keys[0]
        return self

    def count_sql(self) -> tuple[str, list] | None:
        """The statement `count()` runs on the key index alone (capped like the slice), or
        None when the count runs on the persons."""
        keys = self.counted()
        if keys is self:
            return None
        high = self.query.high_mark
        # Only person_id: every key index holds it, so any of them can answer index-only.
        rows = keys.order_by().values_list("person_id")
        sql, params = (rows[:high] if high is not None else rows).query.sql_with_params()
        return f"SELECT count(*) FROM ({sql}) AS hits", list(params)

    def count(self) -> int:
        statement = self.count_sql()
        if statement is None:
            return super().count()
        # A bare COUNT over the key rows, without the aggregation machinery of
        # QuerySet.count(): this runs for every page of results.
        with connections[self.db].cursor() as cursor:
            cursor.execute(*statement)
            n = cursor.fetchone()[0]
        return max(0, n - self.query.low_mark)


# ---- the search -------------------------------------------------------------------------------

def word_filter(qs: QuerySet, words: list[str], prefix: str = "") -> QuerySet:
    """Rows whose folded name (`<prefix>search_name`) has every word, without an index."""
    if not words:
        return qs
    padded = Concat(Value(" "), F(f"{prefix}search_name"), Value(" "))
    return qs.filter(*(Contains(padded, f" {word} ") for word in words))


def matching(qs: QuerySet, words: list[str], birth: tuple[date, date] | None = None, *,
             commune_id: int | None = None, scope=None) -> QuerySet:
    """Persons of `qs` having every word and born in `birth` [start, end), in Vietnamese
    order. `scope`: if known, the area scope that alone restricts `qs` (but for `commune_id`,
    passed here too) — the key search then applies it to the key rows instead, and counts on
    the key index alone."""
    keys = list(dict.fromkeys(words))
    if birth:
        keys.append(year_key(birth[0].year))
    if connection.vendor != "postgresql" or not keys or qs.query.is_empty():
        qs = word_filter(qs, words)
        if birth:
            qs = qs.filter(birth_date__gte=birth[0], birth_date__lt=birth[1])
        return qs.order_by("sort_key", "pk")
    from .models import SearchKey

    freq = key_frequencies()
    driver = min(keys, key=lambda k: freq.get(k, 0.0))
    conditions = [Q(word=driver)]
    conditions += [Q(words__contains=f" {w} ") for w in dict.fromkeys(words) if w != driver]
    if birth:
        conditions.append(Q(birth_date__gte=birth[0], birth_date__lt=birth[1]))
    if commune_id:
        conditions.append(Q(commune_id=commune_id))
    if scope is not None:
        # The key row carries the person's area: scope it there, and only there. The same
        # condition on both tables would be counted twice by the planner, which then expects
        # almost no rows and picks plans (parallel workers, full sorts) made for that.
        if not scope.national:
            conditions.append(_scope_q(scope))
        qs = qs.all()
        qs.query.clear_where()
    on_keys = reduce(lambda a, b: a & b, conditions)
    # One filter() call, so that every condition applies to the same joined key row.
    qs = qs.filter(_prefixed(on_keys, "search_keys__")).order_by(*KEY_ORDER)
    qs._keyed = True
    if scope is not None:
        qs._keys = (SearchKey.objects.filter(on_keys), qs.query.where)
    return qs


def words_q(words: list[str], prefix: str = "") -> Q:
    """A condition on `<prefix>id` (a person, or the head of a household) having every word,
    for filters that need no order."""
    if connection.vendor != "postgresql":
        padded = Concat(Value(" "), F(f"{prefix}search_name"), Value(" "))
        return reduce(lambda a, b: a & b, (Q(Contains(padded, f" {w} ")) for w in words))
    from .models import SearchKey

    freq = key_frequencies()
    driver = min(words, key=lambda k: freq.get(k, 0.0))
    hits = SearchKey.objects.filter(word=driver)
    for w in words:
        if w != driver:
            hits = hits.filter(words__contains=f" {w} ")
    return Q(**{f"{prefix}id__in": hits.values("person_id")})


def _scope_q(scope) -> Q:
    parts = []
    if scope.communes:
        parts.append(Q(commune_id__in=sorted(scope.communes)))
    if scope.provinces:
        parts.append(Q(province_id__in=sorted(scope.provinces)))
    return reduce(or_, parts)


def _prefixed(q: Q, prefix: str) -> Q:
    """The same condition on a related model: `Q(word=…)` → `Q(<prefix>word=…)`."""
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    clone.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in q.children
    ]
    return clone


# ---- how common each key is -------------------------------------------------------------------

def key_frequencies() -> dict[str, float]:
    """Share of key rows holding each common key, from ANALYZE (refreshed every 10 minutes).
    Keys missing from the list are rarer than any on it."""
    now = time.monotonic()
    if _stats["at"] is not None and now - _stats["at"] < _STATS_TTL:
        return _stats["freq"]
    freq: dict[str, float] = {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
            "WHERE tablename = %s AND attname = 'word'", [KEY_TABLE]
        )
        row = cur.fetchone()
    if row and row[0]:
        freq = dict(zip(row[0], row[1], strict=False))
    _stats.update(at=now, freq=freq)
    return freq


def reset_statistics_cache() -> None:
    _stats.update(at=None, freq={})


# ---- bulk loads ------------------------------------------------------------------------------

# The triggers of migration 0005 that keep the keys in step with each write.
KEY_TRIGGERS = ("registry_person_keys_insert", "registry_person_keys_update",
                "registry_person_keys_delete")
# The columns of the key table, in its order: a bulk loader writes them with COPY.
KEY_COLUMNS = ("person_id", "commune_id", "province_id", "birth_date", "word", "sort_key",
               "words")


def bulk_keys_suspend(cursor) -> tuple[list[str], bool]:
    """Before a bulk load of persons (PostgreSQL, inside its transaction): stop the triggers
    and drop the key indexes; the loader writes the keys of its persons itself.

    Returns the statements that rebuild the indexes, and whether the table was empty — it is
    then truncated in this transaction, which lets the loader COPY … FREEZE: rows written
    frozen and all-visible, ready for index-only reads without a VACUUM."""
    for trigger in KEY_TRIGGERS:
        cursor.execute(f"ALTER TABLE registry_person DISABLE TRIGGER {trigger}")
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass ORDER BY 1", [KEY_TABLE]
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {KEY_TABLE})")
    empty = cursor.fetchone()[0]
    if empty:
        cursor.execute(f"TRUNCATE {KEY_TABLE}")
    return [definition for _name, definition in indexes], empty


def bulk_keys_resume(cursor, indexes: list[str]) -> None:
    """After the loader wrote the keys: the indexes, then the triggers again."""
    for statement in indexes:
        cursor.execute(statement)
    for trigger in KEY_TRIGGERS:
        cursor.execute(f"ALTER TABLE registry_person ENABLE TRIGGER {trigger}")
