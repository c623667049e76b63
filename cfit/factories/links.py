"""The database side of ``cfit.factories.core``: the disclosed models, the models each organisation
depends on (its register, its contracts) or was offered, their links to factories, and the totals.

Reads across organisations (``system_scope``): the callers show an organisation only its own items
(``items_of``), and everybody else only totals that passed the disclosure rules or were agreed to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum
from django.utils import timezone

from cfit.accounts.scoping import system_scope
from cfit.contracts.models import Contract
from cfit.factories.core import Disclosed, Item, Link, Totals, link, totals
from cfit.factories.models import DisclosedProduct, SharingConsent
from cfit.fleet.models import Asset
from cfit.monitoring.models import DisclosureRules
from cfit.offers.models import OfferLine
from cfit.pact.models import GroupMembership
from cfit.tenders.models import Tender


def disclosed() -> list[Disclosed]:
    return [
        Disclosed(factory, manufacturer, model, group)
        for factory, manufacturer, model, group in DisclosedProduct.objects.values_list(
            "factory_id", "manufacturer", "model", "product_group"
        )
    ]


def _fleet(organisations: Iterable[int] | None) -> list[Item]:
    """Devices in use (not retired) per organisation and model."""
    assets = Asset.unscoped.exclude(status="retired")
    if organisations is not None:
        assets = assets.filter(organisation_id__in=list(organisations))
    rows = assets.values("organisation_id", "product_group", "manufacturer", "model").annotate(
        units=Sum("quantity")
    )
    return [
        Item(
            "fleet",
            r["organisation_id"],
            "",
            r["manufacturer"],
            r["model"],
            r["product_group"],
            float(r["units"]),
        )
        for r in rows
    ]


def _offered(organisations: Iterable[int] | None, today: date, offers_of: Iterable[int] | None) -> list[Item]:
    """The lines of contracts in force (the winning offer's lines of the lot), and the other offers'
    lines of the organisations ``offers_of`` (None: of ``organisations``; offers count in no total)."""
    contracts = Contract.unscoped.filter(lot__isnull=False, tender__isnull=False).select_related("lot")
    if organisations is not None:
        contracts = contracts.filter(organisation_id__in=list(organisations))
    by_lot = {(c.tender_id, c.supplier_name, c.lot.number): c for c in contracts}  # type: ignore[union-attr]
    offered = list(offers_of) if offers_of is not None else organisations
    wanted = Q(offer__tender_id__in={tender for tender, _s, _l in by_lot})
    if offered is not None:
        wanted |= Q(offer__organisation_id__in=list(offered))
    else:
        wanted = Q()
    lines = OfferLine.objects.filter(wanted).select_related("offer__tender")
    visible = None if offered is None else set(offered)
    groups: dict[int, dict[int, str]] = {}
    items = []
    for line in lines:
        offer = line.offer
        contract = by_lot.get((offer.tender_id, offer.supplier, line.lot))
        group = _group(offer.tender, line.lot, groups)
        spend = float(line.quantity) * float(line.unit_price)
        if contract is not None:
            if not contract.start_date <= today <= contract.end_date:
                continue  # in force on the day only: an ended contract, or one not yet started, binds no one
            items.append(
                Item("contract", contract.organisation_id, contract.reference, line.manufacturer, line.model,
                     group, float(line.quantity), spend)
            )  # fmt: skip
        elif visible is None or offer.organisation_id in visible:
            items.append(
                Item("offer", offer.organisation_id, f"{offer.tender.reference}: {offer.supplier}",
                     line.manufacturer, line.model, group, float(line.quantity), spend)
            )  # fmt: skip
    return items


def _group(tender: Tender, lot: int, cache: dict[int, dict[int, str]]) -> str:
    """The product group of a tender's lot (read once per tender)."""
    found = cache.get(tender.pk)
    if found is None:
        found = cache[tender.pk] = {
            number: code or "" for number, code in tender.lots.values_list("number", "product_group__code")
        }
    return found.get(lot, "")


def items_of(
    organisations: Iterable[int] | None, today: date | None = None, offers_of: Iterable[int] | None = None
) -> list[Item]:
    """What the organisations (None: all) depend on, and what ``offers_of`` were offered."""
    today = today or timezone.localdate()
    with system_scope():
        ids = list(organisations) if organisations is not None else None
        return _fleet(ids) + _offered(ids, today, offers_of)


def group_members() -> dict[str, frozenset[int]]:
    members: dict[str, set[int]] = defaultdict(set)
    for group, organisation in GroupMembership.objects.filter(state=GroupMembership.State.ACTIVE).values_list(
        "group_id", "organisation_id"
    ):
        members[str(group)].add(organisation)
    return {k: frozenset(v) for k, v in members.items()}


def consenting() -> frozenset[int]:
    return frozenset(SharingConsent.objects.filter(agreed=True).values_list("organisation_id", flat=True))


@dataclass(frozen=True)
class Picture:
    """The links of every organisation, and each factory's totals under the rules."""

    links: list[Link]
    totals: dict[int, Totals]

    def links_of(self, organisations: Iterable[int]) -> list[Link]:
        mine = set(organisations)
        return [found for found in self.links if found.item.organisation in mine]


def picture(viewer: Iterable[int] = (), today: date | None = None) -> Picture:
    """Every organisation's dependence, and the offers of the ``viewer``'s organisations (only they see
    their offers, and no total counts them)."""
    found = link(disclosed(), items_of(None, today, offers_of=viewer))
    return Picture(found, totals(found, group_members(), consenting(), DisclosureRules.current()))
