# ruff: noqa: F811  (the tests take the imported `asset_manager` fixture as an argument, as pytest wants)
"""An integrator connects Rijkswaterstaat's asset system and e-procurement platform to the JSON API.

Written as their program would be, from the served OpenAPI document and the docs page only: Arne
(asset manager) and Pia (procurer) each make a token; the program asks who it is, pushes the register,
pages through it, syncs what changed, reads tenders, contracts, statements and monitoring, and handles
every error the same way. Every answer it reads is checked against the schema the document declares
for that operation and status: a field documented wrongly fails here.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.translation import gettext, override

from .conftest import Persona
from .contract_helpers import awarded_tender, contract_of, pdf
from .test_api_tokens import make_token, program
from .test_fleet_api_cli import _inline_imports, asset_manager, register_csv, upload  # noqa: F401

RWS = "rijkswaterstaat"
REGISTER = [
    {"asset_key": f"NB-{n}", "product_group": "notebooks", "manufacturer": "Dell", "model": "Latitude 5520",
     "quantity": "1", "purchase_date": "2022-03-01", "country": "NL"}
    for n in range(1, 6)
] + [
    {"asset_key": "PH-1", "product_group": "smartphones", "manufacturer": "Fairphone", "model": "Fairphone 5",
     "quantity": "10", "purchase_date": "2024-01-15", "country": "NL", "status": "in_stock"},
]  # fmt: skip


@cache
def served_document() -> dict[str, Any]:
    """The OpenAPI document as the site serves it (no database needed)."""
    document: dict[str, Any] = Client().get("/api/openapi.json").json()
    return document


def conforms(response: Any, method: str, path: str) -> Any:
    """The answer's JSON, after checking it against the schema documented for this operation and status."""
    document = served_document()
    operation = document["paths"][path][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented, f"{method.upper()} {path} answers {response.status_code}, which it does not document"
    schema = documented["content"]["application/json"]["schema"]
    body = response.json()
    jsonschema.validate(body, {**schema, "components": document["components"]})
    return body


def register_file(lines: list[dict[str, str]]) -> SimpleUploadedFile:
    return upload(register_csv(lines), "register.csv")


@pytest.fixture
def asset_system(asset_manager: Persona) -> Client:
    return program(make_token(asset_manager, read_only=False, name="asset system"))


# --- who am I ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_program_learns_who_it_is_its_scopes_and_the_slugs_its_paths_take(asset_manager: Persona) -> None:
    reader = program(make_token(asset_manager, read_only=True, name="dashboard"))
    writer = program(make_token(asset_manager, read_only=False))

    read_only = conforms(reader.get("/api/v1/me"), "get", "/api/v1/me")
    read_write = conforms(writer.get("/api/v1/me"), "get", "/api/v1/me")

    assert read_only["username"] == "arne" and read_only["scopes"] == ["read"]
    assert read_only["token"]["name"] == "dashboard" and read_only["token"]["read_only"] is True
    assert read_write["scopes"] == ["read", "write"]
    [organisation] = read_write["organisations"]
    assert (organisation["slug"], organisation["role"]) == (RWS, "asset_manager")
    assert "register.import" in organisation["may"] and "tender.edit" not in organisation["may"]


@pytest.mark.django_db
def test_without_a_token_me_is_refused_in_the_one_error_body() -> None:
    answer = Client().get("/api/v1/me")

    refused = conforms(answer, "get", "/api/v1/me")
    assert refused["code"] == "not_authenticated" and "/accounts/tokens/" in refused["detail"]
    assert answer["WWW-Authenticate"].startswith("Bearer ")


# --- the register: push, page, sync ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_register_is_pushed_then_paged_through_in_a_stable_order(asset_system: Client) -> None:
    pushed = asset_system.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": register_file(REGISTER)})
    assert conforms(pushed, "post", "/api/v1/fleet/{slug}/assets/import") == {
        "created": 6,
        "updated": 0,
        "notes": [],
    }

    seen: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = asset_system.get(f"/api/v1/fleet/{RWS}/assets", {"page": page, "per_page": 4})
        body = conforms(answer, "get", "/api/v1/fleet/{slug}/assets")
        seen += body["assets"]
        if not body["assets"] or len(seen) >= body["count"]:
            break
        page += 1

    assert page == 2 and len(seen) == 6 and len({asset["id"] for asset in seen}) == 6
    again = asset_system.get(f"/api/v1/fleet/{RWS}/assets", {"per_page": 1000}).json()["assets"]
    assert [asset["id"] for asset in again] == [asset["id"] for asset in seen]


@pytest.mark.django_db
def test_a_sync_fetches_only_the_lines_changed_since_the_last_one(asset_system: Client) -> None:
    asset_system.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": register_file(REGISTER)})
    first = asset_system.get(f"/api/v1/fleet/{RWS}/assets").json()["assets"]
    last_sync = max(asset["updated"] for asset in first)
    time.sleep(0.01)

    changed = [{**REGISTER[0], "quantity": "2"}, {**REGISTER[0], "asset_key": "NB-6"}]
    pushed = asset_system.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": register_file(changed)})
    since = asset_system.get(f"/api/v1/fleet/{RWS}/assets", {"modified_since": last_sync})

    assert pushed.json() == {"created": 1, "updated": 1, "notes": []}
    body = conforms(since, "get", "/api/v1/fleet/{slug}/assets")
    assert sorted((a["asset_key"], a["quantity"]) for a in body["assets"]) == [("NB-1", 2), ("NB-6", 1)]
    assert body["count"] == 2
    # A line keeps its id through re-imports: the program's link to it holds.
    nb1 = {a["asset_key"]: a["id"] for a in first}["NB-1"]
    assert {a["asset_key"]: a["id"] for a in body["assets"]}["NB-1"] == nb1


@pytest.mark.django_db
def test_an_unchanged_list_is_not_sent_again(asset_system: Client) -> None:
    asset_system.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": register_file(REGISTER)})
    first = asset_system.get(f"/api/v1/fleet/{RWS}/assets")

    unchanged = asset_system.get(f"/api/v1/fleet/{RWS}/assets", HTTP_IF_NONE_MATCH=first["ETag"])
    asset_system.post(
        f"/api/v1/fleet/{RWS}/assets/import", {"file": register_file([REGISTER[0] | {"quantity": "3"}])}
    )
    changed = asset_system.get(f"/api/v1/fleet/{RWS}/assets", HTTP_IF_NONE_MATCH=first["ETag"])

    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "private" in first["Cache-Control"] and "Authorization" in first["Vary"]


@pytest.mark.django_db
def test_a_filter_word_the_register_does_not_know_is_refused_naming_the_field(asset_system: Client) -> None:
    answer = asset_system.get(f"/api/v1/fleet/{RWS}/assets", {"status": "broken"})

    refused = conforms(answer, "get", "/api/v1/fleet/{slug}/assets")
    assert (answer.status_code, refused["code"], refused["field"]) == (422, "invalid_request", "status")
    assert "in_use" in refused["problems"][0]


@pytest.mark.django_db
def test_a_refused_register_names_row_and_column_in_the_one_error_body(asset_system: Client) -> None:
    bad = [{**REGISTER[0], "quantity": "many"}]

    answer = asset_system.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": register_file(bad)})

    refused = conforms(answer, "post", "/api/v1/fleet/{slug}/assets/import")
    assert (answer.status_code, refused["code"]) == (422, "refused")
    assert any(problem.startswith("row 2, quantity") for problem in refused["problems"]), refused


# --- the procurement side: tenders, contracts, statements, monitoring ---------------------------------


@pytest.mark.django_db
def test_the_procurement_platform_creates_a_tender_and_finds_it_in_the_list(
    procurer: Persona, framework: Any
) -> None:
    platform = program(make_token(procurer, read_only=False, name="e-procurement"))
    tender = {"organisation": RWS, "title": "Laptops 2028", "reference": "RWS-2028-1",
              "lots": [{"product_group": "notebooks", "quantity": 100}]}  # fmt: skip

    created = conforms(
        platform.post("/api/v1/tenders/", tender, content_type="application/json"), "post", "/api/v1/tenders/"
    )
    listed = conforms(platform.get("/api/v1/tenders/"), "get", "/api/v1/tenders/")
    one = conforms(platform.get(f"/api/v1/tenders/{created['id']}"), "get", "/api/v1/tenders/{tender_id}")

    assert [(t["reference"], t["organisation"]) for t in listed] == [("RWS-2028-1", RWS)]
    assert one["id"] == created["id"]


@pytest.mark.django_db
def test_the_contracts_are_read_with_their_obligations(
    procurer: Persona, supplier: Persona, framework: Any
) -> None:
    contract = contract_of(awarded_tender(procurer), supplier.organisation, procurer)
    platform = program(make_token(procurer, read_only=True, name="contract register"))

    page = conforms(platform.get("/api/v1/contracts/", {"per_page": 1}), "get", "/api/v1/contracts/")
    one = conforms(
        platform.get(f"/api/v1/contracts/{contract.pk}/"), "get", "/api/v1/contracts/{contract_id}/"
    )

    assert (page["count"], page["page"], [c["id"] for c in page["contracts"]]) == (1, 1, [contract.pk])
    assert one["id"] == contract.pk and isinstance(one["value"], str)  # exact: a decimal string


@pytest.mark.django_db
def test_the_contract_register_syncs_what_changed_by_modified_since(
    procurer: Persona, supplier: Persona, framework: Any
) -> None:
    """A contract register synced everything on every run: contracts had no ``updated`` and the list no
    ``modified_since``. A change of the contract's obligations, evidence or findings brings it back."""
    from datetime import date

    from cfit.contracts import actions
    from cfit.contracts.schedule import Kind

    contract = contract_of(awarded_tender(procurer), supplier.organisation, procurer)
    other = contract_of(awarded_tender(procurer, "CONTRACT-2"), supplier.organisation, procurer)
    platform = program(make_token(procurer, read_only=True, name="contract register"))

    def changed_since(since: str) -> list[int]:
        page = conforms(
            platform.get("/api/v1/contracts/", {"modified_since": since}), "get", "/api/v1/contracts/"
        )
        return [c["id"] for c in page["contracts"]]

    first = conforms(platform.get("/api/v1/contracts/"), "get", "/api/v1/contracts/")
    last_sync = max(c["updated"] for c in first["contracts"])
    assert changed_since(last_sync) == []
    obligation = contract.obligations.filter(kind=Kind.DOCUMENT).first()
    assert obligation is not None
    for change in (
        lambda: actions.deliver(obligation, acting_user=supplier.user, data=pdf("x"), filename="x.pdf"),
        lambda: actions.accept(obligation, acting_user=procurer.user, comment="ok"),
        lambda: actions.open_finding(
            contract, kind="complaint", description="A complaint", action="Answer it", owner="Sid",
            deadline=date(2099, 1, 1), acting_user=procurer.user,
        ),
    ):  # fmt: skip
        time.sleep(0.002)  # the answers give times to the millisecond
        change()
        assert changed_since(last_sync) == [contract.pk], change
        last_sync = max(c["updated"] for c in platform.get("/api/v1/contracts/").json()["contracts"])
    assert other.pk not in changed_since(last_sync)
    refused = platform.get("/api/v1/contracts/", {"modified_since": "yesterday"})
    assert (refused.status_code, refused.json()["field"]) == (422, "modified_since")


@pytest.mark.django_db
def test_statements_and_monitoring_lists_answer_their_documented_shapes(procurer: Persona) -> None:
    platform = program(make_token(procurer, read_only=True))

    for path in (
        "/api/v1/statements",
        "/api/v1/monitoring/campaigns",
        "/api/v1/monitoring/results",
        "/api/v1/monitoring/reports",
    ):
        conforms(platform.get(path), "get", path)


# --- errors: one body, a code, the caller's language, the field --------------------------------------


@pytest.mark.django_db
def test_every_refusal_has_one_body_with_a_code_said_in_the_callers_language(
    asset_manager: Persona, outsider: Persona, framework: Any
) -> None:
    writer = program(make_token(asset_manager, read_only=False))
    reader = program(make_token(asset_manager, read_only=True, name="reader"))
    dutch = {"HTTP_ACCEPT_LANGUAGE": "nl"}
    upload = {"file": register_file(REGISTER)}

    answers = {
        "not_authenticated": (
            program("cfit_wrong").get("/api/v1/contracts/", **dutch),
            "get",
            "/api/v1/contracts/",
        ),
        "read_only_token": (
            reader.post(f"/api/v1/fleet/{RWS}/assets/import", upload, **dutch),
            "post",
            "/api/v1/fleet/{slug}/assets/import",
        ),
        "forbidden": (
            writer.post(
                "/api/v1/tenders/",
                {
                    "organisation": RWS,
                    "title": "x",
                    "reference": "x",
                    "lots": [{"product_group": "notebooks"}],
                },
                content_type="application/json",
                **dutch,
            ),
            "post",
            "/api/v1/tenders/",
        ),  # fmt: skip
        "not_found": (
            writer.get("/api/v1/fleet/ville-de-lyon/assets", **dutch),
            "get",
            "/api/v1/fleet/{slug}/assets",
        ),
        "invalid_request": (
            writer.get("/api/v1/contracts/", {"page": 0}, **dutch),
            "get",
            "/api/v1/contracts/",
        ),
        "bad_request": (
            writer.post("/api/v1/tenders/", "{", content_type="application/json", **dutch),
            "post",
            "/api/v1/tenders/",
        ),
    }

    for code, (answer, method, path) in answers.items():
        body = conforms(answer, method, path)
        assert body["code"] == code, (code, body)
        assert set(body) == {"code", "detail", "field", "problems"}, body
        assert answer["Content-Language"] == "nl", code
    with override("nl"):
        assert answers["forbidden"][0].json()["detail"] == gettext(
            "You cannot create tenders for that organisation."
        )
        assert answers["not_found"][0].json()["detail"] == gettext("Not found, or not yours to see.")
    assert answers["invalid_request"][0].json()["field"] == "page"


@pytest.mark.django_db
def test_the_fleet_and_monitoring_refusals_are_said_in_the_callers_language(
    asset_manager: Persona, settings: Any
) -> None:
    """A French caller read "no unpublished results for you here", "larger than 1 MB" and
    "register.csv: refused, nothing imported" in English: each now comes in the caller's language."""
    settings.FLEET_REGISTER_MAX_BYTES = 1_000_000
    writer = program(make_token(asset_manager, read_only=False))
    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    bad = dict(REGISTER[0], purchase_date="someday")

    unpublished = writer.get("/api/v1/monitoring/results", {"unpublished": "true"}, **french)
    too_large = writer.post(
        f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(b"x" * 1_100_000, "register.csv")}, **french
    )
    refused = writer.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": register_file([bad])}, **french)

    for answer, method, path in (
        (unpublished, "get", "/api/v1/monitoring/results"),
        (too_large, "post", "/api/v1/fleet/{slug}/assets/import"),
        (refused, "post", "/api/v1/fleet/{slug}/assets/import"),
    ):
        conforms(answer, method, path)
        assert answer["Content-Language"] == "fr"
    with override("fr"):
        assert unpublished.json()["detail"] == gettext("Not found, or not yours to see.")
        assert too_large.json()["detail"] == gettext("larger than %(size)s MB") % {"size": 1}
        assert refused.json()["detail"] == gettext(
            "%(file)s: refused, %(count)s problem(s), nothing imported"
        ) % {"file": "register.csv", "count": len(refused.json()["problems"])}
    assert "refusé" in refused.json()["detail"] and refused.json()["problems"]


