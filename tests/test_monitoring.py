"""Monitoring: pre-filled reports, the campaign workflow, aggregation by the database, the workbook,
reminders, and every visibility rule tried from the wrong side.

Personas: Coco runs the Dutch buyer group (admin of the NL ministry); Pia is procurer and Ada admin at
Rijkswaterstaat, a member; Louise (Ville de Lyon) is a member of the French group run by Fred; Sid is a
supporter; Sam is the secretariat.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from cfit.accounts.models import Membership, Organisation
from cfit.monitoring import actions, aggregation
from cfit.monitoring.models import PACT, Aggregate, Coverage, Report, ReportValue
from cfit.pact import actions as pact
from cfit.pact.models import BuyerGroup, GroupMembership
from tests.conftest import PASSWORD, Persona, make_persona

pytestmark = pytest.mark.django_db
Type, Role = Organisation.Type, Membership.Role


@pytest.fixture
def world(coordinator: Persona, procurer: Persona, outsider: Persona, secretary: Persona) -> dict[str, Any]:
    ada = make_persona("ada", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.ADMIN)
    fred = make_persona("fred", "fr-ministry", Type.COORDINATING_PARTICIPANT, Role.ADMIN, "FR")
    utrecht = make_persona("uma", "utrecht", Type.PROCURING_PARTICIPANT, Role.ADMIN)
    nl = pact.create_buyer_group(
        coordinator.organisation, name="NL group", slug="nl", country="NL", language="nl"
    )
    fr = pact.create_buyer_group(fred.organisation, name="FR group", slug="fr", country="FR", language="fr")
    for group, organisation in (
        (nl, procurer.organisation),
        (nl, utrecht.organisation),
        (fr, outsider.organisation),
    ):
        GroupMembership.objects.create(
            group=group, organisation=organisation, state=GroupMembership.State.ACTIVE
        )
    campaign_nl = actions.open_campaign(
        year=2025,
        group=nl,
        title="NL 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    campaign_fr = actions.open_campaign(
        year=2025,
        group=fr,
        title="FR 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    return {
        "nl": nl,
        "fr": fr,
        "campaign_nl": campaign_nl,
        "campaign_fr": campaign_fr,
        "ada": ada,
        "fred": fred,
        "uma": utrecht,
    }


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def filled(
    campaign: Any, organisation: Organisation, values: dict[tuple[str, str], Any], *, shared: bool = False
) -> Report:
    report = actions.start_report(campaign, organisation, acting_user=None)
    actions.save_values(report, values, shared=shared, acting_user=None)
    return report


def cell(scope: str, indicator: str, key: str = "", year: int = 2025) -> float | None:
    found = Aggregate.objects.filter(scope=scope, year=year, indicator=indicator, key=key).first()
    return found.value if found else None


def test_a_report_starts_prefilled_and_a_changed_figure_becomes_reported(
    world: dict[str, Any], procurer: Persona
) -> None:
    procurer.organisation.users_served = 9500
    procurer.organisation.save()

    report = actions.start_report(world["campaign_nl"], procurer.organisation, acting_user=None)
    actions.save_values(
        report,
        {("users_served", ""): 9700, ("ict_spend_eur", "notebooks"): "1.250.000".replace(".", "")},
        acting_user=None,
    )

    values = {(v.indicator, v.key): v for v in report.values.all()}
    assert values[("users_served", "")].value == 9700 and values[("users_served", "")].origin == "reported"
    assert values[("ict_spend_eur", "notebooks")].value == 1_250_000


@pytest.mark.parametrize(
    ("cell_", "raw", "message"),
    [
        (("units_new", "notebooks"), "2.5", "whole number"),
        (("spend_covered_share", ""), "120", "at most"),
        (("ict_spend_eur", "monitors"), "lots", "not a number"),
        (("retired_units", "notebooks"), "-3", "zero or more"),
        (("units_new", "toasters"), "3", "Unknown figure"),
    ],
)
def test_bad_figures_are_refused_and_nothing_is_saved(
    world: dict[str, Any], procurer: Persona, cell_: tuple[str, str], raw: str, message: str
) -> None:
    report = actions.start_report(world["campaign_nl"], procurer.organisation, acting_user=None)
    before = list(report.values.values_list("indicator", "key", "value"))

    with pytest.raises(actions.MonitoringError, match=message):
        actions.save_values(report, {("users_served", ""): 1, cell_: raw}, acting_user=None)

    assert list(report.values.values_list("indicator", "key", "value")) == before


def test_sums_and_weighted_averages_are_computed_by_the_database(
    world: dict[str, Any], procurer: Persona
) -> None:
    first = filled(world["campaign_nl"], procurer.organisation, {
        ("ict_spend_eur", "notebooks"): 300_000, ("spend_covered_share", ""): 80,
        ("retired_units", "notebooks"): 100, ("service_life_mean", "notebooks"): 6,
    })  # fmt: skip
    second = filled(world["campaign_nl"], world["uma"].organisation, {
        ("ict_spend_eur", "notebooks"): 100_000, ("spend_covered_share", ""): 40,
        ("retired_units", "notebooks"): 300, ("service_life_mean", "notebooks"): 4,
    })  # fmt: skip

    actions.submit(first, acting_user=None)
    actions.submit(second, acting_user=None)

    assert cell("nl", "ict_spend_eur", "notebooks") == 400_000
    assert cell("nl", "spend_covered_share") == pytest.approx((80 * 300_000 + 40 * 100_000) / 400_000)
    assert cell("nl", "service_life_mean", "notebooks") == pytest.approx((6 * 100 + 4 * 300) / 400)
    assert cell(PACT, "ict_spend_eur", "notebooks") == 400_000
    coverage = Coverage.objects.get(scope="nl", year=2025)
    assert (coverage.members, coverage.counted, coverage.accepted) == (3, 2, 0)


def test_drafts_returned_reports_and_declined_members_do_not_count(
    world: dict[str, Any], procurer: Persona
) -> None:
    draft = filled(world["campaign_nl"], world["uma"].organisation, {("ict_spend_eur", "servers"): 5})
    report = filled(world["campaign_nl"], procurer.organisation, {("ict_spend_eur", "servers"): 7})
    actions.submit(report, acting_user=None)

    assert cell("nl", "ict_spend_eur", "servers") == 7
    actions.decide(report, accept=False, comment="Servers look too low.", acting_user=None)

    assert cell("nl", "ict_spend_eur", "servers") is None
    assert draft.state == "draft" and Report.objects.get(pk=report.pk).is_editable
    with pytest.raises(actions.MonitoringError, match="Say what to correct"):
        actions.submit(report, acting_user=None)
        actions.decide(Report.objects.get(pk=report.pk), accept=False, comment="", acting_user=None)


def test_a_member_of_two_groups_counts_in_both_and_once_pact_wide(
    world: dict[str, Any], procurer: Persona
) -> None:
    GroupMembership.objects.create(group=world["fr"], organisation=procurer.organisation, state="active")
    GroupMembership.objects.filter(group=world["fr"], organisation=world["uma"].organisation).delete()
    GroupMembership.objects.create(
        group=world["fr"], organisation=world["uma"].organisation, state="declined"
    )
    report = filled(world["campaign_nl"], procurer.organisation, {("units_new", "notebooks"): 40})
    other = filled(world["campaign_nl"], world["uma"].organisation, {("units_new", "notebooks"): 2})

    actions.submit(report, acting_user=None)
    actions.submit(other, acting_user=None)

    assert cell("nl", "units_new", "notebooks") == 42
    assert cell("fr", "units_new", "notebooks") == 40  # declined Utrecht is not in the FR group
    assert cell(PACT, "units_new", "notebooks") == 42


def test_a_full_reaggregation_gives_what_the_refreshes_gave(world: dict[str, Any], procurer: Persona) -> None:
    report = filled(
        world["campaign_nl"],
        procurer.organisation,
        {("units_new", "tablets"): 12, ("spend_covered_share", ""): 55, ("ict_spend_eur", "tablets"): 10},
    )
    actions.submit(report, acting_user=None)
    before = sorted(Aggregate.objects.values_list("scope", "year", "indicator", "key", "value"))

    cells = aggregation.refresh(None)

    assert cells == len(before)
    assert sorted(Aggregate.objects.values_list("scope", "year", "indicator", "key", "value")) == before


# -- who sees what: every rule tried from the wrong side


def test_a_coordinator_sees_a_members_details_only_where_shared(
    world: dict[str, Any], coordinator: Persona, procurer: Persona
) -> None:
    hidden = filled(world["campaign_nl"], procurer.organisation, {("units_new", "notebooks"): 40})
    shared = filled(
        world["campaign_nl"], world["uma"].organisation, {("units_new", "notebooks"): 7}, shared=True
    )
    actions.submit(hidden, acting_user=None)
    actions.submit(shared, acting_user=None)
    client = signed_in(coordinator)

    campaign_page = client.get(f"/monitoring/campaigns/{world['campaign_nl'].pk}/").content.decode()

    assert client.get(f"/monitoring/reports/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/v1/monitoring/reports/{hidden.pk}").status_code == 404
    assert client.get(f"/monitoring/reports/{hidden.pk}/template.xlsx").status_code == 404
    assert client.get(f"/monitoring/reports/{shared.pk}/").status_code == 200
    assert client.post(f"/monitoring/reports/{shared.pk}/", {"v__users_served__": "1"}).status_code == 404
    assert "Rijkswaterstaat" in campaign_page and "not shared" in campaign_page
    assert f'href="/monitoring/reports/{hidden.pk}/"' not in campaign_page


def test_a_member_finds_its_organisations_reports_through_the_api_and_no_one_elses(
    world: dict[str, Any], coordinator: Persona, procurer: Persona, outsider: Persona
) -> None:
    """An integrator read a report by its id but had no way to learn the ids: the list gives its own
    organisations' reports, a page at a time, by year and state; never another organisation's, not even
    one shared with the coordinator listing."""
    earlier = actions.open_campaign(
        year=2024, group=world["nl"], title="NL 2024", opens=date(2025, 1, 1), deadline=date(2025, 3, 31),
        acting_user=None,
    )  # fmt: skip
    older = filled(earlier, procurer.organisation, {("units_new", "notebooks"): 30})
    actions.submit(older, acting_user=None)
    current = filled(world["campaign_nl"], procurer.organisation, {("units_new", "notebooks"): 40})
    shared = filled(
        world["campaign_nl"], world["uma"].organisation, {("units_new", "notebooks"): 7}, shared=True
    )
    pia = signed_in(procurer)

    listed = pia.get("/api/v1/monitoring/reports")
    submitted = pia.get("/api/v1/monitoring/reports", {"state": "submitted"}).json()
    of_2025 = pia.get("/api/v1/monitoring/reports", {"year": 2025, "per_page": 1}).json()
    second_page = pia.get("/api/v1/monitoring/reports", {"per_page": 1, "page": 2}).json()

    assert listed.status_code == 200
    assert [(r["id"], r["organisation"], r["year"], r["state"]) for r in listed.json()["reports"]] == [
        (current.pk, "rijkswaterstaat", 2025, "draft"),
        (older.pk, "rijkswaterstaat", 2024, "submitted"),
    ]  # the latest year first
    assert (listed.json()["count"], listed.json()["page"]) == (2, 1)
    assert [r["id"] for r in submitted["reports"]] == [older.pk]
    assert (of_2025["count"], [r["id"] for r in of_2025["reports"]]) == (1, [current.pk])
    assert [r["id"] for r in second_page["reports"]] == [older.pk]
    assert pia.get(f"/api/v1/monitoring/reports/{listed.json()['reports'][0]['id']}").status_code == 200
    refused = pia.get("/api/v1/monitoring/reports", {"state": "lost"})
    assert (refused.status_code, refused.json()["field"]) == (422, "state")
    for other in (coordinator, outsider):
        assert signed_in(other).get("/api/v1/monitoring/reports").json() == {
            "count": 0, "page": 1, "reports": []
        }, other  # fmt: skip
    assert shared.pk not in [r["id"] for r in listed.json()["reports"]]
    assert Client().get("/api/v1/monitoring/reports").status_code == 401


def test_a_coordinator_lists_the_reports_shared_with_it_and_not_the_others(
    world: dict[str, Any], coordinator: Persona, procurer: Persona
) -> None:
    """Coco found a member's shared report only by its id: ``as_coordinator`` lists the reports the NL
    group's members shared with her campaigns (the same ones its page links), never one not shared."""
    hidden = filled(world["campaign_nl"], procurer.organisation, {("units_new", "notebooks"): 40})
    shared = filled(
        world["campaign_nl"], world["uma"].organisation, {("units_new", "notebooks"): 7}, shared=True
    )
    actions.submit(hidden, acting_user=None)
    coco = signed_in(coordinator)

    listed = coco.get("/api/v1/monitoring/reports", {"as_coordinator": "true"}).json()
    of_campaign = coco.get(
        "/api/v1/monitoring/reports", {"as_coordinator": "true", "campaign": world["campaign_nl"].pk}
    ).json()
    of_another = coco.get("/api/v1/monitoring/reports", {"as_coordinator": "true", "campaign": 10**9}).json()
    pias = signed_in(procurer).get("/api/v1/monitoring/reports", {"as_coordinator": "true"}).json()

    assert [(r["id"], r["campaign"], r["shared_with_coordinator"]) for r in listed["reports"]] == [
        (shared.pk, world["campaign_nl"].pk, True)
    ]
    assert [r["id"] for r in of_campaign["reports"]] == [shared.pk] and of_another["count"] == 0
    assert coco.get(f"/api/v1/monitoring/reports/{shared.pk}").status_code == 200
    assert pias == {"count": 0, "page": 1, "reports": []}  # Pia runs no campaign


