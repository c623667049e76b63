from django.urls import path

from cfit.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.records, name="records"),
    path("download.csv", views.records_csv, name="csv"),
    path("<int:record_id>/", views.record_detail, name="record"),
]
