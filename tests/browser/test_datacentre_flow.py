"""A provider adds its data centre, downloads the reporting template, fills it as a spreadsheet user would
(one year without water data but with a stated WUE, one year with IT energy above the total) and uploads
it; the flags show with clear messages. The buyer links the data centre to its hosting lot with the code
from the offer and sees the check against its tender's criteria."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from cfit.criteria.models import FrameworkVersion
from cfit.tenders import actions as tender_actions

from .test_library import shot
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_files_through_the_template_and_the_buyer_sees_the_check(
    live_server: Any, page: Any, framework: FrameworkVersion, supplier: Any, procurer: Any, tmp_path: Path
) -> None:
    tender = tender_actions.create_tender(
        procurer.organisation, title="Hosting", reference="RWS-DC-9", acting_user=procurer.user
    )
    lot = tender_actions.add_lot(tender, product_group="data-centre-services", acting_user=procurer.user)
    if not lot.lot_criteria.filter(criterion__code="dc-pue-a").exists():
        tender_actions.add_criterion(lot, "dc-pue-a", acting_user=procurer.user)
    base = live_server.url
    slug = supplier.organisation.slug
    sign_in(page, base, supplier.user.username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data centres").click()
    page.click(f"#add-facility-{slug} summary")
    page.fill("#id_name", "Polder DC Test")
    page.fill("#id_country", "NL")
    page.fill("#id_operating_since", "2016")
    page.locator(f"#new-facility-{slug} button").click()
    code = page.locator("#facility-code").inner_text()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data centres").click()
    with page.expect_download() as info:
        page.click(f"#template-{slug}")
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    sheet = book["reports"]
    headers = [c.value for c in sheet[1]]
    assert sheet.cell(row=3, column=1).value == code

    def put(row: int, key: str, value: Any) -> None:
        sheet.cell(row=row, column=headers.index(key) + 1, value=value)

    put(3, "year", 2024)
    put(3, "total_energy_kwh", 9_100_000)
    put(3, "it_energy_kwh", 7_200_000)
    put(3, "renewable_energy_kwh", 8_000_000)
    put(3, "stated_wue", 0.35)  # water input left empty
    put(4, "facility_code", code)
    put(4, "year", 2025)
    put(4, "total_energy_kwh", "3.000.000")
    put(4, "it_energy_kwh", 3_300_000)
    put(4, "water_input_m3", 1900)
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    page.click(f"#upload-{slug}")
    page.set_input_files("#id_file", str(filled))
    page.locator("#template-upload button").click()
    page.get_by_role("link", name="Polder DC Test").click()

    flags_2025 = page.locator("#year-2025 .findings").inner_text()
    flags_2024 = page.locator("#year-2024 .findings").inner_text()
    assert "PUE 0.909 is below 1.0, which is impossible" in flags_2025
    assert "WUE 0.35 is stated without the water data" in flags_2024
    assert "Total water input (m³): not reported" in flags_2024
    shot(page, "datacentre-flags")

    page.context.clear_cookies()
    sign_in(page, base, procurer.user.username)
    page.goto(f"{base}/tenders/{tender.pk}/")
    page.click("#tender-datacentres")
    page.select_option("#id_lot", str(lot.pk))
    page.fill("#id_code", code)
    page.locator("#link-facility button").click()
    page.get_by_role("link", name="Polder DC Test").click()

    checks = page.locator("#year-2024 .tender-checks").inner_text()
    assert "RWS-DC-9, lot 1: dc-pue-a (dc-pue-a.pue-cool-climate)" in checks
    assert "≤ 1.3" in checks and "1.26" in checks and "meets" in checks  # 9.1 / 7.2 GWh
    # the impossible PUE of 2025 is flagged, never counted as meeting the limit
    assert "not reported: cannot be checked" in page.locator("#year-2025 .tender-checks").inner_text()
    shot(page, "datacentre-buyer-checks")
