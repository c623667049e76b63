"""Market monitoring (``cfit.notices``, issue 12 item 4): storing notices per notice and idempotently,
the market page's figures against hand counts, its downloads, linking notices to cfit tenders, the
monitoring pre-fill from notices published outside cfit, and who sees a link. Small fixture files:
the made-up notices of ``cfit/notices/examples`` (6 eForms, 2 OCDS; 7 buy ICT)."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from cfit.accounts.scoping import system_scope
from cfit.audit.models import AuditRecord
from cfit.demo.notices import EXAMPLES
from cfit.monitoring.actions import open_campaign, start_report
from cfit.monitoring.prefill import prefill
from cfit.notices.actions import import_notices
from cfit.notices.linking import TenderIndex, TenderKey, procedure_uuid, title_similarity
from cfit.notices.market import Filters, market
from cfit.notices.models import PREFILLED_FROM_NOTICES, Notice, NoticeCriterion, NoticeLink
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender
from tests.conftest import Persona

LAPTOPS = "1d6b0c7e-2f0a-4c51-9a7e-000000000001"  # Rijkswaterstaat, reference RWS-2027-001
NETWORK = "1d6b0c7e-2f0a-4c51-9a7e-000000000002"  # Rijkswaterstaat, not a cfit tender
LYON = "1d6b0c7e-2f0a-4c51-9a7e-000000000003"  # Ville de Lyon, no reference: by title


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    folder = tmp_path / "notices"
    shutil.copytree(EXAMPLES, folder)
    return folder


@pytest.fixture
def tenders(framework: Any, procurer: Persona, outsider: Persona) -> dict[str, Tender]:
    """Rijkswaterstaat's laptop tender (published in 2026) and Ville de Lyon's refurbished PCs."""
    rws = tender_actions.create_tender(
        procurer.organisation, title="Laptops en beeldschermen 2027", reference="RWS-2027-001",
        language="nl", acting_user=None,
    )  # fmt: skip
    lyon = tender_actions.create_tender(
        outsider.organisation, title="Postes de travail reconditionnés", reference="LYON-2027-INF-04",
        language="fr", acting_user=None,
    )  # fmt: skip
    Tender.unscoped.filter(pk=rws.pk).update(
        status="published", published_at=datetime(2026, 2, 1, tzinfo=UTC)
    )
    return {"rws": rws, "lyon": lyon}


# --- storing ---------------------------------------------------------------------------------------


def test_importing_twice_changes_nothing_and_a_new_version_updates(db: Any, examples: Path) -> None:
    first = import_notices([examples])
    rows = sorted(Notice.objects.values_list("source", "notice_id", "version", "fingerprint"))
    matches = NoticeCriterion.objects.count()

    again = import_notices([examples])

    assert (first.created, first.updated, first.refused) == (8, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert sorted(Notice.objects.values_list("source", "notice_id", "version", "fingerprint")) == rows
    assert NoticeCriterion.objects.count() == matches > 0

    path = examples / "dk-aarhus-servers.xml"
    original = path.read_text(encoding="utf-8")
    path.write_text(
        original.replace("<cbc:VersionID>01", "<cbc:VersionID>02").replace(
            "Servere og lagring", "Servere og lagring, rettet"
        ),
        encoding="utf-8",
    )
    changed = import_notices([path])
    notice = Notice.objects.get(notice_id__endswith="000000000004")
    assert (changed.updated, notice.version, notice.title) == (1, "02", "Servere og lagring, rettet")
    assert Notice.objects.count() == 8

    # An older version read after the newer one is left aside.
    path.write_text(original.replace("Servere og lagring", "Gammel titel"), encoding="utf-8")
    older = import_notices([path])
    assert (older.unchanged, Notice.objects.get(pk=notice.pk).version) == (1, "02")

    audit = AuditRecord.objects.filter(action=AuditRecord.Action.NOTICES_IMPORTED)
    assert audit.count() == 4 and audit.first().actor is None  # a command run: the platform itself


def test_a_release_twice_in_one_run_is_stored_once_and_stays_so(db: Any, tmp_path: Path) -> None:
    package = (EXAMPLES / "ocds-releases.json").read_text(encoding="utf-8")
    (tmp_path / "a.json").write_text(package, encoding="utf-8")
    (tmp_path / "b.json").write_text(
        package.replace("Managed cloud hosting", "Other hosting"), encoding="utf-8"
    )

    first, second = import_notices([tmp_path]), import_notices([tmp_path])

    assert (first.created, first.unchanged) == (2, 2) and (second.updated, second.unchanged) == (0, 4)
    leeds = Notice.objects.get(buyer_name="Leeds City Council")
    assert leeds.title == "Managed cloud hosting services"  # the first read is kept
    assert leeds.notice_id == "ocds-b5fd17-demo-0002-tender-2026-01-12"  # already carries its ocid


def test_the_command_can_store_only_ict_notices(db: Any, examples: Path) -> None:
    out = io.StringIO()
    call_command(
        "notices", "import", str(examples), "--ict", "--batch", "3", stdout=out, stderr=io.StringIO()
    )

    assert "7 new, 0 updated, 0 unchanged, 0 refused, 1 not ICT skipped" in out.getvalue()
    assert not Notice.objects.filter(ict=False).exists()


def test_a_bad_notice_is_named_and_the_others_are_kept(db: Any, examples: Path) -> None:
    good = (examples / "es-madrid-monitors.xml").read_bytes()
    (examples / "truncated.xml").write_bytes(good[: len(good) // 2])
    (examples / "laughs.xml").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>'
    )
    package = (examples / "ocds-releases.json").read_text(encoding="utf-8")
    (examples / "ocds-releases.json").write_text(
        package.replace('"releases": [', '"releases": [42, '), encoding="utf-8"
    )

    run = import_notices([examples])

    assert (run.created, run.refused) == (8, 3)
    where = {p["where"]: p["reason"] for p in run.problems}
    assert "not well-formed" in where[str(examples / "truncated.xml")]
    assert "entity" in where[str(examples / "laughs.xml")]
    assert any(w.startswith(str(examples / "ocds-releases.json")) for w in where)

    err = io.StringIO()
    with pytest.raises(CommandError, match="3 notice"):
        call_command("notices", "import", str(examples), stderr=err, stdout=io.StringIO())
    assert "truncated.xml: " in err.getvalue() and "not well-formed" in err.getvalue()
    assert Notice.objects.count() == 8


# --- the market page -------------------------------------------------------------------------------


def test_the_market_figures_are_the_hand_counts(db: Any, examples: Path) -> None:
    import_notices([examples])

    found = market(Filters(by="country"))

    # 7 ICT notices (the Kraków furniture is not ICT); BT-06 used: Rijkswaterstaat laptops, Lyon,
    # Madrid; BT-805 the same three; a framework criterion in the texts: those three and Lisbon.
    assert (found.total.notices, found.total.strategic, found.total.gpp, found.total.criteria) == (7, 3, 3, 4)
    by_country = {r.key: (r.notices, r.strategic, r.gpp, r.criteria) for r in found.rows}
    assert by_country == {
        "NL": (2, 1, 1, 1), "FR": (1, 1, 1, 1), "ES": (1, 1, 1, 1), "PT": (1, 0, 0, 1),
        "DK": (1, 0, 0, 0), "GB": (1, 0, 0, 0),
    }  # fmt: skip
    by_year = {r.key: (r.notices, r.strategic, r.gpp, r.criteria) for r in market(Filters(by="year")).rows}
    assert by_year == {"2025": (3, 1, 1, 2), "2026": (4, 2, 2, 2)}
    madrid = Client().get("/market/", {"buyer": "ayuntamiento de madrid"}).content.decode()
    assert (
        "1 ICT notice in this selection" in madrid and "download.csv?buyer=ayuntamiento+de+madrid" in madrid
    )
    dutch = market(Filters(by="buyer", country="NL"))
    assert [(r.label, r.notices) for r in dutch.rows] == [("Rijkswaterstaat", 2)]
    notebooks = market(Filters(group="notebooks"))
    assert notebooks.total.notices == 3  # Rijkswaterstaat laptops, Lyon's workstations, Lisbon
    ecolabel = {c.criterion: c.notices for c in found.criteria if c.criterion.startswith("wc-ecolabel")}
    assert ecolabel and max(ecolabel.values()) == 2  # TCO Certified: Rijkswaterstaat and Madrid

    english = Client().get("/market/", {"by": "year"}, headers={"accept-language": "en"})
    assert english.status_code == 200
    text = english.content.decode()
    assert "7 ICT notices in this selection" in text and "42.9 % (3 of 7)" in text and "chart-market" in text
    assert "How these figures are made" in text and "own-notices" not in text
    assert text.count('<option value="NL"') == 1 and text.count('<option value="2026"') == 1  # each once
    dutch_page = Client(headers={"accept-language": "nl"}).get("/market/").content.decode()
    assert "42,9" in dutch_page  # numbers in the reader's locale


def test_the_market_downloads_hold_every_figure_with_its_n(db: Any, examples: Path) -> None:
    madrid = examples / "es-madrid-monitors.xml"
    madrid.write_text(
        madrid.read_text(encoding="utf-8").replace("Ayuntamiento de Madrid", "=HYPERLINK(1)"),
        encoding="utf-8",
    )
    import_notices([examples])
    client = Client()

    response = client.get("/market/download.csv", {"by": "buyer"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"].startswith("attachment")
    assert rows[0][:6] == ["breakdown", "group", "measure", "ICT notices", "notices using it", "share (%)"]
    assert ["buyer", "all", "strategic procurement (BT-06)", "7", "3", "42.9"] in [r[:6] for r in rows]
    assert ["buyer", "'=HYPERLINK(1)", "green procurement criteria (BT-805)", "1", "1", "100.0"] in [
        r[:6] for r in rows
    ]
    assert any(r[2].startswith("criterion wc-ecolabel") and r[1] == "Rijkswaterstaat" for r in rows)

    book = load_workbook(io.BytesIO(client.get("/market/download.xlsx", {"by": "buyer"}).content))
    cells = [[c.value for c in row] for row in book.active.iter_rows()]
    assert ["buyer", "all", "strategic procurement (BT-06)", 7, 3, 42.9] in [r[:6] for r in cells]
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)
    assert client.get("/market/download.pdf").status_code == 404


# --- linking, the tender page, the pre-fill --------------------------------------------------------


def test_notices_are_linked_by_reference_and_by_title(
    db: Any, examples: Path, tenders: dict[str, Tender]
) -> None:
    run = import_notices([examples])

    with system_scope():
        links = {link.notice.notice_id: link for link in NoticeLink.objects.select_related("notice")}
    assert run.linked == 2 and set(links) == {LAPTOPS, LYON}
    assert (links[LAPTOPS].tender_id, links[LAPTOPS].basis) == (tenders["rws"].pk, "reference")
    assert (links[LYON].tender_id, links[LYON].basis) == (tenders["lyon"].pk, "title")
    assert links[LYON].similarity is not None and links[LYON].similarity >= 0.8
    assert links[LYON].organisation_id == tenders["lyon"].organisation_id
    assert Notice.objects.get(notice_id=NETWORK).buyer_organisation_id == tenders["rws"].organisation_id

    # A tender made after its notice was imported is linked by ``cfit notices link``.
    network = tender_actions.create_tender(
        tenders["rws"].organisation, title="Netwerk", reference="RWS 2026 NET 7", acting_user=None
    )
    out = io.StringIO()
    call_command("notices", "link", stdout=out)
    assert "3 notice(s) linked" in out.getvalue()
    with system_scope():
        assert NoticeLink.objects.get(notice__notice_id=NETWORK).tender_id == network.pk


def test_the_link_rules() -> None:
    rws = TenderKey(7, 1, "RWS-2027-001", "Laptops en beeldschermen 2027")
    index = TenderIndex([rws, TenderKey(8, 2, "RWS-2027-001", "Laptops")])

    # cfit's own export: the procedure id says which tender, whoever the buyer is named
    assert (
        index.find(procedure_id=procedure_uuid(7), reference="", title="", organisation_id=None).basis
        == "procedure"
    )
    assert index.find(procedure_id="", reference="rws 2027/001", title="", organisation_id=1).tender == rws
    # the same reference at another buyer is not this tender; nor is a reference without a known buyer
    assert index.find(procedure_id="", reference="RWS-2027-001", title="x", organisation_id=None) is None
    assert index.find(procedure_id="", reference="", title="Smartphones 2027", organisation_id=1) is None
    assert (
        title_similarity("Laptops en beeldschermen 2027", "LAPTOPS EN BEELDSCHERMEN 2027 – Rijkswaterstaat")
        >= 0.8
    )


def test_the_link_shows_only_to_the_tender_s_organisation(
    db: Any, examples: Path, tenders: dict[str, Tender], procurer: Persona, outsider: Persona
) -> None:
    import_notices([examples])
    own, other, anonymous = Client(), Client(), Client()
    own.force_login(procurer.user)
    other.force_login(outsider.user)

    page = own.get(f"/tenders/{tenders['rws'].pk}/").content.decode()
    assert "published-notices" in page and LAPTOPS in page and "linked by" in page
    market_page = own.get("/market/").content.decode()
    assert "own-notices" in market_page and "RWS-2027-001" in market_page

    theirs = other.get("/market/").content.decode()
    assert "RWS-2027-001" not in theirs and "LYON-2027-INF-04" in theirs  # Lyon sees its own only
    assert other.get(f"/tenders/{tenders['rws'].pk}/").status_code in (403, 404)
    assert "own-notices" not in anonymous.get("/market/").content.decode()
    assert "RWS-2027-001" not in anonymous.get("/market/download.csv", {"by": "buyer"}).content.decode()


def test_the_pre_fill_counts_tenders_published_outside_cfit(
    db: Any, examples: Path, tenders: dict[str, Tender], procurer: Persona
) -> None:
    before = prefill(procurer.organisation, 2026)[("tenders_run", "")]
    import_notices([examples])

    figure = prefill(procurer.organisation, 2026)[("tenders_run", "")]

    # one cfit tender published in 2026 (its notice is linked: not counted twice) + the network notice
    assert before.value == 1 and before.method == ""
    assert figure.value == 2 and figure.method == PREFILLED_FROM_NOTICES
    assert [s["id"] for s in figure.sources] == [NETWORK]
    assert ("tenders_run", "") not in prefill(procurer.organisation, 2025)

    campaign = open_campaign(
        year=2026, group=None, title="Monitoring 2026", opens=date(2027, 1, 15), deadline=date(2027, 3, 31),
        acting_user=None,
    )  # fmt: skip
    report = start_report(campaign, procurer.organisation, acting_user=None)
    client = Client()
    client.force_login(procurer.user)
    page = client.get(f"/monitoring/reports/{report.pk}/").content.decode()
    assert "Pre-filled from published notices: 1 tender published outside cfit is counted" in page
    assert NETWORK in page


def test_the_secretariat_uploads_notices_and_nobody_else_does(
    db: Any, secretary: Persona, procurer: Persona
) -> None:
    laptops = (EXAMPLES / "nl-rijkswaterstaat-laptops.xml").read_bytes()
    broken = SimpleUploadedFile("broken.xml", laptops[:300])
    staff, other = Client(), Client()
    staff.force_login(secretary.user)
    other.force_login(procurer.user)

    upload = SimpleUploadedFile("nl-laptops.xml", laptops, content_type="application/xml")
    page = staff.post("/market/import/", {"file": upload}, follow=True).content.decode()
    assert "1 new, 0 updated, 0 unchanged, 0 refused" in page and "notice-import" in page
    refused = staff.post("/market/import/", {"file": broken}, follow=True).content.decode()
    assert "broken.xml: not well-formed XML" in refused and "cfit-notices-" not in refused

    assert other.post("/market/import/", {"file": SimpleUploadedFile("x.xml", laptops)}).status_code == 403
    assert "notice-import" not in other.get("/market/").content.decode()
    assert Client().post("/market/import/", {"file": SimpleUploadedFile("x.xml", laptops)}).status_code == 302
    assert Notice.objects.count() == 1


# --- Norwegian is one language ----------------------------------------------------------------------


def test_norwegian_notices_are_one_language_however_they_are_coded(db: Any, tmp_path: Path) -> None:
    """eForms writes Norwegian 'NOR', an OCDS publisher 'no' (ISO 639-1) and the UI says 'nb': a notice
    is stored as 'nb' whichever it was, and the ones stored before are moved to it."""
    import importlib

    from django.apps import apps

    from cfit.notices.codes import language_alpha_2

    laptops = (EXAMPLES / "nl-rijkswaterstaat-laptops.xml").read_text(encoding="utf-8")
    code = laptops.split("<cbc:NoticeLanguageCode>")[1].split("<")[0]
    norwegian = laptops.replace(f"<cbc:NoticeLanguageCode>{code}<", "<cbc:NoticeLanguageCode>NOR<")
    (tmp_path / "nor.xml").write_text(norwegian.replace(f'languageID="{code}"', 'languageID="NOR"'), "utf-8")
    import_notices([tmp_path / "nor.xml"], acting_user=None)
    earlier = Notice.objects.create(source="ocds", notice_id="ocds-x-1/1", language="no", ict=True)
    migration = importlib.import_module("cfit.notices.migrations.0003_first_published_and_norwegian_as_nb")

    migration.norwegian_as_nb(apps, None)

    assert [language_alpha_2(c) for c in ("no", "NOR", "nob", "NO", "nno", "nn")] == ["nb"] * 4 + ["nn"] * 2
    assert Notice.objects.get(source="eforms").language == "nb"
    earlier.refresh_from_db()
    assert earlier.language == "nb"
    assert set(Notice.objects.values_list("language", flat=True)) == {"nb"}
