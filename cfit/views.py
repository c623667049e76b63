from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from cfit.criteria.models import Criterion, FrameworkVersion, ProductGroup

#: How long a process keeps the home page's framework summary and product groups for a published
#: version. The version never changes; the product groups change when a framework is loaded or by hand
#: in the admin, and their change counter (``ProductGroup.edition``) is in the key: every process shows
#: such a change at once.
HOME_CACHE_SECONDS = 300


def home(request: HttpRequest) -> HttpResponse:
    version = FrameworkVersion.objects.latest_published()
    return render(
        request,
        "home.html",
        {
            "version": version,
            "groups": ProductGroup.objects.all(),  # lazy: read only when the cached part is built
            # a callable: the template calls it only when the cached part is built
            "criteria_count": lambda: Criterion.objects.filter(version=version).count() if version else 0,
            "cache_seconds": HOME_CACHE_SECONDS if version else 0,
            "groups_edition": ProductGroup.edition(),
        },
    )


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and the production start test: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
