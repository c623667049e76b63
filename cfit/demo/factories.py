"""The demo supplier's factory disclosure: the final-assembly factories of the models of the demo
contract RWS-2025-014 and of three notebook models in the demo registers, and a component factory, so
that the factory page shows a factory four participants depend on. Names and addresses are made up."""

from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model

from cfit.accounts.models import Organisation
from cfit.accounts.scoping import system_scope
from cfit.contracts.models import Contract
from cfit.demo.contracts import REFERENCE
from cfit.factories.actions import import_disclosure
from cfit.factories.models import DisclosedProduct
from cfit.offers.models import OfferLine

HEADER = [
    "factory_name",
    "address",
    "country",
    "factory_type",
    "manufacturer",
    "model",
    "product_group",
    "workers",
]
#: (factory, address, country) of the demo's factories
NOTEBOOKS = ("Demo Notebook Assembly Plant No. 2", "88 Export Processing Zone Road, Kunshan, Jiangsu", "CN")
PHONES = ("Demo Handset Works", "Lot 14, Yen Phong Industrial Park, Bac Ninh", "VN")
BATTERIES = ("Demo Battery Cells Co.", "5 Industrial Avenue, Dongguan, Guangdong", "CN")
CONTRACTED = ("Demo Contract Electronics Factory", "210 Science Park Road, Chongqing", "CN")
#: fleet models of the demo registers (``cfit.fleet.demo.MODELS``) and their final-assembly factory
FLEET = [
    (NOTEBOOKS, "Dell", "Latitude 5420", "notebooks", 12000),
    (NOTEBOOKS, "HP", "EliteBook 840 G8", "notebooks", 12000),
    (NOTEBOOKS, "Lenovo", "ThinkPad T14 Gen 2", "notebooks", 12000),
    (PHONES, "Samsung", "Galaxy A52", "smartphones", 8000),
]


def create_demo_factories() -> int:
    """Idempotent: the supplier's disclosure is stored once; returns the models disclosed."""
    supplier = Organisation.objects.filter(slug="green-refurb").first()
    user = get_user_model().objects.filter(username="supplier").first()
    if supplier is None or DisclosedProduct.objects.filter(supplier=supplier).exists():
        return 0
    rows = [
        [*f, "final_assembly", maker, model, group, str(workers)] for f, maker, model, group, workers in FLEET
    ]
    rows.append([*BATTERIES, "component", "Dell", "Latitude 5420", "notebooks", "3000"])
    with system_scope():
        contract = Contract.unscoped.filter(tender__reference=REFERENCE).select_related("lot").first()
        if contract is not None and contract.lot is not None:
            lines = OfferLine.objects.filter(
                offer__tender=contract.tender, offer__supplier=contract.supplier_name, lot=contract.lot.number
            ).values_list("manufacturer", "model")
            rows += [[*CONTRACTED, "final_assembly", maker, model, "", "4500"] for maker, model in set(lines)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    stored, _withdrawn = import_disclosure(
        supplier, out.getvalue().encode(), "demo-disclosure.csv", acting_user=user
    )
    return stored
