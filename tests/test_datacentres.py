"""Data-centre reports through the pages, the template and the API, and who may see them."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.datacentres import actions
from cfit.datacentres.models import Facility, FacilityReport
from cfit.datacentres.template import COLUMNS, build_template, read_template
from cfit.tenders import actions as tender_actions
from cfit.uploads import ImportRefused
from tests.conftest import Persona, make_persona

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def facility(supplier: Persona) -> Facility:
    return actions.create_facility(
        provider=supplier.organisation,
        acting_user=supplier.user,
        name="DC One",
        country="NL",
        climate="cool",
        operating_since=2016,
    )


@pytest.fixture
def other_supplier(db: Any) -> Persona:
    return make_persona("otto", "other-hosting", Organisation.Type.SUPPORTER, Membership.Role.ADMIN)


@pytest.fixture
def hosting_lot(framework: Any, procurer: Persona) -> Any:
    tender = tender_actions.create_tender(
        procurer.organisation, title="Hosting", reference="RWS-DC-1", acting_user=procurer.user
    )
    lot = tender_actions.add_lot(tender, product_group="data-centre-services", acting_user=procurer.user)
    present = set(lot.lot_criteria.values_list("criterion__code", flat=True))
    for code in ("dc-pue-a", "dc-water-a", "dc-ref-a"):
        if code not in present:
            tender_actions.add_criterion(lot, code, acting_user=procurer.user)
    return lot


def client_for(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def filled_template(facility: Facility, rows: list[dict[str, Any]], language: str = "en") -> bytes:
    """The downloaded template filled with openpyxl as a provider would, cell by cell."""
    with translation.override(language):
        data = build_template([facility], [2025])
    book = load_workbook(io.BytesIO(data))
    sheet = book["reports"]
    headers = [c.value for c in sheet[1]]
    sheet.delete_rows(3, sheet.max_row)
    for number, row in enumerate(rows, start=3):
        for key, value in {"facility_code": facility.code, **row}.items():
            sheet.cell(row=number, column=headers.index(key) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- template ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_filled_template_reads_back_in_any_language(facility: Facility, language: str) -> None:
    data = filled_template(
        facility,
        [
            {
                "year": 2024,
                "total_energy_kwh": 9_400_000,
                "it_energy_kwh": 7_100_000,
                "water_input_m3": "7 800",
            },
            {"year": 2025, "total_energy_kwh": "9100000", "it_energy_kwh": 7_200_000, "stated_wue": 0.35},
        ],
        language,
    )

    rows = read_template(data, "filled.xlsx", {facility.code: facility})

    assert [(f, y) for f, y, _ in rows] == [(facility, 2024), (facility, 2025)]
    assert rows[0][2]["water_input_m3"] == 7800.0
    assert rows[1][2]["water_input_m3"] is None  # empty is not reported, never zero
    assert rows[1][2]["total_energy_kwh"] == 9_100_000.0


def test_the_template_has_a_column_per_value_and_labels_in_the_users_language(facility: Facility) -> None:
    with translation.override("nl"):
        book = load_workbook(io.BytesIO(build_template([facility], [2025])))

    sheet = book["reports"]
    assert tuple(c.value for c in sheet[1]) == COLUMNS
    assert str(sheet.cell(row=2, column=1).value).startswith("#")
    assert sheet.cell(row=3, column=1).value == facility.code


def test_a_facility_name_that_looks_like_a_formula_stays_text_in_the_template(supplier: Persona) -> None:
    hostile = actions.create_facility(
        provider=supplier.organisation,
        acting_user=supplier.user,
        name='=HYPERLINK("http://x","y")',
        country="NL",
    )

    book = load_workbook(io.BytesIO(build_template([hostile], [2025])))

    cells = [c for row in book.worksheets[1].iter_rows() for c in row if c.value == hostile.name]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_bad_template_is_refused_whole_naming_sheet_row_and_field(facility: Facility) -> None:
    data = filled_template(
        facility,
        [
            {"year": 2024, "total_energy_kwh": "=1+1"},
            {"year": 2025, "it_energy_kwh": "12 kWh"},
            {"year": 2023, "water_input_m3": -4},
            {"year": "last year"},
        ],
    )

    with pytest.raises(ImportRefused) as refused:
        read_template(data, "filled.xlsx", {facility.code: facility})

    shown = [str(p) for p in refused.value.problems]
    assert any(p.startswith("sheet reports, row 3, total_energy_kwh") and "formula" in p for p in shown)
    assert any(p.startswith("sheet reports, row 4, it_energy_kwh") for p in shown)
    assert any(p.startswith("sheet reports, row 5, water_input_m3") for p in shown)
    assert any(p.startswith("sheet reports, row 6, year") for p in shown)


def test_another_providers_facility_code_is_refused(facility: Facility, other_supplier: Persona) -> None:
    data = filled_template(facility, [{"year": 2024, "total_energy_kwh": 1}])

    with pytest.raises(ImportRefused) as refused:
        read_template(data, "filled.xlsx", {})

    assert "facility_code" in str(refused.value)


def test_a_zip_bomb_and_a_non_workbook_are_refused(facility: Facility) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 300_000_000)

    with pytest.raises(ImportRefused, match="zip bomb"):
        read_template(bomb.getvalue(), "bomb.xlsx", {facility.code: facility})
    with pytest.raises(ImportRefused):
        read_template(b"not a workbook", "x.xlsx", {facility.code: facility})


def test_an_upload_files_all_rows_or_none(supplier: Persona, facility: Facility) -> None:
    client = client_for(supplier)
    good = filled_template(facility, [{"year": 2024, "total_energy_kwh": 10, "it_energy_kwh": 8}])
    bad = filled_template(
        facility, [{"year": 2023, "total_energy_kwh": 10}, {"year": 2025, "total_energy_kwh": "ten"}]
    )
    url = f"/datacentres/providers/{supplier.organisation.slug}/upload/"

    refused = client.post(url, {"file": _upload(bad)})
    assert refused.status_code == 200 and b"row 4" in refused.content
    assert not FacilityReport.objects.filter(facility=facility).exists()
    filed = client.post(url, {"file": _upload(good)})
    assert filed.status_code == 302
    assert FacilityReport.objects.get(facility=facility, year=2024).via == "template"


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("filled.xlsx", data, content_type=XLSX)


# -- pages and flags --------------------------------------------------------------------------------------


def test_the_provider_sees_a_missing_wue_and_an_implausible_pue_with_clear_messages(
    supplier: Persona, facility: Facility
) -> None:
    actions.file_reports(
        facility=facility,
        years=[
            (2024, {"total_energy_kwh": 3_000_000, "it_energy_kwh": 3_300_000, "water_input_m3": 1900}),
            (2025, {"total_energy_kwh": 9_100_000, "it_energy_kwh": 7_200_000, "stated_wue": 0.35}),
        ],
        via="form",
        acting_user=supplier.user,
    )

    page = client_for(supplier).get(f"/datacentres/{facility.pk}/").content.decode()

    assert "is below 1.0, which is impossible" in page
    assert "WUE 0.35 is stated without the water data" in page
    assert "Total water input (m³): not reported" in page or "total water input (m³): not reported" in page
    assert facility.code in page
    assert 'id="pue-trend"' in page


def test_the_form_files_a_year_and_replaces_it_when_filed_again(
    supplier: Persona, facility: Facility
) -> None:
    client = client_for(supplier)

    client.post(
        f"/datacentres/{facility.pk}/file/", {"year": 2025, "total_energy_kwh": "10", "it_energy_kwh": "8"}
    )
    client.post(
        f"/datacentres/{facility.pk}/file/", {"year": 2025, "total_energy_kwh": "12", "it_energy_kwh": "8"}
    )

    report = FacilityReport.objects.get(facility=facility, year=2025)
    assert (report.total_energy_kwh, report.water_input_m3) == (12.0, None)


def test_the_buyer_sees_the_check_against_its_tenders_criteria(
    supplier: Persona, procurer: Persona, facility: Facility, hosting_lot: Any
) -> None:
    actions.file_reports(
        facility=facility,
        years=[
            (
                2025,
                {
                    "total_energy_kwh": 9_200_000,
                    "it_energy_kwh": 7_000_000,
                    "water_input_m3": 2000,
                    "renewable_energy_kwh": 9_200_000,
                },
            )
        ],
        via="form",
        acting_user=supplier.user,
    )
    buyer = client_for(procurer)
    assert buyer.get(f"/datacentres/{facility.pk}/").status_code == 404

    linked = buyer.post(
        f"/datacentres/tenders/{hosting_lot.tender.pk}/",
        {"lot": hosting_lot.pk, "code": facility.code.lower()},
    )
    page = buyer.get(f"/datacentres/{facility.pk}/").content.decode()
    detail = buyer.get(f"/api/v1/datacentres/{facility.pk}/").json()

    assert linked.status_code == 302
    assert "RWS-DC-1, lot 1: dc-pue-a (dc-pue-a.pue-cool-climate)" in page
    checks = {c["source"].split(": ")[1]: c for c in detail["years"][0]["tender_checks"]}
    # limits read from the tender's stored requirements: PUE 1.3 (cool), WUE 0.4, REF 75 %
    assert checks["dc-pue-a (dc-pue-a.pue-cool-climate)"]["outcome"] == "fails"  # 1.314
    assert checks["dc-pue-a (dc-pue-a.pue-cool-climate)"]["limit"] == 1.3
    assert checks["dc-water-a (dc-water-a.wue)"]["outcome"] == "meets"  # 0.286 L/kWh
    assert checks["dc-ref-a (dc-ref-a.share)"]["outcome"] == "meets"
    assert facility.code not in page  # the code is the provider's to give


def test_the_tenders_own_limit_is_used_not_a_constant(
    supplier: Persona, procurer: Persona, facility: Facility, hosting_lot: Any
) -> None:
    from cfit.criteria.models import Requirement

    actions.file_reports(
        facility=facility,
        years=[(2025, {"total_energy_kwh": 1.35, "it_energy_kwh": 1})],
        via="api",
        acting_user=supplier.user,
    )
    actions.link_facility_to_lot(lot=hosting_lot, facility_code=facility.code, acting_user=procurer.user)
    requirement = Requirement.objects.get(
        criterion__version=hosting_lot.version, code="dc-pue-a.pue-cool-climate"
    )
    Requirement.objects.filter(pk=requirement.pk).update(max_value=1.5)

    detail = client_for(procurer).get(f"/api/v1/datacentres/{facility.pk}/").json()

    pue = [c for c in detail["years"][0]["tender_checks"] if c["field"] == "pue"][0]
    assert (pue["limit"], pue["outcome"]) == (1.5, "meets")


# -- who sees what ----------------------------------------------------------------------------------------


def test_nobody_else_sees_or_files_a_facility(
    supplier: Persona,
    other_supplier: Persona,
    procurer: Persona,
    outsider: Persona,
    facility: Facility,
    hosting_lot: Any,
) -> None:
    link = actions.link_facility_to_lot(
        lot=hosting_lot, facility_code=facility.code, acting_user=procurer.user
    )
    body = json.dumps({"year": 2025, "total_energy_kwh": 1})

    for persona in (other_supplier, outsider):
        client = client_for(persona)
        assert client.get(f"/datacentres/{facility.pk}/").status_code == 404
        assert client.get(f"/api/v1/datacentres/{facility.pk}/").status_code == 404
        assert client.post(f"/datacentres/{facility.pk}/file/", {"year": 2025}).status_code == 404
        assert (
            client.post(
                f"/api/v1/datacentres/{facility.pk}/reports/", body, content_type="application/json"
            ).status_code
            == 404
        )
        assert facility.pk not in [f["id"] for f in client.get("/api/v1/datacentres/").json()]
        assert (
            client.get(f"/datacentres/providers/{supplier.organisation.slug}/template.xlsx").status_code
            == 404
        )
        assert client.get(f"/datacentres/tenders/{hosting_lot.tender.pk}/").status_code == 404
        assert (
            client.post(f"/datacentres/tenders/{hosting_lot.tender.pk}/unlink/{link.pk}/").status_code == 404
        )
    buyer = client_for(procurer)
    assert buyer.post(f"/datacentres/{facility.pk}/file/", {"year": 2025}).status_code == 403
    assert (
        buyer.post(
            f"/api/v1/datacentres/{facility.pk}/reports/", body, content_type="application/json"
        ).status_code
        == 403
    )
    assert buyer.get(f"/datacentres/{facility.pk}/").status_code == 200
    assert Client().get(f"/api/v1/datacentres/{facility.pk}/").status_code == 401
    assert not FacilityReport.objects.exists()
    assert facility.lot_links.count() == 1


def test_a_reading_member_of_the_provider_sees_but_does_not_file(
    supplier: Persona, facility: Facility
) -> None:
    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.create_user("rita", password="x-pass-2026")
    Membership.objects.create(user=reader, organisation=supplier.organisation, role=Membership.Role.VIEWER)
    client = Client()
    client.force_login(reader)

    assert client.get(f"/datacentres/{facility.pk}/").status_code == 200
    assert client.post(f"/datacentres/{facility.pk}/file/", {"year": 2025}).status_code == 403


def test_a_wrong_code_links_nothing_and_says_so(procurer: Persona, hosting_lot: Any) -> None:
    response = client_for(procurer).post(
        f"/datacentres/tenders/{hosting_lot.tender.pk}/", {"lot": hosting_lot.pk, "code": "DC-000000000000"}
    )

    assert response.status_code == 200 and b"No data centre has this code" in response.content


def test_another_buyers_lot_cannot_be_linked(outsider: Persona, hosting_lot: Any, facility: Facility) -> None:
    response = client_for(outsider).post(
        f"/datacentres/tenders/{hosting_lot.tender.pk}/", {"lot": hosting_lot.pk, "code": facility.code}
    )

    assert response.status_code == 404
    assert not facility.lot_links.exists()


def test_a_lot_of_another_tender_cannot_be_slipped_into_the_link_form(
    procurer: Persona, outsider: Persona, framework: Any, facility: Facility
) -> None:
    own = tender_actions.create_tender(
        procurer.organisation, title="Hosting", reference="RWS-DC-2", acting_user=procurer.user
    )
    tender_actions.add_lot(own, product_group="data-centre-services", acting_user=procurer.user)
    theirs = tender_actions.create_tender(
        outsider.organisation, title="Hébergement", reference="LYON-DC", acting_user=outsider.user
    )
    their_lot = tender_actions.add_lot(
        theirs, product_group="data-centre-services", acting_user=outsider.user
    )

    response = client_for(procurer).post(
        f"/datacentres/tenders/{own.pk}/", {"lot": their_lot.pk, "code": facility.code}
    )

    assert response.status_code == 200
    assert not facility.lot_links.exists()


def test_the_buyer_unlinks_and_no_longer_sees_the_facility(
    procurer: Persona, facility: Facility, hosting_lot: Any
) -> None:
    link = actions.link_facility_to_lot(
        lot=hosting_lot, facility_code=facility.code, acting_user=procurer.user
    )
    buyer = client_for(procurer)

    response = buyer.post(f"/datacentres/tenders/{hosting_lot.tender.pk}/unlink/{link.pk}/")

    assert response.status_code == 302
    assert buyer.get(f"/datacentres/{facility.pk}/").status_code == 404


# -- API --------------------------------------------------------------------------------------------------


def test_the_api_files_a_year_and_answers_with_the_flags(supplier: Persona, facility: Facility) -> None:
    client = client_for(supplier)
    body = {"year": 2025, "total_energy_kwh": 3_000_000, "it_energy_kwh": 3_300_000}

    response = client.post(
        f"/api/v1/datacentres/{facility.pk}/reports/", json.dumps(body), content_type="application/json"
    )
    negative = client.post(
        f"/api/v1/datacentres/{facility.pk}/reports/",
        json.dumps({"year": 2025, "it_energy_kwh": -1}),
        content_type="application/json",
    )

    assert response.status_code == 200
    year = response.json()["years"][0]
    assert year["indicators"]["pue"]["value"] == pytest.approx(0.909, abs=1e-3)
    assert {f["code"] for f in year["findings"]} >= {"pue_below_one", "not_reported"}
    assert negative.status_code == 422
    assert FacilityReport.objects.get(facility=facility, year=2025).it_energy_kwh == 3_300_000


def test_the_demo_has_a_provider_with_flags_and_a_linked_tender(framework: Any) -> None:
    from cfit.demo import create_demo_data

    create_demo_data()
    with system_scope():
        facilities = list(Facility.objects.filter(organisation__slug="polder-datacenters"))
    assert len(facilities) == 2
    provider = Client()
    provider.login(username="provider", password="demo-cfit-2026")
    pages = "".join(provider.get(f"/datacentres/{f.pk}/").content.decode() for f in facilities)
    assert "is below 1.0, which is impossible" in pages
    assert "is stated without the water data" in pages
    buyer = Client()
    buyer.login(username="procurer", password="demo-cfit-2026")
    assert "RWS-2027-DC1" in buyer.get(f"/datacentres/{facilities[0].pk}/").content.decode()


def test_the_facility_page_costs_the_same_queries_for_one_year_or_five(
    supplier: Persona, procurer: Persona, facility: Facility, hosting_lot: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actions.link_facility_to_lot(lot=hosting_lot, facility_code=facility.code, acting_user=procurer.user)
    buyer = client_for(procurer)
    values = {"total_energy_kwh": 10.0, "it_energy_kwh": 8.0}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert buyer.get(f"/datacentres/{facility.pk}/").status_code == 200
        return len(captured)

    actions.file_reports(facility=facility, years=[(2021, values)], via="form", acting_user=supplier.user)
    one = queries()
    actions.file_reports(
        facility=facility,
        years=[(y, values) for y in range(2022, 2026)],
        via="form",
        acting_user=supplier.user,
    )

    assert queries() == one


# -- the audit log ----------------------------------------------------------------------------------------


def test_registering_filing_linking_and_unlinking_each_leave_an_audit_record(
    supplier: Persona, procurer: Persona, facility: Facility, hosting_lot: Any
) -> None:
    """Sid registers DC One and files 2025 twice (the second replaces the first); Pia links it to her
    lot and unlinks it: each act is in the audit log of the organisation it belongs to, naming who did
    it, with the values before and after."""
    from cfit.audit.models import AuditRecord

    Action = AuditRecord.Action
    actions.file_reports(facility=facility, years=[(2025, {"total_energy_kwh": 2.0, "it_energy_kwh": 1.0})],
                         via="form", acting_user=supplier.user)  # fmt: skip
    actions.file_reports(facility=facility, years=[(2025, {"total_energy_kwh": 1.5, "it_energy_kwh": 1.0})],
                         via="api", acting_user=supplier.user)  # fmt: skip
    link = actions.link_facility_to_lot(
        lot=hosting_lot, facility_code=facility.code, acting_user=procurer.user
    )
    actions.link_facility_to_lot(lot=hosting_lot, facility_code=facility.code, acting_user=procurer.user)
    actions.unlink_facility(link=link, acting_user=procurer.user)

    with system_scope():
        records = list(AuditRecord.objects.order_by("pk").filter(action__startswith="facility_"))
    assert [(r.action, r.organisation, r.actor) for r in records] == [
        (Action.FACILITY_CREATED, supplier.organisation, supplier.user),
        (Action.FACILITY_REPORTS_FILED, supplier.organisation, supplier.user),
        (Action.FACILITY_REPORTS_FILED, supplier.organisation, supplier.user),
        (
            Action.FACILITY_LINKED,
            procurer.organisation,
            procurer.user,
        ),  # once: the second link changed nothing
        (Action.FACILITY_UNLINKED, procurer.organisation, procurer.user),
    ]
    first, second = records[1], records[2]
    assert first.before is None and first.after == {"2025 total_energy_kwh": 2.0, "2025 it_energy_kwh": 1.0}
    assert second.before == {"2025 total_energy_kwh": 2.0, "2025 it_energy_kwh": 1.0}
    assert second.after == {"2025 total_energy_kwh": 1.5, "2025 it_energy_kwh": 1.0}
    assert records[4].before == {"facility": facility.code, "lot": hosting_lot.number}


# -- who registers a data centre ----------------------------------------------------------------------------

NEW_FACILITY = {"name": "Rekencentrum Noord", "country": "NL", "climate": "cool", "eu_database": "reports"}


def test_a_buyer_registers_the_data_centre_it_runs_itself_and_it_says_so(procurer: Persona) -> None:
    """Rijkswaterstaat runs its own data centre (public bodies own and operate data centres, and report
    them under Article 12 of the EED): Pia registers it as her organisation's own."""
    buyer = client_for(procurer)

    form = buyer.get("/datacentres/").content.decode()
    page = buyer.post(
        f"/datacentres/providers/{procurer.organisation.slug}/new/", NEW_FACILITY, follow=True
    ).content.decode()

    assert f'id="new-facility-{procurer.organisation.slug}"' in form
    facility = Facility.unscoped.get(name="Rekencentrum Noord")
    assert (facility.organisation, facility.operator) == (procurer.organisation, Facility.Operator.OWN)
    assert str(Facility.Operator.OWN.label) in page


