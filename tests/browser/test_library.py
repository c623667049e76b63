"""Click through the criteria library in headless Chromium, in English and in Dutch."""

from __future__ import annotations

import os
from typing import Any

import pytest

from cfit.criteria.models import Criterion, FrameworkVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("CFIT_SCREENSHOTS", "")


def shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_a_procurer_browses_filters_and_reads_a_criterion_in_english_then_dutch(
    live_server: Any, page: Any, framework: FrameworkVersion
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Notebooks", exact=True).click()
    page.wait_for_url("**/criteria/?product_group=notebooks")
    all_notebook = Criterion.objects.filter(version=framework, product_groups__code="notebooks").count()
    assert page.locator("#result-count").inner_text().startswith(f"{all_notebook} criteri")

    page.select_option("#id_ambition", "ambitious")
    page.select_option("#id_impact_category", "carbon")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    expected = Criterion.objects.filter(
        version=framework, product_groups__code="notebooks", ambition="ambitious", impact_category="carbon"
    ).order_by("position", "code")
    assert page.locator("#result-count").inner_text().startswith(f"{expected.count()} criteri")
    shot(page, "library-en")

    first = expected.first()
    page.get_by_role("link", name=first.title["en"], exact=True).click()
    page.wait_for_url(f"**/criteria/{first.code}/")
    assert page.get_by_role("heading", level=1).inner_text() == first.title["en"]
    for requirement in first.requirements.all():
        assert page.locator("table.requirements").get_by_text(requirement.code, exact=True).is_visible()
    shot(page, "criterion-en")

    with page.expect_navigation():  # the switcher submits its form on change
        page.select_option("#language-switcher", "nl")
    page.wait_for_selector("html[lang=nl]")
    assert page.get_by_role("heading", level=1).inner_text() == first.title["nl"]
    assert page.get_by_role("heading", name="Eisen").is_visible()
    assert page.locator("html").get_attribute("lang") == "nl"
    shot(page, "criterion-nl")

    page.get_by_role("link", name="Criteria", exact=True).click()
    page.fill("#id_q", max(first.title["nl"].split(), key=len))
    # Wait for the filtered page (asking at once raced the navigation on a busy machine: the old page)
    with page.expect_navigation():
        page.get_by_role("button", name="Filteren").click()
    assert page.get_by_role("link", name=first.title["nl"], exact=True).is_visible()


def test_baseline_and_ambitious_side_by_side_in_german(
    live_server: Any, page: Any, framework: FrameworkVersion
) -> None:
    page.goto(live_server.url + "/")
    with page.expect_navigation():  # the switcher submits its form on change
        page.select_option("#language-switcher", "de")
    page.wait_for_selector("html[lang=de]")
    page.locator(".card", has_text="Monitore").get_by_role(
        "link", name="Basis und ambitioniert im Vergleich"
    ).click()
    page.wait_for_url("**/criteria/compare/monitors/")

    assert page.get_by_role("columnheader", name="Ambitioniert").first.is_visible()
    ambitious = Criterion.objects.filter(
        version=framework, product_groups__code="monitors", ambition="ambitious"
    ).first()
    assert page.get_by_role("link", name=ambitious.title["de"], exact=True).first.is_visible()
    shot(page, "compare-de")
