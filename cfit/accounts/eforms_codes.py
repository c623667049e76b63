"""The vocabulary of a buyer's details in eForms notices, defined once: the organisation's form, its
model and the notice writer (``cfit.tenders.eforms``) all read it from here.

The codes are those of the eForms SDK 1.15.1 (OP-TED/eForms-SDK, tag ``1.15.1``), as its Schematron
rules check them; the English labels are ours (plain words, translated like the rest of the site):

- ``BuyerLegalType``: code list ``buyer-legal-type`` (field BT-11-Procedure-Buyer; rule BR-BT-00011-0052
  lists the codes a notice may carry).
- ``BuyerActivity``: code list ``authority-activity`` (field BT-10-Procedure-Buyer; rule
  BR-BT-00010-0052). It is the part of the SDK's ``main-activity`` list that contracting authorities
  use; the rest of ``main-activity`` (airports, electricity, water…) is the activity of utilities
  (BT-610, code list ``entity-activity``), which publish under Directive 2014/25/EU, not in a cfit
  notice (subtype 16, Directive 2014/24/EU).

The NUTS region (BT-507) comes from the SDK's code list ``nuts-lvl3``: a code of level 3, two letters
of the country and three letters or digits (``NL350``, ``FRK26``; ``..ZZZ`` for a region outside the
country's territory). The codes are shipped in ``data/nuts-lvl3.csv``: exactly the codes the SDK 1.15.1 accepts for BT-507
(its Schematron rule BR-BT-00507-0205), Ukraine's districts included, with the regions' national names
where they were found (``data/README.md`` says where and how): a code must be in it.
"""

from __future__ import annotations

import bisect
import csv
import functools
import re
from importlib import resources

from django.db import models
from django.utils.translation import gettext_lazy as _


class BuyerLegalType(models.TextChoices):
    """BT-11, the buyer's legal type (eForms code list ``buyer-legal-type``, SDK 1.15.1)."""

    BODY_PL = "body-pl", _("Body governed by public law")
    BODY_PL_CGA = (
        "body-pl-cga",
        _("Body governed by public law, controlled by a central government authority"),
    )
    BODY_PL_RA = "body-pl-ra", _("Body governed by public law, controlled by a regional authority")
    BODY_PL_LA = "body-pl-la", _("Body governed by public law, controlled by a local authority")
    CGA = "cga", _("Central government authority")
    RA = "ra", _("Regional authority")
    LA = "la", _("Local authority")
    PUB_UNDERT = "pub-undert", _("Public undertaking")
    PUB_UNDERT_CGA = "pub-undert-cga", _("Public undertaking, controlled by a central government authority")
    PUB_UNDERT_RA = "pub-undert-ra", _("Public undertaking, controlled by a regional authority")
    PUB_UNDERT_LA = "pub-undert-la", _("Public undertaking, controlled by a local authority")
    ORG_SUB = "org-sub", _("Organisation awarding a contract subsidised by a contracting authority")
    ORG_SUB_CGA = (
        "org-sub-cga",
        _("Organisation awarding a contract subsidised by a central government authority"),
    )
    ORG_SUB_RA = "org-sub-ra", _("Organisation awarding a contract subsidised by a regional authority")
    ORG_SUB_LA = "org-sub-la", _("Organisation awarding a contract subsidised by a local authority")
    SPEC_RIGHTS_ENTITY = "spec-rights-entity", _("Entity with special or exclusive rights")
    DEF_CONT = "def-cont", _("Defence contractor")
    EU_INS_BOD_AG = "eu-ins-bod-ag", _("EU institution, body or agency")
    INT_ORG = "int-org", _("International organisation")


class BuyerActivity(models.TextChoices):
    """BT-10, the main activity of a contracting authority (eForms code list ``authority-activity``,
    SDK 1.15.1; the authorities' part of ``main-activity``)."""

    GEN_PUB = "gen-pub", _("General public services")
    DEFENCE = "defence", _("Defence")
    PUB_OS = "pub-os", _("Public order and safety")
    ECON_AFF = "econ-aff", _("Economic affairs")
    ENV_PRO = "env-pro", _("Environmental protection")
    HC_AM = "hc-am", _("Housing and community amenities")
    HEALTH = "health", _("Health")
    RCR = "rcr", _("Recreation, culture and religion")
    EDUCATION = "education", _("Education")
    SOC_PRO = "soc-pro", _("Social protection")


