"""What a new contract manager, supplier, asset manager and integrator met walking through contracts,
the fleet's operational life and end-of-use, and the JSON API; each test holds the fix.

Pia (procurer, Rijkswaterstaat) manages contracts; Sid (supplier, Green Refurb) delivers evidence;
Arne (asset manager, Rijkswaterstaat) keeps the register; Louise (Ville de Lyon) is another buyer.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cfit.audit.models import AuditRecord
from cfit.contracts import actions as contract_actions
from cfit.contracts.models import Contract, Obligation, Submission
from cfit.criteria.models import FrameworkVersion
from cfit.duediligence.models import MineralsReport

from .conftest import PASSWORD, Persona
from .contract_helpers import workbook
from .duediligence_helpers import synthetic_template
from .test_duediligence import minerals_contract
from .test_duediligence_core import CMRT_SMELTERS

pytestmark = pytest.mark.django_db

MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def signed_in(persona: Persona, language: str = "en") -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def errors(response: Any) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", e).strip()
        for e in re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    ]


def as_macro_workbook(data: bytes) -> bytes:
    """The workbook as Excel saves it "macro-enabled" (.xlsm): a VBA project, its relationship, its type."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                content = (
                    content.decode()
                    .replace(XLSX_MAIN, MACRO_MAIN)
                    .replace(
                        "</Types>",
                        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                    )
                    .encode()
                )
            if item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/'
                    b'vbaProject" Target="vbaProject.bin"/></Relationships>',
                )
            target.writestr(item, content)
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1Sub AutoOpen() Shell End Sub")
    return out.getvalue()


# -- a supplier delivers its CMRT saved as a macro-enabled workbook -----------------------------------


@pytest.fixture
def minerals(framework: FrameworkVersion, procurer: Persona, supplier: Persona) -> Contract:
    return minerals_contract(framework, procurer, supplier.organisation)


def first_obligation(contract: Contract) -> Obligation:
    return contract.obligations.order_by("due_date").first()  # type: ignore[return-value]


def test_a_cmrt_saved_as_xlsm_is_read_and_stored_without_its_macros(
    minerals: Contract, procurer: Persona, supplier: Persona
) -> None:
    obligation = first_obligation(minerals)
    xlsm = as_macro_workbook(synthetic_template(smelters=CMRT_SMELTERS))
    sid = signed_in(supplier)

    response = sid.post(
        f"/contracts/supplier/{minerals.pk}/obligations/{obligation.pk}/",
        {"form": "deliver", "file": SimpleUploadedFile("CMRT 6.5 Groene IT.xlsm", xlsm)},
        follow=True,
    )

    assert response.status_code == 200, errors(response)
    submission = Submission.objects.get(obligation=obligation)
    report = MineralsReport.objects.get(submission=submission)
    assert (report.kind, report.revision) == ("CMRT", "6.5")
    assert report.smelters.count() == len(CMRT_SMELTERS)
    # What the buyer downloads runs nothing: no VBA project, an ordinary workbook by name and type.
    assert submission.filename == "CMRT 6.5 Groene IT.xlsx"
    assert submission.content_type == XLSX_MAIN.replace(".main+xml", "")
    stored = bytes(submission.data)
    with zipfile.ZipFile(io.BytesIO(stored)) as package:
        names = package.namelist()
        assert not any("vbaproject" in n.lower() for n in names)
        assert MACRO_MAIN not in package.read("[Content_Types].xml").decode()
        assert b"vbaProject" not in package.read("xl/_rels/workbook.xml.rels")
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(stored)).sheetnames  # still a workbook Excel and openpyxl open
    import hashlib

    assert submission.sha256 == hashlib.sha256(stored).hexdigest()
    # the supplier is told, and the audit keeps what was received
    page = response.content.decode()
    assert "without its macros" in page
    records = AuditRecord.objects.filter(action=AuditRecord.Action.EVIDENCE_DELIVERED)
    assert records.count() == 2  # the buyer's log and the supplier's own
    for record in records:
        assert record.after["filename"] == "CMRT 6.5 Groene IT.xlsx"
        assert record.after["received"] == {
            "filename": "CMRT 6.5 Groene IT.xlsm",
            "sha256": hashlib.sha256(xlsm).hexdigest(),
        }
    # the buyer's download is the macro-free copy
    pia = signed_in(procurer)
    download = pia.get(f"/contracts/{minerals.pk}/obligations/{obligation.pk}/evidence/{submission.pk}/")
    assert download.content == stored and "CMRT 6.5 Groene IT.xlsx" in download["Content-Disposition"]


