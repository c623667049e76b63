"""Arne, asset manager, ticks two laptops on the asset list and retires them in one go, then applies his
disposal partner's report for the others through its steps, in the browser."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.fleet.models import Asset

from ..conftest import make_persona
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = """Asset Tag;Date Received;Sanitization Method;Certificate Number;Final Destination
RWS-3;2025-06-10;NIST SP 800-88 Purge;C-3;Resold
RWS-4;2025-06-10;NIST SP 800-88 Destroy;C-4;Recycled (WEEE)
"""


def test_an_asset_manager_retires_ticked_lines_and_applies_a_partners_report(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    arne = make_persona(
        "arne", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )
    with system_scope():
        Asset.unscoped.bulk_create(
            Asset(
                organisation=arne.organisation,
                asset_key=f"RWS-{i}",
                product_group="notebooks",
                manufacturer="Dell",
                model="Latitude 5420",
                purchase_date=date(2021, 3, 1),
                country="NL",
            )  # fmt: skip
            for i in range(1, 5)
        )
    report = tmp_path / "itad.csv"
    report.write_text(REPORT, encoding="utf-8")
    sign_in(page, live_server.url, arne.user.username)

    page.goto(f"{live_server.url}/fleet/rijkswaterstaat/assets/")
    page.get_by_label("RWS-1", exact=True).check()
    page.get_by_label("RWS-2", exact=True).check()
    page.get_by_role("button", name="Retire the lines ticked").click()
    page.wait_for_selector("#retire-form")
    assert "2 lines" in page.locator("#retire-count").inner_text()
    page.fill("#id_date", "2025-05-02")
    page.select_option("#id_end_of_use_route", "refurbished")
    page.select_option("#id_sanitisation_method", "ieee_purge")
    page.locator("#retire-form button").click()
    page.wait_for_selector("#assets")

    page.click("#disposal-link")
    page.set_input_files("#id_file", str(report))
    page.locator("#report-upload button").click()
    page.wait_for_selector("#columns-form")
    assert page.get_by_label("Final Destination").input_value() == "end_of_use_route"
    page.locator("#columns-form button").click()
    page.wait_for_selector("#words-form")
    page.locator("#words-form button").click()
    page.wait_for_selector("#report-preview")
    assert "2 lines will be retired" in page.locator("#report-preview").inner_text()
    page.locator("#confirm-form button").click()
    page.wait_for_selector("#report-done")

    with system_scope():
        lines = dict(
            Asset.unscoped.filter(organisation=arne.organisation).values_list("asset_key", "end_of_use_route")
        )
    assert lines == {"RWS-1": "refurbished", "RWS-2": "refurbished", "RWS-3": "reuse", "RWS-4": "recycled"}
