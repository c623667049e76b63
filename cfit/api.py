"""The JSON API under /api/v1/, with its OpenAPI document at /api/docs.

One error body for every refusal (cfit.apierrors.ErrorOut), rendered here for the exceptions the
endpoints raise and completed here for the bodies they return; the OpenAPI document declares it on
every operation, with the conventions an integrator needs (INTEGRATOR_GUIDE).
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.openapi.schema import OpenAPISchema

from cfit.accounts.api import router as accounts_router
from cfit.accounts.tokens import ReadOnlyToken
from cfit.apierrors import INVALID_REQUEST, READ_ONLY_TOKEN, ErrorOut, completed, error_body
from cfit.casestudies.api import router as casestudies_router
from cfit.cloud.api import router as cloud_router
from cfit.contracts.api import router as contracts_router
from cfit.criteria.api import router as criteria_router
from cfit.datacentres.api import router as datacentres_router
from cfit.fleet.api import router as fleet_router
from cfit.joining.api import router as joining_router
from cfit.monitoring.api import router as monitoring_router
from cfit.offers.api import router as offers_router
from cfit.pact.api import router as pact_router
from cfit.tenders.api import router as tenders_router

#: What an integrator needs before the first call, at the top of the OpenAPI document and its page.
INTEGRATOR_GUIDE = """\
Criteria framework, tenders, offers, contracts, fleet register and impact of the Circular & Fair ICT \
Pact, for integrators.

**Signing in.** Send a personal token, made at `/accounts/tokens/`, as `Authorization: Bearer cfit_…`. \
It acts as its user, with the user's permissions, or read-only. `GET /api/v1/me` says who the token \
is, whether it may write, when it expires, and the organisations (their `slug`, used in paths such as \
`/api/v1/fleet/{slug}/assets`) with the user's role and what that role may do there.

