"""Guides: versions, translation state (the framework's rules), links with criteria both ways, the
public pages in two languages, the secretariat's edit page and who may use it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client

from cfit.audit.models import AuditRecord
from cfit.learning import actions
from cfit.learning.models import Guide, GuideTranslation, GuideVersion
from cfit.learning.text import render_body

BODY_EN = "Why batteries matter.\n\n## What to ask\n\n- tested cycles\n- replaceable"
BODY_NL = "Waarom accu's ertoe doen.\n\n## Wat u vraagt\n\n- geteste cycli"


def _guide(**extra: Any) -> Guide:
    return actions.create_guide(
        slug="notebooks-that-last",
        title={"en": "Notebooks that last", "nl": "Laptops die lang meegaan"},
        body={"en": BODY_EN, "nl": BODY_NL},
        product_groups=["notebooks"],
        themes=["circularity", "battery-endurance"],
        criteria=["nb-battery-cycles-b", "pc-warranty-b"],
        acting_user=None,
        **extra,
    )


def _texts(version: GuideVersion, **changes: dict[str, str]) -> dict[str, dict[str, str]]:
    texts = {field: dict(getattr(version, field)) for field in ("title", "summary", "body")}
    for field, by_language in changes.items():
        texts[field].update(by_language)
    return texts


def _language(client: Client, lang: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


@pytest.mark.django_db
def test_editing_english_makes_a_new_draft_and_puts_other_languages_in_review(secretary: Any) -> None:
    guide = _guide()
    first = actions.publish_guide(guide, acting_user=secretary.user)
    draft = actions.save_guide(
        guide,
        texts=_texts(first, body={"en": BODY_EN + "\n\nA longer warranty helps."}),
        product_groups=["notebooks"], themes=guide.themes, criteria=guide.criterion_codes,
        acting_user=secretary.user,
    )  # fmt: skip
    # The published version never changes: readers keep it until the draft is published.
    assert (draft.number, first.number) == (2, 1)
    first.refresh_from_db()
    assert "warranty" not in first.body["en"] and guide.current == first
    states = {(t.field, t.language): t.state for t in draft.translations.all()}
    assert states == {("body", "en"): "updated", ("body", "nl"): "needs_review"}  # fr/de/nb: no text
    nl = draft.translations.get(field="body", language="nl")
    assert nl.source_language == "en" and "warranty" in nl.source_after and "warranty" not in nl.source_before

    # A second edit keeps what the translation last followed; a review settles it.
    actions.save_guide(
        guide, texts=_texts(draft, body={"en": BODY_EN + "\n\nLonger warranties help."}),
        product_groups=["notebooks"], themes=guide.themes, criteria=guide.criterion_codes,
        acting_user=secretary.user,
    )  # fmt: skip
    nl.refresh_from_db()
    assert nl.source_before == BODY_EN and nl.source_after.endswith("Longer warranties help.")
    actions.mark_guide_reviewed(draft, "body", "nl", acting_user=secretary.user)
    assert GuideTranslation.objects.get(pk=nl.pk).state == "reviewed"
    with pytest.raises(actions.LearningRuleBroken):
        actions.mark_guide_reviewed(draft, "body", "nl", acting_user=secretary.user)
    assert actions.publish_guide(guide, acting_user=secretary.user).number == 2
    assert Guide.objects.get(pk=guide.pk).current.number == 2  # type: ignore[union-attr]
    recorded = set(AuditRecord.objects.filter(object_id=str(guide.pk)).values_list("action", flat=True))
    assert {actions.GUIDE_SAVED, actions.GUIDE_PUBLISHED, actions.GUIDE_TRANSLATION_REVIEWED} <= recorded


@pytest.mark.django_db
def test_only_the_secretariat_edits_guides(procurer: Any, secretary: Any) -> None:
    guide = _guide()
    with pytest.raises(PermissionDenied):
        actions.save_guide(
            guide, texts=_texts(guide.draft), product_groups=[], themes=[], criteria=[],  # type: ignore[arg-type]
            acting_user=procurer.user,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        actions.publish_guide(guide, acting_user=procurer.user)
    with pytest.raises(actions.LearningRuleBroken):  # an unknown theme is refused, not stored
        actions.save_guide(
            guide, texts=_texts(guide.draft), product_groups=[], themes=["no-such-theme"],  # type: ignore[arg-type]
            criteria=[], acting_user=secretary.user,
        )  # fmt: skip
    client = Client()
    client.force_login(procurer.user)
    assert client.get(f"/guides/{guide.slug}/edit/").status_code == 404
    assert client.post(f"/guides/{guide.slug}/publish/").status_code == 404
    assert client.get("/guides/new/").status_code == 403
    # A draft nobody published is not there for readers.
    assert Client().get(f"/guides/{guide.slug}/").status_code == 404
    assert client.get(f"/guides/{guide.slug}/").status_code == 404


@pytest.mark.django_db
def test_guide_and_criterion_link_both_ways_in_two_languages(framework: Any) -> None:
    guide = _guide()
    actions.publish_guide(guide, acting_user=None)
    client = _language(Client(), "nl")
    page = client.get("/guides/notebooks-that-last/").content.decode()
    assert (
        "Laptops die lang meegaan" in page and "Wat u vraagt" in page and 'id="language-notice"' not in page
    )
    battery = framework.criteria.get(code="nb-battery-cycles-b")
    assert f'href="/criteria/{battery.code}/"' in page
    criterion_page = client.get(f"/criteria/{battery.code}/").content.decode()
    assert 'id="guides"' in criterion_page and 'href="/guides/notebooks-that-last/"' in criterion_page
    assert "Laptops die lang meegaan" in criterion_page
    # A criterion no guide explains shows no such section.
    assert 'id="guides"' not in client.get("/criteria/ws-rohs-b/").content.decode()

    german = _language(Client(), "de").get("/guides/notebooks-that-last/").content.decode()
    assert (
        'id="language-notice"' in german
        and "Notebooks that last" in german
        and "<h2>What to ask</h2>" in german
    )


@pytest.mark.django_db
def test_guide_list_filters_and_searches(framework: Any) -> None:
    actions.publish_guide(_guide(), acting_user=None)
    other = actions.create_guide(
        slug="wiping", title={"en": "Data wiping"}, body={"en": "Wipe, do not shred."},
        product_groups=["smartphones"], themes=["data-deletion"], criteria=["wc-data-deletion-b"],
        acting_user=None,
    )  # fmt: skip
    actions.publish_guide(other, acting_user=None)
    client = Client()

    def listed(query: str, lang: str = "en") -> set[str]:
        page = _language(client, lang).get(f"/guides/{query}").content.decode()
        return {slug for slug in ("notebooks-that-last", "wiping") if f'href="/guides/{slug}/"' in page}

    assert listed("") == {"notebooks-that-last", "wiping"}
    assert listed("?product_group=smartphones") == {"wiping"}
    assert listed("?theme=battery-endurance") == {"notebooks-that-last"}
    assert listed("?q=shred") == {"wiping"}
    assert listed("?q=geteste", "nl") == {"notebooks-that-last"}  # the reader's language is searched
    assert listed("?q=geteste", "en") == set()
    assert 'href="/criteria/wc-data-deletion-b/"' in client.get("/guides/wiping/").content.decode()


@pytest.mark.django_db
def test_secretariat_edits_five_languages_through_the_form(secretary: Any, framework: Any) -> None:
    guide = _guide()
    actions.publish_guide(guide, acting_user=None)
    client = Client()
    client.force_login(secretary.user)
    page = client.get(f"/guides/{guide.slug}/edit/").content.decode()
    for lang in ("en", "nl", "fr", "de", "nb"):
        assert f'name="body_{lang}"' in page and f'for="id_body_{lang}"' in page
    form = {
        "kind": "mini_guide", "product_groups": ["notebooks"], "themes": ["circularity"],
        "criteria": "nb-battery-cycles-b", "title_en": "Notebooks that last", "title_nl": "Laptops die lang meegaan",
        "body_en": BODY_EN + "\n\nNew paragraph.", "body_nl": BODY_NL, "title_de": "Langlebige Notebooks",
        "body_de": "Warum Akkus zählen.",
    }  # fmt: skip
    response = client.post(f"/guides/{guide.slug}/edit/", form)
    assert response.status_code == 302
    draft = Guide.objects.get(pk=guide.pk).draft
    assert draft is not None and draft.body["de"] == "Warum Akkus zählen."
    states = dict(draft.translations.filter(field="body").values_list("language", "state"))
    assert states == {"en": "updated", "de": "updated", "nl": "needs_review"}
    edit = client.get(f"/guides/{guide.slug}/edit/").content.decode()
    assert 'id="translation-states"' in edit and "Mark reviewed" in edit
    assert (
        client.post(f"/guides/{guide.slug}/reviewed/", {"field": "body", "language": "nl"}).status_code == 302
    )
    assert draft.translations.get(field="body", language="nl").state == "reviewed"
    assert client.post(f"/guides/{guide.slug}/publish/").status_code == 302
    german = _language(Client(), "de").get(f"/guides/{guide.slug}/").content.decode()
    assert "Langlebige Notebooks" in german and 'id="language-notice"' not in german
    assert list(Guide.objects.get(pk=guide.pk).criterion_codes) == ["nb-battery-cycles-b"]


def test_guide_text_is_escaped_and_structured() -> None:
    html = render_body("<script>alert(1)</script>\n\n## Title & more\n\n- a <b>\n- b\n\nline one\nline two")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h2>Title &amp; more</h2>" in html and "<li>a &lt;b&gt;</li><li>b</li>" in html
    assert "<p>line one<br>line two</p>" in html


@pytest.mark.django_db
def test_demo_guides_and_events(coordinator: Any) -> None:
    from cfit.demo.learning import create_demo_guides_and_events
    from cfit.learning.models import Event
    from cfit.pact.models import BuyerGroup

    BuyerGroup.objects.create(
        name="NL", slug="buyer-group-nl", country="NL", coordinator=coordinator.organisation
    )
    create_demo_guides_and_events()
    create_demo_guides_and_events()  # again: nothing doubles
    assert set(Guide.objects.published().values_list("slug", flat=True)) == {
        "notebooks-that-last",
        "end-of-use-data-wiping",
    }
    assert Event.objects.filter(buyer_group__isnull=True).count() == 1
    assert Event.objects.filter(buyer_group__slug="buyer-group-nl").count() == 1
    assert "wc-data-deletion-b" in Guide.objects.get(slug="end-of-use-data-wiping").criterion_codes
