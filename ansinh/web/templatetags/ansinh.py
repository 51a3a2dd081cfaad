from datetime import date, datetime

from django import template
from django.utils import timezone

from ansinh.core.money_words import group_thousands
from ansinh.web import labels

register = template.Library()


@register.filter
def num(value):
    """1250000 → '1.250.000' in Vietnamese, '1,250,000' in English."""
    if value is None or value == "":
        return ""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    return group_thousands(number)


@register.filter
def dmy(value):
    """Dates as dd/mm/yyyy, date-times as dd/mm/yyyy HH:MM in local time."""
    if not value:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


@register.simple_tag
def choice(field, value):
    return labels.choice_label(field, value)


@register.simple_tag
def label(field):
    return labels.field_label(field)


@register.filter
def action_label(value):
    return labels.action_label(value)


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters replaced: `?{% query page=2 %}`."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
