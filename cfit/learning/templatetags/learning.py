"""``{% guides_explaining criterion as guides %}``: the published guides that explain a criterion, for
the criterion page of the library (one include, no change to its view)."""

from __future__ import annotations

from django import template

from cfit.learning.models import Guide, GuideVersion

register = template.Library()


@register.simple_tag
def guides_explaining(criterion_code: str, language: str = "en") -> list[tuple[Guide, str]]:
    guides = (
        Guide.objects.explaining(criterion_code)
        .filter(versions__status=GuideVersion.Status.PUBLISHED)
        .distinct()
        .order_by("slug")
    )
    shown = []
    for guide in guides:
        current = guide.current
        if current is not None:
            shown.append((guide, current.text("title", language)))
    return shown
