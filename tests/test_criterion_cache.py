"""A published criterion's page body is rendered once per process and language; a draft's never is, so
an editor sees every change at once.

Personas: a visitor (anonymous); Sam edits the draft for the secretariat.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cfit.criteria import actions
from cfit.criteria.models import FrameworkVersion
from tests.conftest import Persona
from tests.test_translation_state import edit_data

pytestmark = pytest.mark.django_db
CODE = "nb-battery-cycles-b"


def body(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_a_published_criterion_is_read_once_then_served_from_the_cache(
    framework: FrameworkVersion, client: Client, django_assert_max_num_queries: Any
) -> None:
    first = client.get(f"/criteria/{CODE}/")
    # the version, the criterion, versions it is in, guides, the product groups' change counter
    with django_assert_max_num_queries(5):
        again = client.get(f"/criteria/{CODE}/")

    assert body(again) == body(first)
    assert "Requirements" in body(first) and "nb-battery-cycles-b" in body(first)
    dutch = client.get(f"/criteria/{CODE}/", HTTP_ACCEPT_LANGUAGE="nl")
    assert body(dutch) != body(first) and "Requirements" not in body(dutch)


def test_a_draft_criterion_shows_each_edit_at_once(
    framework: FrameworkVersion, secretary: Persona, client: Client
) -> None:
    draft = actions.create_draft(framework)
    client.force_login(secretary.user)
    address = f"/criteria/{CODE}/?version={draft.code}"
    assert "(revised)" not in body(client.get(address))

    criterion = draft.criteria.get(code=CODE)
    actions.update_criterion_texts(
        criterion,
        edit_data(criterion, title_en=criterion.title["en"] + " (revised)"),
        acting_user=secretary.user,
    )

    assert "(revised)" in body(client.get(address))


def test_a_product_group_renamed_in_the_admin_shows_at_once_in_every_process(
    framework: FrameworkVersion, client: Client
) -> None:
    """Each server process caches the home page and the library for an hour (five minutes for the home
    page): a product group renamed in the admin showed in the other processes only after that. The
    groups' change counter, read from the database, is in the cache keys: a process that cached the old
    name computes another key after the rename and renders the page again."""
    from cfit.criteria.models import ProductGroup

    before = ProductGroup.edition()
    assert "Notebooks" in client.get("/").content.decode()
    assert "Notebooks" in client.get("/criteria/").content.decode()
    group = ProductGroup.objects.get(code="notebooks")

    group.name = {**group.name, "en": "Laptops and notebooks"}
    group.save()  # as the admin saves it

    assert ProductGroup.edition() != before  # the key another process computes changes too
    assert "Laptops and notebooks" in client.get("/").content.decode()
    assert "Laptops and notebooks" in client.get("/criteria/").content.decode()
    assert "Laptops and notebooks" in body(client.get(f"/criteria/{CODE}/"))
