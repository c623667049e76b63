"""The community side of the pact walked as its users walk it: statements of demand, working groups,
guides, events, case studies, joining, search; in English, French, German and Norwegian. Each test is a
problem a persona met, and failed before its fix.

Personas (tests/conftest.py and tests/test_pact.py): Rita, administrator of Rijkswaterstaat; Lena,
administrator of Ville de Lyon; Pia, procurer at Rijkswaterstaat; Sid, of GreenRefurb (a supporter);
Otto, of another organisation; Sam, of the secretariat; Coco, who coordinates the Dutch buyer group.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.accounts.models import Membership, Organisation
from cfit.casestudies.models import CaseStudy
from cfit.criteria.models import Criterion, FrameworkVersion
from cfit.learning import actions as learning
from cfit.monitoring.disclosure import Rules
from cfit.pact import actions
from cfit.pact.demand import CollectiveDemand, Volumes, decide
from cfit.pact.models import BuyerGroup, SignatureVolume, Statement, WorkingGroup, WorkingGroupMember
from cfit.tenders import actions as tenders
from cfit.tenders.models import Tender
from tests.conftest import Persona, make_persona
from tests.test_pact import another_participant, make_statement, signed_in, text

GROUPS = [("notebooks", "Notebooks"), ("monitors", "Monitors"), ("smartphones", "Smartphones")]


def demand_row(html: str, row_id: str) -> str:
    return re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S).group(1)


# ---------------------------------------------------------------------------
# Statements of demand: the collective demand under disclosure control
# ---------------------------------------------------------------------------


@pytest.fixture
def statement(rws_admin: Persona) -> Statement:
    group = WorkingGroup.objects.create(name="Notebooks", slug="notebooks-wg", topic="notebooks")
    return make_statement(group)


@pytest.fixture
def rws_admin(db: Any) -> Persona:
    return make_persona(
        "rita", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ADMIN
    )


@pytest.mark.django_db
def test_a_lone_signatorys_volumes_are_not_published(statement: Statement, rws_admin: Persona) -> None:
    """Rita signed for 1,234 notebooks and 987,654 EUR a year; the public page showed exactly that as the
    collective demand, to anyone, in every language."""
    rita = signed_in(rws_admin)
    rita.post(
        "/statements/notebooks-2027/",
        {"organisation": "rijkswaterstaat", "units_notebooks": "1234", "spend_notebooks": "987654"},
    )

    for language in ("en", "fr", "de", "nb"):
        html = text(Client().get("/statements/notebooks-2027/", headers={"accept-language": language}))
        assert "1234" not in html and "1,234" not in html and "1.234" not in html and "1 234" not in html
        assert "987" not in html
        assert 'data-reason="threshold"' in demand_row(html, "demand-notebooks")
        assert 'data-reason="threshold"' in demand_row(html, "demand-total")
        assert 'id="demand-rules"' in html
    french = text(Client().get("/statements/notebooks-2027/", headers={"accept-language": "fr"}))
    assert "hidden" not in demand_row(french, "demand-notebooks")  # said in French, not English

    # Rita still finds her own volumes where she gives them
    form = text(rita.get("/statements/notebooks-2027/"))
    assert 'name="units_notebooks" value="1234"' in form


@pytest.mark.django_db
def test_a_dominant_signatorys_volumes_are_not_published(statement: Statement) -> None:
    """Three signatories, one buying 95 % of the notebooks: the sum is, to within a few per cent, its
    volume; hidden, and the total with it (it would give the notebooks back)."""
    for number, units in ((1, 950), (2, 30), (3, 20)):
        actions.sign_statement(
            statement, another_participant(number), {"notebooks": (units, Decimal(units))}, acting_user=None
        )

    html = text(Client().get("/statements/notebooks-2027/"))

    assert 'data-reason="dominance"' in demand_row(html, "demand-notebooks")
    assert ">1,000<" not in html and 'data-value="1000"' not in html


@pytest.mark.django_db
def test_a_statement_shown_in_english_says_so(statement: Statement) -> None:
    """A French reader got the statement's English text without the notice guides give."""
    french = text(Client().get("/statements/notebooks-2027/", headers={"accept-language": "fr"}))
    dutch = text(Client().get("/statements/notebooks-2027/", headers={"accept-language": "nl"}))

    assert 'id="language-notice"' in french and '<div id="text" lang="en">' in french
    assert 'id="language-notice"' not in dutch


