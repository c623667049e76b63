"""The JSON API under /api/v1/, with its OpenAPI document at /api/docs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as RequestInvalid

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

api = NinjaAPI(
    title="cfit API",
    version="1",
    description="Criteria framework, tenders, offers, contracts, fleet register and impact of the Circular & Fair ICT Pact, for integrators.",
    urls_namespace="api",
    docs_url="/docs",
)
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


@api.exception_handler(RequestInvalid)
def request_invalid(request: HttpRequest, error: RequestInvalid) -> HttpResponse:
    """A request that does not fit its schema: 422 in the platform's one problem shape.

    The same body as the import refusals ({detail, problems}, declared as ProblemsOut on the endpoints
    that take files), so that a client reads every 422 the same way. Each problem names where (query,
    path, body, file…), the field and what is wrong, like an import problem.
    """
    problems = []
    for found in error.errors:
        location = [str(part) for part in found.get("loc", ())]
        where, field = (location[0], ".".join(location[1:]) or "-") if location else ("request", "-")
        problems.append(f"{where}, {field}: {found.get('msg', 'not valid')}")
    return api.create_response(
        request, {"detail": "The request does not fit the API's schema.", "problems": problems}, status=422
    )


@api.exception_handler(ValidationError)
def rule_broken(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A domain rule refused the change (a frozen tender, a published version…): 400 with its words.

    The domain raises Django's ValidationError subclasses (TenderFrozen, PublishedVersionError,
    PactRuleBroken); an endpoint that lets one escape answers a clear 400, never a server error.
    """
    return api.create_response(request, {"detail": " ".join(error.messages)}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """A member without the role gets 403 in every mode (ninja's debug handler would answer 500)."""
    return api.create_response(request, {"detail": "Your role does not allow this."}, status=403)