def test_a_buyer_cannot_register_a_providers_data_centre_nor_one_in_another_organisations_name(
    procurer: Persona, supplier: Persona
) -> None:
    """A provider's data centre (colocation, hosting, cloud) is the provider's to register; the buyer
    links it to its lot with the code the provider gives, and registers nothing in another's name."""
    buyer = client_for(procurer)

    refused = buyer.post(
        f"/datacentres/providers/{procurer.organisation.slug}/new/",
        {**NEW_FACILITY, "operator": "service"},
        follow=True,
    ).content.decode()
    elsewhere = buyer.post(f"/datacentres/providers/{supplier.organisation.slug}/new/", NEW_FACILITY)
    with pytest.raises(ValidationError):
        actions.create_facility(
            provider=procurer.organisation,
            acting_user=procurer.user,
            operator="service",
            name="X",
            country="NL",
        )

    # the buyer's form has no choice of operator: what it registers is its own, whatever is posted
    assert Facility.unscoped.get().operator == Facility.Operator.OWN and "A provider&#x27;s" not in refused
    assert elsewhere.status_code == 404
    assert not Facility.unscoped.filter(organisation=supplier.organisation).exists()


def test_a_provider_registers_the_data_centre_it_runs_for_its_customers(supplier: Persona) -> None:
    page = client_for(supplier).post(
        f"/datacentres/providers/{supplier.organisation.slug}/new/",
        {**NEW_FACILITY, "operator": "service"},
        follow=True,
    )

    assert page.status_code == 200
    assert Facility.unscoped.get().operator == Facility.Operator.SERVICE


