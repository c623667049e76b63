"""Defects found by walkthroughs, each with the scenario that showed it."""

from __future__ import annotations

import html
import io
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cfit.accounts.models import Organisation
from cfit.audit.models import AuditRecord
from cfit.contracts import actions as contract_actions
from cfit.contracts.models import Contract
from cfit.criteria.models import FrameworkVersion, ProductGroup
from cfit.monitoring import actions as monitoring
from cfit.monitoring.models import Campaign, Report
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership

from .conftest import PASSWORD, Persona


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


# -- the contracts API --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_contracts_api_pages_a_buyers_contracts_as_the_assets_endpoint_does(
    procurer: Persona, supplier: Persona, framework: FrameworkVersion
) -> None:
    for n in range(3):
        contract_actions.create_contract(
            procurer.organisation, reference=f"RWS-{n}", title="Laptops", supplier_name="Acme",
            supplier_organisation=supplier.organisation, value=Decimal(100), start_date=date(2025, 1, n + 1),
            end_date=date(2026, 1, 1), framework_version=framework, criteria=[], acting_user=procurer.user,
        )  # fmt: skip
    pia, sid = signed_in(procurer), signed_in(supplier)

    first = pia.get("/api/v1/contracts/", {"per_page": 2}).json()
    second = pia.get("/api/v1/contracts/", {"per_page": 2, "page": 2}).json()
    supplied = sid.get("/api/v1/contracts/supplied/", {"per_page": 1, "page": 3}).json()

    assert (first["count"], first["page"]) == (3, 1)
    assert [c["reference"] for c in first["contracts"] + second["contracts"]] == ["RWS-2", "RWS-1", "RWS-0"]
    assert [c["reference"] for c in supplied["contracts"]] == ["RWS-0"]
    assert pia.get("/api/v1/contracts/", {"per_page": 1001}).status_code == 422
    assert pia.get("/api/v1/contracts/", {"page": 0}).status_code == 422


# -- product group names ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_product_group_renamed_in_the_admin_shows_its_new_name_at_once(
    framework: FrameworkVersion, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    admin = get_user_model().objects.create_superuser("ada", password=PASSWORD)
    group = ProductGroup.objects.get(code="notebooks")
    assert group.name["en"] in client.get("/criteria/").content.decode()  # now in the cache
    editor = Client()
    editor.force_login(admin)
    form = {
        "code": group.code, "kind": group.kind, "cpv": group.cpv, "position": group.position,
        "name": json.dumps({**group.name, "en": "Laptop computers"}), "description": json.dumps(group.description),
    }  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        saved = editor.post(f"/admin/criteria/productgroup/{group.pk}/change/", form)

    assert saved.status_code == 302, saved.content
    assert "Laptop computers" in client.get("/criteria/").content.decode()
    assert "Laptop computers" in client.get("/").content.decode()


# -- deliveries ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_delivery_after_today_is_refused_on_the_field_and_by_the_action(
    procurer: Persona, framework: FrameworkVersion
) -> None:
    contract = contract_actions.create_contract(
        procurer.organisation, reference="RWS-9", title="Laptops", supplier_name="Acme", value=Decimal(100),
        start_date=date(2025, 1, 1), end_date=date(2035, 12, 31), framework_version=framework, criteria=[],
        acting_user=procurer.user,
    )  # fmt: skip
    tomorrow = timezone.localdate() + timedelta(days=1)
    pia = signed_in(procurer)

    page = pia.post(f"/contracts/{contract.pk}/deliveries/", {"delivery-delivered_on": tomorrow.isoformat()})

    assert page.status_code == 400
    form = page.context["delivery_form"]
    assert "no later than today" in form.errors["delivered_on"][0]
    assert '<details id="record-delivery" open>' in page.content.decode()
    with pytest.raises(contract_actions.ContractError, match="no later than today"):
        contract_actions.record_delivery(contract, tomorrow, acting_user=procurer.user)
    assert not contract.deliveries.exists()
    today = pia.post(f"/contracts/{contract.pk}/deliveries/", {"delivery-delivered_on": timezone.localdate()})
    assert today.status_code == 302 and contract.deliveries.count() == 1


# -- the contract import ------------------------------------------------------------------------------

CONTRACT_HEADER = ["reference", "title", "supplier", "value", "start_date", "end_date"]


