from django.urls import path

from cfit.cloud import views

app_name = "cloud"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/<int:usage_id>/", views.usage_detail, name="usage"),
    path("<slug:slug>/<int:usage_id>/remove/", views.usage_remove, name="remove"),
]