def test_correcting_a_year_starts_from_what_was_filed_and_keeps_the_rest(
    supplier: Persona, facility: Facility
) -> None:
    """Sam, the provider, typed 9,100,000 kWh instead of 9,400,000 for 2024. "Correct 2024" fills the
    form with the year's values, so that filing it again changes the one value and keeps the others;
    before, the form came empty and filing it again erased every value he did not retype."""
    actions.file_reports(
        facility=facility,
        years=[
            (2024, {"total_energy_kwh": 9_100_000.0, "it_energy_kwh": 7_200_000.0, "water_input_m3": 1900.0})
        ],
        via="form",
        acting_user=supplier.user,
    )
    client = client_for(supplier)

    page = client.get(f"/datacentres/{facility.pk}/")
    assert 'href="?year=2024#file-year"' in page.content.decode()
    form = client.get(f"/datacentres/{facility.pk}/?year=2024").context["form"]
    assert form["year"].value() == 2024
    assert (form["it_energy_kwh"].value(), form["water_input_m3"].value()) == (7_200_000.0, 1900.0)

    posted = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    client.post(f"/datacentres/{facility.pk}/file/", {**posted, "total_energy_kwh": "9400000"})

    report = FacilityReport.objects.get(facility=facility, year=2024)
    assert (report.total_energy_kwh, report.it_energy_kwh, report.water_input_m3) == (
        9_400_000.0,
        7_200_000.0,
        1900.0,
    )


