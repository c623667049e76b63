"""The JSON API's one error body: every 4xx answer, from any endpoint or from the middleware in front.

``{"code": "not_found", "detail": "…", "field": null, "problems": []}``: ``code`` is stable, for programs;
``detail`` is said in the language the request asks for (``Accept-Language``); ``field`` names the field
at fault when one is; ``problems`` lists every problem (a refused file's, by sheet, row and column).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from ninja import Field, Schema

#: The default code of each error status, when the refusal does not name a more precise one.
CODE_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "refused",
    429: "throttled",
}
#: Codes more precise than their status's: a request off the API's schema, a read-only token writing.
INVALID_REQUEST = "invalid_request"
READ_ONLY_TOKEN = "read_only_token"
ALL_CODES = sorted({*CODE_BY_STATUS.values(), INVALID_REQUEST, READ_ONLY_TOKEN})


class ErrorOut(Schema):
    """What every error answer of the API holds."""

    code: str = Field(description="Stable, for programs: " + ", ".join(ALL_CODES) + ".")
    detail: str = Field(description="What is wrong, in the language asked for (Accept-Language).")
    field: str | None = Field(
        None, description="The field at fault, dotted (lots.0.product_group), when the error is one field's."
    )
    problems: list[str] = Field(
        default_factory=list,
        description="Every problem, each saying where (query, path, body, file: sheet, row, column) and what.",
    )


def error_body(
    status: int,
    detail: str | Promise,
    *,
    code: str | None = None,
    field: str | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    """The error body of a refusal, its ``detail`` said in the active language."""
    return {
        "code": code or CODE_BY_STATUS.get(status, "error"),
        "detail": str(detail),
        "field": field,
        "problems": [str(problem) for problem in problems or []],
    }


def completed(status: int, data: Any) -> Any:
    """An endpoint's own error body ({detail, problems} of a refused file…) with the fields every error
    body has; anything else unchanged."""
    if status < 400 or not isinstance(data, dict) or "detail" not in data:
        return data
    return {
        "code": data.get("code") or CODE_BY_STATUS.get(status, "error"),
        "detail": str(data["detail"]),
        "field": data.get("field"),
        "problems": [str(problem) for problem in data.get("problems") or []],
        **{key: value for key, value in data.items() if key not in ("code", "detail", "field", "problems")},
    }


def error_response(
    request: HttpRequest, status: int, detail: str | Promise, *, code: str | None = None
) -> JsonResponse:
    """An error answered before (or outside) the API's views, in the request's language: the locale
    middleware may not have run yet."""
    with translation.override(translation.get_language_from_request(request)):
        return JsonResponse(error_body(status, detail, code=code), status=status)