def test_another_groups_coordinator_and_members_see_nothing_unpublished(
    world: dict[str, Any], procurer: Persona, outsider: Persona
) -> None:
    report = filled(
        world["campaign_nl"], procurer.organisation, {("units_new", "notebooks"): 40}, shared=True
    )
    actions.submit(report, acting_user=None)

    for persona in (world["fred"], outsider, procurer):
        client = signed_in(persona)
        assert client.get(f"/monitoring/campaigns/{world['campaign_nl'].pk}/").status_code == 404, persona
        assert (
            client.get("/api/v1/monitoring/results", {"scope": "nl", "unpublished": "true"}).status_code
            == 404
        )
        assert client.get("/api/v1/monitoring/results", {"scope": "nl"}).json()["years"] == []
    assert signed_in(world["fred"]).get(f"/monitoring/reports/{report.pk}/").status_code == 404
    assert signed_in(outsider).get(f"/monitoring/reports/{report.pk}/").status_code == 404


def test_a_viewer_reads_its_report_but_cannot_change_it(world: dict[str, Any], procurer: Persona) -> None:
    viewer = make_persona("vic", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.VIEWER)
    report = filled(world["campaign_nl"], procurer.organisation, {("units_new", "notebooks"): 40})

    client = signed_in(viewer)

    assert client.get(f"/monitoring/reports/{report.pk}/").status_code == 200
    assert client.post(f"/monitoring/reports/{report.pk}/", {"submit": "1"}).status_code == 403
    assert Report.objects.get(pk=report.pk).state == "draft"


