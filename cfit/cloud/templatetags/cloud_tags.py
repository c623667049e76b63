from __future__ import annotations

from django import template

from cfit.cloud.present import month_label

register = template.Library()


@register.filter
def month(value: str) -> str:
    """``{{ usage.first_month|month }}``: "2024-09" as the reader's language writes the month."""
    return month_label(value)