# -- the property: nothing a reader sees gives one organisation's volumes away


def published_rows(demand: CollectiveDemand, volumes: Volumes) -> tuple[list[np.ndarray], list[str]]:
    """Each shown figure as a 0/1 vector over the (organisation, product group) volumes it adds up, and
    the problems found in the figures themselves (wrong sums, rules broken)."""
    variables = sorted(volumes)
    rows, problems = [], []
    rules = demand.rules
    for figure in (*demand.rows, demand.total):
        inside = [v for v in variables if figure.code in ("total", v[1])]
        if figure.hidden or not inside:
            continue
        units = [volumes[v][0] for v in inside]
        spend = [volumes[v][1] for v in inside]
        if (figure.units, figure.spend) != (sum(units), sum(spend, Decimal(0))):
            problems.append(f"{figure.code} shows a wrong sum")
        by_organisation: dict[str, list[float]] = {}
        for (organisation, _group), (u, s) in ((v, volumes[v]) for v in inside):
            found = by_organisation.setdefault(organisation, [0.0, 0.0])
            found[0] += u
            found[1] += float(s)
        if len(by_organisation) < rules.min_reporters:
            problems.append(f"{figure.code} is shown with {len(by_organisation)} signatories")
        for measure in (0, 1):
            total = sum(o[measure] for o in by_organisation.values())
            if total and max(o[measure] for o in by_organisation.values()) > rules.dominance * total:
                problems.append(f"{figure.code} is shown with a dominant signatory")
        rows.append(np.array([1.0 if v in inside else 0.0 for v in variables]))
    return rows, problems


def rank(matrix: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(matrix)) if matrix.size else 0


def volumes_worked_out(rows: list[np.ndarray], volumes: Volumes, organisations: tuple[str, ...]) -> bool:
    """Whether some sum or difference of shown figures adds up the volumes of these organisations only:
    one organisation's (or a sum of them) for any reader; with two, what one signatory learns of another
    by subtracting its own volumes."""
    if not rows:
        return False
    matrix = np.array(rows)
    outside = [i for i, (o, _g) in enumerate(sorted(volumes)) if o not in organisations]
    return rank(matrix[:, outside]) < rank(matrix)


@st.composite
def statement_volumes(draw: st.DrawFn) -> Volumes:
    """Up to seven signatories, each signing for some of three product groups, volumes from nothing to
    large, often equal or dominant."""
    amount = st.one_of(st.sampled_from([0, 1, 10, 100]), st.integers(0, 100_000))
    organisations = draw(st.integers(1, 7))
    volumes: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for organisation in range(organisations):
        for code, _name in GROUPS:
            if draw(st.booleans()):
                units = draw(amount)
                volumes[(f"o{organisation}", code)] = (units, Decimal(draw(amount)) / 4)
    return volumes


rules_strategy = st.builds(Rules, st.integers(3, 5), st.sampled_from([0.5, 0.6, 0.8, 0.95]))


@settings(max_examples=300, deadline=None)
@given(statement_volumes(), rules_strategy)
def test_no_published_demand_reveals_one_organisations_volumes(volumes: Volumes, rules: Rules) -> None:
    """Whatever the signatures, no figure the page shows is one signatory's volume, nor the sum of a few
    dominated by one, and no sum or difference of shown figures (a total less its shown product groups)
    is one organisation's volumes, or another's to a signatory who subtracts its own."""
    demand = decide(volumes, GROUPS, rules)

    rows, problems = published_rows(demand, volumes)

    assert not problems
    organisations = sorted({o for o, _g in volumes})
    for group in itertools.chain(((o,) for o in organisations), itertools.combinations(organisations, 2)):
        assert not volumes_worked_out(rows, volumes, group), f"the volumes of {group} can be worked out"
    for figure in (*demand.rows, demand.total):
        assert figure.hidden == (figure.units is None) == (figure.spend is None) == bool(figure.reason)


def test_a_demand_everyone_shares_is_shown_whole() -> None:
    volumes = {
        (f"o{n}", code): (100 + n, Decimal(1000 + n)) for n in range(4) for code in ("notebooks", "monitors")
    }

    demand = decide(volumes, GROUPS, Rules())

    assert not demand.any_hidden
    assert [(r.signatories, r.units) for r in demand.rows] == [(4, 406), (4, 406), (0, 0)]
    assert (demand.total.signatories, demand.total.units) == (4, 812)