def test_the_public_sees_only_published_aggregates(
    client: Client, world: dict[str, Any], procurer: Persona
) -> None:
    report = filled(
        world["campaign_nl"],
        procurer.organisation,
        {("units_new", "notebooks"): 40, ("lessons", ""): "=SECRET()"},
    )
    actions.submit(report, acting_user=None)

    before = client.get("/api/v1/monitoring/results", {"scope": "nl"}).json()
    page_before = client.get("/results/", {"scope": "nl"}).content.decode()
    actions.publish_results(world["campaign_nl"], acting_user=None)
    after = client.get("/api/v1/monitoring/results", {"scope": "nl"}).json()
    exported = client.get("/results/download.csv", {"scope": "nl"}).content.decode()

    assert before["years"] == [] and "No results have been published" in page_before
    # published, but one report is too few to show: the figure is hidden and says why
    hidden = after["indicators"]["units_new"]["2025"]["notebooks"]
    assert after["years"] == [2025] and hidden["value"] is None and hidden["suppressed"] == "threshold"
    assert "SECRET" not in exported and "lessons" not in exported and "Rijkswaterstaat" not in exported
    assert client.get("/api/v1/monitoring/results", {"scope": "nl", "unpublished": "true"}).status_code == 404
    assert client.get(f"/monitoring/reports/{report.pk}/").status_code == 302  # to sign in


