from django.urls import path

from cfit.datacentres import views

app_name = "datacentres"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:facility_id>/", views.facility, name="facility"),
    path("<int:facility_id>/file/", views.file_report, name="file"),
    path("providers/<slug:slug>/new/", views.facility_new, name="new"),
    path("providers/<slug:slug>/template.xlsx", views.template_download, name="template"),
    path("providers/<slug:slug>/upload/", views.template_upload, name="upload"),
    path("tenders/<int:tender_id>/", views.tender_facilities, name="tender"),
    path("tenders/<int:tender_id>/unlink/<int:link_id>/", views.tender_unlink, name="unlink"),
]