# ---------------------------------------------------------------------------
# Numbers typed as the reader's language writes them; figures too large for the database
# ---------------------------------------------------------------------------


@pytest.fixture
def lyon_admin(db: Any) -> Persona:
    return make_persona(
        "lena", "ville-de-lyon", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ADMIN, "FR"
    )


@pytest.mark.django_db
def test_a_french_signatory_types_volumes_the_french_way(statement: Statement, lyon_admin: Persona) -> None:
    """Lena typed "1 500" notebooks and "1 200 000,50" euros, as the page itself writes figures in
    French; the form refused both ("Saisissez un nombre entier")."""
    lena = signed_in(lyon_admin)
    lena.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"

    response = lena.post(
        "/statements/notebooks-2027/",
        {"organisation": "ville-de-lyon", "units_notebooks": "1 500", "spend_notebooks": "1 200 000,50"},
        follow=True,
    )

    assert response.status_code == 200
    assert 'id="sign-problems"' not in text(response) and "errorlist" not in text(response)
    volume = SignatureVolume.objects.get()
    assert (volume.units_per_year, volume.spend_eur_per_year) == (1500, Decimal("1200000.50"))
    form = text(lena.get("/statements/notebooks-2027/"))
    assert 'value="1200000,50"' in form  # shown back the French way, and read back unchanged


HUGE = "100000000000000000000"


@pytest.mark.django_db
def test_a_figure_too_large_is_refused_by_the_form_not_the_database(
    statement: Statement, rws_admin: Persona
) -> None:
    """A digit too many in the yearly units, or in the users served, ended in a server error (the
    database's integer overflowed); now each form says what it takes."""
    rita = signed_in(rws_admin)

    signing = rita.post(
        "/statements/notebooks-2027/",
        {"organisation": "rijkswaterstaat", "units_notebooks": HUGE, "spend_notebooks": "1"},
    )
    participation = rita.post(
        "/organisations/rijkswaterstaat/participation/",
        {"type": Organisation.Type.PROCURING_PARTICIPANT, "signed_on": "2026-01-05", "users_served": HUGE},
    )
    applying = Client().post(
        "/join/",
        {
            "organisation_name": "Commune de Nulle Part",
            "country": "FR",
            "type": Organisation.Type.PROCURING_PARTICIPANT,
            "users_served": HUGE,
            "contact_name": "Anne",
            "contact_email": "anne@example.org",
        },
    )

    for response in (signing, participation, applying):
        assert response.status_code == 200
        assert "2147483647" in text(response) or "2,147,483,647" in text(response)
    assert not SignatureVolume.objects.exists()


# ---------------------------------------------------------------------------
# Refusals that say why
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_who_may_not_sign_a_statement_is_told_who_does(
    statement: Statement, procurer: Persona, supplier: Persona
) -> None:
    """Pia (a procurer, not her organisation's administrator), Sid (a supporter) and an anonymous
    reader found no way to sign and no word on why."""
    pia, sid = signed_in(procurer), signed_in(supplier)
    pia.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"

    for_pia = text(pia.get("/statements/notebooks-2027/"))
    for_sid = text(sid.get("/statements/notebooks-2027/"))
    for_anyone = text(Client().get("/statements/notebooks-2027/"))

    assert 'id="sign-form"' not in for_pia and 'id="sign-note"' in for_pia
    assert "Rijkswaterstaat" in re.search(r'id="sign-note">(.*?)</p>', for_pia, re.S).group(1)
    assert "Only participants sign statements of demand." in for_sid
    assert 'href="/accounts/login/?next=/statements/notebooks-2027/"' in for_anyone


@pytest.mark.django_db
def test_someone_without_an_organisation_is_told_why_they_cannot_register(db: Any) -> None:
    """An applicant waiting for approval (an account, no organisation yet) saw an event page without a
    registration button and without a reason."""
    start = timezone.now() + timedelta(days=3)
    event = learning.create_event(
        acting_user=None, title="Webinar", starts=start, ends=start + timedelta(hours=1), capacity=10
    )
    past = learning.create_event(
        acting_user=None,
        title="Last year's webinar",
        starts=start - timedelta(days=400),
        ends=start - timedelta(days=400) + timedelta(hours=1),
        capacity=10,
    )
    applicant = Client()
    applicant.force_login(get_user_model().objects.create_user("tallinn-applicant"))

    waiting = text(applicant.get(f"/events/{event.pk}/"))
    over = text(applicant.get(f"/events/{past.pk}/"))

    assert "your account does not belong to one yet" in waiting
    assert "This event is over." in over


