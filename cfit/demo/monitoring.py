"""Demo partnership for `make demo`: the launching partners' countries as buyer groups, a few dozen
participants with tenders and registers, three years of monitoring reports, published results, and a
joint statement of demand. Names are made up ("demo"), figures come from a seeded generator."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.demo.accounts import DEMO_PASSWORD
from cfit.demo.fleet import demo_register
from cfit.fleet.actions import store_register
from cfit.fleet.models import Asset
from cfit.monitoring import actions, aggregation
from cfit.monitoring.indicators import PRODUCT_GROUPS
from cfit.monitoring.models import Campaign, Report
from cfit.pact import actions as pact
from cfit.pact.models import BuyerGroup, GroupMembership, Statement, WorkingGroup
from cfit.tenders import actions as tenders
from cfit.tenders.models import Tender

YEARS = (2023, 2024, 2025)
Type = Organisation.Type

#: country, group name, language, coordinator (slug, name), members (slug, name, users served)
GROUPS = [
    ("NL", "Buyer group ICT Netherlands", "nl", ("nl-ministry-bzk", "Ministry of the Interior (NL)"), [
        ("rijkswaterstaat", "Rijkswaterstaat", 9500), ("demo-utrecht", "Municipality of Utrecht (demo)", 4200),
        ("demo-surf", "Dutch universities' ICT cooperative (demo)", 52000), ("demo-belastingdienst", "Tax administration (demo)", 27000),
    ]),
    ("BE", "Belgian ICT buyer group", "fr", ("demo-fido", "Federal Institute for Sustainable Development (BE, demo)"), [
        ("city-of-ghent", "City of Ghent", 6000), ("demo-antwerpen", "City of Antwerp (demo)", 7800),
        ("demo-flanders-fm", "Flemish facility agency (demo)", 12000), ("demo-wallonia", "Walloon public service (demo)", 9000),
    ]),
    ("DE", "Einkaufsgemeinschaft IKT Deutschland", "de", ("demo-bmuv", "Federal Environment Ministry (DE, demo)"), [
        ("uni-freiburg", "Universität Freiburg", 30000), ("demo-berlin", "Berlin state administration (demo)", 21000),
        ("demo-uba", "Federal environment agency (demo)", 1700),
    ]),
    ("NO", "Innkjøpsgruppe IKT Norge", "nb", ("dfo-norway", "Norwegian Agency for Public and Financial Management (DFØ)"), [
        ("demo-viken", "Viken county (demo)", 8000), ("demo-oslo", "City of Oslo (demo)", 48000),
        ("demo-nav", "Labour and welfare administration (demo)", 19000),
    ]),
    ("GB", "UK circular ICT buyers", "en", ("demo-defra", "Department for Environment (UK, demo)"), [
        ("demo-nhs-trust", "Hospital trust (UK, demo)", 11000), ("demo-leeds", "Leeds City Council (demo)", 14000),
    ]),
    ("AT", "IKT-Einkaufsgruppe Österreich", "de", ("demo-bmk", "Climate Ministry (AT, demo)"), [
        ("demo-wien", "City of Vienna (demo)", 28000), ("demo-bbg", "Federal procurement agency (AT, demo)", 900),
    ]),
    ("CH", "Swiss buyer group ICT", "de", ("demo-foen", "Federal Office for the Environment (CH, demo)"), [
        ("demo-swiss-workplace", "Federal standard workplace (CH, demo)", 36000), ("demo-zurich", "Canton of Zurich (demo)", 16000),
    ]),
    ("CA", "Canadian circular ICT buyers", "en", ("demo-cic", "Circular Innovation Council (CA, demo)"), [
        ("demo-ontario", "Ontario public service (demo)", 60000), ("demo-montreal", "City of Montreal (demo)", 28000),
    ]),
]  # fmt: skip


def _organisation(
    slug: str, name: str, country: str, kind: str, served: int, rng: random.Random
) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "country": country, "type": kind, "users_served": served}
    )
    if organisation.signed_on is None and kind in Organisation.PARTICIPANT_TYPES:
        organisation.signed_on = date(
            2021 + rng.randrange(0, 3), 1 + rng.randrange(12), 1 + rng.randrange(27)
        )
        organisation.save(update_fields=["signed_on"])
    return organisation


def _report(report: Report, rng: random.Random) -> None:
    values: dict[tuple[str, str], float | str] = {
        ("ict_spend_eur", group): round(rng.uniform(50_000, 2_000_000), -3)
        for group in rng.sample(PRODUCT_GROUPS, 4)
    }
    values[("spend_covered_share", "")] = rng.randrange(20, 95)
    values[("suppliers_due_diligence_share", "")] = rng.randrange(10, 90)
    if rng.random() < 0.4:
        values[("lessons", "")] = rng.choice(
            [
                "Asking for a 5-year warranty cost less than expected and cut replacements.",
                "Refurbished laptops for back-office staff worked well; users did not notice the difference.",
                "Data-sanitisation certificates per device made resale to a refurbisher possible.",
            ]
        )
    actions.save_values(report, values, shared=rng.random() < 0.6, acting_user=None)


@transaction.atomic
def create_demo_partnership() -> None:
    """Idempotent: a second run finds the groups, campaigns and reports in place."""
    rng = random.Random("cfit-demo-partnership")
    with system_scope():
        groups = []
        for country, name, language, (coordinator_slug, coordinator_name), members in GROUPS:
            coordinator = _organisation(
                coordinator_slug, coordinator_name, country, Type.COORDINATING_PARTICIPANT, 0, rng
            )
            group = BuyerGroup.objects.filter(slug=f"buyer-group-{country.lower()}").first()
            if group is None:
                group = pact.create_buyer_group(
                    coordinator, name=name, slug=f"buyer-group-{country.lower()}", country=country, language=language,
                    description=f"National buyer group for circular and fair ICT ({country}).",
                )  # fmt: skip
            for slug, member_name, served in members:
                organisation = _organisation(
                    slug, member_name, country, Type.PROCURING_PARTICIPANT, served, rng
                )
                GroupMembership.objects.get_or_create(
                    group=group, organisation=organisation, defaults={"state": GroupMembership.State.ACTIVE}
                )
                if not Asset.unscoped.filter(organisation=organisation).exists():
                    store_register(organisation, demo_register(organisation, rng.randrange(40, 120)), None)
                _tenders(organisation, language, rng)
            groups.append(group)
        with aggregation.deferred():  # one refresh a year, not one per report
            _campaigns(groups, rng)
        _statement()


TENDER_LOTS = [
    ("notebooks", {"circularity": "ambitious"}),
    ("monitors", {}),
    ("smartphones", {"circularity": "ambitious", "due_diligence": "ambitious"}),
    ("desktops", {"carbon": "ambitious"}),
    ("refurbished-devices", {}),
    ("cloud-services", {"carbon": "ambitious"}),
]


def _tenders(organisation: Organisation, language: str, rng: random.Random) -> None:
    """One or two published tenders of the demo years, so that monitoring pre-fills criteria uptake."""
    if Tender.unscoped.filter(organisation=organisation).exists():
        return
    for year in rng.sample(YEARS, rng.choice([1, 2])):
        group, ambitions = rng.choice(TENDER_LOTS)
        tender = tenders.create_tender(
            organisation, title=f"{group.replace('-', ' ').capitalize()} {year}",
            reference=f"{organisation.slug[:10].upper()}-{year}-01", language=language, acting_user=None
        )  # fmt: skip
        quantity = rng.randrange(100, 3000)
        tenders.add_lot(
            tender, product_group=group, quantity=quantity, ambitions=ambitions,
            estimated_value=Decimal(quantity * rng.randrange(300, 1200)), acting_user=None
        )  # fmt: skip
        tenders.set_offers_deadline(tender, timezone.now() + timedelta(days=30), acting_user=None)
        tender = tenders.publish_tender(tender, acting_user=None)
        published = datetime(year, rng.randrange(2, 11), rng.randrange(1, 28), 10, tzinfo=UTC)
        Tender.unscoped.filter(pk=tender.pk).update(
            published_at=published, offers_deadline=published + timedelta(days=30)
        )


def _campaigns(groups: list[BuyerGroup], rng: random.Random) -> None:
    for year in YEARS:
        for group in [None, *groups]:
            campaign, _ = Campaign.objects.get_or_create(
                year=year, group=group,
                defaults={
                    "title": f"Monitoring {year}" + (f" · {group.name}" if group else " · the whole pact"),
                    "opens": date(year + 1, 1, 15), "deadline": date(year + 1, 3, 31),
                },
            )  # fmt: skip
            if group is None:
                continue
            for organisation in actions.campaign_members(campaign):
                if Report.objects.filter(organisation=organisation, year=year).exists():
                    continue
                report = actions.start_report(campaign, organisation, acting_user=None)
                _report(report, rng)
                if year < YEARS[-1] or rng.random() < 0.6:
                    actions.submit(report, acting_user=None)
                    if year < YEARS[-1] or rng.random() < 0.5:
                        actions.decide(report, accept=True, acting_user=None)
            if year < YEARS[-1] and campaign.results_published is None:
                actions.publish_results(campaign, acting_user=None)
    for year in YEARS[:-1]:
        pact_campaign = Campaign.objects.get(year=year, group__isnull=True)
        if pact_campaign.results_published is None:
            actions.publish_results(pact_campaign, acting_user=None)


def _statement() -> None:
    group, _ = WorkingGroup.objects.get_or_create(
        slug="wg-notebooks", defaults={"name": "Working group notebooks", "topic": "notebooks"}
    )
    for slug, role in (("nl-ministry-bzk", "chair"), ("demo-fido", "member"), ("green-refurb", "observer")):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is not None:
            pact.add_working_group_member(group, organisation, role, acting_user=None)
    statement, created = Statement.objects.get_or_create(
        slug="longer-lasting-notebooks-2026",
        defaults={
            "working_group": group,
            "title": {
                "en": "Notebooks that last: five years of warranty, spare parts and updates",
                "nl": "Notebooks die lang meegaan: vijf jaar garantie, onderdelen en updates",
                "fr": "Des ordinateurs portables durables : cinq ans de garantie, de pièces et de mises à jour",
                "de": "Langlebige Notebooks: fünf Jahre Garantie, Ersatzteile und Updates",
                "nb": "Bærbare som varer: fem års garanti, reservedeler og oppdateringer",
            },
            "text": {
                "en": "We, public buyers of the Circular & Fair ICT Pact, will ask in our notebook tenders from 2027 for a warranty of at least five years, spare parts for seven years and security updates for six years, and we will keep notebooks in use for at least five years.",
                "nl": "Wij, publieke inkopers van het Circular & Fair ICT Pact, vragen vanaf 2027 in onze aanbestedingen voor notebooks om ten minste vijf jaar garantie, zeven jaar reserveonderdelen en zes jaar beveiligingsupdates, en gebruiken notebooks ten minste vijf jaar.",
                "fr": "Nous, acheteurs publics du Circular & Fair ICT Pact, demanderons dans nos marchés d'ordinateurs portables à partir de 2027 une garantie d'au moins cinq ans, des pièces détachées pendant sept ans et des mises à jour de sécurité pendant six ans, et nous utiliserons nos ordinateurs portables au moins cinq ans.",
                "de": "Wir, öffentliche Auftraggeber des Circular & Fair ICT Pact, verlangen ab 2027 in unseren Notebook-Ausschreibungen mindestens fünf Jahre Garantie, sieben Jahre Ersatzteile und sechs Jahre Sicherheitsupdates und nutzen Notebooks mindestens fünf Jahre.",
                "nb": "Vi, offentlige innkjøpere i Circular & Fair ICT Pact, vil fra 2027 kreve minst fem års garanti, reservedeler i sju år og sikkerhetsoppdateringer i seks år i våre anskaffelser av bærbare datamaskiner, og vi vil bruke dem i minst fem år.",
            },
            "product_groups": ["notebooks"],
            "criteria": ["pc-warranty-a", "pc-spare-parts-a"],
        },
    )
    if created:
        pact.publish_statement(statement, acting_user=None)
        for slug, units in (
            ("rijkswaterstaat", 2500),
            ("city-of-ghent", 900),
            ("demo-oslo", 4000),
            ("uni-freiburg", 3000),
        ):
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is not None:
                pact.sign_statement(
                    statement, organisation, {"notebooks": (units, Decimal(units * 950))}, acting_user=None
                )


def demo_coordinators() -> list[tuple[str, str]]:
    """(username, organisation) of the demo coordinators' accounts, made if missing."""
    User = get_user_model()
    out = []
    for username, slug in (("coordinator-be", "demo-fido"), ("coordinator-no", "dfo-norway")):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": Membership.Role.ADMIN}
        )
        out.append((username, organisation.name))
    return out