#: BT-507: a NUTS code of level 3 (code list ``nuts-lvl3``).
NUTS_LEVEL_3 = re.compile(r"[A-Z]{2}[0-9A-Z]{3}")
#: NUTS writes two countries otherwise than ISO 3166-1: Greece is EL, the United Kingdom UK.
NUTS_COUNTRY = {"GR": "EL", "GB": "UK"}
#: BT-503: the SDK's pattern for a telephone number (``fields.json``, BT-503-Organization-Company;
#: rule BR-BT-00503-0208), e.g. "+31 70 123 45 67", "(+352) 2929-1", "030 - 123 45 67": digits,
#: spaces, hyphens, brackets and a leading +; no slash, no letters. The same language as the SDK's
#: ``((\(\+?[0-9]+\))|\+?[0-9]+)( - |-| )?(((\([0-9]+\))|[0-9]+)( - |-| )?)*([0-9]+)( )?``, with possessive
#: digit runs: as written there, a row of digits and spaces ending in a wrong character takes
#: exponential time to refuse.
TELEPHONE = re.compile(
    r"((\(\+?[0-9]++\))|\+?[0-9]+)( - |-| )?(((\([0-9]++\))|[0-9]++)( - |-| )?)*([0-9]++)( )?"
)
#: BT-503's longest number in the SDK.
TELEPHONE_MAX_LENGTH = 30


def nuts_prefix(country: str) -> str:
    """The two letters a NUTS code of an organisation in ``country`` (ISO 3166-1 alpha-2) starts with."""
    country = country.upper()
    return NUTS_COUNTRY.get(country, country)


def is_nuts_level_3(code: str) -> bool:
    """Whether ``code`` has the form of a NUTS code of level 3 (not whether the region exists)."""
    return NUTS_LEVEL_3.fullmatch(code) is not None


@functools.cache
def nuts_regions() -> dict[str, str]:
    """The NUTS regions of level 3 of the SDK's ``nuts-lvl3`` list, code → national name, read once."""
    text = resources.files(__package__).joinpath("data", "nuts-lvl3.csv").read_text(encoding="utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(text.splitlines())}


@functools.cache
def _sorted_codes() -> tuple[str, ...]:
    return tuple(sorted(nuts_regions()))


@functools.cache
def _listed_prefixes() -> frozenset[str]:
    return frozenset(code[:2] for code in nuts_regions())


def nuts_name(code: str) -> str | None:
    """The national name of a NUTS region of level 3, e.g. "Utrecht" for NL350; None if not a region
    or if the list has no name for it (Ukraine's districts, and a few 2024 codes)."""
    return nuts_regions().get(code) or None


def nuts_label(code: str) -> str:
    """A NUTS code with its region's name when the list knows it, e.g. "NL350 — Utrecht"."""
    name = nuts_name(code)
    return f"{code} — {name}" if name else code


def is_nuts_listed_country(prefix: str) -> bool:
    """Whether the shipped list holds the regions of the country whose NUTS codes start with ``prefix``."""
    return prefix in _listed_prefixes()


def is_nuts_region(code: str) -> bool:
    """Whether ``code`` is a NUTS region of level 3 of the list (``..ZZZ`` included)."""
    return code in nuts_regions()


def nuts_suggestions(code: str, limit: int = 3) -> list[str]:
    """The real codes nearest to a code that is not one: those of the same region of level 2 (its first
    four characters), or else of level 1 (three), nearest in the list's order; none for another country."""
    codes = _sorted_codes()
    for length in (4, 3):
        prefix = code[:length]
        start = bisect.bisect_left(codes, prefix)
        end = bisect.bisect_left(codes, prefix + "\uffff")
        same = [c for c in codes[start:end] if not c.endswith("ZZZ")]
        if same:
            at = bisect.bisect_left(same, code)
            by_distance = sorted(range(len(same)), key=lambda i: abs(i - at + 0.5))
            return sorted(same[i] for i in by_distance[:limit])
    return []


def is_telephone(number: str) -> bool:
    return TELEPHONE.fullmatch(number) is not None
