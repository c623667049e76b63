"""Trying to recover one participant's figures from every channel that publishes collective results.

Rijkswaterstaat (Pia's organisation) keeps its report to itself. It is the only member to report tablets
and its figures are made distinctive (7,777 tablets, 9,503 users...), so that any channel that let them
through, directly or by differencing, would be caught. The attacker reads the results page (its table and
its charts' numbers), the CSV, the XLSX and the API of the pact and of both buyer groups, and subtracts:
a total minus its shown parts, the pact minus a group, the pact minus all groups.

Personas: Coco runs the Dutch group (five members), Fred the French one (four); Sam is the secretariat.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import defaultdict
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from cfit.accounts.models import Membership, Organisation
from cfit.impact.figures import METHOD_VERSION
from cfit.monitoring import actions
from cfit.monitoring.api import ResultsOut
from cfit.monitoring.disclosure import TOTAL
from cfit.monitoring.models import PACT, Aggregate, Campaign
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership
from tests.conftest import PASSWORD, Persona, make_persona

pytestmark = pytest.mark.django_db
Type, Role = Organisation.Type, Membership.Role
YEAR = 2025

#: Rijkswaterstaat's own figures: what must never come out.
SECRET = {
    ("users_served", ""): 9503,
    ("units_new", "tablets"): 7777,
    ("units_new", "notebooks"): 131,
    ("ict_spend_eur", "notebooks"): 123_457,
    ("ict_spend_eur", "tablets"): 86_421,
    ("embodied_tco2e", ""): 71.3,
}
SECRET_BOUNDS = {("embodied_tco2e", ""): (50.1, 90.7)}


def others(n: int) -> dict[tuple[str, str], Any]:
    """An ordinary member's report: figures alike enough that no one dominates."""
    return {
        ("users_served", ""): 4000 + 37 * n,
        ("units_new", "notebooks"): 100 + 3 * n,
        ("units_new", "monitors"): 60 + 5 * n,
        ("ict_spend_eur", "notebooks"): 100_000 + 1_013 * n,
        ("embodied_tco2e", ""): 40 + n,
    }


def bounds_of(values: dict[tuple[str, str], Any]) -> dict[tuple[str, str], tuple[float, float]]:
    figure = values[("embodied_tco2e", "")]
    return {("embodied_tco2e", ""): (round(figure * 0.7, 1), round(figure * 1.3, 1))}


def report(
    campaign: Campaign, organisation: Organisation, values: dict, bounds: dict, *, accept: bool = True
) -> None:
    found = actions.start_report(campaign, organisation, acting_user=None)
    actions.save_values(found, values, bounds=bounds, acting_user=None)
    actions.submit(found, acting_user=None)
    if accept:
        actions.decide(found, accept=True, acting_user=None)


@pytest.fixture
def published(
    coordinator: Persona, procurer: Persona, outsider: Persona, secretary: Persona
) -> dict[str, Any]:
    fred = make_persona("fred", "fr-ministry", Type.COORDINATING_PARTICIPANT, Role.ADMIN, "FR")
    nl = pact.create_buyer_group(
        coordinator.organisation, name="NL group", slug="nl", country="NL", language="nl"
    )
    fr = pact.create_buyer_group(fred.organisation, name="FR group", slug="fr", country="FR", language="fr")
    dutch = [procurer.organisation] + [
        Organisation.objects.create(slug=s, name=s.title(), country="NL", type=Type.PROCURING_PARTICIPANT)
        for s in ("utrecht", "delft", "leiden")
    ]
    french = [outsider.organisation] + [
        Organisation.objects.create(slug=s, name=s.title(), country="FR", type=Type.PROCURING_PARTICIPANT)
        for s in ("paris", "nice")
    ]
    for group, organisations in ((nl, dutch), (fr, french)):
        for organisation in organisations:
            GroupMembership.objects.create(group=group, organisation=organisation, state="active")
    campaigns = {
        scope: actions.open_campaign(
            year=YEAR,
            group=group,
            title=f"{scope} {YEAR}",
            opens=date(2026, 1, 1),
            deadline=date(2026, 3, 31),
            acting_user=None,
        )
        for scope, group in (("nl", nl), ("fr", fr), (PACT, None))
    }
    report(campaigns["nl"], procurer.organisation, SECRET, SECRET_BOUNDS)
    for n, organisation in enumerate([coordinator.organisation, *dutch[1:]], start=1):
        values = others(n)
        report(campaigns["nl"], organisation, values, bounds_of(values))
    # the French group: only two of its four members report monitors, so its monitors are hidden
    for n, organisation in enumerate([fred.organisation, *french], start=10):
        values = others(n)
        if n > 11:
            del values[("units_new", "monitors")]
        report(campaigns["fr"], organisation, values, bounds_of(values), accept=n % 2 == 0)
    for campaign in campaigns.values():
        actions.publish_results(campaign, acting_user=coordinator.user)
    return {"nl": nl, "fr": fr, "campaigns": campaigns, "fred": fred}


# -- reading every channel into {(scope, indicator, key): value} of shown figures


