from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from cfit.criteria.models import Criterion, FrameworkVersion, ProductGroup


def home(request: HttpRequest) -> HttpResponse:
    version = FrameworkVersion.objects.latest_published()
    groups = ProductGroup.objects.all()
    count = Criterion.objects.filter(version=version).count() if version else 0
    return render(request, "home.html", {"version": version, "groups": groups, "criteria_count": count})


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and the production start test: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
