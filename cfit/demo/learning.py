"""Demo guides and events: a notebook guide explaining baseline criteria, an end-of-use guide on data
wiping, one public knowledge session and one of the Dutch buyer group. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cfit.learning import actions
from cfit.learning.models import Event, Guide
from cfit.pact.models import BuyerGroup

NOTEBOOK_BODY = {
    "en": """Notebooks are the largest share of most organisations' ICT footprint, and most of it is made before the first start. Keeping them longer is the strongest lever you have.

## Ask for a battery that lasts

A battery that keeps 80 % of its capacity for many charge cycles is what decides whether a notebook is used for six years or replaced after three. The baseline criterion asks for a tested number of cycles.

## Ask for a battery users can replace

- The battery is replaced without special tools.
- Spare batteries are sold for years after the last delivery.

## Ask for a warranty that covers the service life

A longer warranty shifts the cost of early failures to the supplier, and tells you which suppliers trust their products.""",
    "nl": """Laptops vormen het grootste deel van de ICT-voetafdruk van de meeste organisaties, en het meeste daarvan ontstaat vóór de eerste start. Ze langer gebruiken is de sterkste hefboom.

## Vraag om een accu die lang meegaat

Een accu die 80 % van zijn capaciteit houdt over veel laadcycli bepaalt of een laptop zes jaar meegaat of na drie wordt vervangen. Het basiscriterium vraagt om een getest aantal cycli.

## Vraag om een accu die gebruikers kunnen vervangen

- De accu wordt vervangen zonder speciaal gereedschap.
- Reserveaccu's blijven jaren na de laatste levering te koop.

## Vraag om garantie over de gebruiksduur

Een langere garantie legt de kosten van vroege defecten bij de leverancier en laat zien welke leveranciers hun producten vertrouwen.""",
}

END_OF_USE_BODY = {
    "en": """Devices often stay in a cupboard because nobody trusts that their data can be removed safely. Certified data wiping lets them go back into use instead of being shredded.

## Wipe, do not shred

Software wiping to a recognised standard (NIST SP 800-88 Purge, or IEEE 2883) removes data from working drives and keeps the device reusable. Physical destruction is for drives that fail the wipe.

## Ask for proof per device

- A wiping certificate per serial number.
- The standard and method used.
- Who did it, and where.

## Take back, then report where devices went

A take-back obligation and an end-destination report close the loop: you know how many devices were reused, how many recycled, and by whom.""",
    "fr": """Les appareils restent souvent dans un placard faute de confiance dans l'effacement de leurs données. Un effacement certifié permet de les réemployer au lieu de les broyer.

## Effacer plutôt que broyer

L'effacement logiciel selon une norme reconnue (NIST SP 800-88 Purge ou IEEE 2883) supprime les données des disques en état de marche et garde l'appareil réutilisable.

## Exiger une preuve par appareil

- Un certificat d'effacement par numéro de série.
- La norme et la méthode utilisées.
- Qui l'a fait, et où.""",
}


def create_demo_guides_and_events() -> None:
    if not Guide.objects.filter(slug="notebooks-that-last").exists():
        guide = actions.create_guide(
            slug="notebooks-that-last",
            title={"en": "Notebooks that last: the baseline criteria explained",
                   "nl": "Laptops die lang meegaan: de basiscriteria uitgelegd"},
            summary={"en": "Battery, repairability and warranty: what to ask and why.",
                     "nl": "Accu, repareerbaarheid en garantie: wat u vraagt en waarom."},
            body=NOTEBOOK_BODY,
            product_groups=["notebooks"],
            themes=["circularity", "battery-endurance", "battery-replacement"],
            criteria=["nb-battery-cycles-b", "nb-replaceable-battery-b", "pc-warranty-b"],
            acting_user=None,
        )  # fmt: skip
        actions.publish_guide(guide, acting_user=None)
    if not Guide.objects.filter(slug="end-of-use-data-wiping").exists():
        guide = actions.create_guide(
            slug="end-of-use-data-wiping",
            kind=Guide.Kind.MANUAL,
            title={"en": "End of use: wiping data so devices can live again",
                   "fr": "Fin d'usage : effacer les données pour réemployer les appareils"},
            body=END_OF_USE_BODY,
            product_groups=["notebooks", "smartphones"],
            themes=["data-deletion", "data-sanitisation", "circularity"],
            criteria=["wc-data-deletion-b", "wc-take-back-b", "wc-end-destination-b"],
            acting_user=None,
        )  # fmt: skip
        actions.publish_guide(guide, acting_user=None)
    start = (timezone.now() + timedelta(days=21)).replace(hour=13, minute=0, second=0, microsecond=0)
    if not Event.objects.filter(title="Webinar: buying notebooks that last").exists():
        actions.create_event(
            acting_user=None, title="Webinar: buying notebooks that last",
            description="The working group on notebooks walks through the baseline criteria, with questions.",
            starts=start, ends=start + timedelta(hours=1, minutes=30), online_url="https://meet.example.org/cfit-notebooks",
            capacity=100,
        )  # fmt: skip
    group = BuyerGroup.objects.filter(slug="buyer-group-nl").first() or BuyerGroup.objects.first()
    if group is not None and not Event.objects.filter(buyer_group=group).exists():
        actions.create_event(
            acting_user=None, buyer_group=group, language=group.language,
            title="Kennissessie: gegevens wissen en terugname",
            description="Leden delen hun ervaringen met gecertificeerd wissen en de rapportage over eindbestemmingen.",
            starts=start + timedelta(days=7), ends=start + timedelta(days=7, hours=2), place="Den Haag",
            capacity=25,
        )  # fmt: skip
