"""Reads of the registry: scoped lists and the search a commune officer uses all day."""

import re
from datetime import date

from django.db.models import Q, QuerySet

from ansinh.access.scoping import restrict, scope_for
from ansinh.core.dates import InvalidDate, parse_partial_date
from ansinh.core.identity import normalise_id_number
from ansinh.core.text import fold

from . import search
from .models import Household, Person

_DIGITS = re.compile(r"^\d{6,12}$")


def persons_for(user, action: str = "view") -> QuerySet[Person]:
    # Remember the scope, so that a name search can scope its key index the same way.
    return restrict(Person.objects.all(), user, action).scoped(scope_for(user, action))


def households_for(user, action: str = "view") -> QuerySet[Household]:
    return restrict(Household.objects.all(), user, action)


# The columns a list of persons shows (name, birth, sex, ID, household, commune, deceased):
# list pages read only these. Timestamps, documents and notes of 51 rows, converted and
# decoded for nothing, were a fifth of the Python of a search under load.
PERSON_LIST_FIELDS = ("full_name", "birth_date", "birth_date_precision", "sex", "id_number",
                      "deceased_date", "household", "commune")


def person_search(
    qs: QuerySet[Person], *, q: str = "", birth: str = "", household: str = "",
    commune_id: int | None = None, sex: str = "", deceased: bool | None = None,
) -> QuerySet[Person]:
    """Search by ID number, by name without diacritics, by date of birth and by household.

    - 12 digits (or 9–11 that lost their leading zeros): the ID number, exactly.
    - text: every folded query word must be a word of the folded full name, so
      `nguyen dung` finds `Nguyễn Văn Dũng` and `dang` finds `Đặng` (see registry.search).
    - birth: dd/mm/yyyy, mm/yyyy or yyyy.

    The result comes in Vietnamese list order (sort_key, id), served the cheap way for the
    query. Callers slice it; asking for `order_by("sort_key", "pk")` again keeps that way,
    any other order gives up the search index.
    """
    q = (q or "").strip()
    # Read before any filter of ours: the area scope `qs` carries, if it is only that.
    scope = qs.area_scope() if isinstance(qs, search.PersonQuerySet) else None
    words: list[str] = []
    by_id = False
    if q:
        number = normalise_id_number(q)
        by_id = bool(_DIGITS.match(q.replace(" ", ""))) and len(number) == 12
        if by_id:
            qs = qs.filter(id_number=number)
        else:
            words = fold(q).split()
    born = parse_birth_filter(birth) if birth else None
    if household:
        qs = qs.filter(household__code=household.strip())
        scope = None
    if commune_id:
        qs = qs.filter(commune_id=commune_id)
    if sex in ("M", "F"):
        qs = qs.filter(sex=sex)
        scope = None
    if deceased is not None:
        qs = qs.filter(deceased_date__isnull=not deceased)
        scope = None
    if by_id or not (words or born):
        if born:
            qs = qs.filter(birth_date__gte=born[0], birth_date__lt=born[1])
        return qs.order_by("sort_key", "pk")
    return search.matching(qs, words, born, commune_id=commune_id, scope=scope)


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
        code = Q(code__iexact=q) | Q(code__startswith=q)
        # The head's name by whole words, as the person search matches names.
        words = fold(q).split()
        qs = qs.filter(code | search.words_q(words, "head__") if words else code)
    if poverty:
        qs = qs.filter(poverty_status=poverty)
    if commune_id:
        qs = qs.filter(commune_id=commune_id)
    return qs
