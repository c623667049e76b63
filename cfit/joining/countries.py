"""Country names in the reader's language, from pycountry's ISO 3166 list and its translations."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language

from cfit.impact.vocabulary import load_vocabulary


@lru_cache(maxsize=16)
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_name(code: str, language: str | None = None) -> str:
    """The country's common name in ``language`` (the active one by default); the code if unknown.

    ``code`` is an ISO 3166-1 alpha-2 code, or a country as people and RMI's smelter templates write
    one ("ITALY", "CONGO, DEMOCRATIC REPUBLIC OF THE", "CÔTE D’IVOIRE"), read by the one country reader
    (``Vocabulary.country``); a text it does not know is returned as given.
    """
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None and len(code) > 2:
        alpha_2 = load_vocabulary().country(code)
        country = pycountry.countries.get(alpha_2=alpha_2) if alpha_2 else None
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _translations((language or get_language() or "en").split("-")[0]).gettext(name)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every ISO 3166-1 country as (alpha-2, name), sorted by name in the reader's language."""
    return sorted(
        ((c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries), key=lambda p: p[1]
    )
