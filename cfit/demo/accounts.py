"""Demo organisations and accounts for `make demo`: one of each role, with printed passwords; the
shortlist and tenders they find at once.

Never for production: `cfit demo` refuses to run when DJANGO_ENV=production.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cfit.accounts.actions import save_notice_details
from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.criteria.models import Criterion, FrameworkVersion, Shortlist
from cfit.demo.offers import create_demo_offers
from cfit.tenders import actions
from cfit.tenders.models import Tender

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEMO_PASSWORD = "demo-cfit-2026"

Type = Organisation.Type
Role = Membership.Role

ORGANISATIONS = [
    # slug, name, country, type, users served
    ("pact-secretariat", "CFIT Pact Secretariat", "NL", Type.SECRETARIAT, 0),
    ("nl-ministry-bzk", "Ministry of the Interior (NL)", "NL", Type.COORDINATING_PARTICIPANT, 130000),
    ("rijkswaterstaat", "Rijkswaterstaat", "NL", Type.PROCURING_PARTICIPANT, 9500),
    ("city-of-ghent", "City of Ghent", "BE", Type.PROCURING_PARTICIPANT, 6000),
    (
        "dfo-norway",
        "Norwegian Agency for Public and Financial Management (DFØ)",
        "NO",
        Type.COORDINATING_PARTICIPANT,
        25000,
    ),
    ("ville-de-lyon", "Ville de Lyon", "FR", Type.PROCURING_PARTICIPANT, 8000),
    ("uni-freiburg", "Universität Freiburg", "DE", Type.PROCURING_PARTICIPANT, 30000),
    ("green-refurb", "GreenRefurb BV", "NL", Type.SUPPORTER, 0),
]

#: The notice details of the buyers with demo tenders, so that their eForms notices carry them. The
#: addresses are the organisations' public ones; registration numbers and telephones are invented.
NOTICE_DETAILS = {
    "rijkswaterstaat": {
        "legal_type": "cga",
        "main_activity": "econ-aff",
        "registration_number": "DEMO-RWS-0001",
        "street": "Griffioenlaan 2",
        "post_code": "3526 LA",
        "town": "Utrecht",
        "nuts_code": "NL350",
        "telephone": "+31 30 123 45 67",
        # the court that hears procurement cases against the State (invented registration number)
        "review_body_name": "Rechtbank Den Haag",
        "review_body_registration_number": "DEMO-RBDH-0001",
        "review_body_post_code": "2595 AJ",
        "review_body_town": "Den Haag",
        "review_body_nuts_code": "NL361",
        "review_deadlines": (
            "Een inschrijver die de gunningsbeslissing wil aanvechten, start binnen de opschortende "
            "termijn van 20 kalenderdagen na de mededeling ervan een kort geding "
            "(Aanbestedingswet 2012, artikel 2.127)."
        ),
    },
    "ville-de-lyon": {
        "legal_type": "la",
        "main_activity": "gen-pub",
        "registration_number": "DEMO-LYON-0001",
        "street": "1 place de la Comédie",
        "post_code": "69001",
        "town": "Lyon",
        "nuts_code": "FRK26",
        "telephone": "+33 4 12 34 56 78",
        "review_body_name": "Tribunal administratif de Lyon",
        "review_body_registration_number": "DEMO-TA-LYON-0001",
        "review_body_post_code": "69003",
        "review_body_town": "Lyon",
        "review_body_nuts_code": "FRK26",
        "review_deadlines": (
            "Référé précontractuel jusqu'à la signature du marché (code de justice administrative, "
            "article L551-1) ; le marché n'est pas signé moins de 11 jours après la notification de la "
            "décision d'attribution (code de la commande publique, article R2182-1)."
        ),
    },
}

USERS = [
    # username, full name, organisation, role, is_staff
    ("secretariat", "Sam Secretariat", "pact-secretariat", Role.ADMIN, True),
    ("coordinator", "Coco Coordinator", "nl-ministry-bzk", Role.ADMIN, False),
    ("procurer", "Pia Procurer", "rijkswaterstaat", Role.PROCURER, False),
    # the second pair of eyes that approves an evaluation before award
    ("approver", "Quinn Approver", "rijkswaterstaat", Role.PROCURER, False),
    ("assets", "Arne Assetmanager", "rijkswaterstaat", Role.ASSET_MANAGER, False),
    ("viewer", "Vera Viewer", "rijkswaterstaat", Role.VIEWER, False),
    ("lyon", "Louise Procureuse", "ville-de-lyon", Role.PROCURER, False),
    ("supplier", "Sid Supplier", "green-refurb", Role.ADMIN, False),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    organisation: str
    role: StrOrPromise  # the role's label, translated when shown


@transaction.atomic
def create_demo_accounts() -> tuple[dict[str, Organisation], list[DemoAccount]]:
    """Idempotent: existing demo organisations and users are reused, passwords reset; with a published
    framework, a shortlist and the demo tenders too."""
    User = get_user_model()
    organisations = {}
    for slug, name, country, kind, served in ORGANISATIONS:
        organisations[slug], _ = Organisation.objects.update_or_create(
            slug=slug, defaults={"name": name, "country": country, "type": kind, "users_served": served}
        )
    for slug, details in NOTICE_DETAILS.items():
        organisations[slug] = save_notice_details(organisations[slug], details, acting_user=None)
    accounts = []
    for username, full_name, org_slug, role, is_staff in USERS:
        first, last = full_name.split(" ", 1)
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": is_staff,
                "email": f"{username}@example.org",
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user, organisation=organisations[org_slug], defaults={"role": role}
        )
        accounts.append(DemoAccount(username, organisations[org_slug].name, Role(role).label))
    version = FrameworkVersion.objects.latest_published()
    if version is not None:
        with system_scope():
            shortlist, _ = Shortlist.objects.get_or_create(
                organisation=organisations["rijkswaterstaat"],
                name="Laptops 2027",
                defaults={"notes": "Criteria we consider for the next notebook framework agreement."},
            )
            shortlist.criteria.set(Criterion.objects.in_version(version).for_product_group("notebooks")[:5])
        _create_demo_tenders(organisations)
    return organisations, accounts


#: The notice terms of two demo tenders, so that their eForms notices are complete; the addresses are
#: examples (example.nl), not real tender platforms.
NOTICE_TERMS: dict[str, dict[str, Any]] = {
    "RWS-2027-001": {
        "documents_url": "https://tenders.example.nl/RWS-2027-001/documents",
        "submission_url": "https://tenders.example.nl/RWS-2027-001/submit",
        "electronic_submission": "required",
        "offer_validity_days": 90,
        "contract_months": 48,
        "performance_place": "buyer",
        "framework_agreement": "fa-wo-rc",
        "eu_funded": False,
        "reserved_participation": "none",
        "reserved_execution": False,
        "e_invoicing": "required",
        "e_catalogue": "allowed",
        "e_ordering": True,
        "e_payment": True,
        "gpa": True,
    },
    "LYON-2027-INF-04": {
        "documents_url": "https://marches.example.fr/LYON-2027-INF-04",
        "submission_url": "https://marches.example.fr/LYON-2027-INF-04/depot",
        "electronic_submission": "required",
        "offer_validity_days": 120,
        "contract_months": 36,
        "performance_place": "buyer",
        "framework_agreement": "none",
        "eu_funded": False,
        "reserved_participation": "res-ws",
        "reserved_execution": False,
        "e_invoicing": "required",
        "e_catalogue": "not-allowed",
        "e_ordering": False,
        "e_payment": True,
        "gpa": True,
    },
}


def _create_demo_tenders(organisations: dict[str, Organisation]) -> None:
    """A draft and a published tender, so that the tender pages show something at once."""
    demos: list[tuple[str, str, str, str, list[tuple[str, int, int, dict[str, Any]]], bool]] = [
        (
            "rijkswaterstaat",
            "RWS-2027-001",
            "Laptops en beeldschermen 2027",
            "nl",
            [("notebooks", 2500, 2_750_000, {"carbon": "ambitious"}), ("monitors", 1800, 396_000, {})],
            True,
        ),
        (
            "rijkswaterstaat",
            "RWS-2027-002",
            "Smartphones voor buitendienst",
            "nl",
            [("smartphones", 900, 405_000, {"circularity": "ambitious"})],
            False,
        ),
        (
            "ville-de-lyon",
            "LYON-2027-INF-04",
            "Postes de travail reconditionnés",
            "fr",
            [("refurbished-devices", 1200, 540_000, {})],
            False,
        ),
    ]
    for slug, reference, title, language, lots, publish in demos:
        organisation = organisations[slug]
        if Tender.unscoped.filter(organisation=organisation, reference=reference).exists():
            continue
        tender = actions.create_tender(
            organisation, title=title, reference=reference, language=language, acting_user=None
        )
        # Estimated values (EUR excl. VAT) at typical unit prices: a notice and a release state them.
        for group, quantity, value, ambitions in lots:
            actions.add_lot(
                tender,
                product_group=group,
                quantity=quantity,
                estimated_value=Decimal(value),
                ambitions=ambitions,
                acting_user=None,
            )
        if reference in NOTICE_TERMS:
            actions.save_notice_terms(tender, NOTICE_TERMS[reference], acting_user=None)
        if publish:
            create_demo_offers(tender)  # sets the deadline and publishes
