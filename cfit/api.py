"""The JSON API under /api/v1/, with its OpenAPI document at /api/docs."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from cfit.criteria.api import router as criteria_router
from cfit.fleet.api import router as fleet_router
from cfit.monitoring.api import router as monitoring_router
from cfit.offers.api import router as offers_router
from cfit.tenders.api import router as tenders_router

api = NinjaAPI(
    title="cfit API",
    version="1",
    description="Criteria framework, tenders, offers, fleet register and impact of the Circular & Fair ICT Pact, for integrators.",
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/v1/", criteria_router)
api.add_router("/v1/", tenders_router)
api.add_router("/v1/", offers_router)
api.add_router("/v1/", fleet_router)
api.add_router("/v1/", monitoring_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """A member without the role gets 403 in every mode (ninja's debug handler would answer 500)."""
    return api.create_response(request, {"detail": "Your role does not allow this."}, status=403)
