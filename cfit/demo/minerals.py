"""Demo data: a conformance list and a CMRT the demo supplier delivered under the demo contract.

The list's statuses are made up for the demonstration (RMI's RMAP status is not in our data); the
smelters are real rows of RMI's CMRT 6.5 look-up list.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cfit.contracts import actions as contract_actions
from cfit.contracts.models import Contract, Obligation
from cfit.duediligence.actions import MINERALS_TOPICS, expected_templates, import_smelter_list
from cfit.duediligence.models import MineralsReport, SmelterList
from cfit.duediligence.sample import DECLARATION, synthetic_template

DEMO_LIST = (
    "Smelter ID,Standard Smelter Name,Metal,Country,Status\n"
    "CID002763,8853 S.p.A.,Gold,ITALY,Conformant\n"
    "CID002920,ABC Refinery Pty Ltd.,Gold,AUSTRALIA,Active\n"
    "CID002030,Western Australian Mint (T/a The Perth Mint),Gold,AUSTRALIA,Conformant\n"
    "CID001076,AMG Brasil,Tantalum,BRAZIL,Conformant\n"
    "CID003926,5D Production OU,Tantalum,ESTONIA,Non-Conformant\n"
)
SMELTERS = (
    {"metal": "Gold", "smelter_id": "CID002763", "name": "8853 S.p.A.", "country": "ITALY", "source": "RMI"},
    {"id_input": "CID002920"},
    {"metal": "Gold", "lookup_name": "AGR Mathey"},
    {"metal": "Tantalum", "smelter_id": "CID001076", "name": "AMG Brasil", "country": "BRAZIL"},
    {"metal": "Tantalum", "smelter_id": "CID003926", "name": "5D Production OÜ"},
    {"metal": "Tin", "lookup_name": "Smelter not listed", "name": "Bolivian tin works", "country": "BOLIVIA"},
)

#: The comment of the demo supplier's CMRT of this year (its idempotency: delivered once).
THIS_YEAR = "Our CMRT for this year."


def demo_template(obligation: Obligation, effective: date) -> tuple[bytes, str] | None:
    """The template the demo supplier delivers for an obligation that asks for a CMRT or an EMRT (such an
    obligation refuses anything else), effective on ``effective``; None for any other obligation."""
    kinds = expected_templates(obligation)
    if not kinds:
        return None
    declaration = {**DECLARATION, "effective_date": effective}
    if kinds[0] == "CMRT":
        return synthetic_template(declaration=declaration, smelters=SMELTERS), "CMRT-6.5-Groene-IT.xlsx"
    return synthetic_template("EMRT", "2.1", declaration=declaration), "EMRT-2.1-Groene-IT.xlsx"


@transaction.atomic
def create_demo_minerals(contract: Contract | None) -> None:
    """Idempotent: the demo list once, and a CMRT on the contract's next open minerals obligation."""
    if contract is None:
        return
    today = timezone.localdate()
    if not SmelterList.objects.exists():
        import_smelter_list(
            DEMO_LIST.encode(), "demo-conformance.csv", as_of=today - timedelta(days=60), acting_user=None,
            origin="Demo: statuses made up for the demonstration, not RMI's.",
        )  # fmt: skip
    # Its own delivery, not one of the templates the demo contract's past obligations were delivered with.
    if MineralsReport.objects.filter(contract=contract, submission__comment=THIS_YEAR).exists():
        return
    candidates = contract.obligations.filter(
        status__in=Obligation.OPEN,
        kind="document",
        contract_criterion__criterion__topic__in=MINERALS_TOPICS,
    ).select_related("contract_criterion__criterion")
    # The demo's template is a CMRT: an obligation that asks for an EMRT would refuse it.
    obligation = next((o for o in candidates.order_by("-due_date") if "CMRT" in expected_templates(o)), None)
    supplier = get_user_model().objects.filter(username="supplier").first()
    if obligation is None or supplier is None:
        return
    declaration = {**DECLARATION, "effective_date": date(today.year, 1, 15)}
    contract_actions.deliver(
        obligation, acting_user=supplier, filename="CMRT-6.5-Groene-IT.xlsx",
        data=synthetic_template(declaration=declaration, smelters=SMELTERS), comment=THIS_YEAR,
    )  # fmt: skip
