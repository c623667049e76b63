from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cfit import views
from cfit.api import api
from cfit.monitoring import public

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisations/", include("cfit.accounts.urls")),
    path("criteria/", include("cfit.criteria.urls")),
    path("tenders/", include("cfit.tenders.urls")),
    path("", include("cfit.offers.urls")),
    path("fleet/", include("cfit.fleet.urls")),
    path("", include("cfit.pact.urls")),
    path("monitoring/", include("cfit.monitoring.urls")),
    path("results/", public.results_page, name="results"),
    path("results/download.<str:fmt>", public.results_download, name="results-download"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
