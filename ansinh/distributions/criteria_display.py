"""The criteria of a cycle as a sentence in the active language, built from pieces marked for
translation. The pages and the services' messages show it in the reader's language;
`services.criteria_text` asks for it in Vietnamese, for the API."""

from __future__ import annotations

from functools import reduce

from django.utils.translation import pgettext, pgettext_lazy

from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import Poverty

from .choices import SENSITIVE_BASES, Basis

# The choice labels in lower case, as they stand inside the sentence.
POVERTY_WORDS = {
    Poverty.POOR: pgettext_lazy("criteria", "hộ nghèo"),
    Poverty.NEAR_POOR: pgettext_lazy("criteria", "hộ cận nghèo"),
}
GROUP_WORDS = {
    Basis.ORPHAN: pgettext_lazy("criteria", "trẻ em mồ côi, không nguồn nuôi dưỡng"),
    Basis.ELDERLY_ALONE: pgettext_lazy("criteria", "người cao tuổi cô đơn"),
    Basis.DISABILITY: pgettext_lazy("criteria", "người khuyết tật nặng"),
}
# What a protected group is called to a reader without `sensitive`.
PROTECTED_WORDS = pgettext_lazy("criteria", "đối tượng bảo trợ xã hội")


def _either(words: list[str]) -> str:
    return reduce(lambda left, right: pgettext("criteria", "%(left)s hoặc %(right)s")
                  % {"left": left, "right": right}, words)


def _word(table: dict, choices, value: str) -> str:
    # A value added to the choices after this table still reads, untranslated.
    return str(table.get(value) or choices(value).label.lower())


def criteria_display(criteria: dict, *, reveal: bool = True) -> str:
    """The criteria in words. Without `reveal`, protected groups are named only as a group
    of social assistance (see services.criteria_text)."""
    parts = []
    if criteria.get("poverty"):
        parts.append(_either([_word(POVERTY_WORDS, Poverty, p) for p in criteria["poverty"]]))
    if criteria.get("groups"):
        groups = [_word(GROUP_WORDS, Basis, g) if reveal or g not in SENSITIVE_BASES
                  else str(PROTECTED_WORDS) for g in criteria["groups"]]
        parts.append(_either(list(dict.fromkeys(groups))))
    if criteria.get("communes"):
        names = AdminUnit.objects.communes().filter(code__in=criteria["communes"]).values_list(
            "name", flat=True)
        parts.append(pgettext("criteria", "cư trú tại %(communes)s")
                     % {"communes": ", ".join(sorted(names))})
    lo, hi = criteria.get("age_min"), criteria.get("age_max")
    if lo is not None and hi is not None:
        parts.append(pgettext("criteria", "từ %(min)s đến %(max)s tuổi") % {"min": lo, "max": hi})
    elif lo is not None:
        parts.append(pgettext("criteria", "từ %(min)s tuổi") % {"min": lo})
    elif hi is not None:
        parts.append(pgettext("criteria", "không quá %(max)s tuổi") % {"max": hi})
    return "; ".join(parts) or pgettext("criteria", "mọi người trên địa bàn")
