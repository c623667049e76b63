"""The demo: what a newcomer finds after `make demo` (`cfit demo`), one module per domain.

The builder below runs them in order: accounts (organisations, users, a shortlist, tenders with
offers), contracts (with a supplier's minerals report), registers, data centres, then the partnership
(buyer groups, three years of monitoring, a statement of demand), cloud use, disclosed factories,
published notices, guides and knowledge sessions,
two case studies and two applications to join. No app module imports this package: the demo depends on the apps,
never the reverse (``tests/test_import_graph.py``).

Never for production: `cfit demo` refuses to run when DJANGO_ENV=production.
"""

from __future__ import annotations

from django.db import transaction

from cfit.accounts.models import Membership
from cfit.criteria.models import FrameworkVersion
from cfit.demo.accounts import DEMO_PASSWORD, USERS, DemoAccount, create_demo_accounts
from cfit.demo.casestudies import create_demo_case_studies
from cfit.demo.cloud import create_demo_cloud
from cfit.demo.contracts import create_demo_contracts
from cfit.demo.datacentres import create_demo_datacentres
from cfit.demo.factories import create_demo_factories
from cfit.demo.fleet import create_demo_fleets
from cfit.demo.joining import create_demo_applications
from cfit.demo.learning import create_demo_guides_and_events
from cfit.demo.minerals import create_demo_minerals
from cfit.demo.monitoring import create_demo_partnership as _create_partnership
from cfit.demo.monitoring import demo_coordinators
from cfit.demo.notices import create_demo_notices
from cfit.impact.actions import load_grid_factors

__all__ = ["DEMO_PASSWORD", "USERS", "DemoAccount", "build", "create_demo_data", "create_demo_partnership"]


@transaction.atomic
def create_demo_data() -> list[DemoAccount]:
    """Idempotent: the organisations and accounts, their tenders and contracts (with a published
    framework), the registers and the data centres; returns the accounts to print."""
    organisations, accounts = create_demo_accounts()
    published = FrameworkVersion.objects.latest_published() is not None
    if published:
        create_demo_minerals(create_demo_contracts(organisations))
    # The grid intensity table and a register per demo buyer, so that the fleet pages show figures.
    load_grid_factors()
    create_demo_fleets(organisations)
    if published:
        accounts.append(DemoAccount(*create_demo_datacentres(DEMO_PASSWORD)))
    return accounts


def create_demo_partnership() -> list[DemoAccount]:
    """Buyer groups of the launching partners, three years of monitoring, a statement of demand;
    returns the coordinators' demo accounts."""
    _create_partnership()
    return [
        DemoAccount(username, organisation, Membership.Role.ADMIN.label)
        for username, organisation in demo_coordinators()
    ]


def build() -> list[DemoAccount]:
    """Everything, in order; returns the accounts to print."""
    accounts = create_demo_data() + create_demo_partnership()
    create_demo_cloud()
    create_demo_factories()
    create_demo_notices()  # after the tenders: one notice is linked to a demo tender
    create_demo_guides_and_events()
    create_demo_case_studies()
    create_demo_applications(DEMO_PASSWORD)
    return accounts
