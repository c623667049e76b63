"""A label and its value as the reader's language joins them: "Seuil : Oui" in French (a space before
the colon), "Drempel: Ja" in Dutch. A page never glues a label, ": " and a value itself.

In templates (``{% load labels %}``)::

    {% labelled _("Threshold") %}<strong>{{ criterion.get_threshold_origin_display }}</strong>{% endlabelled %}

The label is escaped; the value is what the block renders (escaped as any template output).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _pattern() -> str:
    # The catalogues already write this message in every language (French "%(column)s : %(message)s")
    # for a register's problems, which have the same shape: a label, then what it says.
    return gettext("%(column)s: %(message)s")


def label_text(label: Any, value: Any) -> str:
    """``label: value`` in the active language, as plain text (a form's label, a message)."""
    return _pattern() % {"column": label, "message": value}


def label_value(label: Any, value: Any) -> SafeString:
    """``label: value`` in the active language, as HTML: both escaped unless already safe."""
    pattern = conditional_escape(_pattern())
    return mark_safe(pattern % {"column": conditional_escape(label), "message": conditional_escape(value)})


class LabelledNode(template.Node):
    def __init__(self, label: FilterExpression, nodelist: NodeList) -> None:
        self.label = label
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        return label_value(self.label.resolve(context), self.nodelist.render(context))


@register.tag("labelled")
def labelled(parser: Parser, token: Token) -> LabelledNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one label, e.g. {{% labelled _('Threshold') %}}")
    nodelist = parser.parse(("endlabelled",))
    parser.delete_first_token()
    return LabelledNode(parser.compile_filter(bits[1]), nodelist)
