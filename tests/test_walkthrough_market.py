"""Walking the market, the factories and the public downloads as their readers do, and what tripped them.

Personas (tests/conftest.py): Sam of the secretariat imports notices and publishes; Pia, procurer at
Rijkswaterstaat, and Alma, its asset manager, import the organisation's cloud use; an anonymous reader
reads the market and the results in Dutch, French, German and Norwegian.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.cloud.models import CloudUsage
from cfit.impact.titles import OWN_SOURCES
from cfit.monitoring import actions as monitoring
from cfit.monitoring.models import PACT, Aggregate, Coverage
from tests.conftest import Persona, make_persona
from tests.test_cloud import focus_csv
from tests.test_cloud_pages import USAGE, _upload

pytestmark = pytest.mark.django_db


# -- the public results: every figure's sources travel with it into the downloads

SOURCES = [
    {"id": "boavizta-2024", "title": "Boavizta API reference data, 2024", "url": "https://boavizta.org/"},
    {"id": "cfit-proposal", "title": "cfit modelling choice", "url": ""},
]


@pytest.fixture
def published_emissions(db: Any) -> None:
    """The pact's 2025 results as published: an emissions figure computed from two sources."""
    campaign = monitoring.open_campaign(
        year=2025,
        group=None,
        title="2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    campaign.results_published = timezone.now()
    campaign.save(update_fields=["results_published"])
    Coverage.objects.create(scope=PACT, year=2025, members=5, counted=4, accepted=4)
    Aggregate.objects.create(
        scope=PACT, year=2025, indicator="embodied_tco2e", key="", value=120.5, low=90.0, high=150.25,
        reporters=4, prefilled=4, method="cfit-impact-2026.1", sources=SOURCES,
    )  # fmt: skip
    Aggregate.objects.create(
        scope=PACT, year=2025, indicator="units_new", key="notebooks", value=400, reporters=4
    )


def test_the_results_downloads_name_each_figures_sources(client: Client, published_emissions: None) -> None:
    rows = list(csv.reader(io.StringIO(client.get("/results/download.csv").content.decode())))
    book = load_workbook(io.BytesIO(client.get("/results/download.xlsx").content))
    page = client.get("/results/").content.decode()

    header = rows[0]
    embodied = dict(zip(header, next(r for r in rows if r[2] == "embodied_tco2e"), strict=True))
    units = dict(zip(header, next(r for r in rows if r[2] == "units_new"), strict=True))
    assert embodied["sources"] == "boavizta-2024 | cfit-proposal"
    assert embodied["source_titles"] == (
        "Boavizta API reference data, 2024 | cfit modelling choice (a proposal of ours, not a published figure)"
    )
    assert units["sources"] == units["source_titles"] == ""  # counted devices: reported, no factors
    results = [list(r) for r in book["Results"].iter_rows(values_only=True)]
    assert results[0] == header
    assert next(r for r in results if r[2] == "embodied_tco2e")[-2:] == [
        embodied["sources"],
        embodied["source_titles"],
    ]
    assert [list(r) for r in book["Sources"].iter_rows(values_only=True)] == [
        ["source", "title", "url"],
        ["boavizta-2024", "Boavizta API reference data, 2024", "https://boavizta.org/"],
        ["cfit-proposal", "cfit modelling choice (a proposal of ours, not a published figure)", None],
    ]
    # the same titles as the results page's list of sources, cfit's own in the reader's language
    assert "Boavizta API reference data, 2024" in page and "cfit modelling choice (a proposal" in page
    dutch = Client(headers={"accept-language": "nl"})
    with translation.override("nl"):
        own = str(OWN_SOURCES["cfit-proposal"])
    assert own != "cfit modelling choice (a proposal of ours, not a published figure)"
    assert own in dutch.get("/results/").content.decode()
    assert own in dutch.get("/results/download.csv").content.decode()


# -- cloud use: dates, months and sources as the reader reads them


@pytest.fixture
def asset_manager(procurer: Persona) -> Persona:
    """Alma, asset manager at Rijkswaterstaat (Pia's organisation)."""
    return make_persona(
        "alma", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )


@pytest.mark.parametrize("language", ["nl", "de"])
def test_the_cloud_pages_write_dates_months_and_sources_in_the_readers_language(
    language: str, asset_manager: Persona
) -> None:
    client = Client(headers={"accept-language": language})
    client.force_login(asset_manager.user)
    url = f"/cloud/{asset_manager.organisation.slug}/"
    imported = client.post(url, {"file": _upload(focus_csv(USAGE), "aws.csv")})
    with system_scope():
        CloudUsage.objects.update(uploaded_at=datetime(2026, 12, 6, 23, 30, tzinfo=UTC))

    again = client.post(url, {"file": _upload(focus_csv(USAGE), "aws-again.csv")}).content.decode()
    usage = client.get(imported["Location"]).content.decode()
    overview = client.get(url).content.decode()

    with translation.override(language):
        # imported at 00:30 in Brussels, 23:30 the evening before in UTC: the site's day counts
        day = date_format(date(2026, 12, 7))
        september, october = (date_format(date(2024, m, 1), "YEAR_MONTH_FORMAT") for m in (9, 10))
        refused = _("this export was imported on %(date)s: it is counted once") % {"date": day}
    assert refused in again and "2026-12-0" not in again
    for page in (usage, overview):
        assert september in page and october in page
        assert "2024-09" not in page and "2024-10" not in page
    assert f'<td class="num">{september}' not in usage  # the months are rows' names, not numbers
    # the by-region table names its factors' sources by title, linked to the list of sources below
    regions = usage.split('id="by-region"')[1].split("</table>")[0]
    assert "Ember" in regions and 'href="#source-' in regions
    for source_id in re.findall(r'href="#source-([^"]+)"', regions):
        assert f'id="source-{source_id}"' in usage
