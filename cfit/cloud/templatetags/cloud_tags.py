from __future__ import annotations

from django import template

from cfit.cloud.present import month_label
from cfit.joining.countries import country_name

register = template.Library()


@register.filter
def month(value: str) -> str:
    """``{{ usage.first_month|month }}``: "2024-09" as the reader's language writes the month."""
    return month_label(value)


@register.filter
def country(code: str) -> str:
    """``{{ region.country|country }}``: a region's country as the reader's language names it (the
    stored result and the downloads keep the ISO code); "" stays ""."""
    return country_name(code) if code else ""
