"""Walking the market, the factories and the public downloads as their readers do, and what tripped them.

Personas (tests/conftest.py): Sam of the secretariat imports notices and publishes; Pia, procurer at
Rijkswaterstaat, and Alma, its asset manager, import the organisation's cloud use; an anonymous reader
reads the market and the results in Dutch, French, German and Norwegian.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
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
from cfit.contracts.models import Contract
from cfit.demo.notices import EXAMPLES
from cfit.factories import actions as factory_actions
from cfit.factories.core import Disclosed, Item, link, totals
from cfit.factories.models import Factory
from cfit.fleet.models import Asset
from cfit.impact.titles import OWN_SOURCES
from cfit.monitoring import actions as monitoring
from cfit.monitoring.disclosure import Reason, Rules
from cfit.monitoring.models import PACT, Aggregate, Coverage
from cfit.notices.actions import import_notices
from cfit.notices.eforms import parse_eforms
from cfit.notices.market import Filters, market
from cfit.notices.models import Notice, outside_cfit
from tests.conftest import Persona, make_persona
from tests.contract_helpers import awarded_tender, contract_of, last_january
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
    assert next(r for r in results if r[2] == "embodied_tco2e")[-3:] == [
        embodied["sources"],
        embodied["source_titles"],
        embodied["source_urls"],
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


# -- the market: a change notice replaces the notice it changes

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LAPTOPS = "1d6b0c7e-2f0a-4c51-9a7e-000000000001"  # Rijkswaterstaat's laptop notice (cfit/notices/examples)
CHANGE = "1d6b0c7e-2f0a-4c51-9a7e-0000000000c1"


def change_notice(original: bytes) -> bytes:
    """A corrigendum of ``original`` as eForms publishes one: a notice id of its own, BT-758 naming the
    notice it changes with its version, and the changed text (here the title)."""
    text = original.decode()
    text = text.replace(
        f'<cbc:ID schemeName="notice-id">{LAPTOPS}</cbc:ID>',
        f'<cbc:ID schemeName="notice-id">{CHANGE}</cbc:ID>',
    )
    text = text.replace(
        "<efext:EformsExtension>",
        "<efext:EformsExtension><efac:Changes><efbc:ChangedNoticeIdentifier>"
        f"{LAPTOPS}-01</efbc:ChangedNoticeIdentifier></efac:Changes>",
        1,
    )
    assert CHANGE in text and "ChangedNoticeIdentifier" in text
    return text.encode()


@pytest.mark.parametrize("change_first", [False, True])
def test_a_change_notice_and_the_notice_it_changes_count_once(tmp_path: Path, change_first: bool) -> None:
    original = (EXAMPLES / "nl-rijkswaterstaat-laptops.xml").read_bytes()
    (tmp_path / "original.xml").write_bytes(original)
    (tmp_path / "change.xml").write_bytes(change_notice(original))
    first, second = ("change.xml", "original.xml") if change_first else ("original.xml", "change.xml")
    import_notices([tmp_path / first], acting_user=None)
    before = market(Filters(country="NL")).total.notices

    import_notices([tmp_path / second], acting_user=None)
    found = market(Filters(country="NL"))
    page = Client().get("/market/", {"country": "NL"}).content.decode()

    assert Notice.objects.filter(notice_id__in=[LAPTOPS, CHANGE]).count() == 2  # both kept, as published
    assert Notice.objects.get(notice_id=CHANGE).changes == LAPTOPS
    assert found.total.notices == before == 1  # counted once, as the change notice says it now is
    assert list(
        Notice.objects.ict().current().filter(buyer_country="NL").values_list("notice_id", flat=True)
    ) == [CHANGE]
    assert "1 ICT notice in this selection" in page


def dated(notice: bytes, day: str) -> bytes:
    """``notice`` as published on ``day`` (ISO date): its publication (OPP-012) and issue (BT-05) dates."""
    return re.sub(rb"2026-03-02Z", day.encode() + b"Z", notice)


@pytest.mark.parametrize("change_first", [False, True])
def test_a_tender_corrected_in_the_next_year_counts_in_the_year_it_was_published(
    tmp_path: Path, procurer: Persona, change_first: bool
) -> None:
    """Rijkswaterstaat publishes its laptops tender in December 2025 and corrects it in January 2026:
    the market and the monitoring count one tender, of 2025; the lists still say when it was corrected."""
    original = (EXAMPLES / "nl-rijkswaterstaat-laptops.xml").read_bytes()
    (tmp_path / "original.xml").write_bytes(dated(original, "2025-12-15"))
    (tmp_path / "change.xml").write_bytes(dated(change_notice(original), "2026-01-12"))
    order = ["change.xml", "original.xml"] if change_first else ["original.xml", "change.xml"]
    for name in order:
        import_notices([tmp_path / name], acting_user=None)

    assert Notice.objects.get(notice_id=LAPTOPS).published == date(2025, 12, 15)
    assert market(Filters(country="NL", year=2025)).total.notices == 1
    assert market(Filters(country="NL", year=2026)).total.notices == 0
    by_year = market(Filters(country="NL", by="year"))
    assert [(row.key, row.notices) for row in by_year.rows] == [("2025", 1)]
    change = Notice.objects.get(notice_id=CHANGE)
    assert (change.published, change.first_published, change.year) == (
        date(2026, 1, 12), date(2025, 12, 15), 2025,
    )  # fmt: skip
    assert [n.notice_id for n in outside_cfit(procurer.organisation, 2025)] == [LAPTOPS]
    assert outside_cfit(procurer.organisation, 2026) == []
    page = Client().get("/market/", {"country": "NL"}).content.decode()
    assert '<option value="2026">' not in page and '<option value="2025">' in page


def test_the_reader_reads_which_notice_an_sdk_change_notice_changes() -> None:
    example = SHARED / "eforms" / "examples" / "change-cn_24_open_dates.xml"
    if not example.exists():
        pytest.skip("needs ../shared/data/eforms/examples (the eForms SDK's examples), absent here")

    notice = parse_eforms(example.read_bytes())

    assert notice.id == "71397268-6c47-4f2f-8ab0-f41a26138f81"
    assert notice.changes == "c4c415ee-ac08-4465-8fa6-57568cf69462"  # BT-758 without its version "-01"


def test_a_market_download_says_its_selection_and_how_each_measure_counts(db: Any) -> None:
    import_notices([EXAMPLES], acting_user=None)
    client = Client(headers={"accept-language": "de"})

    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/market/download.csv", {"year": "2026", "country": "NL"}).content.decode()
            )
        )
    )
    book = load_workbook(
        io.BytesIO(client.get("/market/download.xlsx", {"year": "2026", "country": "NL"}).content)
    )

    header = rows[0]
    lines = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert header[-5:] == ["method", "country filter", "year filter", "product group filter", "buyer filter"]
    assert lines and all(
        (line["country filter"], line["year filter"], line["product group filter"], line["buyer filter"])
        == ("NL", "2026", "", "")
        for line in lines
    )
    strategic = next(line for line in lines if line["measure"] == "strategic procurement (BT-06)")
    assert "BT-06" in strategic["method"] and "change notice" in strategic["method"]
    criteria = [line for line in lines if line["measure"].startswith("criterion ")]
    assert criteria and all("lower bound" in line["method"] for line in criteria)
    assert [c.value for c in book.active[1]] == header


@pytest.mark.parametrize(
    ("language", "netherlands"), [("nl", "Nederland"), ("de", "Niederlande"), ("fr", "Pays-Bas")]
)
def test_the_market_names_countries_in_the_readers_language(db: Any, language: str, netherlands: str) -> None:
    import_notices([EXAMPLES], acting_user=None)

    page = Client(headers={"accept-language": language}).get("/market/").content.decode()
    table = page.split('id="market-table"')[1].split("</table>")[0]

    assert f'<option value="NL">{netherlands}</option>' in page
    assert f"<td>{netherlands}</td>" in table and "<td>NL</td>" not in table


# -- factories: what suppliers write


@pytest.fixture
def sid(db: Any) -> Persona:
    """Sid, administrator of the supplier GreenRefurb BV."""
    return make_persona("sid", "green-refurb", Organisation.Type.SUPPORTER, Membership.Role.ADMIN)


def test_a_supplier_names_the_countries_where_electronics_are_made_as_people_write_them(sid: Persona) -> None:
    client = Client()
    client.force_login(sid.user)
    upload = io.BytesIO(
        b"factory_name,address,country,factory_type,manufacturer,model,workers\n"
        b"Bac Ninh Handsets,Yen Phong,Vietnam,final_assembly,Samsung,Galaxy A52,30000\n"
        b"Hsinchu Boards,Hsinchu,Taiwan,component,Dell,Latitude 5420,\n"
        b"Penang Works,Bayan Lepas,MYS,final_assembly,Dell,Latitude 7420,\n"
        b"Gumi Plant,Gumi,South Korea,final_assembly,Samsung,Galaxy Tab S9,\n"
        # the same factory and model as the row before, its name written as another document does
        b"Compal Electronics (Kunshan) Co. Ltd.,Kunshan,CN,final_assembly,Lenovo,ThinkPad T14,100\n"
        b"COMPAL ELECTRONICS KUNSHAN,Kunshan,China,final_assembly,Lenovo,ThinkPad T14,200\n"
    )
    upload.name = "factories.csv"

    refused = client.post(
        f"/factories/disclose/{sid.organisation.slug}/", {"form": "file", "file-file": upload}
    )
    page = refused.content.decode()
    upload.seek(0)
    upload = io.BytesIO(b"".join(upload.readlines()[:-1]))  # without the repeated row
    upload.name = "factories.csv"
    stored = client.post(
        f"/factories/disclose/{sid.organisation.slug}/", {"form": "file", "file-file": upload}
    )
    by_form = client.post(
        f"/factories/disclose/{sid.organisation.slug}/",
        {
            "form": "one", "one-factory_name": "Ayutthaya Drives", "one-address": "Rojana", "one-country": "Thailand",
            "one-kind": "component", "one-manufacturer": "HP", "one-model": "EliteBook 840 G8",
            "one-product_group": "", "one-workers": "", "one-os_id": "",
        },
    )  # fmt: skip

    assert "row 7" in page and "row 3" not in page and "row 5" not in page  # only the repeated factory row
    assert stored.status_code == by_form.status_code == 302
    assert dict(Factory.objects.values_list("name", "country")) == {
        "Bac Ninh Handsets": "VN", "Hsinchu Boards": "TW", "Penang Works": "MY", "Gumi Plant": "KR",
        "Compal Electronics (Kunshan) Co. Ltd.": "CN", "Ayutthaya Drives": "TH",
    }  # fmt: skip


def test_devices_a_contract_delivered_into_the_register_count_once_at_their_factory() -> None:
    """Three buyers with Latitudes made in one factory; Rijkswaterstaat's 10 came under its contract
    and are in its register too."""
    disclosed = [Disclosed(1, "Dell", "Latitude 5420", "notebooks")]
    items = [
        Item("fleet", 1, "", "Dell", "Latitude 5420", "notebooks", 10),
        Item("contract", 1, "RWS-2025-014", "Dell Inc.", "Latitude 5420 Notebook", "notebooks", 10, 9_000.0),
        Item("fleet", 2, "", "Dell", "Latitude 5420", "notebooks", 12),
        Item("fleet", 3, "", "DELL", "Latitude 5420", "notebooks", 8),
        Item("offer", 3, "T-1: Alpha", "Dell", "Latitude 5420", "notebooks", 500, 400_000.0),  # not bought
    ]

    found = totals(link(disclosed, items), {}, frozenset(), Rules(3, 0.8))[1]

    assert (found.organisations, found.units, found.spend) == (3, 30, 9_000.0)
    # The spend is all Rijkswaterstaat's (the others' registers give none): one organisation gives it
    # something, so the totals stay hidden by the threshold rule.
    assert found.reason == Reason.THRESHOLD


def test_a_buyer_reads_its_factories_with_country_names_and_numbers_in_german(
    sid: Persona, procurer: Persona
) -> None:
    factory_actions.import_disclosure(
        sid.organisation,
        b"factory_name,address,country,factory_type,manufacturer,model,product_group,workers\n"
        b"Notebook Plant 2,1 Zone Rd Kunshan,CN,final_assembly,Dell,Latitude 5420,,30000\n"
        b"Notebook Plant 2,1 Zone Rd Kunshan,CN,final_assembly,Dell,P2422H,monitors,30000\n",
        "factories.csv",
        acting_user=sid.user,
    )
    Asset.unscoped.create(
        organisation=procurer.organisation, asset_key="L-1", product_group="notebooks", manufacturer="Dell",
        model="Latitude 5420", quantity=12000, purchase_date=date(2024, 1, 1), country="NL", status="in_use",
    )  # fmt: skip
    client = Client(headers={"accept-language": "de"})
    client.force_login(procurer.user)

    listed = client.get("/factories/").content.decode()
    factory = Factory.objects.get()
    detail = client.get(f"/factories/{factory.pk}/").content.decode()

    assert "<td>China</td>" in listed and "<td>CN</td>" not in listed
    assert "12.000" in listed and "12000" not in listed
    assert "China" in detail
    assert "<td>Monitore</td>" in detail and "<td>monitors</td>" not in detail  # the product group's name
    supplier = Client(headers={"accept-language": "de"})
    supplier.force_login(sid.user)
    disclosed = supplier.get(f"/factories/disclose/{sid.organisation.slug}/").content.decode()
    assert "<td>China</td>" in disclosed and '<td class="num">30.000</td>' in disclosed


def test_an_ocds_release_republishing_a_ted_notice_counts_once(tmp_path: Path) -> None:
    """A national portal republishes Rijkswaterstaat's TED notice as OCDS, as OCDS for eForms maps it:
    the release's id is the notice's BT-701."""
    release = {
        "ocid": "ocds-abc123-rws-laptops",
        "id": LAPTOPS,
        "date": "2026-03-02T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "buyer": {"id": "rws", "name": "Rijkswaterstaat"},
        "parties": [
            {
                "id": "rws",
                "name": "Rijkswaterstaat",
                "roles": ["buyer"],
                "address": {"countryName": "Netherlands"},
            }
        ],
        "tender": {
            "id": "RWS-2027-001",
            "title": "Laptops en beeldschermen",
            "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "30213100"}}],
        },
    }
    package = {
        "uri": "https://example.org/p.json",
        "publishedDate": "2026-03-02T00:00:00Z",
        "releases": [release],
    }
    (tmp_path / "portal.json").write_text(json.dumps(package), encoding="utf-8")
    (tmp_path / "ted.xml").write_bytes((EXAMPLES / "nl-rijkswaterstaat-laptops.xml").read_bytes())

    import_notices([tmp_path / "portal.json"], acting_user=None)
    alone = market(Filters(country="NL")).total.notices
    import_notices([tmp_path / "ted.xml"], acting_user=None)

    assert Notice.objects.filter(source="ocds", ict=True, buyer_country="NL").count() == 1  # read, and ICT
    assert alone == 1  # the portal's release counts while TED's notice is not stored
    assert market(Filters(country="NL")).total.notices == 1
    assert Notice.objects.ict().current().get(buyer_country="NL").source == "eforms"


NETWORK = "1d6b0c7e-2f0a-4c51-9a7e-000000000002"  # Rijkswaterstaat's network notice, not a cfit tender


def test_the_pre_fill_counts_a_tender_published_on_ted_and_a_portal_once(
    tmp_path: Path, procurer: Persona
) -> None:
    release = {
        "ocid": "ocds-abc123-rws-network",
        "id": NETWORK,
        "date": "2026-05-18T00:00:00Z",
        "tag": ["tender"],
        "buyer": {"id": "rws", "name": "Rijkswaterstaat"},
        "parties": [{"id": "rws", "name": "Rijkswaterstaat", "roles": ["buyer"], "address": {"countryName": "Netherlands"}}],
        "tender": {"id": "RWS-NET", "title": "Netwerkapparatuur en beheer 2026", "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "32420000"}}]},
    }  # fmt: skip
    (tmp_path / "portal.json").write_text(json.dumps({"releases": [release]}), encoding="utf-8")
    (tmp_path / "ted.xml").write_bytes((EXAMPLES / "nl-rijkswaterstaat-network.xml").read_bytes())

    import_notices([tmp_path], acting_user=None)

    assert Notice.objects.filter(buyer_organisation=procurer.organisation).count() == 2
    assert [n.notice_id for n in outside_cfit(procurer.organisation, 2026)] == [NETWORK]


def test_a_buyer_sees_its_contracted_devices_in_its_register_once_at_their_factory(
    framework: Any, sid: Persona, procurer: Persona
) -> None:
    contract = contract_of(awarded_tender(procurer, "FACT-2"), sid.organisation, procurer)
    delivered = contract.start_date.replace(month=2)
    # started already: only a contract in force on the day counts as dependence on its factories
    Contract.unscoped.filter(pk=contract.pk).update(start_date=last_january())
    factory_actions.import_disclosure(
        sid.organisation,
        b"factory_name,address,country,factory_type,manufacturer,model,product_group\n"
        b"Acme Assembly,Suzhou,CN,final_assembly,Acme,Book 14,notebooks\n",
        "factories.csv",
        acting_user=sid.user,
    )
    # the ten notebooks the contract delivered, in the register
    Asset.unscoped.create(
        organisation=procurer.organisation, asset_key="A-1", product_group="notebooks", manufacturer="Acme",
        model="Book 14", quantity=10, purchase_date=delivered, country="NL", status="in_use",
    )  # fmt: skip
    client = Client()
    client.force_login(procurer.user)

    listed = client.get("/factories/").content.decode()

    row = listed.split('id="factories"')[1].split("<tbody>")[1].split("</tr>")[0]
    assert contract.lot is not None and "Acme Assembly" in row
    # the buyer's own units: the contract's 10 notebooks are the 10 in its register, not 20
    assert [cell.split("<")[0].strip() for cell in row.split('<td class="num">')[1:3]] == ["10", "8,000"]


def test_the_market_chart_s_table_gives_the_notices_behind_each_share(db: Any) -> None:
    """A reader who cannot see the chart reads its table: each group's shares, and n, the ICT notices
    they are shares of (public notices: no figure is hidden for a small n)."""
    import_notices([EXAMPLES], acting_user=None)
    found = market(Filters(by="country"))

    page = Client().get("/market/", {"by": "country"}).content.decode()

    table = page.split('id="chart-market"')[1].split("</figure>")[0].split("<table")[1]
    assert '<th class="num">ICT notices (n)</th>' in table
    n = re.findall(r'<tr><th>[^<]*</th><td class="num">(\d+)</td>', table)
    assert n == [str(r.notices) for r in found.rows if r.notices][:12] and n
