from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from cfit import views
from cfit.accounts import views as accounts_views
from cfit.accounts.forms import SignInForm, SiteResetForm
from cfit.api import api
from cfit.monitoring import public
from cfit.search import views as search_views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # Browsers ask for /favicon.ico whatever the page links: send them to the icon the pages use.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    # Django's language switcher, which also keeps a signed-in user's choice as their own language.
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(form_class=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's password views with the site's templates (cfit/templates/registration/).
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/changed/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    # The reset link on the site's configured address, never the request's Host (SiteResetForm).
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=SiteResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/me/", accounts_views.my_account, name="my-account"),
    path("accounts/tokens/", accounts_views.api_tokens, name="api-tokens"),
    path("accounts/tokens/<int:pk>/revoke/", accounts_views.revoke_api_token, name="api-token-revoke"),
    path("organisations/<slug:slug>/audit/", include("cfit.audit.urls")),
    path("organisations/", include("cfit.accounts.urls")),
    path("criteria/", include("cfit.criteria.urls")),
    path("tenders/", include("cfit.tenders.urls")),
    path("", include("cfit.offers.urls")),
    path("fleet/", include("cfit.fleet.urls")),
    path("cloud/", include("cfit.cloud.urls")),
    path("datacentres/", include("cfit.datacentres.urls")),
    path("contracts/", include("cfit.contracts.urls")),
    path("factories/", include("cfit.factories.urls")),
    path("due-diligence/", include("cfit.duediligence.urls")),
    path("", include("cfit.pact.urls")),
    path("", include("cfit.learning.urls")),
    path("monitoring/", include("cfit.monitoring.urls")),
    path("join/", include("cfit.joining.urls")),
    path("case-studies/", include("cfit.casestudies.urls")),
    path("consultations/", include("cfit.consultations.urls")),
    path("search/", search_views.search_page, name="search"),
    path("results/", public.results_page, name="results"),
    path("results/download.<str:fmt>", public.results_download, name="results-download"),
    path("market/", include("cfit.notices.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
