"""A paginator that never counts a million rows.

Each page fetches `per_page + 1` rows to know whether a next page exists. The total is counted
only up to `count_cap` rows (a bounded `COUNT(*)` over a `LIMIT` subquery), and not at all when
the first page holds everything; above the cap the page says "more than 10.000" and still
offers "next". A name search counts on its key index alone (registry.search.PersonQuerySet).
Deep pages cost an OFFSET, which is acceptable for lists people read; exports and reports do
not page.
"""

from dataclasses import dataclass

PER_PAGE = 50
COUNT_CAP = 10_000
MAX_PAGE = 100_000


@dataclass
class Page:
    object_list: list
    number: int
    per_page: int
    has_next: bool
    total: int | None  # None: more than `cap`
    cap: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def num_pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.per_page))


def page_number(raw) -> int:
    try:
        return min(max(int(raw), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def paginate(qs, number, *, per_page: int = PER_PAGE, count_cap: int = COUNT_CAP) -> Page:
    number = page_number(number)
    offset = (number - 1) * per_page
    rows = list(qs[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if number == 1 and not has_next:
        total = len(rows)
    else:
        counted = qs.order_by()[: count_cap + 1].count()
        total = counted if counted <= count_cap else None
    return Page(rows, number, per_page, has_next, total, count_cap)
