"""Factories and who depends on them: the disclosed models linked to the models bought and offered,
and each factory's totals across organisations under the pact's disclosure rules. Plain Python.

**Identity.** A factory is one shared entity however many suppliers disclose it: the same Open Supply
Hub id, or else the same normalised name in the same country (``factory_key``: the manufacturer
normalisation of the impact matching, which folds case, accents, punctuation and legal forms, so
"Compal Electronics (Kunshan) Co., Ltd." and "COMPAL ELECTRONICS KUNSHAN" are one factory).

**Links.** A disclosed model is linked to a model in a register, an offer or a contract when the
impact matching reads both as the same model (``cfit.impact.families``: the same normalised
manufacturer and the same model key within the product group). A disclosure without a product group
matches the model in any group.

**Totals.** A factory's organisations, buyer groups, units and spend across organisations are shown
when they pass the published-figures rules (``cfit.monitoring.disclosure``: at least three
organisations, none giving more than the dominance share of units or of spend), or when every
organisation behind them agreed to share its figures. Each factory's totals are one cell, and no
published figure adds factories up, so no secondary suppression is needed: no published figure is the
difference of two others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cfit.impact.families import alternates, normalise_manufacturer, parse_model
from cfit.monitoring.disclosure import Reason, Rules, assess


def factory_key(name: str) -> str:
    """A factory's name as its identity within a country (see the module's docstring)."""
    return normalise_manufacturer(name)


@dataclass(frozen=True)
class Disclosed:
    """A model a factory makes, as a supplier disclosed it."""

    factory: int
    manufacturer: str
    model: str
    group: str = ""  #: the product group, "" for any


@dataclass(frozen=True)
class Item:
    """A model an organisation depends on: devices in its register, lines of a contract or an offer."""

    source: str  #: "fleet", "contract" or "offer"
    organisation: int
    reference: str  #: what the page names: the contract's reference, the register, the tender
    manufacturer: str
    model: str
    group: str
    units: float
    spend: float = 0.0  #: EUR; 0 for devices in a register


@dataclass(frozen=True)
class Link:
    factory: int
    item: Item


def _key(manufacturer: str, model: str, group: str) -> tuple[str, str, str] | None:
    key = parse_model(manufacturer, model, group).key
    return (normalise_manufacturer(manufacturer), group, key) if key else None


def link(disclosed: Iterable[Disclosed], items: Iterable[Item]) -> list[Link]:
    """Each item with each factory that makes its model (an item may have several, or none)."""
    grouped: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    anygroup: list[Disclosed] = []
    for row in disclosed:
        if row.group:
            for name in alternates(row.model):
                if (key := _key(row.manufacturer, name, row.group)) is not None:
                    grouped[key].add(row.factory)
        else:
            anygroup.append(row)
    done: set[str] = set()
    links = []
    for item in items:
        if anygroup and item.group not in done:
            # The disclosures without a group are read in each group the items have.
            done.add(item.group)
            for row in anygroup:
                for name in alternates(row.model):
                    if (key := _key(row.manufacturer, name, item.group)) is not None:
                        grouped[key].add(row.factory)
        found = _key(item.manufacturer, item.model, item.group)
        for factory in sorted(grouped.get(found, ())) if found else ():
            links.append(Link(factory, item))
    return links


@dataclass(frozen=True)
class Totals:
    """A factory's dependants across organisations, and whether they may be shown."""

    factory: int
    organisations: int
    groups: int
    units: float
    spend: float
    #: why the totals are hidden (``Reason`` of the disclosure rules), None when shown
    reason: Reason | None
    #: shown because every organisation behind them agreed to share, though the rules would hide them
    by_consent: bool = False

    @property
    def shown(self) -> bool:
        return self.reason is None


#: The sources that count as dependence: devices in use and contracts; offers are not yet bought.
DEPENDENCE = ("fleet", "contract")


def totals(
    links: Sequence[Link],
    groups: Mapping[str, frozenset[int]],
    consenting: frozenset[int] | set[int],
    rules: Rules,
) -> dict[int, Totals]:
    """Per factory: the organisations and buyer groups that depend on it, their units and spend, and the
    rules' decision. ``groups`` maps each buyer group to its active members."""
    by_factory: dict[int, list[Item]] = defaultdict(list)
    for found in links:
        if found.item.source in DEPENDENCE:
            by_factory[found.factory].append(found.item)
    result = {}
    for factory, items in by_factory.items():
        units = units_by_organisation(items)
        spend: dict[int, float] = defaultdict(float)
        for item in items:
            spend[item.organisation] += item.spend
        organisations = set(units)
        reason = assess(((str(o), (units[o], spend[o])) for o in organisations), rules)
        by_consent = reason is not None and organisations <= set(consenting)
        result[factory] = Totals(
            factory,
            len(organisations),
            sum(1 for members in groups.values() if members & organisations),
            sum(units.values()),
            sum(spend.values()),
            None if by_consent else reason,
            by_consent,
        )
    return result


def units_by_organisation(items: Iterable[Item]) -> dict[int, float]:
    """Each organisation's units of a factory's models. The devices a contract delivers go into the
    buyer's register: a model both in use and under a contract counts the larger of the two, never
    their sum (which would count the delivered devices twice)."""
    by_model: dict[tuple[int, object], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for item in items:
        model = _key(item.manufacturer, item.model, item.group) or (item.manufacturer, item.model, item.group)
        by_model[(item.organisation, model)][item.source] += item.units
    units: dict[int, float] = defaultdict(float)
    for (organisation, _model), by_source in by_model.items():
        units[organisation] += max(by_source.values())
    return units
