"""Codes notices use: CPV divisions that are ICT, and ISO codes of countries and languages.

eForms writes countries as ISO 3166-1 alpha-3 (``NLD``) and languages as the Publications Office's
three-letter codes (``ENG``, ``NLD``, ``NOR``: ISO 639-2); cfit speaks alpha-2 (``NL``, ``nl``), as
OCDS publishers mostly do. Plain Python, no Django.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

#: CPV 2008 (Commission Regulation (EC) No 213/2008): the codes under which a notice buys ICT.
#: Divisions 30 (office and computing machinery), 32 (radio, television, communication and
#: telecommunication equipment), 48 (software packages and information systems) and 72 (IT
#: services), and the ICT groups and classes of other divisions: 503 (repair and maintenance of
#: computers, office, telecommunication and audio-visual equipment), 516 (installation of computers
#: and office equipment), 642 (telecommunications services) and 80533 (computer-user familiarisation
#: and training). Prefixes of the 8-digit code, as the vocabulary is a tree by its digits.
ICT_PREFIXES = ("30", "32", "48", "72", "503", "516", "642", "80533")
_CPV = re.compile(r"^\s*(\d{8})(?:-\d)?\s*$")


def cpv_code(text: str) -> str | None:
    """The 8 digits of a CPV code written with or without its check digit; None if it is none."""
    match = _CPV.match(text or "")
    return match.group(1) if match else None


def is_ict(code: str) -> bool:
    return code.startswith(ICT_PREFIXES)


@cache
def country_alpha_2(code: str) -> str:
    """``NLD`` or ``NL`` → ``NL``; "" for what is no ISO country code."""
    code = (code or "").strip().upper()
    if len(code) == 2:
        return code if pycountry.countries.get(alpha_2=code) is not None or code in ("XK", "UK", "EL") else ""
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
        return str(country.alpha_2) if country is not None else ""
    return ""


@cache
def language_alpha_2(code: str) -> str:
    """``ENG``, ``nld``, ``fre`` or ``en`` → ``en``; the code in lower case when ISO 639-1 has none.

    Norwegian is ``nb``, as the UI names it (``settings.LANGUAGES``): eForms writes it ``NOR`` and ISO
    639-1 ``no`` (the macrolanguage), which would make it two languages; Nynorsk (``nno``) stays ``nn``."""
    code = (code or "").strip().lower()
    if code in NORWEGIAN:
        return "nb"
    if len(code) == 2:
        return code
    if code == "nno":
        return "nn"
    language = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    alpha_2 = getattr(language, "alpha_2", None) if language is not None else None
    return str(alpha_2) if alpha_2 else code


#: the codes of (Bokmål) Norwegian, stored as ``nb``
NORWEGIAN = frozenset({"no", "nor", "nob", "nb"})
