"""The end of use through the API, as Rijkswaterstaat's asset system does it: lines retired in a batch by
their asset keys, and a disposal partner's report sent, previewed and applied, with the very actions the
pages use (``actions.retire_assets``, ``disposal``). All or nothing; Louise's register (Ville de Lyon)
holds keys like Arne's, and nothing of hers is reached or revealed through his calls.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, get_args

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.fleet.api import DisposalReportState
from cfit.fleet.models import Asset, AssetEvent, DisposalReport, SavedValueMapping

from .conftest import Persona, make_persona
from .test_api_integrator import conforms
from .test_api_tokens import make_token, program
from .test_fleet_end_of_use import REPORT, arne, laptops, louise, pia, signed_in, state  # noqa: F401

pytestmark = pytest.mark.django_db

RWS = "rijkswaterstaat"
RETIRE = f"/api/v1/fleet/{RWS}/assets/retire"
REPORTS = f"/api/v1/fleet/{RWS}/disposal-reports"


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Any) -> None:
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def asset_system(arne: Persona) -> Client:  # noqa: F811
    return program(make_token(arne, read_only=False, name="asset system"))


def retire(client: Client, keys: list[str], slug: str = RWS, **fields: Any) -> Any:
    body = {"asset_keys": keys, "date": "2025-06-02", "end_of_use_route": "refurbished", **fields}
    return client.post(f"/api/v1/fleet/{slug}/assets/retire", body, content_type="application/json")


def send(client: Client, text: str, slug: str = RWS, name: str = "itad-june.csv", **form: Any) -> Any:
    upload = SimpleUploadedFile(name, text.encode("utf-8"))
    return client.post(f"/api/v1/fleet/{slug}/disposal-reports", {"file": upload, **form})


# -- retirement in a batch, by asset key


def test_the_asset_system_retires_lines_by_key_each_with_its_event_and_audit_record(
    arne: Persona,  # noqa: F811
    asset_system: Client,
) -> None:
    laptops(arne, 4)

    answer = retire(
        asset_system,
        ["RWS-1", "RWS-3", "RWS-3"],
        note="Batch 12",
        sanitisation_method="nist_purge",
        sanitisation_certificate="CERT-12",
    )

    assert conforms(answer, "post", "/api/v1/fleet/{slug}/assets/retire") == {"retired": 2}
    with system_scope():
        retired = Asset.unscoped.filter(organisation=arne.organisation, status="retired").order_by(
            "asset_key"
        )
        assert [
            (
                a.asset_key,
                a.retired_date,
                a.end_of_use_route,
                a.sanitisation_method,
                a.sanitisation_certificate,
            )
            for a in retired
        ] == [
            ("RWS-1", date(2025, 6, 2), "refurbished", "nist_purge", "CERT-12"),
            ("RWS-3", date(2025, 6, 2), "refurbished", "nist_purge", "CERT-12"),
        ]
        events = AssetEvent.objects.filter(asset__organisation=arne.organisation, kind="retired")
        assert sorted(events.values_list("note", flat=True)) == ["Batch 12", "Batch 12"]
    assert state(arne.organisation)[-1] == ("audit", 2)


def test_a_batch_with_an_unknown_key_or_a_line_that_cannot_be_retired_changes_nothing_and_names_each(
    arne: Persona,  # noqa: F811
    asset_system: Client,
) -> None:
    lines = laptops(arne, 4)
    with system_scope():
        Asset.unscoped.filter(pk=lines[1].pk).update(status="retired", retired_date=date(2024, 1, 5))
        Asset.unscoped.filter(pk=lines[3].pk).update(purchase_date=date(2025, 7, 1))
    before = state(arne.organisation)

    answer = retire(asset_system, ["RWS-1", "RWS-2", "NOPE-7", "RWS-4"], HTTP_ACCEPT_LANGUAGE="en")

    body = conforms(answer, "post", "/api/v1/fleet/{slug}/assets/retire")
    assert (answer.status_code, body["code"]) == (400, "bad_request")
    assert body["detail"] == "3 lines cannot be retired: nothing was retired."
    assert body["problems"][0] == "NOPE-7: not in the register"
    assert body["problems"][1].startswith("RWS-2: This line was retired on")
    assert body["problems"][2] == "RWS-4: before the purchase date"
    assert state(arne.organisation) == before


def test_louise_s_keys_are_as_unknown_to_arne_as_keys_nobody_holds(
    arne: Persona,  # noqa: F811
    louise: Persona,  # noqa: F811
    asset_system: Client,
) -> None:
    laptops(arne, 1)
    laptops(louise, 2, prefix="LYO")
    hers, his = state(louise.organisation), state(arne.organisation)
    lyon = program(make_token(louise, read_only=False))

    theirs = retire(asset_system, ["LYO-1"])
    nobodys = retire(asset_system, ["LYO-999"])
    under_her_slug = retire(asset_system, ["LYO-1"], slug="ville-de-lyon")
    louise_on_arne = retire(lyon, ["RWS-1"])

    assert (theirs.status_code, theirs.json()["problems"]) == (400, ["LYO-1: not in the register"])
    assert (nobodys.status_code, nobodys.json()["problems"]) == (400, ["LYO-999: not in the register"])
    assert theirs.json()["detail"] == nobodys.json()["detail"]
    assert under_her_slug.status_code == louise_on_arne.status_code == 404
    assert state(louise.organisation) == hers and state(arne.organisation) == his


def test_a_procurer_and_a_read_only_token_retire_nothing(pia: Persona, arne: Persona) -> None:  # noqa: F811
    laptops(arne, 1)
    before = state(arne.organisation)

    procurer = retire(program(make_token(pia, read_only=False)), ["RWS-1"])
    reader = retire(program(make_token(arne, read_only=True, name="reader")), ["RWS-1"])
    off_schema = retire(program(make_token(arne, read_only=False)), [], end_of_use_route="moon")

    assert (procurer.status_code, procurer.json()["code"]) == (403, "forbidden")
    assert (reader.status_code, reader.json()["code"]) == (403, "read_only_token")
    assert (off_schema.status_code, off_schema.json()["code"]) == (422, "invalid_request")
    assert {p.split(":")[0] for p in off_schema.json()["problems"]} == {
        "body, asset_keys",
        "body, end_of_use_route",
    }
    assert state(arne.organisation) == before


# -- a disposal partner's report: sent, previewed, applied


def keys(lines: list[dict[str, Any]]) -> list[str]:
    return [line["asset_key"] for line in lines]


def test_a_report_is_previewed_changing_nothing_then_applied_once(
    arne: Persona,  # noqa: F811
    asset_system: Client,
) -> None:
    laptops(arne, 5)
    with system_scope():
        Asset.unscoped.filter(asset_key="RWS-4").update(
            status="retired", retired_date=date(2025, 6, 1), end_of_use_route="reuse"
        )
    before = state(arne.organisation)

    sent = send(asset_system, REPORT)
    preview = conforms(sent, "post", "/api/v1/fleet/{slug}/disposal-reports")
    unchanged = state(arne.organisation)
    read = conforms(
        asset_system.get(f"{REPORTS}/{preview['id']}"),
        "get",
        "/api/v1/fleet/{slug}/disposal-reports/{report_id}",
    )
    applied = asset_system.post(f"{REPORTS}/{preview['id']}/apply")
    again = asset_system.post(f"{REPORTS}/{preview['id']}/apply")

    assert (preview["state"], keys(preview["retire"]), keys(preview["wipe"])) == (
        "preview",
        ["RWS-1", "RWS-2", "RWS-3"],
        ["RWS-4"],
    )
    assert preview["retire"][1] == {
        "row": 3, "asset_key": "RWS-2", "date": "2025-06-10", "end_of_use_route": "refurbished",
        "sanitisation_method": "nist_purge", "sanitisation_certificate": "C-0002",
    }  # fmt: skip
    assert keys(preview["unknown"]) == ["XX-999"]  # as the file writes it
    assert preview["by_route"] == {"reuse": 1, "refurbished": 1, "recycled": 1}
    assert unchanged == before and read == preview
    done = conforms(applied, "post", "/api/v1/fleet/{slug}/disposal-reports/{report_id}/apply")
    assert (done["state"], done["retired_lines"], done["wiped_lines"]) == ("done", 3, 1)
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    with system_scope():
        lines = {a.asset_key: a for a in Asset.unscoped.filter(organisation=arne.organisation)}
        assert AssetEvent.objects.filter(asset__organisation=arne.organisation, kind="retired").count() == 3
    assert (lines["RWS-2"].status, lines["RWS-2"].retired_date) == ("retired", date(2025, 6, 10))
    assert (lines["RWS-4"].retired_date, lines["RWS-4"].sanitisation_method) == (
        date(2025, 6, 1),
        "ieee_purge",
    )
    assert lines["RWS-5"].status == "in_use"


def test_one_call_applies_a_report_when_dry_run_is_false(
    arne: Persona,  # noqa: F811
    asset_system: Client,
) -> None:
    laptops(arne, 5)

    answer = conforms(
        send(asset_system, REPORT, dry_run="false"), "post", "/api/v1/fleet/{slug}/disposal-reports"
    )

    assert (answer["state"], answer["retired_lines"], keys(answer["retire"])) == (
        "done",
        4,
        ["RWS-1", "RWS-2", "RWS-3", "RWS-4"],
    )
    with system_scope():
        assert Asset.unscoped.filter(organisation=arne.organisation, status="retired").count() == 4
        assert DisposalReport.unscoped.get().stored_file == ""


def test_a_refused_report_names_row_and_column_and_keeps_nothing(
    arne: Persona,  # noqa: F811
    asset_system: Client,
    tmp_path: Any,
) -> None:
    laptops(arne, 3)
    before = state(arne.organisation)
    bad = REPORT.replace("10/06/2025", "tenth of June")

    refused = send(asset_system, bad)
    hostile = send(asset_system, "not,a,zip", name="report.xlsx")

    body = conforms(refused, "post", "/api/v1/fleet/{slug}/disposal-reports")
    assert (refused.status_code, body["code"]) == (422, "refused")
    assert any(
        p.startswith("itad-june.csv: Date Received: not a date") and "(3)" in p for p in body["problems"]
    )
    assert hostile.status_code == 422 and hostile.json()["problems"]
    assert state(arne.organisation) == before
    with system_scope():
        assert not DisposalReport.unscoped.exists()
    assert not list((tmp_path / "uploads").glob("*"))


def test_a_word_nobody_knows_is_refused_with_its_rows_until_the_caller_says_its_code(
    arne: Persona,  # noqa: F811
    asset_system: Client,
) -> None:
    laptops(arne, 2)
    text = "Serial Number,Received,Outcome\nRWS-1,2025-06-10,Harvested for parts\nRWS-2,2025-06-11,harvested for parts\n"

    unknown = send(asset_system, text)
    wrong_code = send(
        asset_system, text, words=json.dumps({"end_of_use_route": {"Harvested for parts": "moon"}})
    )
    said = send(
        asset_system, text, words=json.dumps({"end_of_use_route": {"Harvested for parts": "recycled"}})
    )

    assert unknown.status_code == 422
    assert any("Outcome" in p and "Harvested for parts" in p for p in unknown.json()["problems"])
    assert (wrong_code.status_code, wrong_code.json()["field"]) == (422, "words")
    assert said.status_code == 200 and said.json()["by_route"] == {"recycled": 2}
    with system_scope():  # remembered for the next file, as the page's choice is
        assert SavedValueMapping.unscoped.filter(organisation=arne.organisation, code="recycled").exists()
        assert DisposalReport.unscoped.count() == 1


def test_the_caller_names_the_columns_a_guess_cannot_find(
    arne: Persona,  # noqa: F811
    asset_system: Client,
) -> None:
    laptops(arne, 1)
    text = "Ref,When,Where\nRWS-1,2025-06-10,Resold\n"
    columns = {"Ref": "asset_key", "When": "retired_date", "Where": "end_of_use_route"}

    guessed = send(asset_system, text)
    named = send(asset_system, text, columns=json.dumps(columns))
    off_schema = send(asset_system, text, columns=json.dumps({"Ref": "colour"}))

    assert guessed.status_code == 422 and guessed.json()["problems"]
    assert named.status_code == 200 and keys(named.json()["retire"]) == ["RWS-1"]
    assert (off_schema.status_code, off_schema.json()["field"]) == (422, "columns")


def test_another_organisations_keys_in_a_report_are_unknown_and_her_reports_out_of_reach(
    arne: Persona,  # noqa: F811
    louise: Persona,  # noqa: F811
    asset_system: Client,
) -> None:
    laptops(arne, 1)
    laptops(louise, 2, prefix="LYO", model="ZZSECRET ThinkPad")
    hers = state(louise.organisation)
    lyon = program(make_token(louise, read_only=False))
    text = "Asset Tag,Date Received,Final Destination\nRWS-1,2025-06-10,Resold\nLYO-1,2025-06-10,Resold\n"

    answer = send(asset_system, text, dry_run="false")
    her_report = send(
        lyon, "Asset Tag,Date Received,Final Destination\nLYO-2,2025-06-10,Resold\n", slug="ville-de-lyon"
    )
    hers_id = her_report.json()["id"]

    assert keys(answer.json()["retire"]) == ["RWS-1"] and keys(answer.json()["unknown"]) == ["LYO-1"]
    assert "ZZSECRET" not in answer.content.decode()
    assert state(louise.organisation) == hers
    for address in (
        f"{REPORTS}/{hers_id}",
        f"/api/v1/fleet/ville-de-lyon/disposal-reports/{hers_id}",
    ):
        assert asset_system.get(address).status_code == 404, address
        assert asset_system.post(f"{address}/apply").status_code == 404, address
    assert lyon.get(f"{REPORTS}/{answer.json()['id']}").status_code == 404
    assert send(lyon, text).status_code == 404
    assert state(louise.organisation) == hers


# -- the reports sent, listed and read once applied


def test_the_reports_are_listed_and_an_applied_one_says_what_it_did_to_each_line_who_applied_it_and_when(
    arne: Persona,  # noqa: F811
    asset_system: Client,
    django_assert_max_num_queries: Any,
) -> None:
    """The asset system could send and apply reports but not list them, and an applied report's answer
    lost its lines with its file: the list gives every report, the latest first, and an applied one
    keeps what it did to each line, per route, and who applied it and when."""
    laptops(arne, 5)
    with system_scope():
        Asset.unscoped.filter(asset_key="RWS-4").update(
            status="retired", retired_date=date(2025, 6, 1), end_of_use_route="reuse"
        )
    applied = send(asset_system, REPORT, dry_run="false").json()
    waiting = send(
        asset_system, "Asset Tag,Date Received,Final Destination\nRWS-5,2025-06-12,Resold\n"
    ).json()

    with django_assert_max_num_queries(8):
        listed = conforms(asset_system.get(REPORTS), "get", "/api/v1/fleet/{slug}/disposal-reports")
    done = asset_system.get(REPORTS, {"state": "done"}).json()
    second = asset_system.get(REPORTS, {"per_page": 1, "page": 2}).json()
    read = conforms(
        asset_system.get(f"{REPORTS}/{applied['id']}"),
        "get",
        "/api/v1/fleet/{slug}/disposal-reports/{report_id}",
    )

    assert listed["count"] == 2
    assert [(r["id"], r["state"], r["sent_by"], r["applied_by"]) for r in listed["reports"]] == [
        (waiting["id"], "preview", "arne", None),
        (applied["id"], "done", "arne", "arne"),
    ]  # the latest first
    assert [r["id"] for r in done["reports"]] == [applied["id"]] == [r["id"] for r in second["reports"]]
    assert (read["state"], read["applied_by"], read["finished"]) == (
        "done",
        "arne",
        listed["reports"][1]["finished"],
    )
    assert read["finished"] is not None
    assert (keys(read["retire"]), keys(read["wipe"]), keys(read["unchanged"]), keys(read["unknown"])) == (
        ["RWS-1", "RWS-2", "RWS-3"],
        ["RWS-4"],
        [],
        ["XX-999"],
    )
    assert read["retire"][1] == {
        "row": 3, "asset_key": "RWS-2", "date": "2025-06-10", "end_of_use_route": "refurbished",
        "sanitisation_method": "nist_purge", "sanitisation_certificate": "C-0002",
    }  # fmt: skip
    assert read["by_route"] == {"reuse": 1, "refurbished": 1, "recycled": 1}
    assert (read["retired_lines"], read["wiped_lines"]) == (3, 1)
    refused = asset_system.get(REPORTS, {"state": "lost"})
    assert (refused.status_code, refused.json()["field"]) == (422, "state")
    assert set(get_args(DisposalReportState)) == set(DisposalReport.State.values)  # the filter's words
    page = signed_in(arne).get(f"/fleet/{RWS}/disposal/{applied['id']}/").content.decode()
    assert 'id="report-applied-by">Applied by arne on ' in page  # the page says it too


def test_a_viewer_reads_the_reports_and_an_outsider_finds_none(
    arne: Persona,  # noqa: F811
    louise: Persona,  # noqa: F811
    asset_system: Client,
) -> None:
    """Vera, a viewer of Rijkswaterstaat, reads its reports as she reads its register's pages; Louise
    (Ville de Lyon) is told neither the list nor a report exists, and her own list holds none of them."""
    laptops(arne, 1)
    sent = send(asset_system, "Asset Tag,Date Received,Final Destination\nRWS-1,2025-06-10,Resold\n").json()
    vera = make_persona("vera", RWS, Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.VIEWER)
    reader, lyon = program(make_token(vera, read_only=True)), program(make_token(louise, read_only=True))

    assert [r["id"] for r in reader.get(REPORTS).json()["reports"]] == [sent["id"]]
    assert reader.get(f"{REPORTS}/{sent['id']}").json()["state"] == "preview"
    assert reader.post(f"{REPORTS}/{sent['id']}/apply").status_code == 403  # read-only token, viewer
    assert lyon.get(REPORTS).status_code == 404
    assert lyon.get(f"{REPORTS}/{sent['id']}").status_code == 404
    assert lyon.get("/api/v1/fleet/ville-de-lyon/disposal-reports").json() == {
        "count": 0,
        "page": 1,
        "reports": [],
    }
    assert Client().get(REPORTS).status_code == 401
