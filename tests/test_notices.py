"""Reading published notices (``cfit.notices``): every real eForms notice and SDK example, the real
OCDS releases of ``../shared/data/notices-real``, the business terms' places checked against the
eForms SDK, and hostile files (truncated XML, entity expansion, wrong namespaces, broken releases,
zip bombs) each named while the others are kept. Database-free.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.notices.codes import ICT_PREFIXES, country_alpha_2, cpv_code, is_ict, language_alpha_2
from cfit.notices.eforms import NoticeRefused, parse_eforms
from cfit.notices.ocds import iter_ocds
from cfit.notices.record import NoticeRecord, ReadProblem
from cfit.notices.sources import MAX_RATIO, read_notices
from tests.tender_helpers import shared

MINIMAL = b"""<?xml version="1.0" encoding="UTF-8"?>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID schemeName="notice-id">a1b2</cbc:ID><cbc:IssueDate>2026-03-01+01:00</cbc:IssueDate>
 <cbc:NoticeLanguageCode>NLD</cbc:NoticeLanguageCode>
 <cac:ProcurementProject><cbc:Name languageID="ENG">Laptops</cbc:Name><cbc:Name languageID="NLD">Laptops
 voor de rijksoverheid</cbc:Name></cac:ProcurementProject>
 <cac:ProcurementProjectLot><cbc:ID schemeName="Lot">LOT-0001</cbc:ID><cac:ProcurementProject>
  <cac:ProcurementAdditionalType><cbc:ProcurementTypeCode listName="strategic-procurement">env-imp</cbc:ProcurementTypeCode></cac:ProcurementAdditionalType>
  <cac:ProcurementAdditionalType><cbc:ProcurementTypeCode listName="gpp-criteria">national</cbc:ProcurementTypeCode></cac:ProcurementAdditionalType>
  <cac:MainCommodityClassification><cbc:ItemClassificationCode listName="cpv">30213100</cbc:ItemClassificationCode></cac:MainCommodityClassification>
  <cac:RequestedTenderTotal><cbc:EstimatedOverallContractAmount currencyID="EUR">250000</cbc:EstimatedOverallContractAmount></cac:RequestedTenderTotal>
 </cac:ProcurementProject></cac:ProcurementProjectLot>
</ContractNotice>"""


def test_a_notice_s_business_terms_are_read_in_the_notice_s_language() -> None:
    record = parse_eforms(MINIMAL)

    assert (record.id, record.published, record.language) == ("a1b2", "2026-03-01", "nl")
    assert record.title.startswith("Laptops\n voor") or record.title.startswith("Laptops voor")
    assert record.cpv == ("30213100",) and record.ict
    (lot,) = record.lots
    assert (lot.id, lot.value, lot.currency) == ("LOT-0001", 250000.0, "EUR")
    assert record.strategic.bt06 == ("env-imp",) and record.strategic.bt805 == ("national",)


# --- hostile notices --------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2">&lol3;</ContractNotice>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2">&e;</ContractNotice>"""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (MINIMAL[: len(MINIMAL) // 2], "not well-formed XML"),
        (BILLION_LAUGHS, "entity expansion"),
        (EXTERNAL, "entity expansion"),
        (MINIMAL.replace(b"xsd:ContractNotice-2", b"xsd:ContractNotice-9"), "not an eForms notice"),
        (b"<html><body>Not found</body></html>", "not an eForms notice"),
        (MINIMAL.replace(b'schemeName="notice-id">a1b2', b'schemeName="notice-id">'), "no notice identifier"),
    ],
)
def test_a_hostile_or_broken_notice_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(NoticeRefused, match=reason):
        parse_eforms(data)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(MINIMAL) - 1), st.integers(0, 255)), min_size=1, max_size=12))
def test_a_damaged_notice_is_read_or_refused_never_a_crash(flips: list[tuple[int, int]]) -> None:
    data = bytearray(MINIMAL)
    for position, byte in flips:
        data[position] = byte
    try:
        record = parse_eforms(bytes(data))
    except NoticeRefused:
        return
    assert isinstance(record, NoticeRecord) and record.id