def from_api(client: Client, scope: str) -> dict[tuple[str, str, str], float]:
    data = client.get("/api/v1/monitoring/results", {"scope": scope}).json()
    shown = {}
    for code, by_year in data["indicators"].items():
        for key, cell in by_year[str(YEAR)].items():
            if cell["value"] is not None:
                shown[(scope, code, key)] = cell["value"]
                for bound in ("low", "high"):
                    if cell[bound] is not None:
                        shown[(scope, f"{code}:{bound}", key)] = cell[bound]
    users = data["coverage"][str(YEAR)]["users_served"]
    if users is not None:
        shown[(scope, "coverage:users_served", "")] = users
    return shown


def from_rows(rows: list[list[Any]], scope: str) -> dict[tuple[str, str, str], float]:
    header = rows[0]
    shown = {}
    for row in rows[1:]:
        cell = dict(zip(header, row, strict=True))
        if cell["value"] not in (None, ""):
            shown[(scope, cell["indicator"], cell["breakdown"] or "")] = float(cell["value"])
            for bound in ("low", "high"):
                if cell[bound] not in (None, ""):
                    shown[(scope, f"{cell['indicator']}:{bound}", cell["breakdown"] or "")] = float(
                        cell[bound]
                    )
    return shown


def from_csv(client: Client, scope: str) -> dict[tuple[str, str, str], float]:
    text = client.get("/results/download.csv", {"scope": scope}).content.decode()
    return from_rows(list(csv.reader(io.StringIO(text))), scope)


