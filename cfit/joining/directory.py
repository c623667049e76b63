"""The public directory of the pact: who takes part, from which country, as what, since when.

Public facts only (name, country, type, joining date); users served stays private (see
accounts.views.organisation_list). Supporters are counted apart from participants, as the pact requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cfit.accounts.models import Organisation, OrganisationQuerySet
from cfit.joining.countries import country_name

TYPE = Organisation.Type


def listed() -> OrganisationQuerySet:
    """Everyone on the public list: participants and supporters, never the secretariat."""
    return Organisation.objects.exclude(type=TYPE.SECRETARIAT)


def joined_on(organisation: Organisation) -> date:
    """A participant joined when it signed the pact; a supporter when it was admitted."""
    return organisation.signed_on or organisation.created.date()


@dataclass
class CountryRow:
    code: str
    name: str
    procuring: int = 0
    coordinating: int = 0
    supporters: int = 0

    @property
    def participants(self) -> int:
        return self.procuring + self.coordinating


def by_country(organisations: list[Organisation]) -> list[CountryRow]:
    """One row per country, most participants first, with the counts per type."""
    rows: dict[str, CountryRow] = {}
    for organisation in organisations:
        row = rows.setdefault(
            organisation.country, CountryRow(organisation.country, country_name(organisation.country))
        )
        if organisation.type == TYPE.PROCURING_PARTICIPANT:
            row.procuring += 1
        elif organisation.type == TYPE.COORDINATING_PARTICIPANT:
            row.coordinating += 1
        elif organisation.type == TYPE.SUPPORTER:
            row.supporters += 1
    return sorted(rows.values(), key=lambda r: (-r.participants, -r.supporters, r.name))