@pytest.mark.django_db
def test_an_events_times_say_their_time_zone_and_the_end_once(procurer: Persona) -> None:
    """A British or Canadian participant read "28 December 2026 14:00 – 28 December 2026 15:30" with no
    word that the times are Brussels time; now the zone is named, and a same-day end is a time."""
    start = timezone.make_aware(timezone.datetime(2027, 1, 14, 14, 0))
    event = learning.create_event(
        acting_user=None, title="Webinar", starts=start, ends=start + timedelta(minutes=90), capacity=10
    )
    pia = signed_in(procurer)
    pia.defaults["HTTP_ACCEPT_LANGUAGE"] = "nb"

    page = text(pia.get(f"/events/{event.pk}/"))
    listed = text(pia.get("/events/"))

    when = re.search(r'<dd id="when">(.*?)</dd>', page).group(1)
    assert when.startswith("14. januar 2027 14:00 – 15:30 ") and ">CET</abbr>" in when
    assert 'title="Europe/Brussels"' in when
    assert "14. januar 2027 14:00 <abbr" in listed


# ---------------------------------------------------------------------------
# Joining
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_french_applicant_is_told_the_pact_is_signed_in_english(db: Any) -> None:
    """The application page in French showed the pact's text in English without a word: an applicant
    could not tell whether a French version existed, nor which one it signs."""
    french = text(Client().get("/join/", headers={"accept-language": "fr"}))
    english = text(Client().get("/join/", headers={"accept-language": "en"}))

    assert 'id="pact-language"' in french and 'lang="en"' in french
    assert 'id="pact-language"' not in english


# ---------------------------------------------------------------------------
# Guides
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_guide_search_of_two_words_finds_the_guide_holding_both() -> None:
    """A procurer searching the guides for "garantie batterie" found nothing: the two words had to
    stand side by side, in that order."""
    guide = learning.create_guide(
        slug="notebooks-that-last",
        title={"en": "Notebooks that last", "fr": "Des portables qui durent"},
        summary={"fr": "Batterie, réparabilité et garantie : que demander et pourquoi."},
        body={"en": "Ask for a battery that lasts.", "fr": "Demandez une batterie qui dure."},
        product_groups=["notebooks"],
        themes=[],
        criteria=[],
        acting_user=None,
    )
    learning.publish_guide(guide, acting_user=None)

    def found(query: str) -> bool:
        page = text(Client().get(f"/guides/?q={query}", headers={"accept-language": "fr"}))
        return 'href="/guides/notebooks-that-last/"' in page

    assert found("garantie+batterie") and found("Batterie") and found("portables+GARANTIE")
    assert not found("garantie+serveur")


@pytest.mark.django_db
def test_a_statements_criteria_are_named_in_the_readers_language(
    statement: Statement, framework: FrameworkVersion
) -> None:
    """A German reader of a statement saw its criteria as bare codes ("pc-warranty-a")."""
    criterion = Criterion.objects.filter(version=framework).exclude(title__de="").first()
    statement.criteria = [criterion.code]
    statement.save(update_fields=["criteria"])

    german = text(Client().get("/statements/notebooks-2027/", headers={"accept-language": "de"}))

    listed = re.search(r'<ul id="criteria">(.*?)</ul>', german, re.S).group(1)
    assert criterion.rendered("title", "de") in listed
    assert f'href="/criteria/{criterion.code}/"' in listed


@pytest.mark.django_db
def test_a_coordinator_creating_an_event_is_told_the_times_time_zone(coordinator: Persona) -> None:
    """The event form took "14:00" as Brussels time without saying so: a coordinator elsewhere typed
    local time and the session was announced an hour off."""
    BuyerGroup.objects.create(
        name="UK buyers", slug="uk-buyers", country="GB", coordinator=coordinator.organisation
    )
    coco = signed_in(coordinator)

    form = text(coco.get("/events/new/"))

    assert form.count("Time in Europe/Brussels.") == 2


