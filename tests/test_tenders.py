"""The tender builder: selection, documents read back, supplier template, open data, and refusals."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from cfit.accounts.scoping import system_scope
from cfit.criteria import content
from cfit.criteria.content import Ambition, CriterionType, ImpactCategory
from cfit.criteria.models import FrameworkVersion
from cfit.tenders import actions, selection
from cfit.tenders.models import LotCriterion, Tender, TenderFrozen
from cfit.tenders.response_template import ID_ROW, build_response_template
from cfit.tenders.spec import build_spec

from .tender_helpers import docx_text, eforms_codes, ocds_errors, shared


@pytest.fixture
def tender(procurer, framework: FrameworkVersion) -> Tender:
    tender = actions.create_tender(
        procurer.organisation,
        title="Laptops en schermen 2027",
        reference="RWS-2027-01",
        language="nl",
        acting_user=None,
    )
    actions.add_lot(
        tender, product_group="notebooks", quantity=500, ambitions={"carbon": "ambitious"}, acting_user=None
    )
    actions.add_lot(
        tender, product_group="monitors", quantity=300, ambitions={"carbon": "ambitious"}, acting_user=None
    )
    return tender


def test_ambitious_replaces_the_baseline_variant_of_a_topic(framework_content: content.Framework) -> None:
    baseline = selection.select_criteria(framework_content.criteria, "notebooks", {})
    ambitious = selection.select_criteria(
        framework_content.criteria, "notebooks", {c: Ambition.AMBITIOUS for c in ImpactCategory}
    )

    assert all(c.ambition == Ambition.BASELINE for c in baseline)
    assert any(c.ambition == Ambition.AMBITIOUS for c in ambitious)
    ambitious_topics = {(c.impact_category, c.topic) for c in ambitious if c.ambition == Ambition.AMBITIOUS}
    for criterion in ambitious:
        if criterion.ambition == Ambition.BASELINE:
            assert (criterion.impact_category, criterion.topic) not in ambitious_topics, criterion.id


def test_default_weights_add_up_exactly() -> None:
    price, weights = selection.split_quality_points(["a", "b", "c", "d", "e", "f", "g"])

    assert price + sum(weights.values()) == 100 and max(weights.values()) - min(weights.values()) <= 1


def test_the_annex_in_dutch_holds_every_criterion_and_requirement(
    tender: Tender, client: Client, procurer
) -> None:
    client.force_login(procurer.user)

    text = docx_text(client.get(f"/tenders/{tender.pk}/download/docx/").content)

    rows = LotCriterion.objects.filter(lot__tender=tender).select_related("criterion")
    assert rows.count() > 10
    for row in rows:
        assert row.criterion.code in text
        assert row.criterion.rendered("title", "nl") in text  # thresholds in their values, never {{…}}
        for requirement in row.criterion.requirements.all():
            assert requirement.code in text and requirement.title["nl"] in text
    for heading in ("Technische specificaties", "Gunningscriteria", "Perceel 1"):
        assert heading in text, heading
    assert "{{" not in text and "Levensduur accu: 300 laadcycli" in text


def test_the_supplier_template_has_ids_validation_and_instructions(tender: Tender) -> None:
    spec = actions.tender_spec(tender)

    book = load_workbook(io.BytesIO(build_response_template(spec)))

    meta = {row[0].value: row[1].value for row in book["_cfit"].iter_rows()}
    assert book["_cfit"].sheet_state == "veryHidden"
    assert (
        meta["format"] == "cfit-response-1"
        and meta["tender_reference"] == "RWS-2027-01"
        and meta["language"] == "nl"
    )
    for lot in spec.lots:
        sheet = book[meta[f"lot:{lot.number}"]]
        ids = [cell.value for cell in sheet[ID_ROW]]
        assert sheet.row_dimensions[ID_ROW].hidden
        assert ids[:3] == ["line_id", "manufacturer", "model"]
        expected = [
            r.id
            for c in lot.criteria
            if c.type in {CriterionType.TECHNICAL_SPECIFICATION, CriterionType.AWARD_CRITERION}
            for r in c.criterion.requirements
        ]
        assert ids[7:] == expected
        assert len(sheet.data_validations.dataValidation) >= len(expected)
    company_ids = [row[0].value for row in book[meta["company"]].iter_rows(min_row=2)]
    assert company_ids and len(company_ids) == len(set(company_ids))
    assert "Instructies" in book.sheetnames


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_ocds_release_is_valid(framework: FrameworkVersion, tmp_path: Path, lang: str) -> None:
    path = tmp_path / "tender.json"

    call_command(
        "tender",
        "build",
        "--product-group",
        "notebooks",
        "--ambition",
        "baseline",
        "--lang",
        lang,
        "--format",
        "ocds",
        "-o",
        str(path),
    )

    package = json.loads(path.read_text())
    assert ocds_errors(package) == []
    release = package["releases"][0]
    assert release["language"] == lang and release["tender"]["criteria"]
    assert all(c["relatedLots"] == ["lot-1"] for c in release["tender"]["criteria"])


def test_the_eforms_notice_of_a_saved_tender_is_valid_and_uses_only_listed_codes(tender: Tender) -> None:
    from lxml import etree

    from cfit.tenders.eforms import FIELDS, NS, contract_notice

    xml = contract_notice(actions.tender_spec(tender))

    schema = etree.XMLSchema(
        etree.parse(str(shared("eforms-sdk", "schemas", "maindoc", "UBL-ContractNotice-2.3.xsd")))
    )
    root = etree.fromstring(xml)
    assert schema.validate(root), schema.error_log

    def values(bt: str, node=root) -> list[str]:
        return [e.text for e in node.xpath(FIELDS[bt], namespaces=NS)]

    assert set(values("BT-06-Lot")) <= eforms_codes("strategic-procurement")
    assert set(values("BT-774-Lot")) <= eforms_codes("environmental-impact")
    assert set(values("BT-775-Lot")) <= eforms_codes("social-objective")
    assert set(values("BT-805-Lot")) <= eforms_codes("gpp-criteria")
    assert set(values("BT-539-Lot")) <= eforms_codes("award-criterion-type")
    assert "env-imp" in values("BT-06-Lot") and "clim-mitig" in values("BT-774-Lot")
    assert values("BT-702(a)-notice") == ["NLD"] and values("BT-514-Organization-Company") == ["NLD"]
    assert values("BT-506-Organization-Company") == []  # created without a user: no contact to state
    for lot in root.xpath("cac:ProcurementProjectLot", namespaces=NS):
        weights = lot.xpath(".//efbc:ParameterNumeric", namespaces=NS)
        assert sum(Decimal(w.text) for w in weights) == 100


def test_the_tender_page_offers_the_notice_next_to_the_annex(
    tender: Tender, client: Client, procurer
) -> None:
    client.force_login(procurer.user)

    page = client.get(f"/tenders/{tender.pk}/").content.decode()
    response = client.get(f"/tenders/{tender.pk}/download/eforms/")

    assert 'id="download-eforms"' in page and page.index("download-docx") < page.index("download-eforms")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"].endswith('RWS-2027-01-eforms.xml"')
    assert b'<cbc:SubTypeCode listName="notice-subtype">16</cbc:SubTypeCode>' in response.content


def test_a_mini_competition_gets_a_message_instead_of_a_notice(
    tender: Tender, client: Client, procurer
) -> None:
    Tender.unscoped.filter(pk=tender.pk).update(procedure=Tender.Procedure.MINI_COMPETITION)
    client.force_login(procurer.user)

    response = client.get(f"/tenders/{tender.pk}/download/eforms/", follow=True)

    assert response.redirect_chain == [(f"/tenders/{tender.pk}/", 302)]
    assert "mini-competition" in response.content.decode()


def test_building_without_saving_writes_nothing(framework: FrameworkVersion, tmp_path: Path) -> None:
    with system_scope():
        before = Tender.objects.count()

    call_command(
        "tender",
        "build",
        "--product-group",
        "smartphones",
        "--category",
        "circularity=ambitious",
        "--lang",
        "de",
        "--format",
        "xlsx-template",
        "-o",
        str(tmp_path / "t.xlsx"),
    )

    with system_scope():
        assert Tender.objects.count() == before
    meta = {row[0].value: row[1].value for row in load_workbook(tmp_path / "t.xlsx")["_cfit"].iter_rows()}
    assert meta["language"] == "de" and meta["tender_reference"] == "DRAFT"


def test_an_unknown_product_group_is_a_clear_error(
    framework: FrameworkVersion, client: Client, procurer
) -> None:
    with pytest.raises(CommandError, match="unknown product group.*toasters"):
        call_command("tender", "build", "--product-group", "toasters", "--format", "ocds")
    client.force_login(procurer.user)
    response = client.post(
        "/api/v1/tenders/",
        {
            "organisation": procurer.organisation.slug,
            "title": "x",
            "reference": "X-1",
            "lots": [{"product_group": "toasters"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "toasters" in response.json()["detail"]
    with system_scope():
        assert not Tender.objects.filter(reference="X-1").exists()


def test_weights_that_do_not_add_up_are_refused_and_change_nothing(tender: Tender) -> None:
    lot = tender.lots.get(number=1)
    award = list(lot.lot_criteria.filter(type=CriterionType.AWARD_CRITERION))
    before = (lot.price_weight, [row.weight for row in award])

    with pytest.raises(actions.TenderError, match="add up to"):
        actions.set_weights(
            lot, Decimal(90), {award[0].criterion.code: Decimal(50)} if award else {}, acting_user=None
        )

    lot.refresh_from_db()
    assert (lot.price_weight, [LotCriterion.objects.get(pk=r.pk).weight for r in award]) == before


def test_a_published_tender_is_frozen(tender: Tender) -> None:
    actions.set_offers_deadline(tender, timezone.now() + timedelta(days=14), acting_user=None)
    actions.publish_tender(tender, acting_user=None)
    tender.refresh_from_db()
    lot = tender.lots.get(number=1)
    row = lot.lot_criteria.first()

    for attempt in (
        lambda: actions.remove_criterion(lot, row.criterion.code, acting_user=None),
        lambda: actions.set_ambition(lot, "chemicals", "ambitious", acting_user=None),
        lambda: actions.set_weights(lot, lot.price_weight, {}, acting_user=None),
        lambda: actions.add_lot(tender, product_group="tablets", acting_user=None),
    ):
        with pytest.raises(TenderFrozen):
            attempt()
    assert lot.lot_criteria.filter(pk=row.pk).exists() and tender.lots.count() == 2


def test_publishing_is_refused_while_weights_do_not_add_up(tender: Tender) -> None:
    lot = tender.lots.get(number=1)
    lot.price_weight = Decimal(95)
    lot.save(update_fields=["price_weight"])
    actions.set_offers_deadline(tender, timezone.now() + timedelta(days=14), acting_user=None)

    with pytest.raises(actions.TenderError, match="Lot 1"):
        actions.publish_tender(tender, acting_user=None)
    tender.refresh_from_db()
    assert tender.is_draft


def test_only_specifications_and_award_criteria_change_type(tender: Tender) -> None:
    lot = tender.lots.get(number=1)
    spec = lot.lot_criteria.filter(type=CriterionType.TECHNICAL_SPECIFICATION).first()
    fixed = lot.lot_criteria.exclude(
        type__in=[CriterionType.TECHNICAL_SPECIFICATION, CriterionType.AWARD_CRITERION]
    ).first()

    actions.set_criterion_type(lot, spec.criterion.code, CriterionType.AWARD_CRITERION, acting_user=None)
    with pytest.raises(actions.TenderError):
        actions.set_criterion_type(lot, fixed.criterion.code, CriterionType.AWARD_CRITERION, acting_user=None)

    assert LotCriterion.objects.get(pk=spec.pk).type == CriterionType.AWARD_CRITERION


def test_another_organisations_tender_is_invisible(
    tender: Tender, client: Client, outsider, coordinator, supplier
) -> None:
    for persona in (outsider, coordinator, supplier):
        client.force_login(persona.user)
        assert client.get(f"/tenders/{tender.pk}/").status_code == 404
        assert client.get(f"/tenders/{tender.pk}/download/docx/").status_code == 404
        assert client.get(f"/api/v1/tenders/{tender.pk}").status_code == 404
        assert client.get(f"/api/v1/tenders/{tender.pk}/export", {"format": "ocds"}).status_code == 404
        assert client.get("/api/v1/tenders/").json() == []
        response = client.post(f"/tenders/{tender.pk}/edit/", {"lot": "1", "op": "remove", "criterion": "x"})
        assert response.status_code == 404
        assert tender.reference not in client.get("/tenders/").content.decode()


def test_a_viewer_reads_but_cannot_change(tender: Tender, client: Client, procurer) -> None:
    from cfit.accounts.models import Membership

    from .conftest import make_persona

    viewer = make_persona(
        "vera", procurer.organisation.slug, procurer.organisation.type, Membership.Role.VIEWER
    )
    client.force_login(viewer.user)

    assert client.get(f"/tenders/{tender.pk}/").status_code == 200
    assert client.post(f"/tenders/{tender.pk}/status/", {"status": "published"}).status_code == 403
    tender.refresh_from_db()
    assert tender.is_draft


def test_the_api_creates_and_exports_for_the_owner(
    client: Client, procurer, framework: FrameworkVersion
) -> None:
    client.force_login(procurer.user)
    response = client.post(
        "/api/v1/tenders/",
        {
            "organisation": procurer.organisation.slug,
            "title": "Phones",
            "reference": "RWS-P-1",
            "language": "de",
            "lots": [{"product_group": "smartphones", "quantity": 40}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lots"][0]["criteria"] and body["framework_version"] == framework.code

    exported = client.get(f"/api/v1/tenders/{body['id']}/export", {"format": "ocds"})
    assert exported.status_code == 200 and ocds_errors(exported.json()) == []
    assert [t["reference"] for t in client.get("/api/v1/tenders/").json()] == ["RWS-P-1"]
    notice = client.get(f"/api/v1/tenders/{body['id']}/export", {"format": "eforms"})
    assert notice.status_code == 200 and notice["Content-Type"] == "application/xml"
    assert b"<cbc:NoticeLanguageCode>DEU</cbc:NoticeLanguageCode>" in notice.content
    Tender.unscoped.filter(pk=body["id"]).update(procedure=Tender.Procedure.MINI_COMPETITION)
    refused = client.get(f"/api/v1/tenders/{body['id']}/export", {"format": "eforms"})
    assert refused.status_code == 400 and "mini-competition" in refused.json()["detail"]


def test_an_outsider_cannot_create_a_tender_for_another_organisation(
    client: Client, procurer, outsider, framework
) -> None:
    client.force_login(outsider.user)
    response = client.post(
        "/api/v1/tenders/",
        {
            "organisation": procurer.organisation.slug,
            "title": "x",
            "reference": "PLANTED",
            "lots": [{"product_group": "notebooks"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    with system_scope():
        assert not Tender.objects.filter(reference="PLANTED").exists()


def test_the_spec_of_the_cli_matches_the_saved_tender(
    tender: Tender, framework_content: content.Framework
) -> None:
    built = build_spec(
        framework_content,
        product_groups=["notebooks", "monitors"],
        categories={ImpactCategory.CARBON: Ambition.AMBITIOUS},
        language="nl",
    )
    saved = actions.tender_spec(tender)

    assert [[c.criterion.id for c in lot.criteria] for lot in built.lots] == [
        [c.criterion.id for c in lot.criteria] for lot in saved.lots
    ]


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="needs LibreOffice (libreoffice-writer-nogui), installed by .ci/run",
)
def test_libreoffice_opens_the_docx_and_the_odt(tender: Tender, tmp_path: Path) -> None:
    from cfit.tenders.exports import FORMATS

    spec = actions.tender_spec(tender)
    for name in ("docx", "odt"):
        (tmp_path / f"annex.{name}").write_bytes(FORMATS[name].render(spec))
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path / name),
                str(tmp_path / f"annex.{name}"),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        text = subprocess.run(
            ["pdftotext", str(tmp_path / name / "annex.pdf"), "-"], check=True, capture_output=True, text=True
        ).stdout
        text = " ".join(text.replace("-\n", "-").split())  # undo line breaks inside long ids
        first = spec.lots[0].criteria[0].criterion
        assert first.id in text and "Perceel 1" in text, name


@pytest.mark.parametrize("language", ["nl", "de", "fr", "nb", "en"])
def test_the_review_page_s_weight_fields_hold_their_decimal_weights_in_every_language(
    tender: Tender, procurer, language: str
) -> None:
    """A browser's number field took 7.5, not the Dutch 7,5, and showed such a weight as an empty field;
    the weights are now text fields read as the page's language writes numbers, and shown that way."""
    lot = tender.lots.get(number=1)
    award = list(lot.lot_criteria.filter(type=CriterionType.AWARD_CRITERION).select_related("criterion"))
    assert len(award) >= 2
    weights = {row.criterion.code: Decimal("7.5") for row in award[:2]}
    others = {row.criterion.code: Decimal(0) for row in award[2:]}
    actions.set_weights(lot, Decimal(85), {**weights, **others}, acting_user=None)
    client = Client(headers={"accept-language": language})
    client.force_login(procurer.user)

    page = client.get(f"/tenders/{tender.pk}/review/", headers={"accept-language": language}).content.decode()

    shown = "7.50" if language == "en" else "7,50"
    for code in weights:
        assert f'name="weight_{code}" value="{shown}"' in page, re.findall(
            rf'name="weight_{code}"[^>]*', page
        )
    assert 'name="price_weight" value="85"' in page