def test_a_broken_release_is_named_and_the_others_are_kept() -> None:
    package = {
        "releases": [
            {
                "ocid": "ocds-b5fd17-1",
                "id": "1",
                "date": "2025-01-02T00:00:00Z",
                "tender": {"title": "Laptops"},
            },
            "not a release",
            {"id": "3"},
            {
                "ocid": "ocds-b5fd17-4",
                "id": "4",
                "tender": {
                    "items": [{"classification": {"scheme": "CPV", "id": "30213100-6"}, "relatedLot": "L1"}],
                    "lots": [{"id": "L1", "value": {"amount": 1000, "currency": "GBP"}}],
                },
            },
        ]
    }
    out = list(iter_ocds(json.dumps(package).encode(), "p.json"))

    records = [r for r in out if isinstance(r, NoticeRecord)]
    problems = [str(p) for p in out if isinstance(p, ReadProblem)]
    assert [r.id for r in records] == ["1", "4"]
    assert problems == [
        "p.json, releases[1]: a release is an object",
        "p.json, releases[2]: a release without an ocid",
    ]
    assert records[1].ict and records[1].lots[0].cpv == ("30213100",) and records[1].buyer.country == "GB"
    lines = b'{"ocid": "ocds-x-1", "id": "a"}\n{broken\n{"ocid": "ocds-x-2", "id": "b"}\n'
    kept = list(iter_ocds(lines, "r.jsonl"))
    assert [getattr(r, "id", None) for r in kept] == [None, "a", "b"]
    assert str(kept[0]).startswith("r.jsonl:2: not JSON")  # file:line, in every language


def test_packages_are_read_member_by_member_and_a_zip_bomb_is_skipped(tmp_path: Path) -> None:
    bundle = tmp_path / "daily.tar.gz"
    with tarfile.open(bundle, "w:gz") as archive:
        for n, data in enumerate(
            [MINIMAL.replace(b">a1b2<", f">n{n}<".encode()) for n in range(3)] + [b"<x/>"]
        ):
            info = tarfile.TarInfo(f"2026/{n:04}.xml")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("huge.xml", b"<" + b" " * (MAX_RATIO * 20_000) + b"/>")
        archive.writestr("fine.xml", MINIMAL)

    out = list(read_notices([bundle, bomb, tmp_path / "missing.xml"]))

    assert [r.id for r in out if isinstance(r, NoticeRecord)] == ["n0", "n1", "n2", "a1b2"]
    problems = [str(p) for p in out if isinstance(p, ReadProblem)]
    assert problems[0].endswith("0003.xml: not an eForms notice: the root is {None}x, expected one of "
                                "ContractNotice, ContractAwardNotice, PriorInformationNotice, "
                                "BusinessRegistrationInformationNotice in its eForms namespace")  # fmt: skip
    assert "huge.xml: inflates" in problems[1] and problems[2].endswith("missing.xml: no such file or folder")


def test_codes_are_normalised() -> None:
    assert cpv_code("30213100-6") == cpv_code("30213100") == "30213100" and cpv_code("3021") is None
    assert is_ict("72000000") and is_ict("50312000") and not is_ict("33195000")
    assert country_alpha_2("NLD") == "NL" and country_alpha_2("nor") == "NO" and country_alpha_2("ZZZ") == ""
    assert [language_alpha_2(c) for c in ("ENG", "NLD", "fre", "DEU", "NOB", "en")] == [
        "en",
        "nl",
        "fr",
        "de",
        "nb",
        "en",
    ]


# --- the real notices -----------------------------------------------------------------------------


def test_every_real_eforms_notice_is_read_as_its_manifest_says() -> None:
    folder = shared("notices-real", "eforms")
    manifest = list(csv.DictReader((folder / "manifest.csv").open(encoding="utf-8")))
    assert len(manifest) >= 60
    for row in manifest:
        record = parse_eforms((folder / row["file"]).read_bytes())
        assert record.id == row["notice_id"], row["file"]
        assert record.subtype == row["notice_subtype"], row["file"]
        assert record.published and record.buyer.name and record.title, row["file"]
        assert set(row["main_cpv"].split()) <= set(record.cpv), row["file"]
        assert record.ict == bool(row["ict_cpv"]), row["file"]
        for column, term in (("strategic_procurement_bt06", "bt06"), ("green_procurement_bt774", "bt774"),
                             ("gpp_criteria_bt805", "bt805")):  # fmt: skip
            assert set(row[column].split()) == set(getattr(record.strategic, term)), (row["file"], term)


def test_weights_and_their_type_are_read_from_real_award_criteria() -> None:
    record = parse_eforms(shared("notices-real", "eforms", "ted", "00739962-2023.xml").read_bytes())
    weighted = [c for c in record.award_criteria if c.weight is not None]
    assert weighted and all(c.weight_type for c in weighted)
    assert all(c.type in ("price", "cost", "quality") for c in record.award_criteria)


def test_every_sdk_example_notice_is_read() -> None:
    examples = sorted(shared("eforms", "examples").rglob("*.xml"))
    assert len(examples) >= 70
    for path in examples:
        record = parse_eforms(path.read_bytes())
        assert record.id and record.published, path.name


