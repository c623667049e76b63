"""The criteria library for machines: /api/v1/."""

from __future__ import annotations

from django.test import Client

from cfit.criteria import actions
from cfit.criteria.models import Criterion, FrameworkVersion


def test_criteria_are_listed_with_filters_and_language(client: Client, framework: FrameworkVersion) -> None:
    response = client.get(
        "/api/v1/criteria",
        {
            "product_group": "notebooks",
            "impact_category": "carbon",
            "ambition": "ambitious",
            "lang": "de",
            "per_page": 500,
        },
    )

    assert response.status_code == 200
    body = response.json()
    expected = Criterion.objects.filter(
        version=framework, product_groups__code="notebooks", impact_category="carbon", ambition="ambitious"
    )
    assert body["count"] == expected.count() > 0
    first = body["criteria"][0]
    assert first["title"] == expected.get(code=first["id"]).rendered("title", "de")
    assert all(
        item["ambition"] == "ambitious" and "notebooks" in item["product_groups"] for item in body["criteria"]
    )


def test_free_text_search_finds_dutch_words(client: Client, framework: FrameworkVersion) -> None:
    criterion = Criterion.objects.filter(version=framework, product_groups__code="notebooks").first()
    word = max(criterion.title["nl"].split(), key=len)

    body = client.get("/api/v1/criteria", {"q": word, "lang": "nl", "per_page": 500}).json()

    assert criterion.code in [item["id"] for item in body["criteria"]]


def test_one_criterion_with_its_requirements(client: Client, framework: FrameworkVersion) -> None:
    criterion = Criterion.objects.filter(version=framework).first()

    body = client.get(f"/api/v1/criteria/{criterion.code}", {"lang": "fr"}).json()

    assert body["title"] == criterion.rendered("title", "fr")
    assert [r["id"] for r in body["requirements"]] == list(
        criterion.requirements.values_list("code", flat=True)
    )
    assert body["languages"] == ["en", "nl", "fr", "de", "nb"]


def test_unknown_criterion_and_bad_language_are_clear_errors(
    client: Client, framework: FrameworkVersion
) -> None:
    assert client.get("/api/v1/criteria/no-such-thing").status_code == 404
    assert client.get("/api/v1/criteria", {"lang": "xx"}).status_code == 422


def test_product_groups_and_versions(client: Client, framework: FrameworkVersion) -> None:
    groups = client.get("/api/v1/product-groups", {"lang": "nb"}).json()
    versions = client.get("/api/v1/versions").json()

    assert len(groups) == 14 and all(g["criteria"] > 0 for g in groups)
    assert next(g for g in groups if g["id"] == "smartphones")["name"] == "Smarttelefoner"
    assert versions[0]["code"] == framework.code and versions[0]["criteria"] >= 100


def test_drafts_are_hidden_from_the_public(client: Client, framework: FrameworkVersion, secretary) -> None:
    draft = actions.create_draft(framework, code="secret-draft")

    assert client.get("/api/v1/criteria", {"version": draft.code}).status_code == 404
    assert "secret-draft" not in client.get("/api/v1/versions").content.decode()
    assert client.get(f"/api/v1/versions/{draft.code}/export").status_code == 404

    client.force_login(secretary.user)
    assert client.get("/api/v1/criteria", {"version": draft.code}).status_code == 200


def test_the_openapi_document_is_served(client: Client, framework: FrameworkVersion) -> None:
    schema = client.get("/api/openapi.json").json()

    assert "/api/v1/criteria" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_version_export_matches_the_cli_shape(client: Client, framework: FrameworkVersion) -> None:
    body = client.get(f"/api/v1/versions/{framework.code}/export").json()

    assert body["version"] == framework.code and len(body["criteria"]) == framework.criteria.count()


def test_criteria_are_paged_as_every_list_is_each_criterion_once(
    client: Client, framework: FrameworkVersion
) -> None:
    total = framework.criteria.count()

    pages = [client.get("/api/v1/criteria", {"per_page": 50, "page": n}).json() for n in range(1, 7)]

    codes = [item["id"] for page in pages for item in page["criteria"]]
    assert {page["count"] for page in pages} == {total} and [p["page"] for p in pages] == [1, 2, 3, 4, 5, 6]
    assert len(codes) == len(set(codes)) == total  # the pages past the last are empty
    assert codes == list(framework.criteria.order_by("position", "code").values_list("code", flat=True))


def test_the_former_limit_and_offset_are_refused_not_ignored(
    client: Client, framework: FrameworkVersion
) -> None:
    """A client of the former paging asking for 500 criteria would have taken the first 100 for all."""
    refused = client.get("/api/v1/criteria", {"limit": 500, "offset": 0})

    assert refused.status_code == 422
    body = refused.json()
    assert (body["code"], body["field"]) == ("invalid_request", "limit")
    assert body["problems"] == [
        "query, limit: no longer taken: page with page and per_page",
        "query, offset: no longer taken: page with page and per_page",
    ]
