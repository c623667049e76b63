"""The partnership's working life, end to end in the browser, in German and Dutch, at phone and desktop width.

Coco chairs the notebooks working group (in German, on her phone): she adds a document, runs a market
consultation with each kind of question, closes it and publishes its anonymised summary. Three suppliers
answer it in Dutch; Sid's GreenRefurb observes the working group and still reads no other supplier's
answer. Coco drafts and publishes a statement of demand that Rita signs with her volumes, and the public
reads it. Coco sets up a workshop for the group with one place: Sid takes it, Rita waits, Sid cancels and Rita moves up
and takes the event into her calendar.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cfit.accounts.models import Membership, Organisation
from cfit.consultations.models import Consultation, Response
from cfit.criteria.models import FrameworkVersion
from cfit.learning.models import Event, Registration
from cfit.pact.actions import add_working_group_member
from cfit.pact.models import Signature, Statement, WorkingGroup, WorkingGroupDocument, WorkingGroupMember

from ..conftest import Persona, make_persona
from .test_library import shot
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def person(browser: Any, base: str, username: str, locale: str, viewport: dict[str, int]) -> Any:
    page = browser.new_context(locale=locale, viewport=viewport, accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, username)
    return page


def menu(page: Any, href: str) -> None:
    """A link of the main menu, opened first on a narrow screen."""
    if page.locator(".menu-toggle").is_visible():
        page.click(".menu-toggle")
    page.click(f"#site-menu a[href='{href}']")


def test_a_working_group_consults_the_market_states_its_demand_and_meets(
    live_server: Any, browser: Any, framework: FrameworkVersion,
    coordinator: Persona, supplier: Persona,
) -> None:  # fmt: skip
    base = live_server.url
    group = WorkingGroup.objects.create(name="Notebooks", slug="notebooks-wg", topic="notebooks")
    add_working_group_member(group, coordinator.organisation, WorkingGroupMember.Role.CHAIR, acting_user=None)
    add_working_group_member(group, supplier.organisation, WorkingGroupMember.Role.OBSERVER, acting_user=None)
    others = [
        make_persona(f"sup{i}", f"supplier-{i}", Organisation.Type.SUPPORTER, Membership.Role.ADMIN)
        for i in (1, 2)
    ]
    rita = make_persona(
        "rita", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ADMIN
    )
    add_working_group_member(group, rita.organisation, WorkingGroupMember.Role.MEMBER, acting_user=None)

    # Coco, chair, in German on her phone: from the menu to her working group, where she adds a document.
    coco = person(browser, base, coordinator.user.username, "de-DE", PHONE)
    assert coco.get_attribute("html", "lang") == "de"
    menu(coco, "/groups/")
    coco.click("a[href='/working-groups/']")
    coco.click("#wg-notebooks-wg a")
    coco.fill("#document-form input[name=title]", "Protokoll der Sitzung im März")
    coco.fill("#document-form input[name=url]", "https://example.org/protokoll.pdf")
    coco.locator("#document-form button").click()
    coco.wait_for_selector("#documents a:has-text('Protokoll der Sitzung im März')")
    assert WorkingGroupDocument.objects.filter(group=group).count() == 1

    # She starts a consultation from the group's page, one question of each kind, and publishes it.
    coco.click("#start-consultation")
    coco.fill("#id_title", "Akkus, die lange halten")
    coco.fill("#id_deadline", (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"))
    questions = [
        ("Liefern Sie Ersatzakkus?", "yes_no", ""),
        ("Wie viele Jahre Garantie?", "number", "3; 5"),
        ("Welche Reparaturform?", "choice", "vor Ort; Einsendung; Tausch"),
        ("Was brauchen Sie von uns?", "text", ""),
    ]
    for n, (text, kind, options) in enumerate(questions, start=1):
        coco.fill(f"#id_q{n}_text", text)
        coco.select_option(f"#id_q{n}_kind", kind)
        coco.fill(f"#id_q{n}_options", options)
    shot(coco, "partnership-consultation-draft-de-phone")
    coco.locator("#consultation-form button.primary").click()
    coco.wait_for_selector("#status[data-state=draft]")
    coco.locator("#publish-form button").click()
    coco.wait_for_selector("#status[data-state=open]")
    consultation = Consultation.objects.get()
    q_yes, q_years, q_repair, q_text = consultation.questions.all()

    # Three suppliers answer in Dutch; their free text is for the group only.
    answers = [
        (others[0], "yes", "7", "Tausch", "Vertrouwelijk plan van leverancier 1"),
        (others[1], "yes", "6", "Einsendung", ""),
        (supplier, "yes", "5", "vor Ort", "Meer tijd"),
    ]
    for persona, yes_no, years, repair, text in answers:
        page = person(browser, base, persona.user.username, "nl-NL", DESKTOP)
        menu(page, "/consultations/")
        page.click("#consultations a:has-text('Akkus, die lange halten')")
        page.check(f"#answer-form input[name=answer-{q_yes.pk}][value={yes_no}]")
        page.fill(f"#answer-{q_years.pk}", years)
        page.select_option(f"#answer-{q_repair.pk}", repair)
        page.fill(f"#answer-{q_text.pk}", text)
        page.locator("#answer-form button.primary").click()
        page.wait_for_selector(".message.success")
        # A supplier reads its own answers only, even GreenRefurb, observer of the working group.
        assert page.locator("#responses").count() == 0 and page.locator("#summary").count() == 0
        assert ("Vertrouwelijk plan" in page.content()) == (persona == others[0])
        page.context.close()
    assert Response.objects.filter(consultation=consultation).count() == 3

    # Coco reads each answer, closes the consultation and publishes its summary.
    coco.reload()
    assert coco.locator("#responses tbody tr").count() == 3
    coco.locator("#close-form button").click()
    coco.wait_for_selector("#status[data-state=closed]")
    coco.locator("#publish-summary-form button").click()
    coco.wait_for_selector("#summary")
    coco.wait_for_selector("#publish-summary-form", state="detached")

    # The public (in Dutch, on a phone) reads the summary: three said yes; the three different choices
    # and the free text do not show.
    public = browser.new_context(locale="nl-NL", viewport=PHONE).new_page()
    public.goto(f"{base}/")
    menu(public, "/consultations/")
    public.click("#consultations a")
    summary = public.locator("#summary table").first.inner_text()
    assert "3" in summary
    for shown in public.locator("#summary table").nth(2).locator("td").all_inner_texts():
        assert shown == "—"
    assert "Vertrouwelijk plan" not in public.content() and "Supplier 1" not in public.content()
    assert "Meer tijd" not in public.content()
    shot(public, "partnership-summary-nl-phone")

    # A statement of demand: drafted from the group's page, published, signed with volumes, read by all.
    coco.goto(f"{base}/working-groups/notebooks-wg/")
    coco.click("#draft-statement")
    coco.fill("#id_slug", "akkus-2027")
    coco.fill("#id_title_en", "Batteries that last")
    coco.fill("#id_text_en", "From 2027 we ask for replaceable batteries.")
    coco.fill("#id_title_de", "Akkus, die lange halten")
    coco.fill("#id_text_de", "Ab 2027 verlangen wir austauschbare Akkus.")
    coco.check("input[name=product_groups][value=notebooks]")
    coco.locator("main form button").last.click()
    coco.wait_for_selector("#publish-form")
    coco.locator("#publish-form button").click()
    coco.wait_for_selector("#sign-form")
    assert Statement.objects.get(slug="akkus-2027").status == Statement.Status.PUBLISHED

    signer = person(browser, base, rita.user.username, "de-DE", DESKTOP)
    menu(signer, "/statements/")
    signer.click("#statements a:has-text('Akkus, die lange halten')")
    signer.fill("#sign-form input[name=units_notebooks]", "1.200")
    signer.fill("#sign-form input[name=spend_notebooks]", "960.000")
    signer.locator("#sign-form button").click()
    signer.wait_for_selector("#signatories:has-text('Rijkswaterstaat')")
    volume = Signature.objects.get(organisation=rita.organisation).volumes.get()
    assert (volume.units_per_year, volume.spend_eur_per_year) == (1200, 960000)
    public.goto(f"{base}/statements/akkus-2027/")
    assert "Rijkswaterstaat" in public.inner_text("#signatories")
    # One signatory: its volumes are not published.
    assert "1200" not in public.inner_text("#demand") and "1.200" not in public.inner_text("#demand")

    # A workshop with one place: Sid takes it, Rita waits, Sid cancels and Rita moves up.
    menu(coco, "/events/")
    coco.click("main a[href='/events/new/']")
    coco.fill("#id_title", "Workshop Akkus")
    coco.select_option("#id_audience", "wg:notebooks-wg")
    coco.fill("#id_starts", "2030-01-20T10:00")
    coco.fill("#id_ends", "2030-01-20T12:00")
    coco.fill("#id_place", "Berlin")
    coco.fill("#id_capacity", "1")
    coco.locator("main form button").last.click()
    coco.wait_for_selector("#places-left")
    event = Event.objects.get(title="Workshop Akkus")
    assert event.working_group == group and event.capacity == 1

    sid = person(browser, base, supplier.user.username, "nl-NL", PHONE)
    menu(sid, "/events/")
    sid.click("#upcoming a:has-text('Workshop Akkus')")
    sid.locator("form[action$='/register/'] button").click()
    sid.wait_for_selector("#registration")
    menu(signer, "/events/")
    signer.click("#upcoming a:has-text('Workshop Akkus')")
    signer.locator("form[action$='/register/'] button").click()
    signer.wait_for_selector("#registration")
    assert Registration.objects.get(user=rita.user).status == Registration.Status.WAITING
    sid.locator("form[action$='/unregister/'] button").click()
    sid.wait_for_selector("form[action$='/register/']")
    signer.reload()
    signer.wait_for_selector("#promoted")
    assert Registration.objects.get(user=rita.user).status == Registration.Status.REGISTERED
    with signer.expect_download() as info:
        signer.click("a[href$='/event.ics']")
    with open(info.value.path(), encoding="utf-8") as file:
        calendar = file.read()
    assert "BEGIN:VEVENT" in calendar and "Workshop Akkus" in calendar
    shot(signer, "partnership-event-de")