@pytest.mark.django_db
def test_who_may_not_ask_to_join_a_buyer_group_is_told_who_does(
    coordinator: Persona, procurer: Persona, supplier: Persona
) -> None:
    """Pia (a procurer, not an administrator) and Sid (a supporter) saw a buyer group's page without a
    way to ask to join and without a word on why."""
    actions.create_buyer_group(
        coordinator.organisation, name="Dutch buyer group", slug="nl-buyers", country="NL", language="nl"
    )

    for_pia = text(signed_in(procurer).get("/groups/nl-buyers/"))
    for_sid = text(signed_in(supplier).get("/groups/nl-buyers/"))
    for_coco = text(signed_in(coordinator).get("/groups/nl-buyers/"))

    assert "The administrators of Rijkswaterstaat ask to join for it." in for_pia
    assert "Only participants join buyer groups." in for_sid
    assert 'id="join-note"' not in for_coco


# ---------------------------------------------------------------------------
# Events: the calendar feed a calendar program can subscribe to
# ---------------------------------------------------------------------------


def subscription_address(client: Client) -> str:
    """The address a new subscription shows, without its scheme and host."""
    page = text(client.post("/events/feed/new/"))
    found = re.search(
        r'value="http://testserver(/events/feed/[^"]+/events.ics)" id="calendar-feed-address"', page
    )
    return found.group(1)


@pytest.mark.django_db
def test_a_calendar_program_subscribes_to_a_persons_events_without_signing_in(procurer: Persona) -> None:
    """Pia added /events/my-events.ics to her calendar program as a subscription: the program cannot
    sign in, got the sign-in page, and showed nothing. She now makes a private address that works
    without signing in, shows her events only, and stops working when she makes a new one."""
    start = timezone.now() + timedelta(days=5)
    event = learning.create_event(
        acting_user=None, title="Webinar", starts=start, ends=start + timedelta(hours=1), capacity=10
    )
    other = learning.create_event(
        acting_user=None, title="Another webinar", starts=start, ends=start + timedelta(hours=1), capacity=10
    )
    learning.register(event, acting_user=procurer.user)
    pia = signed_in(procurer)
    assert 'id="calendar-feed-form"' in text(pia.get("/events/"))
    assert Client().get("/events/my-events.ics").status_code == 302  # what the program got

    first = subscription_address(pia)
    feed = Client().get(first)

    assert feed.status_code == 200 and feed["content-type"].startswith("text/calendar")
    calendar = feed.content.decode()
    assert f"UID:event-{event.pk}@" in calendar and f"UID:event-{other.pk}@" not in calendar

    second = subscription_address(pia)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    assert Client().get("/events/feed/made-up/events.ics").status_code == 404
    assert Client().post("/events/feed/new/").status_code == 302  # signed-in only


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_search_finds_published_statements_of_demand_not_drafts(rws_admin: Persona) -> None:
    """A Dutch buyer searched for "repareerbare laptops" to find the pact's statement and was told
    nothing was found: statements were not searched. A draft stays out of reach."""
    group = WorkingGroup.objects.create(name="Notebooks", slug="notebooks-wg", topic="notebooks")
    make_statement(group)
    draft = make_statement(group, "notebooks-2028", publish=False)
    draft.title = {"en": "Repairable notebooks, next round", "nl": "Repareerbare laptops, volgende ronde"}
    draft.save(update_fields=["title"])

    page = text(Client().get("/search/", {"q": "repareerbare laptops"}, headers={"accept-language": "nl"}))

    assert 'href="/statements/notebooks-2027/"' in page and "Repareerbare laptops<" in page
    assert "notebooks-2028" not in page and "volgende ronde" not in page


# ---------------------------------------------------------------------------
# Working groups
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_link_to_a_working_group_document_is_refused_once(rws_admin: Persona) -> None:
    """Rita, chair of a working group, gave a link that is not a web address and read "Enter a valid
    URL.Enter a valid URL.": the same refusal twice."""
    group = WorkingGroup.objects.create(name="Notebooks", slug="notebooks-wg", topic="notebooks")
    actions.add_working_group_member(
        group, rws_admin.organisation, WorkingGroupMember.Role.CHAIR, acting_user=None
    )
    rita = signed_in(rws_admin)

    for address in ("javascript:alert(1)", "ftp://files.example.org/minutes.pdf"):
        page = text(
            rita.post("/working-groups/notebooks-wg/", {"title": "Minutes", "language": "en", "url": address})
        )

        assert page.count("Enter a valid URL.") == 1, address
    assert not group.documents.exists()


