"""Every word a page shows is in the user's language, or is data.

**The pseudo-language.** Django's catalogue for one language is replaced, for this module only, by a
translation that returns every message it is asked for wrapped in markers: ``⟦Tenders⟧``,
``⟦%(count)s offers⟧`` (placeholders and plural forms keep working). A page rendered in it shows every
word that went through gettext between markers; any other word either is data (a name, a title, a
number, a code) or was never marked for translation, and would stay English in Dutch, French, German and
Norwegian whatever the translators do. The pseudo-language borrows the code of a language Django knows
and cfit does not offer (Esperanto), so that Django's own machinery (the language cookie, the formats)
accepts it.

**The pages.** The demo of ``cfit demo`` without its monitoring partnership (five seconds instead of
thirty), plus a small monitoring campaign and the pact's statement, built once for the module and
rolled back at the end. Every demo persona and an anonymous visitor crawl every same-site link from the
home page and from a few pages that are not linked from a menu, one address per route and set of query
parameters. The steps of a register import are reached by
a form (a file with a value the register does not know stops at the value step), so their pages are
added. Each page's visible text (text nodes, the texts of charts' SVG, and the ``title``, ``alt``,
``aria-label`` and ``placeholder`` attributes and the labels of buttons) is read without what is between markers; what is
left must be data: a text any model of the database holds (names, titles, criterion texts), a number,
a date, a unit, a code, or one of the few words of ``NOT_WORDS`` (each explained).

**Every message is extracted.** A message that went through gettext when the page was made is marked
in the pseudo-language even where ``makemessages`` never sees it (a call inside an f-string, which
xgettext does not read; gettext under a name that is not one of its keywords): such a message is in no
catalogue, and stays English in every language. So every message the pages asked for must be one that
xgettext extracts from cfit with Django's keywords (or one of Django's own).

**The import errors.** A bad file is sent to each importer (the fleet register, a supplier's offer, the
data-centre template, a monitoring report, a cloud FOCUS export, the criteria exchange) and the page
that refuses it is read the same way.

**The five real languages.** Then the same pages in Dutch, French, German and Norwegian Bokmål: no
visible text may be an English message the language's catalogue translates differently (a string
rendered before its language was active, or marked after the catalogue was made).
"""

from __future__ import annotations

import ast
import csv
import gettext as gettext_module
import os
import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve
from django.utils.translation import get_language, trans_real

from cfit.accounts import eforms_codes
from cfit.accounts.models import Organisation
from cfit.accounts.scoping import system_scope
from cfit.criteria import models as criteria_models
from cfit.criteria import vocabulary
from cfit.criteria.content import Framework
from cfit.criteria.rendering import rendered_criterion
from cfit.datacentres import indicators as datacentre_indicators
from cfit.demo import USERS, create_demo_data
from cfit.impact.register import ALL_COLUMNS
from cfit.impact.titles import OWN_SOURCES
from cfit.joining.countries import country_choices

PSEUDO = "eo"  # a language Django knows (its cookie and formats work) that cfit does not offer
OPEN, CLOSE = "⟦", "⟧"
REAL_LANGUAGES = ["nl", "fr", "de", "nb"]
#: Demo personas who see what another one sees (the approver and the viewer see the procurer's pages,
#: with fewer buttons): not crawled again.
SAME_PAGES_AS_ANOTHER = {"approver", "viewer"}
#: Pages not held to the rule, and why.
ENGLISH_PAGES = {
    # The impact method: its document is translated as a whole (docs/impact-method.<language>.md,
    # held to the English by tests/test_method_translations.py); the pseudo-language has none, so the
    # page shows English with a notice there.
    "monitoring:method",
    # The method of cloud footprints: a technical document in English only (docs/cloud-method.md), shown
    # with the same notice.
    "monitoring:cloud-method",
}
NOT_PAGES = ("/accounts/logout/", "/static/", "/admin/", "/i18n/", "/api/docs")

#: Words a page may show untranslated, and why.
NOT_WORDS = {
    # the language switch names each language in itself, so that a reader lost in another finds it
    "English", "Nederlands", "Français", "Deutsch", "Norsk bokmål", "Esperanto",
    "français", "norsk (bokmål)", "Norsk (bokmål)",
    # names: the pact, the platform, standards and formats that are not translated
    "CFIT", "Circular & Fair ICT Pact", "Circular & Fair ICT", "ICT", "TCO Certified", "EPEAT", "OCDS",
    "eForms", "FOCUS", "CSV", "XLSX", "DOCX", "ODT", "JSON", "PDF", "API", "OpenAPI", "GitHub", "cfit",
}  # fmt: skip


