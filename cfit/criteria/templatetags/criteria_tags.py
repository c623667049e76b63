from django import template

from cfit.criteria.models import translated

register = template.Library()


@register.filter
def tr(texts: dict[str, str] | None) -> str:
    """A {language: text} field in the active language (English as fallback)."""
    return translated(texts)