@pytest.mark.django_db
def test_the_api_gives_a_statements_demand_under_the_same_control_as_its_page(
    statement: Statement, rws_admin: Persona
) -> None:
    """An integrator reading the statements through the API gets what the page shows: a lone
    signatory's volumes as hidden, with the reason, never the figures; drafts not at all."""
    actions.sign_statement(
        statement, rws_admin.organisation, {"notebooks": (1234, Decimal("987654"))}, acting_user=None
    )
    for number in (1, 2, 3):
        volumes = {"monitors": (100 + number, Decimal(1000 + number))}
        actions.sign_statement(statement, another_participant(number), volumes, acting_user=None)
    make_statement(statement.working_group, "draft-one", publish=False)

    listed = Client().get("/api/v1/statements").json()
    found = Client().get("/api/v1/statements/notebooks-2027").json()

    assert [s["slug"] for s in listed] == ["notebooks-2027"]
    assert listed[0]["signatories"] == 4
    demand = {row["product_group"]: row for row in found["demand"]}
    assert demand["notebooks"] == {
        "product_group": "notebooks",
        "signatories": 1,
        "units_per_year": None,
        "spend_eur_per_year": None,
        "hidden": "threshold",
    }
    assert (demand["monitors"]["units_per_year"], demand["monitors"]["hidden"]) == (306, None)
    assert demand["total"]["units_per_year"] is None  # the total less the monitors is Rita's
    assert "1234" not in Client().get("/api/v1/statements/notebooks-2027").content.decode()
    assert Client().get("/api/v1/statements/draft-one").status_code == 404


@pytest.mark.django_db
def test_a_place_on_the_waiting_list_is_tentative_in_the_calendar(
    procurer: Persona, outsider: Persona
) -> None:
    """Otto, on the waiting list of a full session, found it in his calendar as confirmed, like Pia's
    place, and planned his day around it."""
    start = timezone.now() + timedelta(days=5)
    event = learning.create_event(
        acting_user=None, title="Webinar", starts=start, ends=start + timedelta(hours=1), capacity=1
    )
    learning.register(event, acting_user=procurer.user)
    learning.register(event, acting_user=outsider.user)

    pia = signed_in(procurer).get("/events/my-events.ics").content.decode()
    otto = signed_in(outsider).get("/events/my-events.ics").content.decode()

    assert "STATUS:CONFIRMED" in pia and "SUMMARY:Webinar\r\n" in pia
    assert "STATUS:TENTATIVE" in otto and "SUMMARY:Webinar (waiting list)\r\n" in otto


@pytest.mark.django_db
def test_a_person_on_the_waiting_list_sees_their_place_in_it(
    procurer: Persona, outsider: Persona, coordinator: Persona
) -> None:
    """Coco, on the waiting list behind Otto, read only "You are on the waiting list" and could not
    tell whether to count on a place; the page now says which number she is, and it moves up."""
    start = timezone.now() + timedelta(days=5)
    event = learning.create_event(
        acting_user=None, title="Webinar", starts=start, ends=start + timedelta(hours=1), capacity=1
    )
    for persona in (procurer, outsider, coordinator):
        learning.register(event, acting_user=persona.user)
    coco = signed_in(coordinator)

    before = text(coco.get(f"/events/{event.pk}/"))
    learning.unregister(event, acting_user=procurer.user)  # Otto takes the seat
    after = text(coco.get(f"/events/{event.pk}/"))

    assert "You are number 2 on the waiting list" in before
    assert "You are number 1 on the waiting list" in after


# ---------------------------------------------------------------------------
# Case studies
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_lessons_written_in_another_language_say_so(procurer: Persona) -> None:
    """A German reader found a case study's lessons in English without a word, unlike a guide, which
    says when it is shown in English."""
    tender = tenders.create_tender(procurer.organisation, title="Laptops", reference="L-1", acting_user=None)
    Tender.unscoped.filter(pk=tender.pk).update(status=Tender.Status.CLOSED)
    case_study = CaseStudy.objects.create(
        tender=tender,
        organisation=procurer.organisation,
        title="Laptops that last",
        country="NL",
        year=2026,
        lessons={"en": "Ask for spare parts for seven years."},
        status=CaseStudy.Status.PUBLISHED,
    )

    german = text(Client().get(f"/case-studies/{case_study.pk}/", headers={"accept-language": "de"}))
    english = text(Client().get(f"/case-studies/{case_study.pk}/", headers={"accept-language": "en"}))

    assert 'id="lessons-language"' in german and "Englisch" in german
    assert '<p lang="en">Ask for spare parts for seven years.</p>' in german
    assert 'id="lessons-language"' not in english
