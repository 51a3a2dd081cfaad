"""Reads of the registry: scoped lists and the search a commune officer uses all day."""

import re
from datetime import date

from django.db.models import Q, QuerySet

from ansinh.access.scoping import restrict
from ansinh.core.dates import InvalidDate, parse_partial_date
from ansinh.core.identity import normalise_id_number
from ansinh.core.text import fold

from .models import Household, Person
from .search import order_for_list, word_filter

_DIGITS = re.compile(r"^\d{6,12}$")


def persons_for(user, action: str = "view") -> QuerySet[Person]:
    return restrict(Person.objects.all(), user, action)


def households_for(user, action: str = "view") -> QuerySet[Household]:
    return restrict(Household.objects.all(), user, action)


def person_search(
    qs: QuerySet[Person], *, q: str = "", birth: str = "", household: str = "",
    commune_id: int | None = None, sex: str = "", deceased: bool | None = None,
) -> QuerySet[Person]:
    """Search by ID number, by name without diacritics, by date of birth and by household.

    - 12 digits (or 9–11 that lost their leading zeros): the ID number, exactly.
    - text: every folded query word must be a word of the folded full name, so
      `nguyen dung` finds `Nguyễn Văn Dũng` and `dang` finds `Đặng` (see registry.search).
    - birth: dd/mm/yyyy, mm/yyyy or yyyy.

    The result comes in Vietnamese list order, in the way that is cheap for this query;
    callers slice it and must not re-order it.
    """
    q = (q or "").strip()
    words: list[str] = []
    if q:
        number = normalise_id_number(q)
        if _DIGITS.match(q.replace(" ", "")) and len(number) == 12:
            qs = qs.filter(id_number=number)
        else:
            words = fold(q).split()
            qs = word_filter(qs, words)
    if birth:
        parsed = parse_birth_filter(birth)
        if parsed:
            start, end = parsed
            qs = qs.filter(birth_date__gte=start, birth_date__lt=end)
    if household:
        qs = qs.filter(household__code=household.strip())
    if commune_id:
        qs = qs.filter(commune_id=commune_id)
    if sex in ("M", "F"):
        qs = qs.filter(sex=sex)
    if deceased is not None:
        qs = qs.filter(deceased_date__isnull=not deceased)
    return order_for_list(qs, words)


def parse_birth_filter(text: str) -> tuple[date, date] | None:
    """'05/03/1945' → that day; '03/1945' → that month; '1945' → that year (half-open range)."""
    try:
        parsed = parse_partial_date(text)
    except InvalidDate:
        return None
    if parsed is None:
        return None
    d = parsed.value
    if parsed.precision == "Y":
        return d, date(d.year + 1, 1, 1)
    if parsed.precision == "M":
        return d, date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return d, date.fromordinal(d.toordinal() + 1)


def household_search(qs: QuerySet[Household], *, q: str = "", poverty: str = "",
                     commune_id: int | None = None) -> QuerySet[Household]:
    q = (q or "").strip()
    if q:
        words = fold(q)
        qs = qs.filter(
            Q(code__iexact=q) | Q(code__startswith=q) | Q(head__search_name__contains=words)
        )
    if poverty:
        qs = qs.filter(poverty_status=poverty)
    if commune_id:
        qs = qs.filter(commune_id=commune_id)
    return qs