def test_results_downloads_read_back(
    client: Client, world: dict[str, Any], procurer: Persona, coordinator: Persona
) -> None:
    for organisation, units in (
        (procurer.organisation, 40),
        (world["uma"].organisation, 30),
        (coordinator.organisation, 35),
    ):
        actions.submit(
            filled(world["campaign_nl"], organisation, {("units_new", "notebooks"): units}), acting_user=None
        )
    actions.publish_results(world["campaign_nl"], acting_user=None)

    rows = list(
        csv.reader(io.StringIO(client.get("/results/download.csv", {"scope": "nl"}).content.decode()))
    )
    book = load_workbook(io.BytesIO(client.get("/results/download.xlsx", {"scope": "nl"}).content))

    assert rows[0][:7] == ["scope", "year", "indicator", "breakdown", "value", "low", "high"]
    assert ["nl", "2025", "units_new", "notebooks", "105.0"] in [r[:5] for r in rows]
    assert [c.value for c in book.active[1]][:3] == ["scope", "year", "indicator"]


def test_the_results_pages_do_not_grow_with_the_reports(
    client: Client, world: dict[str, Any], procurer: Persona
) -> None:
    actions.submit(
        filled(world["campaign_nl"], procurer.organisation, {("units_new", "notebooks"): 40}),
        acting_user=None,
    )
    actions.publish_results(world["campaign_nl"], acting_user=None)
    counts = []
    for more in (world["uma"].organisation, None):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/results/", {"scope": "nl"}).status_code == 200
            assert client.get("/api/v1/monitoring/results", {"scope": "nl"}).status_code == 200
        counts.append(len(queries))
        if more is not None:
            actions.submit(
                filled(world["campaign_nl"], more, {("units_new", "tablets"): 4}), acting_user=None
            )

    assert (
        counts[0] == counts[1] <= 12
    )  # seven for the page not yet cached (one the edition), five for the API


