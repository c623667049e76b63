"""Audit records: every action names who acted, with before and after where it matters, in the action's
own transaction; the audit page shows an organisation's records to its administrators and all of them to
the secretariat, and nobody else's.

Personas: Coco runs the Dutch buyer group (admin of the NL ministry); Pia is procurer and Ada admin at
Rijkswaterstaat, a member of the group; Louise (Ville de Lyon) and her admin Léa are another
organisation; Sam is the secretariat.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pydantic import ValidationError

from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.audit.recording import record
from cfit.criteria import actions as criteria
from cfit.criteria.models import FieldChange, FrameworkVersion
from cfit.monitoring import actions as monitoring
from cfit.monitoring.models import Report
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership, Statement, WorkingGroup
from cfit.tenders import actions as tenders
from tests.conftest import PASSWORD, Persona, make_persona
from tests.test_translation_state import edit_data

pytestmark = pytest.mark.django_db
Action = AuditRecord.Action
Type, Role = Organisation.Type, Membership.Role


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def last(action: str) -> AuditRecord:
    return AuditRecord.objects.filter(action=action).latest("pk")


@pytest.fixture
def ada(procurer: Persona) -> Persona:
    return make_persona("ada", procurer.organisation.slug, Type.PROCURING_PARTICIPANT, Role.ADMIN)


@pytest.fixture
def lea(outsider: Persona) -> Persona:
    return make_persona("lea", outsider.organisation.slug, Type.PROCURING_PARTICIPANT, Role.ADMIN, "FR")


@pytest.fixture
def campaign(coordinator: Persona, procurer: Persona) -> Any:
    group = pact.create_buyer_group(
        coordinator.organisation, name="NL group", slug="nl", country="NL", language="nl"
    )
    GroupMembership.objects.create(
        group=group, organisation=procurer.organisation, state=GroupMembership.State.ACTIVE
    )
    return monitoring.open_campaign(
        year=2025,
        group=group,
        title="NL 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=coordinator.user,
    )


@pytest.fixture
def report(campaign: Any, procurer: Persona) -> Report:
    return monitoring.start_report(campaign, procurer.organisation, acting_user=procurer.user)


# -- the report page saves and submits in one transaction ----------------------------------------------


def test_a_refused_submission_leaves_the_figures_as_they_were(
    campaign: Any, report: Report, procurer: Persona, coordinator: Persona
) -> None:
    monitoring.save_values(report, {("users_served", ""): 1000}, acting_user=procurer.user)
    monitoring.close_campaign(campaign, acting_user=coordinator.user)
    saved = AuditRecord.objects.filter(action=Action.REPORT_SAVED).count()

    response = signed_in(procurer).post(
        f"/monitoring/reports/{report.pk}/", {"v__users_served__": "2000", "submit": "1"}
    )

    assert response.status_code == 200 and "closed" in response.content.decode()
    report.refresh_from_db()
    assert report.state == Report.State.DRAFT
    assert report.values.get(indicator="users_served").value == 1000
    assert AuditRecord.objects.filter(action=Action.REPORT_SAVED).count() == saved


def test_saving_and_submitting_on_the_page_records_both_with_the_figures(
    report: Report, procurer: Persona
) -> None:
    response = signed_in(procurer).post(
        f"/monitoring/reports/{report.pk}/", {"v__users_served__": "2000", "submit": "1"}
    )

    assert response.status_code == 302
    saved, submitted = last(Action.REPORT_SAVED), last(Action.REPORT_SUBMITTED)
    assert saved.actor == procurer.user and saved.organisation == procurer.organisation
    assert saved.after["users_served"] == 2000 and saved.before["users_served"] != 2000
    assert (submitted.before, submitted.after) == ({"state": "draft"}, {"state": "submitted"})
    assert (submitted.object_type, submitted.object_id) == ("monitoring.report", str(report.pk))


# -- each listed action names who acted ----------------------------------------------------------------


def test_deciding_on_a_report_records_the_coordinator_and_the_comment(
    report: Report, procurer: Persona, coordinator: Persona
) -> None:
    monitoring.submit(report, acting_user=procurer.user)

    monitoring.decide(report, accept=False, comment="Servers look too low.", acting_user=coordinator.user)

    returned = last(Action.REPORT_RETURNED)
    assert returned.actor == coordinator.user and returned.actor_name == "coco"
    assert returned.organisation == report.organisation
    assert (returned.before, returned.after) == ({"state": "submitted"}, {"state": "returned"})
    assert returned.reason == "Servers look too low."


def test_publishing_and_withdrawing_results_record_the_coordinator(
    campaign: Any, report: Report, procurer: Persona, coordinator: Persona
) -> None:
    monitoring.submit(report, acting_user=procurer.user)

    monitoring.publish_results(campaign, acting_user=coordinator.user)
    monitoring.withdraw_results(campaign, acting_user=coordinator.user, reason="A figure was wrong.")

    published, withdrawn = last(Action.RESULTS_PUBLISHED), last(Action.RESULTS_WITHDRAWN)
    assert published.actor == withdrawn.actor == coordinator.user
    assert published.organisation == coordinator.organisation
    assert (published.before, published.after) == ({"published": False}, {"published": True})
    assert withdrawn.reason == "A figure was wrong."


def test_the_page_and_the_api_build_a_tender_through_one_action(
    framework: FrameworkVersion, procurer: Persona
) -> None:
    client = signed_in(procurer)
    page = client.post(
        "/tenders/new/",
        {
            "organisation": procurer.organisation.slug,
            "title": "Laptops",
            "reference": "PAGE-1",
            "language": "en",
            "procedure": "open",
            "lot_notebooks": "on",
            "quantity_notebooks": "40",
            "life_notebooks": "5",
        },
    )
    api = client.post(
        "/api/v1/tenders/",
        {
            "organisation": procurer.organisation.slug,
            "title": "Laptops",
            "reference": "API-1",
            "lots": [{"product_group": "notebooks", "quantity": 40}],
        },
        content_type="application/json",
    )

    assert page.status_code == 302 and api.status_code == 201
    by_page, by_api = AuditRecord.objects.filter(action=Action.TENDER_CREATED).order_by("pk")
    assert by_page.actor == by_api.actor == procurer.user
    assert by_page.organisation == by_api.organisation == procurer.organisation
    for created in (by_page, by_api):
        assert created.after["lots"] == [{"product_group": "notebooks", "quantity": 40}]
        assert created.after["framework_version"] == framework.code


def test_a_viewer_can_neither_build_a_tender_on_the_page_nor_through_the_api(
    framework: FrameworkVersion, procurer: Persona
) -> None:
    viewer = make_persona("vic", procurer.organisation.slug, Type.PROCURING_PARTICIPANT, Role.VIEWER)
    client = signed_in(viewer)

    api = client.post(
        "/api/v1/tenders/",
        {
            "organisation": procurer.organisation.slug,
            "title": "x",
            "reference": "V-1",
            "lots": [{"product_group": "notebooks"}],
        },
        content_type="application/json",
    )
    page = client.post(
        "/tenders/new/",
        {"organisation": procurer.organisation.slug, "title": "x", "reference": "V-2", "lot_notebooks": "on"},
    )

    # A viewer may tender for no organisation: the page refuses outright (it offered an empty form before).
    assert api.status_code == 403 and page.status_code == 403
    assert not AuditRecord.objects.filter(action=Action.TENDER_CREATED).exists()


def test_publishing_a_tender_records_who_with_the_status_and_deadline(
    framework: FrameworkVersion, procurer: Persona
) -> None:
    tender = tenders.create_tender(
        procurer.organisation,
        title="Laptops",
        reference="PUB-1",
        lots=[{"product_group": "notebooks"}],
        acting_user=procurer.user,
    )
    deadline = timezone.now() + timedelta(days=30)
    tenders.set_offers_deadline(tender, deadline, acting_user=procurer.user)

    tenders.publish_tender(tender, acting_user=procurer.user)

    published = last(Action.TENDER_PUBLISHED)
    assert published.actor == procurer.user and published.organisation == procurer.organisation
    assert published.before == {"status": "draft"}
    assert published.after == {"status": "published", "offers_deadline": deadline.isoformat()}
    assert last(Action.OFFERS_DEADLINE_SET).after == {"offers_deadline": deadline.isoformat()}


def test_draft_lot_changes_on_the_page_and_the_api_record_before_and_after(
    framework: FrameworkVersion, procurer: Persona
) -> None:
    tender = tenders.create_tender(
        procurer.organisation,
        title="Laptops",
        reference="LOT-1",
        lots=[{"product_group": "notebooks"}],
        acting_user=procurer.user,
    )
    client = signed_in(procurer)

    ambition = client.post(f"/tenders/{tender.pk}/ambition/", {"lot1_carbon": "ambitious"})
    costs = client.put(
        f"/api/v1/tenders/{tender.pk}/lots/1/costs", {"energy_price": "0.30"}, content_type="application/json"
    )

    assert ambition.status_code == 302 and costs.status_code == 200
    by_page, by_api = AuditRecord.objects.filter(action=Action.LOT_CHANGED).order_by("pk")
    assert by_page.actor == by_api.actor == procurer.user
    assert by_page.before["ambitions"]["carbon"] == "baseline"
    assert by_page.after["ambitions"]["carbon"] == "ambitious"
    assert (by_api.before["energy_price"], by_api.after["energy_price"]) == ("0.2500", "0.30")


def test_publishing_a_statement_records_who(secretary: Persona) -> None:
    group = WorkingGroup.objects.create(name="Notebooks", slug="notebooks-wg", topic="notebooks")
    statement = Statement.objects.create(
        working_group=group,
        slug="notebooks-2027",
        title={"en": "Repairable notebooks"},
        text={"en": "We will buy repairable notebooks."},
        product_groups=["notebooks"],
    )

    pact.publish_statement(statement, acting_user=secretary.user)

    published = last(Action.STATEMENT_PUBLISHED)
    assert published.actor == secretary.user and published.organisation is None
    assert (published.before, published.after) == ({"status": "draft"}, {"status": "published"})


def test_a_criterion_edit_records_each_changed_text_before_and_after(
    framework: FrameworkVersion, secretary: Persona
) -> None:
    draft = criteria.create_draft(framework)
    criterion = draft.criteria.get(code="nb-battery-cycles-b")
    old_title = criterion.title["en"]

    criteria.update_criterion_texts(
        criterion, edit_data(criterion, title_en=old_title + " (revised)"), acting_user=secretary.user
    )

    edited = last(Action.CRITERION_TEXTS_CHANGED)
    assert edited.actor == secretary.user
    assert edited.before == {"title (en)": old_title}
    assert edited.after == {"title (en)": old_title + " (revised)"}


def test_a_refused_criterion_edit_changes_nothing_and_records_nothing(
    framework: FrameworkVersion, secretary: Persona
) -> None:
    draft = criteria.create_draft(framework)
    criterion = draft.criteria.get(code="nb-battery-cycles-b")
    old_title = criterion.title["en"]

    with pytest.raises(ValidationError):  # an empty English title breaks the content schema
        criteria.update_criterion_texts(
            criterion, edit_data(criterion, title_en="", title_nl="Nieuw"), acting_user=secretary.user
        )

    criterion.refresh_from_db()
    assert criterion.title["en"] == old_title
    assert not FieldChange.objects.filter(version=draft).exists()
    assert not AuditRecord.objects.filter(action=Action.CRITERION_TEXTS_CHANGED).exists()


@pytest.mark.django_db(transaction=True)
def test_a_record_outside_the_actions_transaction_is_refused(procurer: Persona) -> None:
    with pytest.raises(transaction.TransactionManagementError):
        record(Action.PACT_JOINED, procurer.organisation, acting_user=procurer.user)

    with transaction.atomic():
        record(Action.PACT_JOINED, procurer.organisation, acting_user=procurer.user)
    assert AuditRecord.objects.get(action=Action.PACT_JOINED).actor_name == "pia"


# -- the audit page ------------------------------------------------------------------------------------


@pytest.fixture
def histories(report: Report, procurer: Persona, outsider: Persona, lea: Persona, ada: Persona) -> Any:
    """Records of Rijkswaterstaat (Pia's report) and of Ville de Lyon (its participation)."""
    monitoring.save_values(report, {("users_served", ""): 1500}, acting_user=procurer.user)
    pact.join_pact(
        outsider.organisation,
        Type.PROCURING_PARTICIPANT,
        signed_on=date(2026, 1, 1),
        users_served=800,
        acting_user=lea.user,
    )
    return {
        "own": AuditRecord.objects.filter(organisation=procurer.organisation),
        "other": AuditRecord.objects.get(organisation=outsider.organisation),
    }


def test_an_admin_reads_her_organisations_records_and_no_one_elses(
    histories: Any, ada: Persona, outsider: Persona
) -> None:
    client = signed_in(ada)
    slug, other = ada.organisation.slug, histories["other"]

    page = client.get(f"/organisations/{slug}/audit/").content.decode()
    download = client.get(f"/organisations/{slug}/audit/download.csv").content.decode()

    assert "Report figures saved" in page and "Ville de Lyon" not in page
    rows = list(csv.DictReader(io.StringIO(download)))
    assert {row["organisation"] for row in rows} == {slug}
    assert {row["action"] for row in rows} == {Action.REPORT_STARTED, Action.REPORT_SAVED}
    # the other organisation's page, CSV and record, and the record through her own page: all 404
    for url in (
        f"/organisations/{outsider.organisation.slug}/audit/",
        f"/organisations/{outsider.organisation.slug}/audit/download.csv",
        f"/organisations/{outsider.organisation.slug}/audit/{other.pk}/",
        f"/organisations/{slug}/audit/{other.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    # a filter naming the other organisation is no way in either
    tampered = client.get(
        f"/organisations/{slug}/audit/download.csv", {"organisation": outsider.organisation.slug}
    )
    assert outsider.organisation.slug not in tampered.content.decode()


def test_a_procurer_and_a_viewer_are_refused_the_audit_page(histories: Any, procurer: Persona) -> None:
    viewer = make_persona("vic", procurer.organisation.slug, Type.PROCURING_PARTICIPANT, Role.VIEWER)
    own = histories["own"].first()

    for persona in (procurer, viewer):
        client = signed_in(persona)
        for url in ("", "download.csv", f"{own.pk}/"):
            assert client.get(f"/organisations/{procurer.organisation.slug}/audit/{url}").status_code == 403
        assert "/audit/" not in client.get(f"/organisations/{procurer.organisation.slug}/").content.decode()
    assert Client().get(f"/organisations/{procurer.organisation.slug}/audit/").status_code == 302


def test_the_secretariat_reads_every_record_and_filters_them(
    histories: Any, secretary: Persona, procurer: Persona, outsider: Persona
) -> None:
    client = signed_in(secretary)
    url = f"/organisations/{secretary.organisation.slug}/audit/"

    everything = client.get(url).content.decode()
    by_user = client.get(url, {"user": procurer.user.pk}).content.decode()
    by_action = client.get(url + "download.csv", {"action": Action.PACT_JOINED}).content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    from_tomorrow = client.get(url, {"start": tomorrow}).content.decode()
    other = client.get(url + f"{histories['other'].pk}/").content.decode()

    assert "Rijkswaterstaat" in everything and "Ville De Lyon" in everything
    assert "Ville De Lyon" not in by_user.split("<tbody>")[1]
    assert [row["organisation"] for row in csv.DictReader(io.StringIO(by_action))] == [
        outsider.organisation.slug
    ]
    assert "No records match." in from_tomorrow
    assert "users_served" in other and "800" in other
    assert f'href="{url}"' in client.get(f"/organisations/{secretary.organisation.slug}/").content.decode()


def test_a_spreadsheet_formula_in_a_reason_stays_text_in_the_csv(
    report: Report, procurer: Persona, coordinator: Persona, ada: Persona
) -> None:
    monitoring.submit(report, acting_user=procurer.user)
    monitoring.decide(report, accept=False, comment='=HYPERLINK("http://x")', acting_user=coordinator.user)

    download = signed_in(ada).get(f"/organisations/{ada.organisation.slug}/audit/download.csv")

    assert download["Content-Disposition"].startswith("attachment")
    reasons = [row["reason"] for row in csv.DictReader(io.StringIO(download.content.decode()))]
    assert '\'=HYPERLINK("http://x")' in reasons


def test_the_audit_page_makes_the_same_queries_for_few_and_many_records(
    report: Report, procurer: Persona, ada: Persona, django_assert_num_queries: Any
) -> None:
    client = signed_in(ada)
    url = f"/organisations/{ada.organisation.slug}/audit/"
    client.get(url)  # the session is read once before counting
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200

    for n in range(60):
        monitoring.save_values(report, {("users_served", ""): 100 + n}, acting_user=procurer.user)

    with django_assert_num_queries(QUERIES):
        page = client.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 2" in page


#: session, user, the organisation scope, the membership (the scoped getter), the users to filter by, the
#: count, the page's rows.
QUERIES = 7