def test_a_reader_of_the_provider_and_the_buyer_get_no_correction_form(
    procurer: Persona, hosting_lot: Any, facility: Facility, supplier: Persona
) -> None:
    actions.file_reports(
        facility=facility, years=[(2024, {"total_energy_kwh": 10.0})], via="form", acting_user=supplier.user
    )
    actions.link_facility_to_lot(lot=hosting_lot, facility_code=facility.code, acting_user=procurer.user)

    page = client_for(procurer).get(f"/datacentres/{facility.pk}/?year=2024")

    assert page.status_code == 200 and page.context["form"] is None
    assert "correct-year" not in page.content.decode()


def test_the_provider_sees_which_buyers_read_its_reports_and_of_their_tender_only_the_reference(
    supplier: Persona, procurer: Persona, facility: Facility, hosting_lot: Any, other_supplier: Persona
) -> None:
    """Sid gave DC One's code in his offer to Rijkswaterstaat. His facility page says who reads the
    reports (the buyer, its tender's reference and the lot), and that nobody does before the link;
    before, a provider could not tell whether its code had been used, nor by whom."""
    provider = client_for(supplier)
    before = provider.get(f"/datacentres/{facility.pk}/").content.decode()
    assert 'id="readers"' in before and "RWS-DC-1" not in before

    actions.link_facility_to_lot(lot=hosting_lot, facility_code=facility.code, acting_user=procurer.user)

    readers = (
        provider.get(f"/datacentres/{facility.pk}/")
        .content.decode()
        .split('id="readers"')[1]
        .split("</p>")[0]
    )
    assert procurer.organisation.name in readers and "RWS-DC-1" in readers
    assert hosting_lot.tender.title not in readers  # the tender's reference, not its contents
    # the buyer's page has no such line, and another provider still does not reach the facility at all
    assert 'id="readers"' not in client_for(procurer).get(f"/datacentres/{facility.pk}/").content.decode()
    assert client_for(other_supplier).get(f"/datacentres/{facility.pk}/").status_code == 404