# -- the workbook and reminders


def test_the_workbook_round_trips_and_refuses_what_is_not_its_own(
    world: dict[str, Any], procurer: Persona
) -> None:
    ada = signed_in(world["ada"])
    report = actions.start_report(world["campaign_nl"], procurer.organisation, acting_user=None)
    other = actions.start_report(world["campaign_nl"], world["uma"].organisation, acting_user=None)
    template = ada.get(f"/monitoring/reports/{report.pk}/template.xlsx").content
    book = load_workbook(io.BytesIO(template))
    sheet = book["Report"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(5, sheet.max_row + 1)}
    sheet.cell(row=rows["units_new|notebooks"], column=6, value=123)
    sheet.cell(row=rows["lessons|"], column=6, value="Refurbished laptops worked.")
    good = io.BytesIO()
    book.save(good)
    sheet.cell(row=rows["units_new|tablets"], column=6, value="=1+1")
    sheet.cell(row=rows["units_new|servers"], column=6, value="many")
    bad = io.BytesIO()
    book.save(bad)

    from django.core.files.uploadedfile import SimpleUploadedFile

    ada.post(
        f"/monitoring/reports/{report.pk}/upload/", {"file": SimpleUploadedFile("r.xlsx", good.getvalue())}
    )
    refused = ada.post(
        f"/monitoring/reports/{report.pk}/upload/",
        {"file": SimpleUploadedFile("r.xlsx", bad.getvalue())},
        follow=True,
    )
    uma = signed_in(world["uma"])
    wrong = uma.post(
        f"/monitoring/reports/{other.pk}/upload/",
        {"file": SimpleUploadedFile("r.xlsx", good.getvalue())},
        follow=True,
    )

    values = {(v.indicator, v.key): v for v in report.values.all()}
    assert (
        values[("units_new", "notebooks")].value == 123
        and values[("units_new", "notebooks")].origin == "reported"
    )
    assert values[("lessons", "")].text == "Refurbished laptops worked."
    page = refused.content.decode()
    assert (
        f"row {rows['units_new|tablets']}, column F: a formula" in page
        and f"row {rows['units_new|servers']}, column F: not a number" in page
    )
    assert ("units_new", "tablets") not in {(v.indicator, v.key) for v in report.values.all()}
    assert "this workbook was made for another organisation: «Rijkswaterstaat»" in wrong.content.decode()
    assert not other.values.filter(indicator="units_new", key="notebooks", value=123).exists()


