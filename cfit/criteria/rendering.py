"""Criterion texts as people read them: every reference to a requirement replaced by its value.

Texts refer to requirements (``{{nb-battery-cycles-b.cycles|min}} full charge cycles``, see
``content.REFERENCE``) so that a threshold is written once, in the requirement, and five languages
cannot disagree with it. Every page, document and export made for people renders its texts here;
the framework files, the edit form and the exchange files made for re-import keep the references.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils import translation
from django.utils.formats import get_format

from cfit.criteria import content
from cfit.criteria.wording import HasThreshold, number, threshold_text


class DanglingReference(ValueError):
    """Raised if a text refers to a requirement (or a bound) the criterion does not have.

    The loader, the edit form and the imports refuse such a text, so this names a text that came
    in another way.
    """


def localised_number(value: float, language: str) -> str:
    """A bare threshold as the language writes it: 1.95 in English, 1,95 in Dutch, French, German, Norwegian."""
    separator = str(get_format("DECIMAL_SEPARATOR", language))
    return number(value).replace(".", separator)


def render_text(text: str, requirements: Mapping[str, HasThreshold], language: str) -> str:
    """``text`` (written in ``language``) with each reference replaced by the requirement's value.

    ``requirements`` maps requirement ids to the framework's or the stored requirements (both have
    the fields wording reads). The whole answer's words ("≥ 300 cycles", a unit, Yes/No) are those
    of ``language``, whatever language is active.
    """
    if "{{" not in text and "}}" not in text:
        return text
    problems = content.reference_problems(text, requirements)
    if problems:
        raise DanglingReference("; ".join(problems))

    def value(match: re.Match[str]) -> str:
        requirement = requirements[match[1]]
        field = content.REFERENCE_FORMS[match[2] or ""]
        if not field:
            return threshold_text(requirement)
        return localised_number(getattr(requirement, field), language)

    with translation.override(language):
        return content.REFERENCE.sub(value, text)


def render_texts(texts: Mapping[str, str], requirements: Mapping[str, HasThreshold]) -> dict[str, str]:
    """A ``{language: text}`` field with every language rendered in its own language."""
    return {lang: render_text(text, requirements, lang) for lang, text in texts.items()}


def rendered_criterion(criterion: content.Criterion) -> content.Criterion:
    """A framework criterion whose title, text, rationale and verification read as people see them.

    The requirements are unchanged (the engine scores from them); only the texts are rendered.
    """
    requirements = {r.id: r for r in criterion.requirements}
    return criterion.model_copy(
        update={
            "title": render_texts(criterion.title, requirements),
            "text": render_texts(criterion.text, requirements),
            "rationale": render_texts(criterion.rationale, requirements),
            "verification": criterion.verification.model_copy(
                update={"documents": render_texts(criterion.verification.documents, requirements)}
            ),
        }
    )


def rendered_field(criterion: content.Criterion, field: str, language: str) -> str:
    """One referring field of a framework criterion in ``language`` (English if it has none), rendered."""
    texts = criterion.texts(field)
    shown_in = language if texts.get(language) else "en"
    return render_text(texts[shown_in], {r.id: r for r in criterion.requirements}, shown_in)