# -- the pseudo-language


#: A %-placeholder of a message, named or plain; "%%" (a percent sign) is matched to be kept.
PLACEHOLDER = re.compile(r"%%|%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifeEgGr]|%[sd]")

#: Every message the pages asked gettext for (``context\x04message`` with a context).
ASKED: set[str] = set()


class PseudoTranslation(gettext_module.NullTranslations):
    """Every message comes back between markers; a message with a context comes back without it."""

    @staticmethod
    def _asked(message: str) -> None:
        if message and not message.startswith(OPEN):  # (not a text that went through already)
            ASKED.add(message)

    @staticmethod
    def _wrap(message: str) -> str:
        if "\x04" in message:
            message = message.split("\x04", 1)[1]
        if not message:
            return message
        # A placeholder's value is put outside the markers, where it is read like any other text:
        # "grid intensity of %(country)s" must not carry an English "Netherlands" in other languages.
        exposed = PLACEHOLDER.sub(lambda m: m[0] if m[0] == "%%" else f"{CLOSE}{m[0]}{OPEN}", message)
        return OPEN + exposed + CLOSE

    def gettext(self, message: str) -> str:
        self._asked(message)
        return self._wrap(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self._asked(msgid1)  # a plural message is known by its singular
        return self._wrap(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        self._asked(f"{context}\x04{message}")
        return self._wrap(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        self._asked(f"{context}\x04{msgid1}")
        return self._wrap(msgid1 if n == 1 else msgid2)

    def to_language(self) -> str:
        return PSEUDO


# -- reading a page


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes read aloud or shown on hover."""

    #: (an SVG's ``<title>`` and ``<text>`` are read: a chart's words are shown or read aloud)
    HIDDEN = {"script", "style", "code", "kbd", "samp", "pre"}
    ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden: list[str] = []
        self._open = ""  #: a message's text so far, while its closing marker is still to come

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden.append(tag)
        values = dict(attrs)
        for name in self.ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.texts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        # A message with markup inside (``⟦<span>3</span> lines added⟧``) is one text from its opening
        # marker to its closing one, across the tags.
        if self._open:
            self._open += data
            if self._open.count(OPEN) <= self._open.count(CLOSE):
                self.texts.append(self._open)
                self._open = ""
        elif not self._hidden and data.strip():
            if data.count(OPEN) > data.count(CLOSE):
                self._open = data
            else:
                self.texts.append(data)

    def close(self) -> None:
        super().close()
        if self._open:
            self.texts.append(self._open)
            self._open = ""


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)


MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*(?:{CLOSE}|$)")
SPACES = re.compile(r"\s+")
PARTS = re.compile(r" \+ |; ")  # texts side by side: "Ember (…) + Electricity Maps (…)", a list
CODE_AFTER = re.compile(r"\s*\([a-z0-9][\w.-]*\):?$")
PIECES = re.compile(r" · | — | – |› |: |; |, | / | = | \+ |\(|\)")
#: numbers, dates, times, money, units, percentages, codes and references, addresses: no words
DATA = re.compile(
    r"""^(?:
        [\W\d_]*                                   # punctuation, numbers, dates
      | [\W\d_]*(?:[A-Z]{2,}[\w./-]*|[a-z]{1,3}\d[\w.-]*)[\W\d_]*   # codes: NL, RWS-2027-001, pc-1a
      | [\W\d_]*(?:\d[kM]|kg|g|t|kWh|MWh|GWh|W|kW|MW|CO₂e?|CO2e?|EUR|€|m²|m³|L|l|%|h|ms|s|km|cm|mm|
                  °C|ppm|kgCO₂e|kgCO2e|tCO₂e|tCO2e|gCO₂e|gCO2e|PUE|WUE|ERF|CUE|REF|/|[\W\d_])+   # units
      | \d{1,2}-a\ de | \d{4},\ je\ [\d:]+       # Esperanto's dates: the day, the year and hour
      | [a-z][a-z0-9]*(?:_[a-z0-9]+)+ | [A-Z][a-z]+(?:[A-Z][a-z]+)+   # column codes: asset_key, ServiceName
      | \S+@\S+ | https?://\S+ | /\S*            # mail, web addresses, paths
      | [A-Z][a-z]+/[A-Z][A-Za-z_]+              # a time zone's identifier: Europe/Brussels
    )$""",
    re.VERBOSE,
)


def unmarked(text: str) -> list[str]:
    """The runs of ``text`` outside markers (innermost markers first: a message inside a message)."""
    previous = None
    while previous != text:
        previous, text = text, MARKED.sub("\x00", text)
    return [run for run in (SPACES.sub(" ", r).strip() for r in text.split("\x00")) if run]


#: Fields that hold a code a page shows in words, never as it is: not data.
CODE_FIELDS = {"fleet.AssetImport.stage", "fleet.AssetImport.state"}


def database_texts(*more: Any) -> tuple[set[str], str]:
    """Every text the database holds (fields and the strings inside JSON) and the framework's files
    (``more``), whole and as one string to search in: pages show data cut into lines and paragraphs."""
    texts: set[str] = set()

    def add(value: Any) -> None:
        if isinstance(value, str):
            for line in [value, *value.splitlines()]:
                line = SPACES.sub(" ", line).strip()
                if line:
                    texts.add(line)
                    # what a data text holds in brackets is data too: a page that splits "1. Notebooks
                    # (laptops)" at its brackets shows "laptops" from a product group's Dutch name
                    texts.update(inner.strip() for inner in re.findall(r"\(([^()]+)\)", line))
        elif isinstance(value, dict):
            for key, item in value.items():
                add(key)
                add(item)
        elif isinstance(value, list | tuple):
            for item in value:
                add(item)

    for model in apps.get_models():
        manager = getattr(model, "unscoped", None) or model._base_manager
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and f"{model._meta.label}.{f.name}" not in CODE_FIELDS
        ]
        if fields:
            for row in manager.values_list(*fields):
                add(row)
    add([user.get_full_name() for user in get_user_model().objects.all()])
    add(list(more))
    return texts, "\n".join(sorted(texts))


def reference_texts() -> list[Any]:
    """The texts of the reference data the pages cite: the impact factors (their sources, the
    products of the manufacturers' footprints), the data-centre indicators' legal definitions and the
    NUTS regions' names."""
    factors = Path(criteria_models.__file__).resolve().parents[1] / "impact" / "factors"
    texts: list[Any] = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in factors.glob("*.yaml")]
    for data in texts:
        # not data: the grid table's English country names (a page names a country in the reader's
        # language) and the titles of cfit's own sources (cfit's words, translated)
        for row in data.get("countries", []):
            row.pop("name", None)
        data["sources"] = [s for s in data.get("sources", []) if s["id"] not in OWN_SOURCES]
    for table in factors.glob("*/*.csv"):
        with table.open(encoding="utf-8") as rows:
            texts += [f"{row['manufacturer']} {row['name']}" for row in csv.DictReader(rows)]
    # country names come from pycountry's ISO 3166 translations (data, in the pseudo-language too; the
    # English name only of a country Esperanto has no name for)
    texts += [name for _code, name in country_choices(PSEUDO)]
    # the NUTS regions' national names come from the eForms SDK's list (cfit/accounts/data)
    texts += list(eforms_codes.nuts_regions().values())
    texts += [
        value
        for value in vars(datacentre_indicators).values()
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    ]
    return texts


def framework_texts(framework: Framework) -> list[Any]:
    """The framework's files, and its criteria's texts as rendered (references replaced by values): the
    framework is translated in its files (each text in the five languages, tests/test_content.py), and
    a page in the pseudo-language shows its English."""
    return [
        framework.model_dump(mode="json"),
        [rendered_criterion(c).model_dump(mode="json") for c in framework.criteria],
    ]


#: The demo offers' product names ("Lenovo Model 1245"): data kept in the sealed offer files.
DEMO_PRODUCTS = re.compile(r"\w+ Model \d+")


def english_runs(html: str, data: tuple[set[str], str]) -> list[str]:
    """The runs of visible text outside markers that are neither data nor an explained word."""
    whole, joined = data
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    found = []

    def is_data(run: str) -> bool:
        bare = CODE_AFTER.sub("", run)  # "Available without charger (wc-no-accessories-a.without):"
        for text in {run, run.strip(" ,:;·–—-›="), run.strip(" .,:;·()–—-›="), bare}:
            if (
                not text
                or DATA.match(text)
                or text in whole
                or text in NOT_WORDS
                or DEMO_PRODUCTS.fullmatch(text)
                or (len(text) >= 12 and text in joined)  # a piece of a longer text: a paragraph, a line
            ):
                return True
        return False

    for text in parser.texts:
        for run in unmarked(text):
            if is_data(run):
                continue
            # names and figures side by side: "Rijkswaterstaat · cfit", "RWS-2027-001: Laptops (NL)"
            if all(is_data(part) or all(is_data(p) for p in PIECES.split(part)) for part in PARTS.split(run)):
                continue
            found.append(run)
    return found


# -- the data and the crawl


def small_partnership() -> None:
    """A buyer group of two, its monitoring campaign with a submitted and a started report, and the
    pact's statement: the monitoring and pact pages with something on them, without the demo's three
    years of monitoring (thirty seconds)."""
    import random

    from cfit.demo.monitoring import _report, _statement
    from cfit.monitoring import actions as monitoring
    from cfit.monitoring.models import Campaign
    from cfit.pact import actions as pact
    from cfit.pact.models import GroupMembership

    with system_scope():
        members = [Organisation.objects.get(slug=s) for s in ("rijkswaterstaat", "uni-freiburg")]
        group = pact.create_buyer_group(
            Organisation.objects.get(slug="nl-ministry-bzk"),
            name="Buyer group NL", slug="buyer-group-nl", country="NL", language="nl",
            description="National buyer group for circular and fair ICT (NL).",
        )  # fmt: skip
        for organisation in members:
            GroupMembership.objects.create(group=group, organisation=organisation, state="active")
        campaign = Campaign.objects.create(
            year=2025, group=group, title="Monitoring 2025 · NL", opens=date(2026, 1, 15), deadline=date(2026, 3, 31)
        )  # fmt: skip
        for organisation, submit in zip(members, (True, False), strict=True):
            report = monitoring.start_report(campaign, organisation, acting_user=None)
            _report(report, random.Random(organisation.slug))
            if submit:
                monitoring.submit(report, acting_user=None)
        _statement()


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[str]]:
    """The demo without its monitoring partnership, rolled back after the module; the personas."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        accounts = create_demo_data()
        small_partnership()
        yield [u[0] for u in USERS] + [
            a.username for a in accounts if a.username not in {u[0] for u in USERS}
        ]
        transaction.set_rollback(True)


def _wrapped_in_pseudo(function: Callable[..., str], language_at: int) -> Callable[..., str]:
    """``function`` returning its text between markers when asked for the pseudo-language."""

    def wrapper(*args: Any, **kwargs: Any) -> str:
        language = args[language_at] if len(args) > language_at else kwargs.get("lang")
        text = function(*args, **kwargs)
        if (language or get_language() or "").split("-")[0] == PSEUDO and text:
            return f"{OPEN}{text}{CLOSE}"
        return text

    return wrapper


@pytest.fixture(scope="module")
def pseudo_language() -> Iterator[None]:
    """The pseudo-language for gettext, and for the framework's own texts.

    The criteria, their product groups, units and answers are translated in the framework's files
    (each text in the five languages, checked by tests/test_content.py), not by gettext: in the
    pseudo-language they come back in English between markers, as gettext's messages do."""
    languages = [*settings.LANGUAGES, (PSEUDO, "Esperanto")]
    original = criteria_models.translated
    wrapped = _wrapped_in_pseudo(original, 1)
    holders = [m for m in list(sys.modules.values()) if getattr(m, "translated", None) is original]
    label = vocabulary.Entry.label
    with override_settings(LANGUAGES=languages):
        trans_real._translations[PSEUDO] = PseudoTranslation()  # type: ignore[assignment]
        for module in holders:
            setattr(module, "translated", wrapped)  # noqa: B010
        vocabulary.Entry.label = _wrapped_in_pseudo(label, 1)  # type: ignore[method-assign]
        try:
            yield
        finally:
            vocabulary.Entry.label = label  # type: ignore[method-assign]
            for module in holders:
                setattr(module, "translated", original)  # noqa: B010
            trans_real._translations.pop(PSEUDO, None)


def route(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return "(no route)"


def start_pages(personas: list[str]) -> dict[str, list[str]]:
    """Pages a persona reaches by a form or a button rather than a link, crawled from as well."""
    from cfit.contracts.models import Contract
    from cfit.tenders.models import Tender

    tender = Tender.unscoped.get(reference="RWS-2027-001").pk
    draft = Tender.unscoped.get(reference="RWS-2027-002").pk
    contract = Contract.unscoped.filter(supplier_organisation__slug="green-refurb").first()
    provider = next(p for p in personas if p not in {u[0] for u in USERS})
    slug = Organisation.objects.get(memberships__user__username=provider).slug
    buyer = [
        f"/tenders/{tender}/offers/",
        f"/tenders/{tender}/offers/compare/",
        f"/tenders/{draft}/edit/",
        f"/tenders/{draft}/ambition/",
        f"/tenders/{draft}/status/",
        f"/contracts/tender/{tender}/",
        "/tenders/new/",
    ]
    return {
        "procurer": buyer,
        "assets": ["/fleet/", "/cloud/", "/cloud/rijkswaterstaat/"],
        "supplier": [f"/contracts/supplier/{contract.pk}/"] if contract else [],
        provider: [f"/datacentres/providers/{slug}/new/", f"/datacentres/providers/{slug}/upload/"],
        "coordinator": ["/monitoring/campaigns/new/"],
    }


#: A register with values the fleet's vocabulary does not know ("Dienstnotebook", "Leihgerät"): its
#: import stops at the value step, whose choices suggest codes.
UNKNOWN_VALUES = """Inventarnummer;Gerätetyp;Hersteller;Modell;Anschaffungsdatum;Land;Status
DE-1;Dienstnotebook;Dell;Latitude 5420;01.03.2021;DE;Leihgerät
"""


def import_pages(client: Client) -> list[str]:
    """The steps of a register import, reached by forms: the value step of a file with unknown values,
    and the progress page of an import that is reading its file and of one that is done."""
    from cfit.fleet.models import AssetImport

    response = client.post(
        "/fleet/rijkswaterstaat/import/",
        {"file": SimpleUploadedFile("register.csv", UNKNOWN_VALUES.encode()), "default_country": "NL"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = AssetImport.unscoped.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    fields = {f"column_{i}": record.mapping.get(h, "") for i, h in enumerate(record.headers)}
    values = client.post(f"/fleet/rijkswaterstaat/import/{record.pk}/", fields)
    assert values.status_code == 302 and values["Location"].endswith("/values/"), values.status_code
    organisation = Organisation.objects.get(slug="rijkswaterstaat")
    running = AssetImport.unscoped.create(
        organisation=organisation, filename="running.csv", state="running", stage="reading", progress=15
    )
    done = AssetImport.unscoped.create(
        organisation=organisation, filename="done.csv", state="done", stage="done", progress=100
    )
    return [
        values["Location"],
        *(f"/fleet/rijkswaterstaat/import/{r.pk}/progress/" for r in (running, done)),
    ]


def named_routes(patterns: list[Any] | None = None, namespace: str = "") -> set[str]:
    """Every named route of the URL conf, as ``namespace:name``."""
    from django.urls import URLPattern, URLResolver, get_resolver

    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def crawl(client: Client, starts: list[str], seen_routes: Counter[str]) -> dict[str, str]:
    """Address -> HTML of every page reachable from ``starts``, one address per route and query keys."""
    queue = list(starts)
    queued = set(queue)
    sampled: set[tuple[str, tuple[str, ...]]] = set()
    pages: dict[str, str] = {}
    while queue:
        address = queue.pop(0)
        response = client.get(address)
        if response.status_code in (301, 302, 303, 307, 308):
            target = urljoin(address, response["Location"])
            links = [target]
        elif (
            response.status_code >= 400
            or "html" not in response.get("Content-Type", "")
            or response.has_header("Content-Disposition")
        ):
            continue
        else:
            html = response.content.decode()
            pages[address] = html
            seen_routes[route(urlsplit(address).path)] += 1
            parser = Links()
            parser.feed(html)
            links = [urljoin(address, href) for href in parser.links]
        for link in links:
            parts = urlsplit(link)
            if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not parts.path or target in queued or parts.path.startswith(NOT_PAGES):
                continue
            key = (route(parts.path), tuple(sorted(p.split("=")[0] for p in parts.query.split("&") if p)))
            if key in sampled:
                continue
            sampled.add(key)
            queued.add(target)
            queue.append(target)
    return pages


@pytest.fixture(scope="module")
def pseudo_pages(
    demo: list[str], pseudo_language: None, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], str]:
    """(persona, address) -> the page in the pseudo-language."""
    pages: dict[tuple[str, str], str] = {}
    seen: Counter[str] = Counter()
    starts = start_pages(demo)
    uploads = override_settings(UPLOAD_DIR=tmp_path_factory.mktemp("uploads"))
    for username in ["", *(p for p in demo if p not in SAME_PAGES_AS_ANOTHER)]:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = PSEUDO
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        if username == "assets":
            with uploads:
                starts[username] = [*starts[username], *import_pages(client)]
        for address, html in crawl(client, ["/", *starts.get(username, [])], seen).items():
            pages[(username or "anonymous", address)] = html
    return pages


@pytest.mark.django_db
def test_every_word_of_every_page_went_through_translation(
    demo: list[str], pseudo_pages: dict[tuple[str, str], str], framework_content: Framework
) -> None:
    # the words of the imported file are data too
    cells = UNKNOWN_VALUES.replace("\n", ";").split(";")
    data = database_texts(framework_texts(framework_content), reference_texts(), cells)
    found: dict[str, list[str]] = {}
    for (persona, address), html in pseudo_pages.items():
        if route(urlsplit(address).path) in ENGLISH_PAGES:
            continue
        for run in english_runs(html, data):
            found.setdefault(run, []).append(f"{persona} {address}")
    report = [f"{run!r}  <- {places[0]} (+{len(places) - 1})" for run, places in sorted(found.items())]
    if os.environ.get("CFIT_WORDS_REPORT"):
        rendered = {route(urlsplit(address).path) for _, address in pseudo_pages}
        missing = sorted(n for n in named_routes() - rendered if not n.startswith(("admin:", "api-")))
        Path(os.environ["CFIT_WORDS_REPORT"]).write_text(
            "\n".join(
                [*report, f"{len(pseudo_pages)} pages, {len(rendered)} routes; not rendered:", *missing]
            ),
            encoding="utf-8",
        )
    assert len(pseudo_pages) > 100
    assert report == [], f"{len(report)} texts not marked for translation:\n" + "\n".join(report)


# -- the import errors

BAD_FILES = [
    ("broken.xlsx", b"this is not a workbook"),  # the file as a whole
    ("formula.csv", b'name,value,other\n=HYPERLINK("x"),1,2\n'),  # a cell
]


def import_forms(personas: list[str]) -> list[tuple[str, str, dict[str, str]]]:
    """(persona, address, other fields) of every form that takes a file."""
    from cfit.contracts.models import Obligation
    from cfit.tenders.models import Tender

    tender = Tender.unscoped.get(reference="RWS-2027-001")
    obligation = Obligation.objects.filter(contract__supplier_organisation__slug="green-refurb").first()
    provider = next(p for p in personas if p not in {u[0] for u in USERS})
    forms = [
        ("assets", "/fleet/rijkswaterstaat/import/", {"default_country": "NL"}),
        ("procurer", f"/tenders/{tender.pk}/offers/", {"supplier": "Faulty Supplies BV"}),
        ("assets", "/cloud/rijkswaterstaat/", {}),
        (
            provider,
            f"/datacentres/providers/{Organisation.objects.get(memberships__user__username=provider).slug}/upload/",
            {},
        ),
    ]
    if obligation is not None:
        address = f"/contracts/supplier/{obligation.contract_id}/obligations/{obligation.pk}/"
        forms.append(("supplier", address, {"form": "deliver"}))
    return forms


@pytest.mark.django_db
def test_every_import_error_went_through_translation(
    demo: list[str], pseudo_language: None, framework_content: Framework
) -> None:
    # the files' names and the register's standard columns (the template's headers) are data too
    data = database_texts(
        framework_content.model_dump(mode="json"),
        reference_texts(),
        [n for n, _ in BAD_FILES],
        [c.decode() for _, c in BAD_FILES],
        ALL_COLUMNS,
    )
    found: dict[str, list[str]] = {}
    refused = 0
    for persona, address, fields in import_forms(demo):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = PSEUDO
        client.force_login(get_user_model().objects.get(username=persona))
        for name, content in BAD_FILES:
            response = client.post(
                address, {**fields, "file": SimpleUploadedFile(name, content)}, follow=True
            )
            assert response.status_code == 200, (address, name, response.status_code)
            refused += 1
            for run in english_runs(response.content.decode(), data):
                found.setdefault(run, []).append(f"{persona} {address} {name}")
    report = [f"{run!r}  <- {places[0]} (+{len(places) - 1})" for run, places in sorted(found.items())]
    if os.environ.get("CFIT_WORDS_REPORT"):
        Path(os.environ["CFIT_WORDS_REPORT"] + ".imports").write_text("\n".join(report), encoding="utf-8")
    assert refused >= 10
    assert report == [], f"{len(report)} texts not marked for translation:\n" + "\n".join(report)


# -- every message extracted

#: The keywords with which ``makemessages`` runs xgettext (django/core/management/commands/makemessages.py).
XGETTEXT = [
    "xgettext", "--language=Python", "--from-code=UTF-8", "--output=-",
    "--keyword=gettext_noop", "--keyword=gettext_lazy", "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2", "--keyword=npgettext:1c,2,3", "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]  # fmt: skip


def extracted_messages(tmp: Path) -> set[str]:
    """Every message ``makemessages`` takes from cfit (``context\x04message`` with a context): the
    Python files, and the templates as Django turns them into Python for xgettext."""
    import subprocess

    from django.utils.translation import templatize

    root = Path(settings.BASE_DIR)
    files = []
    for path in sorted(root.rglob("*")):
        if path.suffix == ".py" and "migrations" not in path.parts:
            files.append(path)
        elif path.suffix in (".html", ".txt"):
            work = tmp / f"{len(files)}.py"
            work.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8")
            files.append(work)
    listing = tmp / "files.txt"
    listing.write_text("\n".join(map(str, files)), encoding="utf-8")
    output = subprocess.run(
        [*XGETTEXT, f"--files-from={listing}"], capture_output=True, text=True, check=True
    ).stdout
    return pot_messages(output)


def pot_messages(text: str) -> set[str]:
    """The messages of xgettext's catalogue (``context\x04message`` where there is a context): its
    entries are ``msgctxt``, ``msgid`` and continuation lines of C-quoted strings."""
    messages: set[str] = set()
    fields: dict[str, str] = {}
    current = ""

    def done() -> None:
        if fields.get("msgid"):
            context = fields.get("msgctxt")
            messages.add(f"{context}\x04{fields['msgid']}" if context is not None else fields["msgid"])
        fields.clear()

    for line in text.splitlines():
        keyword, _, rest = line.partition(" ")
        # an entry starts at its context, or at its message where it has none
        if keyword == "msgctxt" or (keyword == "msgid" and current != "msgctxt"):
            done()
        if keyword in ("msgctxt", "msgid", "msgid_plural") or keyword.startswith("msgstr"):
            current = keyword
            fields[current] = ast.literal_eval(rest)
        elif line.startswith('"') and current:
            fields[current] += ast.literal_eval(line)
    done()
    return messages


def others_messages() -> set[str]:
    """The messages of Django's and the other apps' catalogues (their pages and errors)."""
    known: set[str] = set()
    folders = [Path(sys.modules["django"].__file__ or "").parent / "conf" / "locale"]
    folders += [Path(a.path) / "locale" for a in apps.get_app_configs() if not a.name.startswith("cfit")]
    for folder in folders:
        catalogue = gettext_module.translation("django", localedir=folder, languages=["nl"], fallback=True)
        # (a plural message is held as (singular, form))
        known |= {m if isinstance(m, str) else m[0] for m in getattr(catalogue, "_catalog", {})}
    return known


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (xgettext), as makemessages does")
@pytest.mark.django_db
def test_every_message_the_pages_asked_for_is_extracted(
    pseudo_pages: dict[tuple[str, str], str], tmp_path: Path
) -> None:
    """A message marked where xgettext does not look (inside an f-string; gettext under another
    name) is shown marked in the pseudo-language and English in every real one."""
    missing = sorted(ASKED - extracted_messages(tmp_path) - others_messages())
    assert len(ASKED) > 1000
    assert missing == [], f"{len(missing)} messages makemessages does not extract:\n" + "\n".join(
        repr(m) for m in missing
    )


#: The names under which xgettext finds a message: its own defaults for Python and Django's keywords.
KEYWORDS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "gettext_noop", "gettext_lazy",
            "ngettext_lazy", "pgettext_lazy", "npgettext_lazy"}  # fmt: skip


def test_every_message_of_the_code_is_marked_where_xgettext_sees_it() -> None:
    """The same rule for the code the crawl does not reach (a chart with a hidden figure, an estimated
    footprint): no gettext call inside an f-string (xgettext 0.21 does not read them), and no
    translation function imported under a name xgettext does not know (``gettext_lazy as _lazy``)."""
    import ast

    found = []
    for path in sorted(Path(settings.BASE_DIR).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(Path(settings.BASE_DIR).parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                found += [
                    f"{where}:{node.lineno} imports {a.name} as {a.asname}"
                    for a in node.names
                    if a.asname and a.asname not in KEYWORDS and a.name in KEYWORDS
                ]
            elif isinstance(node, ast.JoinedStr):
                found += [
                    f"{where}:{call.lineno} {ast.unparse(call)} inside an f-string"
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in KEYWORDS
                ]
    assert found == [], "\n".join(found)


def test_the_titles_of_cfit_own_sources_are_those_of_the_factor_files() -> None:
    """The message of an own source's title is its title in the factor file, word for word."""
    factors = Path(criteria_models.__file__).resolve().parents[1] / "impact" / "factors"
    titles = {
        s["id"]: s["title"]
        for p in factors.glob("*.yaml")
        for s in yaml.safe_load(p.read_text(encoding="utf-8")).get("sources", [])
    }
    with override_settings(LANGUAGE_CODE="en"):
        from django.utils import translation

        with translation.override("en"):
            assert {i: str(t) for i, t in OWN_SOURCES.items()} == {i: titles[i] for i in OWN_SOURCES}


# -- the real languages


def translated_messages(language: str) -> set[str]:
    """The English messages the language's compiled catalogue says differently (whole words only)."""
    locale = Path(settings.BASE_DIR) / "locale"
    catalogue = gettext_module.translation("django", localedir=locale, languages=[language])
    return {
        message
        for message, text in catalogue._catalog.items()  # type: ignore[attr-defined]
        if isinstance(message, str) and text and text != message and re.search(r"[a-z]{3}", message)
    }


@pytest.mark.django_db
def test_no_page_shows_an_english_message_its_language_translates(
    demo: list[str], pseudo_pages: dict[tuple[str, str], str]
) -> None:
    """One page per route, the routes dealt over the four languages in turn (every language sees a
    quarter of the routes, every route is seen in one language): no text node or label is an English
    message that language's catalogue translates."""
    first: dict[str, tuple[str, str]] = {}
    for persona, address in pseudo_pages:
        first.setdefault(route(urlsplit(address).path), (persona, address))
    english = {language: translated_messages(language) for language in REAL_LANGUAGES}
    clients: dict[tuple[str, str], Client] = {}
    found = []
    for i, (persona, address) in enumerate(first[r] for r in sorted(first) if r not in ENGLISH_PAGES):
        language = REAL_LANGUAGES[i % len(REAL_LANGUAGES)]
        client = clients.get((persona, language))
        if client is None:
            client = clients[(persona, language)] = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            if persona != "anonymous":
                client.force_login(get_user_model().objects.get(username=persona))
        response = client.get(address)
        assert response.status_code == 200, (language, address)
        parser = VisibleText()
        parser.feed(response.content.decode())
        found += [
            f"[{language}] {text.strip()!r} <- {persona} {address}"
            for text in parser.texts
            if SPACES.sub(" ", text).strip() in english[language] - NOT_WORDS
        ]
    assert len(first) > 40
    assert found == [], "\n".join(found)


def test_a_placeholder_s_value_is_read_as_a_text_of_its_own() -> None:
    """The value put into a message is outside the markers, so an English word put into a translated
    message is found; a percent sign stays as it is."""
    pseudo = PseudoTranslation()
    shown = pseudo.gettext("grid intensity of %(country)s") % {"country": "Netherlands"}
    assert unmarked(shown) == ["Netherlands"]
    assert unmarked(pseudo.ngettext("%(count)s offer", "%(count)s offers", 3) % {"count": 3}) == ["3"]
    assert unmarked(pseudo.gettext("75 %% renewable") % ()) == []
    assert unmarked(pseudo.gettext("Time zone: %s.") % "Europe/Brussels") == ["Europe/Brussels"]
