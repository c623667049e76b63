"""Offers of a saved tender: all-or-nothing import, confidentiality, overrides, reports, CLI and API."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from cfit.accounts.scoping import acting_for, system_scope
from cfit.criteria.content import CriterionType, DataType, Requirement
from cfit.offers import actions
from cfit.offers.models import Offer, OfferLine, ResultOverride, UploadLink
from cfit.tenders import actions as tender_actions
from cfit.tenders.actions import tender_spec
from cfit.tenders.models import Tender, TenderFrozen
from cfit.tenders.response_template import FIRST_DATA_ROW, ID_ROW, build_response_template
from cfit.uploads import ImportRefused

from .conftest import PASSWORD


def good_answer(requirement: Requirement) -> Any:
    """An answer that meets the requirement."""
    match requirement.data_type:
        case DataType.BOOLEAN:
            return "yes" if requirement.expected_value else "no"
        case DataType.NUMBER | DataType.INTEGER:
            if requirement.expected_value is not None:
                return requirement.expected_value
            return requirement.min_value if requirement.min_value is not None else requirement.max_value
        case DataType.ENUMERATION:
            return requirement.expected_value or requirement.allowed_answers[0]
        case DataType.DATE:
            return requirement.expected_value or date.today().isoformat()
        case _:
            return "See our policy at https://example.org/policy"


def fill(tender: Tender, lines: list[dict[str, Any]], company: bool = True) -> bytes:
    """The tender's template with good answers in every column, then ``lines``' own changes."""
    spec = tender_spec(tender)
    book = load_workbook(io.BytesIO(build_response_template(spec)))
    meta = {row[0].value: row[1].value for row in book["_cfit"].iter_rows()}
    lot = spec.lots[0]
    requirements = {
        r.id: r
        for c in lot.criteria
        if c.type in {CriterionType.TECHNICAL_SPECIFICATION, CriterionType.AWARD_CRITERION}
        for r in c.criterion.requirements
    }
    sheet = book[meta["lot:1"]]
    ids = [cell.value for cell in sheet[ID_ROW]]
    for offset, changes in enumerate(lines):
        values = {code: good_answer(requirements[code]) for code in ids if code in requirements}
        values |= {
            "manufacturer": "Acme",
            "model": "Book 14",
            "quantity": 10,
            "unit_price_eur": 900,
            "yearly_kwh": 15,
        }
        values |= changes
        for column, code in enumerate(ids, start=1):
            sheet.cell(row=FIRST_DATA_ROW + offset, column=column, value=values.get(code))
    if company:
        all_company = {r.id: r for lot in spec.lots for c in lot.criteria for r in c.criterion.requirements}
        for row in book[meta["company"]].iter_rows(min_row=2):
            row[4].value = good_answer(all_company[row[0].value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def publish(tender: Tender, days: int = 14) -> Tender:
    """Publish with a deadline for offers ``days`` from now."""
    tender_actions.set_offers_deadline(tender, timezone.now() + timedelta(days=days), acting_user=None)
    return tender_actions.change_status(tender, "published", acting_user=None)


def move_deadline(tender: Tender, delta: timedelta) -> Tender:
    """Move time instead of waiting: the deadline for offers becomes now + ``delta``."""
    Tender.unscoped.filter(pk=tender.pk).update(offers_deadline=timezone.now() + delta)
    tender.refresh_from_db()
    return tender


def open_offers(tender: Tender) -> Tender:
    """Let the deadline pass, so that the offers are open."""
    return move_deadline(tender, -timedelta(seconds=1))


@pytest.fixture
def tender(procurer, framework) -> Tender:
    tender = tender_actions.create_tender(
        procurer.organisation, title="Laptops 2027", reference="OFFERS-1", language="nl", acting_user=None
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=200, acting_user=None)
    return publish(tender)


def knock_out_requirement(tender: Tender) -> Requirement:
    spec = tender_spec(tender)
    return next(
        r
        for c in spec.lots[0].criteria
        if c.type == CriterionType.TECHNICAL_SPECIFICATION
        for r in c.criterion.requirements
        if r.data_type in {DataType.INTEGER, DataType.NUMBER} and r.min_value
    )


def test_import_checks_and_ranks_stored_offers(tender: Tender, procurer) -> None:
    weak = knock_out_requirement(tender)
    actions.import_offer(
        tender, fill(tender, [{"line_id": "A-1", "unit_price_eur": 1000}]), "a.xlsx", supplier="Alpha"
    )
    actions.import_offer(
        tender,
        fill(tender, [{"line_id": "B-1", "unit_price_eur": 800, weak.id: weak.min_value - 1}]),
        "b.xlsx",
        supplier="Beta",
    )
    from cfit.offers.evaluation import evaluate_tender

    with acting_for(procurer.user):
        [result] = evaluate_tender(tender).results
    ranking = {r.offer: r for r in result.offers}
    assert ranking["Alpha"].eligible and ranking["Alpha"].rank == 1
    assert not ranking["Beta"].eligible and ranking["Beta"].rank == 0


def test_a_bad_file_leaves_the_database_unchanged(tender: Tender) -> None:
    actions.import_offer(tender, fill(tender, [{"line_id": "A-1"}]), "a.xlsx", supplier="Alpha")
    before = (Offer.unscoped.count(), OfferLine.objects.count())
    bad = fill(tender, [{"line_id": "B-1"}, {"line_id": "B-2", "unit_price_eur": "cheap"}])

    with pytest.raises(ImportRefused) as error:
        actions.import_offer(tender, bad, "b.xlsx", supplier="Beta")
    with pytest.raises(ImportRefused):
        actions.import_offer(tender, bad, "a.xlsx", supplier="Alpha", replace=True)

    assert "row 5, column E (unit_price_eur): a number is expected" in str(error.value)
    assert (Offer.unscoped.count(), OfferLine.objects.count()) == before
    assert Offer.unscoped.get(supplier="Alpha").lines.get().line_id == "A-1"


def test_offers_are_only_received_for_a_published_tender(procurer, framework) -> None:
    draft = tender_actions.create_tender(
        procurer.organisation, title="Draft", reference="DRAFT-1", acting_user=None
    )
    tender_actions.add_lot(draft, product_group="notebooks", quantity=1, acting_user=None)
    with pytest.raises(actions.OfferError, match="published"):
        actions.import_offer(draft, b"", "a.xlsx", supplier="Alpha")


@pytest.mark.parametrize("persona", ["outsider", "coordinator", "supplier"])
def test_nobody_else_sees_the_offers(
    tender: Tender, client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    actions.import_offer(tender, fill(tender, [{"line_id": "A-1"}]), "a.xlsx", supplier="Alpha")
    line = OfferLine.objects.get()
    other = request.getfixturevalue(persona)
    client.force_login(other.user)

    for url in (
        f"/tenders/{tender.pk}/offers/",
        f"/tenders/{tender.pk}/offers/compare/",
        f"/tenders/{tender.pk}/offers/lines/{line.pk}/",
        f"/tenders/{tender.pk}/offers/report.docx",
        f"/api/v1/tenders/{tender.pk}/offers/",
        f"/api/v1/tenders/{tender.pk}/offers/evaluation",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/tenders/{tender.pk}/offers/lines/{line.pk}/",
        {"requirement": "x", "decision": "pass", "justification": "I want to win this"},
    )
    assert response.status_code == 404
    with acting_for(other.user):
        assert not Offer.objects.exists()
    assert not ResultOverride.objects.exists()


def test_a_supplier_link_shows_only_its_own_offer(tender: Tender, procurer) -> None:
    actions.import_offer(
        tender,
        fill(tender, [{"line_id": "SECRET-LINE", "model": "Rival X1"}]),
        "rival.xlsx",
        supplier="Rival",
    )
    link = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    anonymous = Client()

    page = anonymous.get(f"/offers/upload/{link.token}/").content.decode()
    assert "GreenRefurb" in page and "Rival" not in page and "SECRET-LINE" not in page
    template = anonymous.get(f"/offers/upload/{link.token}/template.xlsx")
    assert template.status_code == 200 and load_workbook(io.BytesIO(template.content))["_cfit"]
    upload = io.BytesIO(fill(tender, [{"line_id": "GR-1"}]))
    upload.name = "green.xlsx"
    response = anonymous.post(f"/offers/upload/{link.token}/", {"file": upload}, follow=True)

    text = response.content.decode()
    assert "Rival" not in text and "SECRET-LINE" not in text
    link.refresh_from_db()
    assert (
        link.offer is not None
        and link.offer.via == Offer.Via.UPLOAD_LINK
        and link.offer.supplier == "GreenRefurb"
    )
    assert anonymous.get(f"/offers/upload/{link.token[:-3]}xyz/").status_code == 404
    assert anonymous.get(f"/tenders/{tender.pk}/offers/").status_code == 302  # to the login page


def test_an_override_needs_a_justification_and_is_audited(tender: Tender, procurer, client: Client) -> None:
    weak = knock_out_requirement(tender)
    actions.import_offer(
        tender, fill(tender, [{"line_id": "B-1", weak.id: weak.min_value - 1}]), "b.xlsx", supplier="Beta"
    )
    open_offers(tender)
    line = OfferLine.objects.get()
    client.force_login(procurer.user)
    url = f"/tenders/{tender.pk}/offers/lines/{line.pk}/"

    client.post(url, {"requirement": weak.id, "decision": "pass", "justification": "too short"})
    assert not ResultOverride.objects.exists()
    client.post(
        url,
        {
            "requirement": weak.id,
            "decision": "pass",
            "justification": "Datasheet p. 4 shows the required value.",
        },
    )

    entry = ResultOverride.objects.get()
    assert (entry.decision, entry.decided_by) == ("pass", procurer.user)
    page = client.get(url).content.decode()
    assert "Datasheet p. 4" in page
    compare = client.get(f"/tenders/{tender.pk}/offers/compare/").content.decode()
    assert "Beta" in compare
    with acting_for(procurer.user):
        from cfit.offers.evaluation import evaluate_tender

        [result] = evaluate_tender(tender).results
    assert result.offers[0].eligible


def test_the_reports_read_back_in_the_tender_language(tender: Tender, procurer, client: Client) -> None:
    actions.import_offer(
        tender,
        fill(tender, [{"line_id": "A-1", "manufacturer": '@HYPERLINK("x")'}]),
        "a.xlsx",
        supplier="Alpha",
    )
    open_offers(tender)
    client.force_login(procurer.user)

    document = Document(io.BytesIO(client.get(f"/tenders/{tender.pk}/offers/report.docx").content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "Perceel 1" in text and "Alpha" in text and "A-1" in text
    book = load_workbook(io.BytesIO(client.get(f"/tenders/{tender.pk}/offers/report.xlsx").content))
    results = book.worksheets[1]
    manufacturers = {row[3] for row in results.iter_rows(min_row=2, values_only=True)}
    assert manufacturers == {'\'@HYPERLINK("x")'}  # neutralised, not a live formula


def test_the_api_imports_and_evaluates_for_the_owner(tender: Tender, procurer, client: Client) -> None:
    client.force_login(procurer.user)
    upload = io.BytesIO(fill(tender, [{"line_id": "A-1"}]))
    upload.name = "a.xlsx"

    created = client.post(f"/api/v1/tenders/{tender.pk}/offers/", {"supplier": "Alpha", "file": upload})
    assert created.status_code == 201, created.content
    bad = io.BytesIO(b"not a workbook")
    bad.name = "b.xlsx"
    refused = client.post(f"/api/v1/tenders/{tender.pk}/offers/", {"supplier": "Beta", "file": bad})
    assert refused.status_code == 400 and "not a readable XLSX" in refused.json()["detail"]
    assert refused.json()["code"] == "refused"  # as a refused register's, though answered 400
    open_offers(tender)
    body = client.get(f"/api/v1/tenders/{tender.pk}/offers/evaluation?lines=true").json()
    assert body["lots"][0]["offers"][0]["offer"] == "Alpha" and body["lots"][0]["offers"][0]["rank"] == 1
    assert body["lots"][0]["lines"][0]["requirements"]


def test_the_cli_evaluates_files_without_storing(tender: Tender, tmp_path: Path) -> None:
    first, second = tmp_path / "alpha.xlsx", tmp_path / "beta.xlsx"
    first.write_bytes(fill(tender, [{"line_id": "A-1", "unit_price_eur": 1000}]))
    second.write_bytes(fill(tender, [{"line_id": "B-1", "unit_price_eur": 950}]))
    out = tmp_path / "evaluation.json"

    call_command(
        "offers",
        "evaluate",
        "--tender",
        str(tender.pk),
        str(first),
        str(second),
        "--format",
        "json",
        "-o",
        str(out),
    )

    document = json.loads(out.read_text())
    assert [o["offer"] for o in sorted(document["lots"][0]["offers"], key=lambda o: o["rank"])] == [
        "beta",
        "alpha",
    ]
    with system_scope():
        assert not Offer.objects.exists()


def test_login_page_is_where_anonymous_users_go(client: Client) -> None:
    assert client.get("/tenders/1/offers/compare/").status_code == 302
    assert PASSWORD
    assert UploadLink  # the model exists for the supplier flow


def test_the_lot_costs_feed_the_life_cycle_cost(procurer, framework, client: Client) -> None:
    draft = tender_actions.create_tender(
        procurer.organisation, title="Costs", reference="COSTS-1", acting_user=None
    )
    tender_actions.add_lot(draft, product_group="notebooks", quantity=10, acting_user=None)
    client.force_login(procurer.user)

    response = client.put(
        f"/api/v1/tenders/{draft.pk}/lots/1/costs",
        {
            "energy_price": "0.30",
            "maintenance_per_year": "10",
            "residual_value": "50",
            "service_life_years": 6,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    refused = client.put(
        f"/api/v1/tenders/{draft.pk}/lots/1/costs",
        {"price_rule": "vibes"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    published = publish(draft)
    actions.import_offer(
        published,
        fill(published, [{"line_id": "A-1", "unit_price_eur": 1000, "yearly_kwh": 20}]),
        "a.xlsx",
        supplier="Alpha",
    )
    with acting_for(procurer.user):
        from cfit.offers.evaluation import evaluate_tender

        [result] = evaluate_tender(published).results
    assert result.offers[0].life_cycle_cost == pytest.approx(10 * (1000 + 20 * 0.30 * 6 + 10 * 6 - 50))
    frozen = client.put(
        f"/api/v1/tenders/{draft.pk}/lots/1/costs", {"energy_price": "1"}, content_type="application/json"
    )
    assert frozen.status_code == 400 and "frozen" in frozen.json()["detail"]
    with pytest.raises(TenderFrozen):
        tender_actions.set_costs(published.lots.get(), {"energy_price": "1"}, acting_user=None)


def test_the_comparison_page_does_not_query_per_offer(
    tender: Tender, procurer, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.force_login(procurer.user)
    for name in ("Alpha", "Beta"):
        actions.import_offer(
            tender,
            fill(tender, [{"line_id": f"{name}-1"}, {"line_id": f"{name}-2"}]),
            "x.xlsx",
            supplier=name,
        )
    open_offers(tender)
    with django_assert_max_num_queries(40) as two:
        client.get(f"/tenders/{tender.pk}/offers/compare/")
    move_deadline(tender, timedelta(days=1))
    for name in ("Gamma", "Delta", "Epsilon"):
        actions.import_offer(tender, fill(tender, [{"line_id": f"{name}-1"}]), "x.xlsx", supplier=name)
    open_offers(tender)
    with django_assert_max_num_queries(len(two.captured_queries)):
        response = client.get(f"/tenders/{tender.pk}/offers/compare/")
    assert response.status_code == 200 and "Epsilon" in response.content.decode()


def test_the_comparison_page_names_the_evaluation_method_version_as_the_report_does(
    tender: Tender, procurer, client: Client
) -> None:
    from cfit.offers.engine import METHOD_VERSION

    client.force_login(procurer.user)
    actions.import_offer(tender, fill(tender, [{"line_id": "A-1"}]), "a.xlsx", supplier="Alpha")
    open_offers(tender)

    page = client.get(f"/tenders/{tender.pk}/offers/compare/").content.decode()

    assert f'<code id="method-version">{METHOD_VERSION}</code>' in page