def test_a_macro_workbook_is_still_refused_where_no_cmrt_is_due_or_when_it_is_no_cmrt(
    minerals: Contract, supplier: Persona, procurer: Persona, framework: FrameworkVersion
) -> None:
    from .test_contract_evidence import clause_contract

    # a document obligation that is not a minerals template: an .xlsm is not evidence
    other = clause_contract(procurer, supplier, framework, "take-back")
    document = other.obligations.first()
    assert document is not None
    with pytest.raises(contract_actions.ContractError, match="not a kind of file taken as evidence"):
        contract_actions.deliver(
            document, acting_user=supplier.user, data=as_macro_workbook(workbook()), filename="list.xlsm"
        )
    # a CMRT is due, but the macro workbook is no template: refused, nothing stored
    obligation = first_obligation(minerals)
    with pytest.raises(contract_actions.ContractError, match="not an RMI minerals reporting template"):
        contract_actions.deliver(
            obligation, acting_user=supplier.user, data=as_macro_workbook(workbook()), filename="tool.xlsm"
        )
    # an .xlsm that is no workbook at all (a program under the name)
    with pytest.raises(contract_actions.ContractError, match="is not a XLSM file"):
        contract_actions.deliver(
            obligation, acting_user=supplier.user, data=b"MZ\x90\x00program", filename="cmrt.xlsm"
        )
    assert not Submission.objects.exists() and not MineralsReport.objects.exists()
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.DUE


# -- an asset's life: events, retirement with its end-of-use route, data wiping -----------------------


@pytest.fixture
def arne(db: Any) -> Persona:
    from cfit.accounts.models import Membership, Organisation

    from .conftest import make_persona

    return make_persona(
        "arne", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )


@pytest.fixture
def laptops(arne: Persona) -> Any:
    """40 laptops bought on 1 March 2021, in use."""
    from datetime import date

    from cfit.fleet.models import Asset

    return Asset.unscoped.create(
        organisation=arne.organisation, asset_key="RWS-1", product_group="notebooks", manufacturer="Dell",
        model="Latitude 5420", quantity=40, purchase_date=date(2021, 3, 1), country="NL",
    )  # fmt: skip


def asset_page(asset: Any) -> str:
    return f"/fleet/{asset.organisation.slug}/assets/{asset.pk}/"


def test_retiring_a_device_records_its_end_of_use_route_and_wiping_certificate(
    arne: Persona, laptops: Any
) -> None:
    client = signed_in(arne)
    page = client.get(asset_page(laptops)).content.decode()
    assert 'name="end_of_use_route"' in page and 'name="sanitisation_certificate"' in page

    response = client.post(
        asset_page(laptops),
        {
            "kind": "retired", "date": "2025-06-30", "note": "sold to a refurbisher",
            "end_of_use_route": "reuse", "sanitisation_certificate": "BLANCCO-2025-0042",
        },
    )  # fmt: skip

    assert response.status_code == 302, errors(response)
    laptops.refresh_from_db()
    assert (laptops.status, str(laptops.retired_date)) == ("retired", "2025-06-30")
    assert (laptops.end_of_use_route, laptops.sanitisation_certificate) == ("reuse", "BLANCCO-2025-0042")
    record = AuditRecord.objects.get(action=AuditRecord.Action.ASSET_EVENT_RECORDED)
    # the audit says what the line was before, not what it became
    assert record.before == {"status": "in_use"}
    assert record.after["status"] == "retired" and record.after["end_of_use_route"] == "reuse"
    page = client.get(asset_page(laptops)).content.decode()
    assert "Sold or donated for reuse" in page and "BLANCCO-2025-0042" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "repaired", "date": "2099-01-01"}, "date", "in the future"),
        ({"kind": "repaired", "date": "2020-01-01"}, "date", "before the purchase date"),
        ({"kind": "retired", "date": "2020-01-01"}, "date", "before the purchase date"),
        (
            {"kind": "repaired", "date": "2024-01-01", "end_of_use_route": "recycled"},
            "end_of_use_route",
            "an end-of-use route for a device that is not retired",
        ),
    ],
)
def test_an_event_that_cannot_have_happened_is_refused_by_its_field(
    arne: Persona, laptops: Any, data: dict[str, str], field: str, message: str
) -> None:
    from cfit.fleet.models import AssetEvent

    response = signed_in(arne).post(asset_page(laptops), data)

    assert response.status_code == 200
    assert message in errors(response)
    assert not AssetEvent.objects.exists()
    assert not AuditRecord.objects.filter(action=AuditRecord.Action.ASSET_EVENT_RECORDED).exists()
    laptops.refresh_from_db()
    assert laptops.status == "in_use" and laptops.retired_date is None


