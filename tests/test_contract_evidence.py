"""What a supplier hands in as evidence, as the tester found it: a program accepted as a document, a
share of 250 %, a Dutch "1.234" devices stored as 1.234, a figure labelled by its internal key.

Sid (supplier, Green Refurb) delivers through his pages; Pia (procurer, Rijkswaterstaat) checks.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cfit.contracts import actions
from cfit.contracts.models import Contract, Obligation, Submission
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion

from .conftest import PASSWORD, Persona
from .contract_helpers import pdf, workbook

pytestmark = pytest.mark.django_db

#: The first bytes of a Windows program (the "MZ" header and the DOS stub's message).
PROGRAM = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"This program cannot be run in DOS mode.\r\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)


def signed_in(persona: Persona, language: str = "en") -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def clause_contract(
    procurer: Persona, supplier: Persona, framework: FrameworkVersion, *codes: str
) -> Contract:
    """A contract carrying the clauses ``codes`` (by criterion id or topic), delivered to by Sid."""
    criteria = []
    for code in codes:
        criterion = (
            Criterion.objects.filter(version=framework, code=code).first()
            or Criterion.objects.filter(
                version=framework, topic__contains=code, type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE
            ).first()
        )
        assert criterion is not None, code
        criteria.append((criterion, CriterionType.CONTRACT_PERFORMANCE_CLAUSE))
    return actions.create_contract(
        procurer.organisation, reference=f"EV-{'-'.join(codes)}"[:64], title="Laptops", supplier_name="Green Refurb",
        supplier_organisation=supplier.organisation, value=Decimal(1000), start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31), framework_version=framework, criteria=criteria, acting_user=procurer.user,
    )  # fmt: skip


def deliver_page(client: Client, obligation: Obligation, data: dict[str, Any]) -> Any:
    return client.post(
        f"/contracts/supplier/{obligation.contract_id}/obligations/{obligation.pk}/",
        {"form": "deliver", **data},
    )


@pytest.fixture
def document(procurer: Persona, supplier: Persona, framework: FrameworkVersion) -> Obligation:
    return document_obligation(procurer, supplier, framework)


def document_obligation(procurer: Persona, supplier: Persona, framework: FrameworkVersion) -> Obligation:
    """Yearly evidence of a clause whose requirements are commitments: a document."""
    from cfit.duediligence.actions import MINERALS_TOPICS

    code = next(
        c.code
        for c in Criterion.objects.filter(version=framework, type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE)
        .exclude(topic__in=MINERALS_TOPICS)
        .order_by("code")
        if actions._due_of(c, c.type)[0] == "document"
    )
    contract = clause_contract(procurer, supplier, framework, code)
    obligation = contract.obligations.get()
    assert obligation.kind == "document"
    return obligation


# -- 1. only evidence, by content -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("evil.exe", PROGRAM),  # what the tester sent
        ("evil.pdf", PROGRAM),  # the same program renamed
        ("report.pdf", b"PK\x03\x04 not a pdf"),
        ("photo.png", PROGRAM),
        ("report.pdf.exe", pdf()),  # a PDF under a program's name is not taken either
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("list.csv", PROGRAM),
    ],
)
def test_a_program_or_unknown_kind_is_refused_naming_the_file(
    document: Obligation, supplier: Persona, procurer: Persona, filename: str, data: bytes
) -> None:
    sid = signed_in(supplier)
    page = deliver_page(sid, document, {"file": SimpleUploadedFile(filename, data)})
    assert page.status_code == 200
    assert filename in page.content.decode()
    assert not Submission.objects.filter(obligation=document).exists()
    document.refresh_from_db()
    assert document.status == Obligation.Status.DUE
    # Pia is offered nothing to download.
    buyer = signed_in(procurer).get(f"/contracts/{document.contract_id}/").content.decode()
    assert filename not in buyer


def test_evidence_kinds_the_clauses_ask_for_are_taken_and_stored_with_their_real_type() -> None:
    from cfit.uploads import check_evidence

    csv = "smelter;share\nCID001;98,5\n".encode("cp1252")
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    for filename, data, expected in [
        ("report.pdf", pdf(), "application/pdf"),
        ("CMRT.XLSX", workbook(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("scan.png", PNG, "image/png"),
        ("scan.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        ("shares.csv", csv, "text/csv"),
        ("shares.json", b'{"share": 98.5}', "application/json"),
        ("shares.xml", b'<?xml version="1.0"?><shares/>', "application/xml"),
        ("shares.ods", ods.getvalue(), "application/vnd.oasis.opendocument.spreadsheet"),
    ]:
        assert check_evidence(data, filename) == expected, filename


def test_a_macro_workbook_renamed_xlsx_is_refused() -> None:
    from cfit.uploads import ImportRefused, check_evidence

    book = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook())) as source, zipfile.ZipFile(book, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    with pytest.raises(ImportRefused) as refused:
        check_evidence(book.getvalue(), "cmrt.xlsx")
    assert refused.value.code == "not_what_it_says"


def test_a_pdf_is_delivered_and_the_buyer_downloads_it(document: Obligation, supplier: Persona) -> None:
    sid = signed_in(supplier)
    page = deliver_page(sid, document, {"file": SimpleUploadedFile("report.pdf", pdf(), "text/html")})
    assert page.status_code == 302
    submission = document.submissions.get()
    # Stored as what it is, not as what the browser said.
    assert (submission.filename, submission.content_type) == ("report.pdf", "application/pdf")


def test_a_corrective_action_is_not_closed_with_a_program(
    document: Obligation, procurer: Persona, supplier: Persona
) -> None:
    contract = document.contract
    finding = actions.open_finding(
        contract, kind="audit_result", description="Smelter list incomplete.", action="Complete it.",
        owner="Sid", deadline=date(2099, 9, 30), acting_user=procurer.user,
    )  # fmt: skip
    sid = signed_in(supplier)
    sid.post(
        f"/contracts/supplier/{contract.pk}/findings/{finding.pk}/close/",
        {"close-note": "Completed, see the list.", "close-file": SimpleUploadedFile("list.pdf", PROGRAM)},
    )
    finding.refresh_from_db()
    assert (finding.status, finding.evidence) == ("open", None)
    with pytest.raises(actions.ContractError, match="list.pdf"):
        actions.close_finding(
            finding, acting_user=supplier.user, data=PROGRAM, filename="list.pdf", note="Done it."
        )


# -- 2. bounds -------------------------------------------------------------------------------------


def test_a_share_lies_between_0_and_100(
    procurer: Persona, supplier: Persona, framework: FrameworkVersion
) -> None:
    obligation = clause_contract(procurer, supplier, framework, "ws-smelters-rmap-b").obligations.get()
    [field] = obligation.figures
    assert field["unit"] == "%"
    sid = signed_in(supplier)
    for typed in ("250", "-5", "100.5"):
        page = deliver_page(sid, obligation, {f"figure_{field['key']}": typed})
        assert page.status_code == 200, typed
        assert "from 0 to 100" in page.content.decode(), typed
    assert not obligation.submissions.exists()
    assert deliver_page(sid, obligation, {f"figure_{field['key']}": "98.5"}).status_code == 302
    assert obligation.submissions.get().values == {field["key"]: "98.5"}


def test_a_count_is_whole_and_not_negative(
    procurer: Persona, supplier: Persona, framework: FrameworkVersion
) -> None:
    obligation = clause_contract(procurer, supplier, framework, "take-back").obligations.get()
    for typed in ("-3", "2.5", "12 devices"):
        with pytest.raises(actions.ContractError, match="Devices taken back"):
            actions.deliver(
                obligation, acting_user=supplier.user, values={"taken_back_units": typed, "taken_back_kg": "1"},
                language="en",
            )  # fmt: skip
    # Through the API (no language), by the import rule: still whole.
    with pytest.raises(actions.ContractError, match="whole number"):
        actions.deliver(
            obligation, acting_user=supplier.user, values={"taken_back_units": "1,5", "taken_back_kg": "1"}
        )


# -- 3. numbers by the user's language ------------------------------------------------------------

#: What "1.234", "1,5" and "1 234" are per language, for a count (devices) and a mass (kg); None: refused.
READINGS = {
    #       count: 1.234   1,5   1 234     kg: 1.234    1,5    1 234
    "en": ((None, None, "1234"), ("1.234", None, "1234")),
    "nl": (("1234", None, "1234"), ("1234", "1.5", "1234")),
    "de": (("1234", None, "1234"), ("1234", "1.5", "1234")),
    # French and Norwegian group thousands by spaces: a point is neither separator, so ambiguous.
    "fr": ((None, None, "1234"), (None, "1.5", "1234")),
    "nb": ((None, None, "1234"), (None, "1.5", "1234")),
}


@pytest.mark.parametrize("language", sorted(READINGS))
def test_figures_are_read_by_the_separators_of_the_users_language(
    procurer: Persona, supplier: Persona, framework: FrameworkVersion, language: str
) -> None:
    contract = clause_contract(procurer, supplier, framework, "end-destination")
    obligation = contract.obligations.get()
    assert [f["key"] for f in obligation.figures] == ["reused_units", "recycled_kg"]
    sid = signed_in(supplier, language)
    counts, masses = READINGS[language]
    for typed, count, mass in zip(("1.234", "1,5", "1 234"), counts, masses, strict=True):
        for key, expected, other in (
            ("reused_units", count, ("recycled_kg", "1")),
            ("recycled_kg", mass, ("reused_units", "1")),
        ):
            page = deliver_page(sid, obligation, {f"figure_{key}": typed, f"figure_{other[0]}": other[1]})
            submission = obligation.submissions.first()
            if expected is None:
                assert page.status_code == 200 and submission is None, (language, key, typed)
            else:
                assert page.status_code == 302, (language, key, typed, page.content.decode()[-3000:])
                assert submission is not None and submission.values[key] == expected, (language, key, typed)
                submission.delete()
                Obligation.objects.filter(pk=obligation.pk).update(status=Obligation.Status.DUE)


def test_a_dutch_count_of_1234_devices_reads_back_as_the_page_writes_it(
    procurer: Persona, supplier: Persona, framework: FrameworkVersion
) -> None:
    obligation = clause_contract(procurer, supplier, framework, "end-destination").obligations.get()
    sid = signed_in(supplier, "nl")
    assert (
        deliver_page(
            sid, obligation, {"figure_reused_units": "1.234", "figure_recycled_kg": "1.234,5"}
        ).status_code
        == 302
    )
    assert obligation.submissions.get().values == {"reused_units": "1234", "recycled_kg": "1234.5"}
    english = signed_in(procurer).get(f"/contracts/{obligation.contract_id}/").content.decode()
    assert "1,234" in english and "1,234.5" in english
    dutch = signed_in(procurer, "nl").get(f"/contracts/{obligation.contract_id}/").content.decode()
    assert "1.234" in dutch and "1.234,5" in dutch


# -- 4. labels -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Share of CMRT smelters that are RMAP conformant"),
        ("nl", "Aandeel RMAP-conforme smelterijen in de CMRT"),
    ],
)
def test_a_measured_figure_is_labelled_by_its_requirement_in_the_readers_language(
    procurer: Persona, supplier: Persona, framework: FrameworkVersion, language: str, title: str
) -> None:
    obligation = clause_contract(procurer, supplier, framework, "ws-smelters-rmap-b").obligations.get()
    url = f"/contracts/supplier/{obligation.contract_id}/obligations/{obligation.pk}/"
    sid = signed_in(supplier, language)
    page = sid.get(url).content.decode()
    assert f"{title} (%)" in page
    assert "ws-smelters-rmap-b.share (%)" not in page
    deliver_page(sid, obligation, {"figure_ws-smelters-rmap-b.share": "98"})
    pia = signed_in(procurer, language).get(f"/contracts/{obligation.contract_id}/").content.decode()
    assert title in pia and "ws-smelters-rmap-b.share" not in pia


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "556,314.00 EUR"), ("nl", "556.314,00 EUR"), ("de", "556.314,00 EUR")]
)
def test_a_contract_s_value_is_written_as_the_reader_writes_amounts(
    procurer: Persona, framework: FrameworkVersion, language: str, shown: str
) -> None:
    contract = actions.create_contract(
        procurer.organisation, reference="VAL-1", title="Laptops", supplier_name="Green Refurb",
        value=Decimal("556314"), start_date=date(2027, 1, 1), end_date=date(2027, 12, 31),
        framework_version=framework, criteria=[], acting_user=procurer.user,
    )  # fmt: skip
    client = Client(headers={"accept-language": language})
    client.force_login(procurer.user)

    for page in (f"/contracts/{contract.pk}/", "/contracts/"):
        assert shown in client.get(page, headers={"accept-language": language}).content.decode(), page


def test_a_corrective_action_is_not_asked_for_already_late_nor_of_an_owner_of_a_page(
    document: Obligation, procurer: Persona
) -> None:
    contract = document.contract
    client = signed_in(procurer)
    form = {
        "finding-kind": "audit_result", "finding-description": "Smelter list incomplete.",
        "finding-action": "Complete it.", "finding-owner": "Sid", "finding-deadline": "1999-01-31",
    }  # fmt: skip

    page = client.post(f"/contracts/{contract.pk}/findings/", form, follow=True).content.decode()

    assert "The deadline of a corrective action lies today or later." in page
    with pytest.raises(actions.ContractError, match="today or later"):
        actions.open_finding(
            contract, kind="audit_result", description="x", action="y", owner="Sid",
            deadline=date(1999, 1, 31), acting_user=procurer.user,
        )  # fmt: skip
    with pytest.raises(actions.ContractError, match="at most 200 characters"):
        actions.open_finding(
            contract, kind="audit_result", description="x", action="y", owner="S" * 500,
            deadline=date(2099, 1, 31), acting_user=procurer.user,
        )  # fmt: skip
    assert not contract.findings.exists()


# -- 4. pictures as phones save them: WebP and GIF, by content ------------------------------------

#: A real screenshot-like WebP (``tests/data/evidence/README.md``).
WEBP = (Path(__file__).parent / "data" / "evidence" / "screenshot.webp").read_bytes()
#: The smallest GIF there is: one transparent pixel (GIF89a, as every tool writes it).
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


def test_a_phones_webp_screenshot_and_a_gif_are_taken_as_evidence_by_their_content(
    document: Obligation, supplier: Persona, procurer: Persona
) -> None:
    from cfit.uploads import check_evidence

    assert check_evidence(WEBP, "Screenshot_20270114.webp") == "image/webp"
    assert check_evidence(GIF, "scan.GIF") == "image/gif"
    sid = signed_in(supplier)
    # The supplier's file picker offers them.
    form = sid.get(f"/contracts/supplier/{document.contract_id}/obligations/{document.pk}/").content.decode()
    accept = re.search(r'<input type="file" name="file"[^>]*accept="([^"]*)"', form)
    assert accept is not None and {".webp", ".gif"} <= set(accept.group(1).split(","))
    page = deliver_page(sid, document, {"file": SimpleUploadedFile("Screenshot.webp", WEBP, "image/webp")})
    assert page.status_code == 302
    submission = document.submissions.get()
    assert (submission.content_type, bytes(submission.data)) == ("image/webp", WEBP)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("screenshot.webp", PROGRAM),  # a Windows program renamed
        ("screenshot.webp", b"\x7fELF\x02\x01\x01" + bytes(9)),  # a Linux one
        ("screenshot.webp", b"RIFF\x24\x00\x00\x00WAVEfmt "),  # a sound: RIFF, but not WebP
        ("screenshot.webp", WEBP[:12] + b"JUNK" + WEBP[16:]),  # WebP's name, no WebP image inside
        ("scan.gif", PROGRAM),
        ("scan.gif", PNG),  # a PNG named .gif: not what its name says
    ],
)
def test_a_program_renamed_webp_or_gif_is_refused(
    document: Obligation, supplier: Persona, filename: str, data: bytes
) -> None:
    from cfit.uploads import ImportRefused, check_evidence

    with pytest.raises(ImportRefused) as refused:
        check_evidence(data, filename)
    assert refused.value.code == "not_what_it_says"
    page = deliver_page(signed_in(supplier), document, {"file": SimpleUploadedFile(filename, data)})
    assert page.status_code == 200 and filename in page.content.decode()
    assert not Submission.objects.filter(obligation=document).exists()
