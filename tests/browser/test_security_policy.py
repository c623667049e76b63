"""The Content-Security-Policy in a real browser: the API docs (Swagger UI from local static files)
and the site's own script run, and the browser blocks nothing."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_and_the_language_switcher_work_in_a_browser_under_the_policy(
    live_server: Any, page: Any, framework: Any
) -> None:
    from playwright.sync_api import expect

    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security" in message.text else None,
    )
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock")
    operations = page.locator(".opblock").count()
    page.goto(f"{live_server.url}/criteria/")
    page.select_option("#language-switcher", "nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    assert operations >= 20
    assert blocked == []