def test_the_real_ocds_releases_are_read() -> None:
    out = list(read_notices([shared("notices-real", "ocds")]))
    records = [r for r in out if isinstance(r, NoticeRecord)]
    assert [str(p) for p in out if isinstance(p, ReadProblem)] == []
    assert len(records) >= 100
    assert all(r.published and r.ocid and r.buyer.country for r in records)
    assert {r.language for r in records} >= {"pt", "es", "uk"}


#: The place of each business term the reader uses, as ``cfit/notices/eforms.py`` reads it relative
#: to its parent; checked against the SDK's absolute XPaths.
FIELDS = {
    "BT-701-notice": "cbc:ID[@schemeName='notice-id']",
    "BT-702(a)-notice": "cbc:NoticeLanguageCode",
    "BT-757-notice": "cbc:VersionID",
    "OPP-070-notice": "efac:NoticeSubType/cbc:SubTypeCode",
    "BT-21-Procedure": "cac:ProcurementProject/cbc:Name",
    "BT-262-Procedure": "cac:MainCommodityClassification/cbc:ItemClassificationCode",
    "BT-263-Lot": "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode",
    "BT-27-Lot": "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount",
    "BT-137-Lot": "cbc:ID",
    "BT-539-Lot": "cbc:AwardingCriterionTypeCode[@listName='award-criterion-type']",
    "BT-734-Lot": "cac:SubordinateAwardingCriterion/cbc:Name",
    "BT-540-Lot": "cac:SubordinateAwardingCriterion/cbc:Description",
    "BT-541-Lot-WeightNumber": "efac:AwardCriterionParameter[efbc:ParameterCode/@listName='number-weight']/efbc:ParameterNumeric",
    "BT-5421-Lot": "efac:AwardCriterionParameter[efbc:ParameterCode/@listName='number-weight']/efbc:ParameterCode",
    "BT-500-Organization-Company": "efac:Company/cac:PartyName/cbc:Name",
    "BT-514-Organization-Company": "cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    "OPT-300-Procedure-Buyer": "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID",
    "BT-06-Lot": "cbc:ProcurementTypeCode/@listName='strategic-procurement']/cbc:ProcurementTypeCode",
    "BT-805-Lot": "cbc:ProcurementTypeCode/@listName='gpp-criteria']/cbc:ProcurementTypeCode",
    "BT-774-Lot": "cbc:ProcurementTypeCode/@listName='environmental-impact']/cbc:ProcurementTypeCode",
    "BT-775-Lot": "cbc:ProcurementTypeCode/@listName='social-objective']/cbc:ProcurementTypeCode",
    "BT-776-Lot": "cbc:ProcurementTypeCode/@listName='innovative-acquisition']/cbc:ProcurementTypeCode",
}


def test_the_reader_s_places_are_the_sdk_s() -> None:
    sdk = json.loads(shared("eforms-sdk", "fields", "fields.json").read_text(encoding="utf-8"))
    xpaths = {f["id"]: f["xpathAbsolute"] for f in sdk["fields"]}
    for term, place in FIELDS.items():
        assert xpaths[term].endswith(place), (term, xpaths[term])


def test_the_ict_prefixes_cover_the_ict_vocabulary_and_nothing_more() -> None:
    rows = list(csv.DictReader(shared("cpv", "cpv_ict_subset.csv").open(encoding="utf-8")))
    codes = {r["code8"] for r in rows}
    assert all(is_ict(code) for code in codes)
    # Each prefix is a node of the vocabulary the list holds (a division, group or class).
    assert all(prefix.ljust(8, "0") in codes for prefix in ICT_PREFIXES)


def test_the_command_reads_a_folder_without_a_database(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(MINIMAL)
    (tmp_path / "b.xml").write_bytes(BILLION_LAUGHS)
    (tmp_path / "c.json").write_text(json.dumps({"ocid": "ocds-x-1", "id": "r1"}), encoding="utf-8")
    script = (
        "import sys; from cfit.notices import cli; code = cli.main(sys.argv[1:]); "
        "assert 'django' not in sys.modules, 'the reader imported Django'; sys.exit(code)"
    )

    done = subprocess.run(
        [sys.executable, "-c", script, "read", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
    )

    assert done.returncode == 1, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["id"], r["source"]) for r in lines] == [("a1b2", "eforms"), ("r1", "ocds")]
    assert {"id", "source", "published", "buyer", "title", "language", "cpv", "ict", "lots", "strategic",
            "award_criteria", "matched_criteria"} <= lines[0].keys()  # fmt: skip
    assert "b.xml: declares a DTD" in done.stderr
    only_ict = subprocess.run(
        [
            sys.executable,
            "-m",
            "cfit.notices.cli",
            "read",
            str(tmp_path / "a.xml"),
            str(tmp_path / "c.json"),
            "--ict",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [json.loads(line)["id"] for line in only_ict.stdout.splitlines()] == ["a1b2"]
