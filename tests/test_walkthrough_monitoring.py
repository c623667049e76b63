"""A new user's walk through monitoring, collective results and the public pages: what each persona met,
held as tests (each failed before its fix).

Personas: Coco runs the Dutch group (her ministry, Rijkswaterstaat, Utrecht, Delft, Leiden); Pia is
procurer at Rijkswaterstaat; Louise (Lyon) belongs to no group; Sam is the secretariat.
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from cfit.accounts.models import Membership, Organisation
from cfit.monitoring import actions
from cfit.monitoring.models import Campaign, Report
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership
from tests.conftest import Persona
from tests.test_monitoring_publication import signed_in

pytestmark = pytest.mark.django_db
Type = Organisation.Type
User = get_user_model()


@pytest.fixture
def nl(coordinator: Persona, procurer: Persona) -> dict[str, Any]:
    group = pact.create_buyer_group(
        coordinator.organisation, name="NL group", slug="nl", country="NL", language="nl"
    )
    members = [coordinator.organisation, procurer.organisation] + [
        Organisation.objects.create(slug=s, name=s.title(), country="NL", type=Type.PROCURING_PARTICIPANT)
        for s in ("utrecht", "delft", "leiden")
    ]
    for organisation in members[1:]:
        GroupMembership.objects.create(group=group, organisation=organisation, state="active")
    campaign = actions.open_campaign(
        year=2025,
        group=group,
        title="NL 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    return {"group": group, "campaign": campaign, "members": members}


@pytest.fixture
def pact_wide() -> Campaign:
    return actions.open_campaign(
        year=2025,
        group=None,
        title="Pact 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 4, 1),
        acting_user=None,
    )


def _open_campaigns(page: str) -> list[str]:
    found = re.search(r'<ul id="open-campaigns">(.*?)</ul>', page, re.S)
    assert found is not None
    return re.findall(r"<li>(.*?)</li>", found.group(1), re.S)


def test_a_member_starting_its_report_from_the_pact_wide_campaign_reports_to_its_group(
    nl: dict[str, Any], pact_wide: Campaign, coordinator: Persona, procurer: Persona, secretary: Persona
) -> None:
    """Pia saw two open campaigns, each with its own 'Start the report' button and, once started, each
    linking to the same report as 'Your report'. Starting it from the pact-wide campaign sent it to the
    secretariat: Coco's campaign listed it without a decision, and its shared details never opened."""
    pia = signed_in(procurer)
    before = _open_campaigns(pia.get("/monitoring/").content.decode())

    pia.post(f"/monitoring/campaigns/{pact_wide.pk}/start/rijkswaterstaat/")
    report = Report.objects.get(organisation=procurer.organisation, year=2025)
    actions.save_values(report, {("units_new", "notebooks"): 3}, shared=True, acting_user=None)
    actions.submit(report, acting_user=None)
    after = _open_campaigns(pia.get("/monitoring/").content.decode())
    coco = signed_in(coordinator).get(f"/monitoring/campaigns/{nl['campaign'].pk}/").content.decode()
    sam = signed_in(secretary).get(f"/monitoring/campaigns/{pact_wide.pk}/").content.decode()

    assert report.campaign == nl["campaign"]
    assert [item.count("Start the report") for item in before] == [0, 1]  # Pact 2025, then NL 2025
    assert "Answered by the same report, which NL 2025 reviews." in before[0]
    assert "Answered by the same report, which NL 2025 reviews." in after[0]
    assert "Answered by the same report" not in after[1]
    assert f'href="/monitoring/reports/{report.pk}/"' in coco and 'name="decision"' in coco
    assert f'href="/monitoring/reports/{report.pk}/"' not in sam and 'name="decision"' not in sam


def test_a_member_of_no_group_reports_to_the_pact_wide_campaign(
    nl: dict[str, Any], pact_wide: Campaign, outsider: Persona
) -> None:
    page = signed_in(outsider).get("/monitoring/").content.decode()

    report = actions.start_report(pact_wide, outsider.organisation, acting_user=None)

    assert report.campaign == pact_wide
    assert [item.count("Start the report") for item in _open_campaigns(page)] == [1]