@pytest.mark.parametrize("language", ["nl", "de", "fr", "nb", "en"])
def test_a_new_tender_s_documents_are_in_the_procurer_s_language_unless_chosen_otherwise(
    procurer, framework: FrameworkVersion, language: str
) -> None:
    client = Client(headers={"accept-language": language})
    client.force_login(procurer.user)

    page = client.get("/tenders/new/", headers={"accept-language": language}).content.decode()

    chosen = re.search(r'<select name="language"[^>]*>.*?</select>', page, re.S)
    assert chosen is not None and f'<option value="{language}" selected>' in chosen.group(0)


def test_a_warning_names_the_criteria_it_is_about_by_their_titles_in_the_reader_s_language(
    tender: Tender, procurer
) -> None:
    spec = actions.tender_spec(tender)
    risky = [
        r
        for r in spec.risks()
        if r.code in (selection.WarningCode.FEW_PRODUCTS_MEET, selection.WarningCode.PROPOSED_THRESHOLDS)
    ]
    assert risky, "the fixture's ambitious lots should raise a warning that lists criteria"
    code = risky[0].detail.split(", ")[0]
    criterion = next(c.criterion for lot in spec.lots for c in lot.criteria if c.criterion.id == code)
    client = Client(headers={"accept-language": "nl"})
    client.force_login(procurer.user)

    page = client.get(f"/tenders/{tender.pk}/", headers={"accept-language": "nl"}).content.decode()

    assert f"{criterion.title['nl']} ({code})" in page.replace("&#x27;", "'")