def test_a_flag_and_a_check_join_their_label_as_french_does(
    supplier: Persona, procurer: Persona, facility: Facility, hosting_lot: Any
) -> None:
    """A French reader met "Manquant: …" and "…(PUE): 1,26": the template glued the label and ':'
    itself; the language's own joining puts a no-break space before the colon."""
    actions.file_reports(
        facility=facility,
        years=[(2025, {"total_energy_kwh": 12.6, "it_energy_kwh": 10.0})],
        via="form",
        acting_user=supplier.user,
    )
    actions.link_facility_to_lot(lot=hosting_lot, facility_code=facility.code, acting_user=procurer.user)
    with translation.override("fr"):
        missing, pue = (
            str(translation.gettext("Missing")),
            str(translation.gettext("Power usage effectiveness (PUE)")),
        )
        join = translation.gettext("%(column)s: %(message)s")

    page = (
        client_for(procurer).get(f"/datacentres/{facility.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )

    assert "\u00a0:" in join  # the catalogue's own joining (a no-break space before the colon)
    flags = page.split('class="findings"')[1].split("</ul>")[0]
    assert f"<strong>{escape(join % {'column': missing, 'message': ''})}</strong>" in flags
    assert f"{missing}:" not in flags
    checks = page.split('class="checks tender-checks"')[1].split("</table>")[0]
    assert escape(join % {"column": pue, "message": "1,26"}) in checks


def test_where_a_missing_value_is_asked_for_and_the_pacts_target_read_in_the_readers_language(
    supplier: Persona, facility: Facility
) -> None:
    """The flag of a missing value named its place as the core writes it ('2024/1364 Annex II (total
    water input)', English words on a French page), and the Pact's source glued ': ' to its target."""
    from cfit.datacentres.indicators import CNDCP_SOURCE

    actions.file_reports(
        facility=facility,
        years=[(2025, {"total_energy_kwh": 12.6, "it_energy_kwh": 10.0})],
        via="form",
        acting_user=supplier.user,
    )
    client = client_for(supplier)

    english = client.get(f"/datacentres/{facility.pk}/").content.decode()
    french = client.get(f"/datacentres/{facility.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "not reported (asked by Delegated Regulation (EU) 2024/1364, Annex II)" in english
    assert "(total water input)" not in french.split('class="findings"')[1].split("</ul>")[0]
    pact = french.split('class="checks pact-checks"')[1].split("</table>")[0]
    assert f"{CNDCP_SOURCE}\u00a0: " in pact
