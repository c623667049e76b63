"""Every link a persona can see leads to a page it may open.

The demo (the accounts, organisations, tenders, fleets, campaigns and results ``cfit demo`` makes) is built
once for the module, inside a transaction rolled back at the end. Then, for every demo account and for an
anonymous visitor, in English and then in Dutch (chosen the way the site's language switch does it: a POST
to ``/i18n/setlang/``), a crawl follows every same-site link from the home page and fails on any answer of
400 or more, and on a signed-in persona sent back to the sign-in page. Sign-out and POST-only actions are
not links and are not followed; files (attachments, anything not HTML) are fetched for their status only,
in the first language.

The criteria library links hundreds of pages that differ only by their criterion; routes outside
monitoring and the results are sampled (``PER_ROUTE`` addresses per route and set of query parameters in
the first language, one in the second, where a page's language is what changes), monitoring's are followed
completely in both.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve

from cfit.accounts.models import Organisation
from cfit.demo import DEMO_PASSWORD, USERS, create_demo_data, create_demo_partnership
from cfit.monitoring.indicators import BY_CODE, Aggregation
from cfit.monitoring.models import PACT, Aggregate, Campaign, Report, ReportValue
from cfit.pact.models import GroupMembership

PERSONAS = [None, *(u[0] for u in USERS), "coordinator-be", "coordinator-no"]
LANGUAGES = ["en", "nl"]
NOT_PAGES = ("/accounts/logout/", "/static/", "/admin/", "/i18n/")
PER_ROUTE = 2
FOLLOWED_COMPLETELY = ("monitoring:", "results")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)


def _route(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return "(no route)"


def crawl(client: Client, *, signed_in: bool, files: set[str], per_route: int) -> tuple[int, list[str]]:
    """Pages and files visited, and the problems found: ``address (status) <- where it was linked``.

    ``files`` holds the files already checked (they are not fetched again) and gets the new ones."""
    queue: list[tuple[str, str]] = [("/", "start")]
    queued = {"/"}
    sampled: Counter[tuple[str, tuple[str, ...]]] = Counter()
    problems: list[str] = []
    visited = 0
    while queue:
        address, origin = queue.pop(0)
        if address in files:
            continue
        response = client.get(address)
        visited += 1
        if response.status_code in (301, 302, 303, 307, 308):
            target = urljoin(address, response["Location"])
            if signed_in and urlsplit(target).path.startswith("/accounts/login"):
                problems.append(f"{address} (asks to sign in) <- {origin}")
            else:
                _add(target, address, queue, queued, sampled, per_route)
            continue
        if response.status_code >= 400:
            problems.append(f"{address} ({response.status_code}) <- {origin}")
            continue
        is_file = response.has_header("Content-Disposition") or "html" not in response.get("Content-Type", "")
        if is_file:
            files.add(address)
            continue  # files: their status only
        if address.startswith("/api/docs"):
            continue  # the API's documentation page is built by script
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.links:
            _add(urljoin(address, href), address, queue, queued, sampled, per_route)
    return visited, problems


def _add(
    href: str,
    origin: str,
    queue: list[tuple[str, str]],
    queued: set[str],
    sampled: Counter[tuple[str, tuple[str, ...]]],
    per_route: int,
) -> None:
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return  # another site, mail, telephone
    address = parts.path + (f"?{parts.query}" if parts.query else "")
    if not parts.path or address in queued or parts.path.startswith(NOT_PAGES):
        return
    route = _route(parts.path)
    if not route.startswith(FOLLOWED_COMPLETELY):
        key = (route, tuple(sorted(p.split("=")[0] for p in parts.query.split("&") if p)))
        if sampled[key] >= per_route:
            return
        sampled[key] += 1
    queued.add(address)
    queue.append((address, origin))


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo of ``cfit demo`` (its framework is the session's), rolled back after the module."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        create_demo_data()
        create_demo_partnership()
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("username", PERSONAS, ids=lambda u: u or "anonymous")
def test_every_link_a_persona_sees_opens_in_two_languages(demo: None, username: str | None) -> None:
    client = Client()
    if username:
        assert client.login(username=username, password=DEMO_PASSWORD)
    files: set[str] = set()
    problems: list[str] = []
    for language, per_route in zip(LANGUAGES, (PER_ROUTE, 1), strict=True):
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        assert f'<html lang="{language}">' in client.get("/").content.decode()

        visited, found = crawl(client, signed_in=username is not None, files=files, per_route=per_route)

        assert visited > 20, language
        problems += [f"[{language}] {problem}" for problem in found]
    assert problems == [], "\n".join(problems)


# -- the demo's figures, by the rules


@pytest.mark.django_db
def test_no_figure_of_the_demo_rests_on_too_few_or_one_dominant_reporter(demo: None) -> None:
    """Checked from the reports themselves, not from the stored decisions: every figure that is shown
    (published or for a coordinator) has at least 3 reporting organisations, none giving more than 80 %."""
    participants = set(
        Organisation.objects.filter(type__in=Organisation.PARTICIPANT_TYPES).values_list("pk", flat=True)
    )
    members: dict[str, set[int]] = defaultdict(set)
    for slug, organisation in GroupMembership.objects.filter(state="active").values_list(
        "group__slug", "organisation"
    ):
        members[slug].add(organisation)
    figures = ReportValue.objects.filter(report__state__in=Report.COUNTED, value__isnull=False).values_list(
        "report__year", "report__organisation", "indicator", "key", "value", "weight", "low", "high"
    )
    shown = Aggregate.objects.filter(suppression="")
    assert shown.exists() and Aggregate.objects.exclude(suppression="").exists()

    for cell in shown:
        indicator = BY_CODE[cell.indicator]
        scope = participants if cell.scope == PACT else members[cell.scope]
        per_organisation: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for year, organisation, code, key, value, weight, low, high in figures:
            if year != cell.year or code != cell.indicator or organisation not in scope:
                continue
            if key != cell.key and cell.key != "total":
                continue
            if indicator.aggregation == Aggregation.WEIGHTED:
                if weight:
                    per_organisation[organisation][0] += weight
                continue
            measures = (value, value if low is None else low, value if high is None else high)
            for i, measure in enumerate(measures):
                per_organisation[organisation][i] += measure
        assert len(per_organisation) >= 3, cell
        for i in range(3):
            total = sum(m[i] for m in per_organisation.values())
            assert not total or max(m[i] for m in per_organisation.values()) <= 0.8 * total, cell


@pytest.mark.django_db
def test_the_demo_coordinator_publishing_two_reports_of_five_sees_every_figure_hidden(demo: None) -> None:
    campaign = Campaign.objects.get(group__slug="buyer-group-nl", year=2025)
    client = Client()
    client.login(username="coordinator", password=DEMO_PASSWORD)

    page = client.get(f"/monitoring/campaigns/{campaign.pk}/publish/").content.decode()

    assert "Only 2 of 5 members reported, fewer than the 3 the disclosure rules ask" in page
    assert 'id="hidden-summary">0 of' in page and 'id="publish-form"' in page