def _workbook(**sheets: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "contracts.xlsx"
    return upload


@pytest.mark.django_db
def test_a_workbook_is_read_from_the_sheet_holding_the_contracts_and_problems_name_it(
    procurer: Persona, framework: FrameworkVersion
) -> None:
    cover = [["Contracts of Rijkswaterstaat, exported 2026"], ["See the next sheet"]]
    row = ["RWS-7", "Laptops", "Acme", 100, date(2025, 1, 1), date(2026, 1, 1)]
    url = f"/contracts/import/{procurer.organisation.slug}/"
    pia = signed_in(procurer)

    wrong = pia.post(
        url, {"file": _workbook(Cover=cover, Contracts=[CONTRACT_HEADER, [*row[:3], "x", *row[4:]]])}
    )
    done = pia.post(url, {"file": _workbook(Cover=cover, Contracts=[CONTRACT_HEADER, row])}, follow=True)

    assert "sheet Contracts, row 2, value: not a number" in wrong.content.decode()
    assert "1 contract(s) imported from the sheet Contracts." in done.content.decode()
    assert Contract.unscoped.filter(reference="RWS-7").count() == 1


@pytest.mark.django_db
def test_a_workbook_with_two_sheets_of_contracts_is_refused_until_the_sheet_is_named(
    procurer: Persona, framework: FrameworkVersion
) -> None:
    row = ["RWS-8", "Laptops", "Acme", 100, date(2025, 1, 1), date(2026, 1, 1)]
    sheets = {"2025": [CONTRACT_HEADER, row], "2026": [CONTRACT_HEADER, ["RWS-9", *row[1:]]]}
    url = f"/contracts/import/{procurer.organisation.slug}/"
    pia = signed_in(procurer)

    asked = pia.post(url, {"file": _workbook(**sheets)})
    named = pia.post(url, {"file": _workbook(**sheets), "sheet": "2026"}, follow=True)
    none = pia.post(url, {"file": _workbook(Notes=[["a note"]], Other=[["b"]])})

    assert "the sheets 2025, 2026 all hold the columns" in asked.content.decode()
    assert "1 contract(s) imported from the sheet 2026." in named.content.decode()
    assert list(Contract.unscoped.values_list("reference", flat=True)) == ["RWS-9"]
    assert "no sheet holds the columns reference, title" in none.content.decode()


# -- the monitoring workbook --------------------------------------------------------------------------


def _nl_campaign(coordinator: Persona, procurer: Persona) -> Campaign:
    """Coco's Dutch group (her ministry, Rijkswaterstaat, Utrecht) with its 2025 campaign."""
    group = pact.create_buyer_group(
        coordinator.organisation, name="NL group", slug="nl", country="NL", language="nl"
    )
    utrecht = Organisation.objects.create(
        slug="utrecht", name="Gemeente Utrecht", country="NL", type=Organisation.Type.PROCURING_PARTICIPANT
    )
    for organisation in (procurer.organisation, utrecht):
        GroupMembership.objects.create(group=group, organisation=organisation, state="active")
    return monitoring.open_campaign(
        year=2025, group=group, title="NL 2025", opens=date(2026, 1, 1), deadline=date(2026, 3, 31),
        acting_user=None,
    )  # fmt: skip


def _filled(client: Client, report: Report, cells: dict[str, Any], **meta: str) -> SimpleUploadedFile:
    """The report's template as ``client`` downloads it, with ``cells`` in column F and ``meta`` written
    over its hidden sheet (as a workbook of another organisation would carry)."""
    book = load_workbook(io.BytesIO(client.get(f"/monitoring/reports/{report.pk}/template.xlsx").content))
    sheet = book["Report"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(5, sheet.max_row + 1)}
    for cell_id, value in cells.items():
        sheet.cell(row=rows[cell_id], column=6, value=value)
    for row in book["cfit"].iter_rows():
        if row[0].value in meta:
            row[1].value = meta[row[0].value]
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("report.xlsx", out.getvalue())


def _upload(client: Client, report: Report, upload: SimpleUploadedFile) -> str:
    page = client.post(f"/monitoring/reports/{report.pk}/upload/", {"file": upload}, follow=True)
    return html.unescape(page.content.decode())


@pytest.mark.django_db
def test_text_figures_in_the_workbook_are_read_in_its_language_and_minus_zero_is_refused(
    coordinator: Persona, procurer: Persona
) -> None:
    report = monitoring.start_report(
        _nl_campaign(coordinator, procurer), procurer.organisation, acting_user=None
    )
    pia = signed_in(procurer)
    english = _filled(pia, report, {"units_new|notebooks": "1,234", "ict_spend_eur|notebooks": "2,500.5"})
    pia.cookies["django_language"] = "fr"
    french = _filled(pia, report, {"units_new|notebooks": "1.234"})
    minus_zero = _filled(pia, report, {"units_new|tablets": "-0", "ict_spend_eur|monitors": "-0,0"})
    pia.cookies["django_language"] = "en"  # the uploader reads English; the workbook was made in French

    _upload(pia, report, english)
    refused = _upload(pia, report, french)
    negative = _upload(pia, report, minus_zero)

    values = {(v.indicator, v.key): v.value for v in report.values.all()}
    assert values[("units_new", "notebooks")] == 1234 and values[("ict_spend_eur", "notebooks")] == 2500.5
    assert (
        "not a number as numbers are written in French (the language of this workbook): write e.g. 1\u202f234"
        in (refused.replace("\xa0", "\u202f"))
    )
    assert negative.count("must be zero or more") == 2
    assert ("units_new", "tablets") not in values


@pytest.mark.django_db
def test_another_organisations_workbook_is_refused_by_name_never_by_its_slug(
    coordinator: Persona, procurer: Persona, secretary: Persona
) -> None:
    report = monitoring.start_report(
        _nl_campaign(coordinator, procurer), procurer.organisation, acting_user=None
    )
    pia = signed_in(procurer)

    utrecht = _upload(pia, report, _filled(pia, report, {}, organisation="utrecht"))
    hidden = _upload(pia, report, _filled(pia, report, {}, organisation="pact-secretariat"))

    assert "this workbook was made for another organisation: «Gemeente Utrecht»" in utrecht
    assert "this workbook was made for another organisation. Download" in hidden
    assert "pact-secretariat" not in hidden and "utrecht," not in utrecht


# -- monitoring campaigns -----------------------------------------------------------------------------


def _pact_wide() -> Campaign:
    return monitoring.open_campaign(
        year=2025, group=None, title="Pact 2025", opens=date(2026, 1, 1), deadline=date(2026, 4, 1),
        acting_user=None,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_draft_started_pact_wide_moves_to_the_group_campaign_when_the_group_opens_one(
    coordinator: Persona, procurer: Persona, secretary: Persona
) -> None:
    pact_wide = _pact_wide()
    report = monitoring.start_report(pact_wide, procurer.organisation, acting_user=procurer.user)
    assert report.campaign == pact_wide  # no group campaign yet

    group_campaign = _nl_campaign(coordinator, procurer)

    report.refresh_from_db()
    assert report.campaign == group_campaign
    moved = AuditRecord.objects.get(action=AuditRecord.Action.REPORT_MOVED)
    assert (moved.organisation, moved.after["title"]) == (procurer.organisation, "NL 2025")
    page = html.unescape(signed_in(procurer).get(f"/monitoring/reports/{report.pk}/").content.decode())
    assert "this report moved from Pact 2025 to NL 2025, the campaign that reviews it now" in page


@pytest.mark.django_db
def test_a_report_whose_group_campaign_closed_goes_to_the_open_pact_wide_campaign_and_is_told_so(
    coordinator: Persona, procurer: Persona, secretary: Persona
) -> None:
    group_campaign = _nl_campaign(coordinator, procurer)
    report = monitoring.start_report(group_campaign, procurer.organisation, acting_user=None)
    monitoring.close_campaign(group_campaign, acting_user=coordinator.user)
    pia = signed_in(procurer)
    stranded = html.unescape(pia.get(f"/monitoring/reports/{report.pk}/").content.decode())
    pact_wide = _pact_wide()

    page = html.unescape(pia.get(f"/monitoring/reports/{report.pk}/").content.decode())
    pia.post(f"/monitoring/reports/{report.pk}/", {"submit": "1"})

    assert "NL 2025 is closed and no open campaign asks for this report" in stranded
    assert 'id="submit-report"' not in stranded
    assert "NL 2025 is closed. Pact 2025 still asks for this report" in page and 'id="submit-report"' in page
    report.refresh_from_db()
    assert (report.state, report.campaign) == (Report.State.SUBMITTED, pact_wide)
    assert AuditRecord.objects.filter(
        action=AuditRecord.Action.REPORT_MOVED, object_id=str(report.pk)
    ).exists()


@pytest.mark.django_db
def test_a_pact_wide_report_is_said_submitted_to_the_secretariat_not_a_coordinator(
    procurer: Persona, secretary: Persona
) -> None:
    report = monitoring.start_report(_pact_wide(), procurer.organisation, acting_user=procurer.user)

    page = signed_in(procurer).post(f"/monitoring/reports/{report.pk}/", {"submit": "1"}, follow=True)

    said = html.unescape(page.content.decode())
    assert "Report submitted to the pact's secretariat." in said
    assert "submitted to the coordinator" not in said