def test_a_retired_device_is_not_retired_again(arne: Persona, laptops: Any) -> None:
    from cfit.fleet.models import AssetEvent

    client = signed_in(arne, "nl")
    client.post(
        asset_page(laptops), {"kind": "retired", "date": "2025-06-30", "end_of_use_route": "recycled"}
    )

    response = client.post(
        asset_page(laptops), {"kind": "retired", "date": "2026-01-05", "end_of_use_route": "reuse"}
    )

    assert response.status_code == 200
    assert any("30-6-2025" in e for e in errors(response)), errors(response)
    laptops.refresh_from_db()
    assert (str(laptops.retired_date), laptops.end_of_use_route) == ("2025-06-30", "recycled")
    assert AssetEvent.objects.filter(kind="retired").count() == 1
    # redeployed, it may be retired again later
    client.post(asset_page(laptops), {"kind": "redeployed", "date": "2025-09-01"})
    response = client.post(asset_page(laptops), {"kind": "retired", "date": "2026-01-05"})
    assert response.status_code == 302


def test_a_filter_the_list_cannot_read_says_so_instead_of_listing_and_exporting_everything(
    arne: Persona, laptops: Any
) -> None:
    from datetime import date

    from cfit.fleet.models import Asset

    Asset.unscoped.create(
        organisation=arne.organisation, asset_key="RWS-2", product_group="monitors", manufacturer="Dell",
        model="P2422H", quantity=25, purchase_date=date(2019, 6, 15), country="NL",
    )  # fmt: skip
    client = signed_in(arne, "nb")
    url = "/fleet/rijkswaterstaat/assets/"

    page = client.get(url, {"product_group": "monitors", "bought": "2019 og 2020"})

    assert page.status_code == 200
    assert errors(page) == ["Skriv inn et heltall."]  # Django's own words, in the reader's language
    body = page.content.decode()
    assert "RWS-2" in body and "RWS-1" not in body  # the fields it could read still filter
    export = client.get(url, {"product_group": "monitors", "bought": "2019 og 2020", "format": "csv"})
    assert export.get("Content-Disposition") is None  # no export of a filter it could not read
    assert errors(export) == ["Skriv inn et heltall."]


# -- the contract manager enters a contract; the integrator delivers figures --------------------------


@pytest.mark.parametrize(
    ("language", "typed", "value"),
    [("nl", "1.234,56", "1234.56"), ("nl", "1234,5", "1234.50"), ("nb", "1 234,56", "1234.56")],
)
def test_a_contract_s_value_is_typed_as_the_reader_writes_amounts(
    framework: FrameworkVersion, procurer: Persona, language: str, typed: str, value: str
) -> None:
    client = signed_in(procurer, language)

    response = client.post(
        f"/contracts/new/{procurer.organisation.slug}/",
        {
            "reference": "OLD-7", "title": "Monitors", "supplier_name": "Acme", "value": typed,
            "currency": "EUR", "start_date": "2026-01-01", "end_date": "2027-12-31",
        },
    )  # fmt: skip

    assert response.status_code == 302, errors(response)
    from cfit.accounts.scoping import acting_for

    with acting_for(procurer.user):
        assert str(Contract.objects.get(reference="OLD-7").value) == value


@pytest.fixture
def take_back(framework: FrameworkVersion, procurer: Persona, supplier: Persona) -> Obligation:
    from .test_contract_evidence import clause_contract

    obligation = clause_contract(procurer, supplier, framework, "take-back").obligations.get()
    assert [f["key"] for f in obligation.figures] == ["taken_back_units", "taken_back_kg"]
    return obligation


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({}, ["Devices taken back", "Mass taken back"]),
        ({"taken_back_units": "12"}, ["Mass taken back"]),
        ({"units": "12", "kg": "30"}, ["units", "kg", "taken_back_units", "taken_back_kg"]),
    ],
)
def test_the_api_names_the_figure_that_is_missing_or_unknown(
    take_back: Obligation, supplier: Persona, values: dict[str, str], named: list[str]
) -> None:
    import json

    response = signed_in(supplier).post(
        f"/api/v1/contracts/supplied/{take_back.contract_id}/obligations/{take_back.pk}/figures/",
        json.dumps({"values": values}),
        content_type="application/json",
    )

    assert response.status_code == 400
    detail = response.json()["detail"]
    for name in named:
        assert name in detail, detail
    assert not take_back.submissions.exists()
