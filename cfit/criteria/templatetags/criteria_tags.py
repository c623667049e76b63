from django import template

from cfit.criteria.content import is_web_address
from cfit.criteria.models import Criterion, translated

register = template.Library()


@register.filter
def tr(texts: dict[str, str] | None) -> str:
    """A {language: text} field in the active language (English as fallback)."""
    return translated(texts)


@register.filter
def rendered(criterion: Criterion, field: str) -> str:
    """``{{ criterion|rendered:"text" }}``: a criterion text in the active language with its
    references to requirements replaced by their values (never a raw ``{{...}}``)."""
    return criterion.rendered(field)


@register.filter
def web_address(value: object) -> str:
    """The value if it is an http(s) address, else "": render links as ``{% with href=x|web_address %}``.

    Defence in depth for stored links: imports refuse other schemes, and a link that slipped in before
    (or through another path) still never becomes a ``javascript:`` or ``data:`` link on a page.
    """
    address = str(value or "").strip()
    return address if is_web_address(address) else ""