**Errors.** Every 4xx answer has one body: `{"code", "detail", "field", "problems"}` (schema \
`ErrorOut`). `code` is stable and meant for programs (`not_authenticated` 401, `forbidden` and \
`read_only_token` 403, `not_found` 404, `method_not_allowed` 405, `too_large` 413, `invalid_request` \
422 for a request off this schema, `refused` for a refused file (422; an offer's file 400, as it \
always was), `bad_request` 400 for a rule the change breaks); `detail` is said in the language of `Accept-Language` (en, nl, fr, de, nb); `field` \
names the field at fault when there is one; `problems` lists every problem, a refused file's by sheet, \
row and column. What another organisation owns answers 404, as what does not exist.

**Pages.** Long lists are paged: `page` (from 1) and `per_page` (at most 1000) answer \
`{"count", "page", <items>}`, where `<items>` is named after them (`criteria`, `assets`, `contracts`, \
`reports`). Lists without these parameters are whole. Items come in a stable order, by `id` for assets; \
a page past the last is empty.

**Incremental sync.** `GET /api/v1/fleet/{slug}/assets?modified_since=2027-01-31T10:15:00.250Z` gives \
the asset lines added or changed after then; each line carries its `updated` time: send the largest \
one of the last sync. Every successful GET answer has an `ETag`: send it back as `If-None-Match` and \
an unchanged answer is `304 Not Modified`, without a body.

**Formats.** Dates are ISO 8601 (`2027-01-31`), times ISO 8601 in UTC to the millisecond; a time \
sent without its offset is read as UTC. Money and other exact \
amounts are decimal strings (`"1250000.00"`), never floats; figures computed with a range are numbers. \
Identifiers (`id`) are the database's and never reused; criteria are named by their code.

**Limits.** A request body may be up to the largest file it carries: 50 MB, a fleet register more \
(the answer 413 says how much). Each token (or browser session) may make 600 requests a minute, and \
each network address calling without a token 120 (a platform's settings may differ: every answer \
says). Every answer under `/api/` carries the IETF draft's fields: `RateLimit-Policy: "token";q=600;w=60` \
(the quota, per window of `w` seconds; the policy is `token`, `user` for a session, `address` without \
either) and `RateLimit: "token";r=599;t=42` (what remains, and the seconds until the window ends and \
the count starts again). Past the quota the answer is 429, code `throttled`, with `Retry-After` in \
seconds; a client that gets 429 or 503 waits that long before trying again. One token's use never \
limits another's.

**Changes of December 2026** (a client reading `detail` keeps working): every error body now has \
`code`, `field` and `problems`, and its `detail` follows `Accept-Language` (it was always English); \
a 422's problems name a body field without the endpoint's parameter name (`body, title`, it was \
`body, payload.title`); an unknown `status` or `product_group` on the assets is refused (422; it was \
an empty page); an address or method the API does not have answers this error body (it was an HTML \
page or plain text); the assets carry `updated` and take `modified_since`; each tender listed carries its \
organisation and deadline; `GET /api/v1/me` is new.

**More changes of December 2026.** Breaking: `GET /api/v1/criteria` pages as every other list, with `page` \
and `per_page` (default 100, at most 1000), and answers `{"count", "page", "criteria"}` (it took \
`limit` and `offset` and answered `{"count", "items"}`; `limit` or `offset` is now refused, 422 \
`invalid_request`, rather than ignored). New: the rate limit and its `RateLimit`, `RateLimit-Policy` \
fields (see Limits); `GET /api/v1/monitoring/reports?as_coordinator=true` lists the reports shared with \
the coordinator of a campaign you run, and every report listed carries its `campaign`; the end of use \
has its operations, as its pages: `POST /api/v1/fleet/{slug}/assets/retire` retires lines by asset key \
(all or nothing, every refused key named in `problems`), and `POST /api/v1/fleet/{slug}/disposal-reports` \
takes a disposal partner's report and answers its preview (`dry_run=false` applies it at once; \
`POST …/disposal-reports/{report_id}/apply` applies a preview); a supplier's token delivers an obligation's evidence (a file, figures, a declaration), \
replaces it or withdraws it until the buyer decides \
(`POST /api/v1/contracts/supplied/{id}/obligations/{id}/evidence/` and `…/withdraw/`).
"""


class CfitApi(NinjaAPI):
    """NinjaAPI with the platform's one error body, in its answers and in its OpenAPI document."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        final = temporal_response.status_code if temporal_response else status
        return super().create_response(
            request, completed(final or 200, data), status=status, temporal_response=temporal_response
        )

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        document = super().get_openapi_schema(**kwargs)
        return declare_errors(document)


def declare_errors(document: OpenAPISchema) -> OpenAPISchema:
    """Declare ErrorOut as the body of every error an operation may answer, and only it; and a GET's
    304 to If-None-Match (ApiConventionsMiddleware)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    replaced: set[str] = set()
    for operations in document["paths"].values():
        for method, operation in operations.items():
            # ninja keys the responses by int; the served JSON by str: one key type for the merge.
            responses = {str(status): response for status, response in operation.get("responses", {}).items()}
            operation["responses"] = responses
            # 400 on every one: the middleware in front refuses a malformed request (a NUL in the
            # query, an invalid Content-Length) before any endpoint.
            statuses = ["400", "404", "422", "429"]
            if operation.get("security"):
                statuses += ["401", "403"]
            if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
                statuses.append("413")
            if method == "get":
                statuses.append("304")
            for status in statuses:
                responses.setdefault(status, {"description": STATUS_WORDS[status]})
            for status, response in responses.items():
                if status >= "400":
                    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                    replaced.add(schema.get("$ref", "").rsplit("/", 1)[-1])
                    response.update(error)
            responses["429"]["headers"] = RATE_LIMIT_HEADERS
    # The endpoints' own refusal schemas ({detail, problems}) are ErrorOut's subset: no longer listed.
    text = str(document["paths"])
    for name in replaced - {"", "ErrorOut"}:
        if f"/{name}'" not in text:
            schemas.pop(name, None)
    return document


STATUS_WORDS = {
    "304": "Not Modified: the answer is still the one whose ETag was sent as If-None-Match (no body)",
    "400": "Bad Request: a rule refused the change, or the request is malformed",
    "401": "Unauthorized: no valid token or session",
    "403": "Forbidden: the user's role, or a read-only token, does not allow this",
    "404": "Not Found, or not yours to see",
    "413": "Content Too Large",
    "422": "Unprocessable Content: the request does not fit this schema, or its file was refused",
    "429": "Too Many Requests: the caller's rate limit is spent until the window ends (Retry-After)",
}

#: What a 429 says besides its body (cfit.apilimits); every answer carries RateLimit and RateLimit-Policy.
RATE_LIMIT_HEADERS = {
    "Retry-After": {
        "description": "Seconds until the window ends and the count starts again",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Policy": {
        "description": 'The quota and its window in seconds (IETF draft): `"token";q=600;w=60`',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'What remains of the quota and the seconds until the window ends: `"token";r=0;t=42`',
        "schema": {"type": "string"},
    },
}


api = CfitApi(
    title="cfit API",
    version="1",
    description=INTEGRATOR_GUIDE,
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/", criteria_router)
api.add_router("/v1/", tenders_router)
api.add_router("/v1/", offers_router)
api.add_router("/v1/", fleet_router)
api.add_router("/v1/", monitoring_router)
api.add_router("/v1/", cloud_router)
api.add_router("/v1/", datacentres_router)
api.add_router("/v1/", contracts_router)
api.add_router("/v1/", joining_router)
api.add_router("/v1/", casestudies_router)
api.add_router("/v1/", pact_router)


def _refusal(request: HttpRequest, status: int, detail: str, **more: Any) -> HttpResponse:
    return api.create_response(request, error_body(status, detail, **more), status=status)


@api.exception_handler(RequestInvalid)
def request_invalid(request: HttpRequest, error: RequestInvalid) -> HttpResponse:
    """A request that does not fit its schema: 422, code ``invalid_request``.

    Each problem names where (query, path, body, file…), the field and what is wrong, like an import
    problem; ``field`` is the first field at fault. A body's fields are named as the document names
    them, without the endpoint's parameter name around them.
    """
    problems, fields = [], []
    for found in error.errors:
        location = [str(part) for part in found.get("loc", ())]
        if len(location) > 2 and location[0] == "body":
            del location[1]
        where, field = (location[0], ".".join(location[1:]) or "-") if location else ("request", "-")
        problems.append(f"{where}, {field}: {found.get('msg', 'not valid')}")
        fields.append(field)
    return _refusal(
        request,
        422,
        _("The request does not fit the API's schema."),
        code=INVALID_REQUEST,
        field=next((field for field in fields if field != "-"), None),
        problems=problems,
    )


@api.exception_handler(ValidationError)
def rule_broken(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A domain rule refused the change (a frozen tender, a published version…): 400 with its words.

    The domain raises Django's ValidationError subclasses (TenderFrozen, PublishedVersionError,
    PactRuleBroken); an endpoint that lets one escape answers a clear 400, never a server error. A
    rule about one field names it.
    """
    fields = list(error.error_dict) if hasattr(error, "error_dict") else []
    field = fields[0] if len(fields) == 1 and fields[0] != "__all__" else None
    return _refusal(request, 400, " ".join(error.messages), field=field)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """A member without the role gets 403 in every mode (ninja's debug handler would answer 500)."""
    return _refusal(request, 403, _("Your role does not allow this."))


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    """No token, or one that does not sign in (revoked, expired, mistyped), and no session; the
    challenge says which scheme to answer with (RFC 6750)."""
    response = _refusal(
        request,
        401,
        _(
            "Sign in: send a valid API token as “Authorization: Bearer cfit_…” (make one at /accounts/tokens/)."
        ),
    )
    response["WWW-Authenticate"] = 'Bearer realm="cfit API"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    """Missing, or another organisation's: the same answer, so that nothing tells them apart."""
    return _refusal(request, 404, _("Not found, or not yours to see."))


@api.exception_handler(HttpError)
def refused(request: HttpRequest, error: HttpError) -> HttpResponse:
    """An endpoint's own refusal, with its status and words (a read-only token writing says so)."""
    code = READ_ONLY_TOKEN if isinstance(error, ReadOnlyToken) else None
    return _refusal(request, error.status_code, str(error), code=code)