def test_reminders_go_to_members_not_in_once_a_day(
    settings: Any, world: dict[str, Any], procurer: Persona
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world["ada"].user.email = "ada@example.org"
    world["ada"].user.save()
    world["uma"].user.email = "uma@example.org"
    world["uma"].user.save()
    actions.submit(
        filled(world["campaign_nl"], world["uma"].organisation, {("units_new", "notebooks"): 1}),
        acting_user=None,
    )

    call_command("monitoring", "remind", "--today", "2026-03-20", stdout=io.StringIO())
    call_command("monitoring", "remind", "--today", "2026-03-20", stdout=io.StringIO())
    call_command("monitoring", "remind", "--today", "2026-01-05", stdout=io.StringIO())

    recipients = [m.to for m in mail.outbox]
    assert recipients == [["ada@example.org"]]
    assert "monitoringsrapportage over 2025 moet uiterlijk 31 maart 2026" in mail.outbox[0].subject


def test_campaigns_are_opened_only_by_who_runs_the_scope(
    world: dict[str, Any], procurer: Persona, coordinator: Persona
) -> None:
    assert signed_in(procurer).get("/monitoring/campaigns/new/").status_code == 403
    response = signed_in(coordinator).post(
        "/monitoring/campaigns/new/",
        {"scope": "fr", "year": 2026, "title": "Not mine", "opens": "2027-01-01", "deadline": "2027-03-01"},
    )

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not BuyerGroup.objects.get(slug="fr").campaigns.filter(year=2026).exists()


def test_prefill_reads_tenders_and_the_register(
    world: dict[str, Any], procurer: Persona, framework: Any
) -> None:
    from datetime import UTC, datetime

    from cfit.fleet.actions import import_register_file
    from cfit.tenders import actions as tenders
    from cfit.tenders.models import Tender

    tender = tenders.create_tender(procurer.organisation, title="Laptops", reference="T-1", acting_user=None)
    tenders.add_lot(
        tender, product_group="notebooks", quantity=100, ambitions={"carbon": "ambitious"}, acting_user=None
    )
    tenders.set_offers_deadline(tender, timezone.now() + timedelta(days=30), acting_user=None)
    tender = tenders.publish_tender(tender, acting_user=None)
    Tender.unscoped.filter(pk=tender.pk).update(published_at=datetime(2025, 5, 1, tzinfo=UTC))
    register = (
        "asset_key,product_group,manufacturer,model,quantity,purchase_date,condition,status,retired_date,end_of_use_route,weight_kg\n"
        "A,notebooks,Dell,Latitude 5420,10,2025-02-01,new,in_use,,,\n"
        "B,notebooks,Dell,Latitude 5420,4,2025-03-01,refurbished,in_use,,,\n"
        "C,monitors,Dell,P2422H,6,2019-01-01,new,retired,2025-06-01,reuse,5\n"
    )
    import_register_file(procurer.organisation, register.encode(), "r.csv")

    report = actions.start_report(world["campaign_nl"], procurer.organisation, acting_user=None)

    values = {(v.indicator, v.key): (v.value, v.origin) for v in report.values.all()}
    assert values[("tenders_run", "")] == (1, "prefilled")
    assert values[("tenders_with_criteria", "carbon/ambitious")] == (1, "prefilled")
    assert values[("units_new", "notebooks")] == (10, "prefilled")
    assert values[("units_refurbished", "notebooks")] == (4, "prefilled")
    assert values[("retired_units", "monitors")] == (6, "prefilled")
    assert values[("service_life_mean", "monitors")][0] == pytest.approx(2343 / 365.25, abs=0.01)
    assert values[("end_of_use_units", "reuse")] == (6, "prefilled")
    assert values[("end_of_use_kg", "reuse")] == (30, "estimated")
    assert values[("fleet_annual_tco2e", "")][1] == "estimated" and values[("fleet_annual_tco2e", "")][0] > 0
    assert ReportValue.objects.filter(report=report, origin="estimated").exists()


def test_a_viewer_cannot_start_its_organisations_report(world: dict[str, Any], procurer: Persona) -> None:
    viewer = make_persona("vic", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.VIEWER)

    response = signed_in(viewer).post(
        f"/monitoring/campaigns/{world['campaign_nl'].pk}/start/rijkswaterstaat/"
    )

    assert response.status_code == 403
    assert not Report.objects.filter(organisation=procurer.organisation).exists()


def test_the_campaigns_api_lists_only_the_campaigns_one_runs(
    world: dict[str, Any], coordinator: Persona, secretary: Persona, procurer: Persona
) -> None:
    pact_wide = actions.open_campaign(
        year=2025,
        group=None,
        title="Pact 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 4, 1),
        acting_user=None,
    )

    mine = [c["title"] for c in signed_in(coordinator).get("/api/v1/monitoring/campaigns").json()]
    secretariat = [c["title"] for c in signed_in(secretary).get("/api/v1/monitoring/campaigns").json()]
    member = signed_in(procurer).get("/api/v1/monitoring/campaigns").json()

    assert mine == ["NL 2025"]
    assert secretariat == [pact_wide.title]
    assert member == []


def test_the_monitoring_page_asks_as_many_queries_for_three_organisations_as_for_one(
    world: dict[str, Any], procurer: Persona
) -> None:
    """Before, each organisation the user reports for cost two more queries (its reports, its open
    campaigns). Each organisation still sees its own campaigns only."""
    client = signed_in(procurer)
    actions.start_report(world["campaign_nl"], procurer.organisation, acting_user=None)
    client.get("/monitoring/")
    with CaptureQueriesContext(connection) as one:
        page = client.get("/monitoring/").content.decode()
    assert page.count("NL 2025") == 1 and "FR 2025" not in page
    for slug, group in (("gouda", world["fr"]), ("zwolle", None)):
        other = Organisation.objects.create(
            slug=slug, name=slug.title(), country="NL", type=Type.PROCURING_PARTICIPANT
        )
        Membership.objects.create(user=procurer.user, organisation=other, role=Role.PROCURER)
        if group is not None:
            GroupMembership.objects.create(
                group=group, organisation=other, state=GroupMembership.State.ACTIVE
            )

    with CaptureQueriesContext(connection) as three:
        page = client.get("/monitoring/").content.decode()

    assert len(three) == len(one)
    assert page.count("NL 2025") == 1 and page.count("FR 2025") == 1  # Gouda's group only
    assert "Your report" in page and page.count('id="start-') == 1


@pytest.mark.parametrize(
    ("language", "typed"), [("de", "1.234.567,89"), ("fr", "1 234 567,89"), ("en", "1,234,567.89")]
)
def test_a_figure_typed_grouped_in_the_user_s_language_is_saved_as_meant(
    world: dict[str, Any], procurer: Persona, language: str, typed: str
) -> None:
    """The report page shows large figures grouped ("815.050" in German): they are read back grouped."""
    report = actions.start_report(world["campaign_nl"], procurer.organisation, acting_user=None)
    client = Client(headers={"accept-language": language})
    client.force_login(procurer.user)

    response = client.post(
        f"/monitoring/reports/{report.pk}/",
        {"v__users_served__": "9700", "v__ict_spend_eur__notebooks": typed},
        headers={"accept-language": language},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    values = {(v.indicator, v.key): v.value for v in report.values.all()}
    assert values[("ict_spend_eur", "notebooks")] == pytest.approx(1_234_567.89)
