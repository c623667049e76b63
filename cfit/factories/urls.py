from django.urls import path

from cfit.factories import views

app_name = "factories"
urlpatterns = [
    path("", views.factory_list, name="list"),
    path("<int:factory_id>/", views.factory_detail, name="detail"),
    path("disclose/<slug:organisation_slug>/", views.disclose, name="disclose"),
    path("disclose/<slug:organisation_slug>/<int:product_id>/withdraw/", views.withdraw, name="withdraw"),
    path("sharing/<slug:organisation_slug>/", views.sharing, name="sharing"),
]
