"""The monitoring report's "factories disclosed" figures of a buyer's year, pre-filled from its contracts.

A contract in force in the year (started by its last day, not ended before its first) counts as
disclosed when every model delivered under it (the winning offer's lines of its lot) is linked to a
final-assembly factory disclosed by the year's end; a contract whose models are not known (entered or
imported) counts when its supplier's organisation had disclosed at least one final-assembly factory by
then. A contract whose supplier is not on the platform cannot disclose, and counts as not disclosed.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from cfit.accounts.models import Organisation
from cfit.contracts.models import Contract
from cfit.factories.core import Disclosed, Item, link
from cfit.factories.models import DisclosedProduct
from cfit.monitoring.models import ReportValue
from cfit.offers.models import OfferLine


def factories_prefill(organisation: Organisation, year: int) -> dict[tuple[str, str], tuple[float, str]]:
    """(indicator, key) -> (value, origin), as ``cfit.monitoring.prefill`` takes them."""
    contracts = list(
        Contract.unscoped.filter(
            organisation=organisation, start_date__lte=date(year, 12, 31), end_date__gte=date(year, 1, 1)
        ).select_related("lot__product_group")
    )
    if not contracts:
        return {}
    end = timezone.make_aware(datetime.combine(date(year, 12, 31), time.max))
    final = DisclosedProduct.objects.filter(kind=DisclosedProduct.Kind.FINAL_ASSEMBLY, disclosed_at__lte=end)
    disclosed = [
        Disclosed(factory, maker, model, group)
        for factory, maker, model, group in final.values_list(
            "factory_id", "manufacturer", "model", "product_group"
        )
    ]
    suppliers = set(final.values_list("supplier_id", flat=True))
    count = 0
    for contract in contracts:
        items = []
        if contract.lot is not None and contract.tender_id is not None:
            group = contract.lot.product_group.code if contract.lot.product_group_id else ""
            lines = OfferLine.objects.filter(
                offer__tender_id=contract.tender_id,
                offer__supplier=contract.supplier_name,
                lot=contract.lot.number,
            ).values_list("manufacturer", "model")
            items = [Item("contract", contract.pk, contract.reference, m, n, group, 1) for m, n in set(lines)]
        if items:
            linked = {found.item for found in link(disclosed, items)}
            count += len(linked) == len(items)
        else:
            count += contract.supplier_organisation_id in suppliers
    prefilled = ReportValue.Origin.PREFILLED
    return {
        ("contracts_factories_disclosed", ""): (float(count), prefilled),
        ("factories_disclosed_share", ""): (round(100 * count / len(contracts), 1), prefilled),
    }