@pytest.mark.django_db
def test_an_address_or_method_the_api_does_not_have_answers_json_not_a_page(asset_manager: Persona) -> None:
    writer = program(make_token(asset_manager, read_only=False))

    missing = writer.get("/api/v1/assets")
    not_taken = writer.delete("/api/v1/contracts/")

    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert (not_taken.status_code, not_taken.json()["code"]) == (405, "method_not_allowed")
    assert not_taken["Allow"] == "GET"


def test_the_document_declares_the_error_body_on_every_operation_and_the_conventions_up_front() -> None:
    document = served_document()

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {status: r for status, r in operation["responses"].items() if status >= "400"}
            assert {"404", "422"} <= set(errors), (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= set(errors), (method, path)
            if method == "get":
                assert "304" in operation["responses"], path
            for response in errors.values():
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"
                }
    guide = document["info"]["description"]
    for convention in ("/api/v1/me", "ErrorOut", "per_page", "modified_since", "If-None-Match", "ISO 8601",
                       "Retry-After", "decimal"):  # fmt: skip
        assert convention in guide, convention


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_in_the_one_error_body(asset_manager: Persona, settings: Any) -> None:
    settings.FLEET_REGISTER_MAX_BYTES = 10
    writer = program(make_token(asset_manager, read_only=False))

    answer = writer.generic(
        "POST",
        f"/api/v1/fleet/{RWS}/assets/import",
        b"",
        CONTENT_LENGTH=str(5 << 20),
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    body = conforms(answer, "post", "/api/v1/fleet/{slug}/assets/import")
    assert (answer.status_code, body["code"]) == (413, "too_large")
    with override("fr"):
        assert body["detail"] == gettext("The file is larger than %(size)s MB.") % {
            "size": f"{10 / (1 << 20):.3g}"
        }