def _workbook(client: Any, report: Report, cells: dict[str, Any]) -> bytes:
    book = load_workbook(io.BytesIO(client.get(f"/monitoring/reports/{report.pk}/template.xlsx").content))
    sheet = book["Report"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(5, sheet.max_row + 1)}
    for cell_id, value in cells.items():
        sheet.cell(row=rows[cell_id], column=6, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _messages(page: str) -> list[str]:
    return [
        html.unescape(m).strip()
        for m in re.findall(r'<p class="message [^"]*" role="status">(.*?)</p>', page, re.S)
    ]


def test_a_refused_workbook_is_explained_in_the_readers_language_without_internal_codes(
    nl: dict[str, Any], procurer: Persona
) -> None:
    """Pia, reading Dutch, uploaded Utrecht's workbook and then her own with a formula: the page said
    "r.xlsx: file, -: dit sjabloon is voor …" and "r.xlsx: row 9, F: een formule …" (the reader's
    internal place and field, in English)."""
    utrecht = nl["members"][2]
    report = actions.start_report(nl["campaign"], procurer.organisation, acting_user=None)
    theirs = actions.start_report(nl["campaign"], utrecht, acting_user=None)
    Membership.objects.create(user=procurer.user, organisation=utrecht, role=Membership.Role.PROCURER)
    pia = signed_in(procurer)
    other = _workbook(pia, theirs, {})
    formula = _workbook(pia, report, {"units_new|tablets": "=1+1"})
    pia.cookies["django_language"] = "nl"

    wrong = pia.post(
        f"/monitoring/reports/{report.pk}/upload/", {"file": SimpleUploadedFile("r.xlsx", other)}, follow=True
    )
    bad = pia.post(
        f"/monitoring/reports/{report.pk}/upload/",
        {"file": SimpleUploadedFile("r.xlsx", formula)},
        follow=True,
    )

    [refusal] = _messages(wrong.content.decode())
    assert refusal.startswith("r.xlsx: bestand: ") and "«Utrecht»" in refusal, refusal
    [problem] = _messages(bad.content.decode())
    assert re.fullmatch(r"r\.xlsx: rij \d+, kolom F: een formule: typ de waarde in", problem), problem


def test_a_figure_longer_than_fifteen_digits_is_refused_at_its_field_not_stored_as_another_number(
    nl: dict[str, Any], procurer: Persona
) -> None:
    """Pia typed forty nines as the new notebooks (a paste gone wrong): the page saved it and showed
    "10000000000000000303786028427003666890752" back, a number she never typed; the workbook took it too."""
    report = actions.start_report(nl["campaign"], procurer.organisation, acting_user=None)
    pia = signed_in(procurer)
    workbook = _workbook(pia, report, {"units_new|tablets": 10**40})
    pia.cookies["django_language"] = "nl"

    page = pia.post(
        f"/monitoring/reports/{report.pk}/", {"v__units_new__notebooks": "9" * 40, "save": "1"}
    ).content.decode()
    uploaded = pia.post(
        f"/monitoring/reports/{report.pk}/upload/",
        {"file": SimpleUploadedFile("r.xlsx", workbook)},
        follow=True,
    )

    error = re.search(r'id="id_v__units_new__notebooks_error"><li>(.*?)</li>', page)
    assert error is not None and "999.999.999.999.999" in html.unescape(error.group(1)), page[:0]
    [problem] = _messages(uploaded.content.decode())
    assert re.fullmatch(r"r\.xlsx: rij \d+, kolom F: .*999\.999\.999\.999\.999", problem), problem
    assert not report.values.filter(indicator="units_new", key__in=["notebooks", "tablets"]).exists()


def test_a_new_campaign_counts_its_members_before_any_report_is_in(
    nl: dict[str, Any], coordinator: Persona
) -> None:
    """Coco opened her campaign and read "Only 0 of 0 members reported" under a table of her five
    members: the count came from figures that exist only once a first report is in."""
    coco = signed_in(coordinator)

    campaign = coco.get(f"/monitoring/campaigns/{nl['campaign'].pk}/").content.decode()
    publish = coco.get(f"/monitoring/campaigns/{nl['campaign'].pk}/publish/").content.decode()

    for page in (campaign, publish):
        assert "Only 0 of 5 members reported" in page and "of 0 members" not in page


def test_a_workbook_figure_outside_its_bounds_is_named_by_row_and_column(
    nl: dict[str, Any], procurer: Persona
) -> None:
    """Pia's workbook gave embodied emissions of 5 tCO2e between 1 and 2, and use-phase emissions with a
    low bound only: the page said "Embodied emissions of the year's purchases: give a low and a high
    bound …", with neither the file nor the row, one problem at a time."""
    report = actions.start_report(nl["campaign"], procurer.organisation, acting_user=None)
    pia = signed_in(procurer)
    book = load_workbook(io.BytesIO(pia.get(f"/monitoring/reports/{report.pk}/template.xlsx").content))
    sheet = book["Report"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(5, sheet.max_row + 1)}
    for cell_id, cells in {"embodied_tco2e|": (5, 1, 2), "use_tco2e|": (5, 1, None)}.items():
        for column, value in zip((6, 7, 8), cells, strict=True):
            sheet.cell(row=rows[cell_id], column=column, value=value)
    out = io.BytesIO()
    book.save(out)

    refused = pia.post(
        f"/monitoring/reports/{report.pk}/upload/",
        {"file": SimpleUploadedFile("r.xlsx", out.getvalue())},
        follow=True,
    )

    assert _messages(refused.content.decode()) == [
        f"r.xlsx: row {rows['embodied_tco2e|']}, column F: Embodied emissions of the year's purchases: "
        "give a low and a high bound around the figure (low ≤ figure ≤ high).",
        f"r.xlsx: row {rows['use_tco2e|']}, column H: Use-phase emissions of the fleet: give both bounds, "
        "or neither.",
    ]
    assert not report.values.filter(indicator__in=["embodied_tco2e", "use_tco2e"], origin="reported").exists()


def test_a_submitted_reports_whole_figures_read_without_decimals(
    nl: dict[str, Any], procurer: Persona
) -> None:
    """Once her report was in, Pia read 152 recycled devices as "152,0" and 65 % as "65,0" in French: a
    whole figure stored as a float kept its ".0"."""
    report = actions.start_report(nl["campaign"], procurer.organisation, acting_user=None)
    actions.save_values(
        report,
        {
            ("end_of_use_units", "recycled"): 152,
            ("spend_covered_share", ""): 65,
            ("ict_spend_eur", "notebooks"): 1234567.5,
        },
        acting_user=None,
    )
    actions.submit(report, acting_user=None)
    pia = signed_in(procurer)
    pia.cookies["django_language"] = "fr"

    page = pia.get(f"/monitoring/reports/{report.pk}/").content.decode()

    assert "152,0" not in page and "65,0" not in page
    assert re.search(r">\s*152\s*<", page) and re.search(r">\s*65\s*<", page)
    assert "1\xa0234\xa0567,50" in page


def test_a_buyer_groups_reminder_is_written_in_the_groups_language(
    settings: Any, nl: dict[str, Any], procurer: Persona
) -> None:
    """The Dutch group's members were reminded in English, the deadline written 2026-03-31: the cron job
    writes in the default language, whatever the group's."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Membership.objects.create(
        user=User.objects.create_user("rita", email="rita@example.org"),
        organisation=procurer.organisation,
        role=Membership.Role.ADMIN,
    )

    actions.send_reminders(date(2026, 3, 20))
    actions.deliver_reminders()

    [reminder] = mail.outbox
    assert reminder.subject == (
        "Herinnering: uw monitoringsrapportage over 2025 moet uiterlijk 31 maart 2026 zijn ingediend"
    )
    assert (
        "NL 2025" in reminder.body and "31 maart 2026" in reminder.body and "2026-03-31" not in reminder.body
    )


@pytest.mark.parametrize("opening", [("Alpha", "Beta"), ("Beta", "Alpha")])
def test_a_report_of_a_member_of_two_groups_goes_to_the_group_it_joined_first_whichever_opens_first(
    pact_wide: Campaign, coordinator: Persona, procurer: Persona, opening: tuple[str, str]
) -> None:
    """Rijkswaterstaat joined the Beta group in 2024 and the Alpha group in 2025. Its draft, started from
    the pact-wide campaign, moved to whichever group opened its campaign first, and stayed there: the
    coordinators' order of opening decided who reviewed it. Now it goes to the group it joined first,
    whatever the order."""
    from datetime import datetime

    groups = {}
    for name, joined in (
        ("Beta", datetime(2024, 3, 1, tzinfo=UTC)),
        ("Alpha", datetime(2025, 3, 1, tzinfo=UTC)),
    ):
        groups[name] = pact.create_buyer_group(
            coordinator.organisation, name=name, slug=name.lower(), country="NL", language="nl"
        )
        GroupMembership.objects.create(
            group=groups[name], organisation=procurer.organisation, state="active", decided=joined
        )
    report = actions.start_report(pact_wide, procurer.organisation, acting_user=None)
    assert report.campaign == pact_wide

    campaigns = {
        name: actions.open_campaign(
            year=2025, group=groups[name], title=f"{name} 2025", opens=date(2026, 1, 1),
            deadline=date(2026, 3, 31), acting_user=None,
        )
        for name in opening
    }  # fmt: skip

    report.refresh_from_db()
    assert report.campaign == campaigns["Beta"]
    # A report started now goes there too.
    Report.objects.filter(pk=report.pk).delete()
    assert (
        actions.start_report(pact_wide, procurer.organisation, acting_user=None).campaign == campaigns["Beta"]
    )