def from_xlsx(client: Client, scope: str) -> dict[tuple[str, str, str], float]:
    book = load_workbook(io.BytesIO(client.get("/results/download.xlsx", {"scope": scope}).content))
    return from_rows([list(r) for r in book.active.iter_rows(values_only=True)], scope)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def numbers_on_page(client: Client, scope: str) -> set[float]:
    """Every number written on the results page: its tables, its charts' numbers and their tooltips."""
    parser = _Text()
    parser.feed(client.get("/results/", {"scope": scope}).content.decode())
    text = " ".join(parser.parts)
    return {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def secrets() -> set[float]:
    """Rijkswaterstaat's figures, its bounds, and their sums per indicator."""
    found = set(SECRET.values()) | {b for pair in SECRET_BOUNDS.values() for b in pair}
    by_indicator: dict[str, float] = defaultdict(float)
    for (code, _key), value in SECRET.items():
        by_indicator[code] += value
    return found | set(by_indicator.values())


def derived(shown: dict[tuple[str, str, str], float]) -> set[float]:
    """What an attacker computes from shown figures: the figures, each total minus its shown parts, the
    pact minus each group, minus both groups, and each group minus the other."""
    out = set(shown.values())
    by_scope_code: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for (scope, code, key), value in shown.items():
        by_scope_code[(scope, code)][key] = value
    for keys in by_scope_code.values():
        if TOTAL in keys:
            out.add(keys[TOTAL] - sum(v for k, v in keys.items() if k != TOTAL))
    by_cell: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for (scope, code, key), value in shown.items():
        by_cell[(code, key)][scope] = value
    for scopes in by_cell.values():
        if PACT in scopes:
            groups = [v for s, v in scopes.items() if s != PACT]
            for size in range(1, len(groups) + 1):
                for chosen in itertools.combinations(groups, size):
                    out.add(scopes[PACT] - sum(chosen))
        for first, second in itertools.permutations(scopes.values(), 2):
            out.add(first - second)
    return {round(v, 3) for v in out}


def test_no_channel_gives_away_one_participants_figures(client: Client, published: dict[str, Any]) -> None:
    shown: dict[tuple[str, str, str], float] = {}
    for scope in (PACT, "nl", "fr"):
        api, csv_, xlsx = from_api(client, scope), from_csv(client, scope), from_xlsx(client, scope)
        assert {k: v for k, v in api.items() if k[1] != "coverage:users_served"} == csv_ == xlsx  # one source
        shown |= api
        on_page = numbers_on_page(client, scope)
        assert not {float(s) for s in secrets()} & on_page, (
            f"a figure of Rijkswaterstaat is on the {scope} page"
        )

    assert not {round(s, 3) for s in secrets()} & derived(shown)
    # and the attack is not empty: plenty is shown, and the hidden figures say why
    assert len(shown) > 20
    assert Aggregate.objects.filter(
        scope="nl", indicator="units_new", key="tablets", suppression="threshold"
    ).exists()


def test_hidden_figures_say_why_in_every_channel(client: Client, published: dict[str, Any]) -> None:
    api = client.get("/api/v1/monitoring/results", {"scope": "nl"}).json()
    rows = list(
        csv.reader(io.StringIO(client.get("/results/download.csv", {"scope": "nl"}).content.decode()))
    )
    page = client.get("/results/", {"scope": "nl"}).content.decode()

    assert ResultsOut.model_validate(api).indicators["units_new"][YEAR]["tablets"].suppressed == "threshold"
    tablets = api["indicators"]["units_new"][str(YEAR)]["tablets"]
    assert tablets == {**tablets, "value": None, "reporters": None, "suppressed": "threshold"}
    assert [
        "nl",
        str(YEAR),
        "units_new",
        "tablets",
        "",
        "",
        "",
        "devices",
        "",
        "5",
        "",
        "",
        "threshold",
        "",  # method, its address, sources, their titles and addresses: a count has none
        "",
        "",
        "",
        "",
    ] in rows
    assert 'data-reason="threshold"' in page and "fewer than 3 reporting organisations" in page


def test_the_coordinator_sees_the_group_through_the_same_rules(
    published: dict[str, Any], coordinator: Persona
) -> None:
    client = Client()
    client.login(username=coordinator.user.username, password=PASSWORD)
    campaign = published["campaigns"]["nl"]

    page = client.get(f"/monitoring/campaigns/{campaign.pk}/").content.decode()
    unpublished = client.get("/api/v1/monitoring/results", {"scope": "nl", "unpublished": "true"}).json()

    assert "7,777" not in page and "7777" not in page and "9,503" not in page
    assert unpublished["indicators"]["units_new"][str(YEAR)]["tablets"]["suppressed"] == "threshold"


# -- uncertainty travels


def test_emissions_carry_their_range_method_and_sources_to_every_channel(
    client: Client, published: dict[str, Any]
) -> None:
    api = client.get("/api/v1/monitoring/results", {"scope": "nl"}).json()
    cell = api["indicators"]["embodied_tco2e"][str(YEAR)][""]
    page = client.get("/results/", {"scope": "nl"}).content.decode()
    rows = list(
        csv.reader(io.StringIO(client.get("/results/download.csv", {"scope": "nl"}).content.decode()))
    )
    method = client.get(api["method_url"].replace("http://testserver", ""))

    figures = [71.3] + [40 + n for n in range(1, 5)]
    assert cell["value"] == pytest.approx(sum(figures))
    # the rule: the low bounds add up, and so do the high ones
    assert cell["low"] == pytest.approx(50.1 + sum(round(f * 0.7, 1) for f in figures[1:]))
    assert cell["high"] == pytest.approx(90.7 + sum(round(f * 1.3, 1) for f in figures[1:]))
    assert cell["method"] is None  # reported by the members, not computed by the platform's method
    row = next(r for r in rows if r[2] == "embodied_tco2e")
    assert float(row[5]) == pytest.approx(cell["low"]) and float(row[6]) == pytest.approx(cell["high"])
    assert 'id="chart-emissions"' in page and 'class="range"' in page and 'href="/monitoring/method/"' in page
    assert method.status_code == 200 and "How the ranges are formed" in method.content.decode()


def test_a_prefilled_emissions_figure_keeps_the_engines_range_method_and_sources(
    procurer: Persona, coordinator: Persona, framework: Any
) -> None:
    from cfit.fleet.actions import import_register_file

    group = pact.create_buyer_group(
        coordinator.organisation, name="NL", slug="nl", country="NL", language="nl"
    )
    GroupMembership.objects.create(group=group, organisation=procurer.organisation, state="active")
    campaign = actions.open_campaign(
        year=YEAR,
        group=group,
        title="NL",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    register = (
        "asset_key,product_group,manufacturer,model,quantity,purchase_date,condition,status\n"
        "A,notebooks,Dell,Latitude 5420,10,2025-02-01,new,in_use\n"
    )
    import_register_file(procurer.organisation, register.encode(), "r.csv")

    found = actions.start_report(campaign, procurer.organisation, acting_user=None)
    page = Client()
    page.login(username=procurer.user.username, password=PASSWORD)
    html = page.get(f"/monitoring/reports/{found.pk}/").content.decode()

    embodied = found.values.get(indicator="embodied_tco2e")
    assert embodied.low < embodied.value < embodied.high and embodied.method == METHOD_VERSION
    assert embodied.sources and {"id", "title", "url"} <= set(embodied.sources[0])
    assert f"Computed by the impact method {METHOD_VERSION}" in html and 'href="/monitoring/method/"' in html


def test_a_changed_emissions_figure_needs_bounds_around_it(
    published: dict[str, Any], coordinator: Persona
) -> None:
    campaign = actions.open_campaign(
        year=2026,
        group=published["nl"],
        title="NL 2026",
        opens=date(2027, 1, 1),
        deadline=date(2027, 3, 31),
        acting_user=None,
    )
    found = actions.start_report(campaign, coordinator.organisation, acting_user=None)

    with pytest.raises(actions.MonitoringError, match="low and a high bound"):
        actions.save_values(found, {("embodied_tco2e", ""): 12}, acting_user=None)
    with pytest.raises(actions.MonitoringError, match="low and a high bound"):
        actions.save_values(
            found, {("embodied_tco2e", ""): 12}, bounds={("embodied_tco2e", ""): (13, 20)}, acting_user=None
        )
    actions.save_values(
        found, {("embodied_tco2e", ""): 12}, bounds={("embodied_tco2e", ""): (9, 15)}, acting_user=None
    )

    stored = found.values.get(indicator="embodied_tco2e")
    assert (stored.low, stored.value, stored.high, stored.origin, stored.method) == (
        9,
        12,
        15,
        "reported",
        "",
    )
