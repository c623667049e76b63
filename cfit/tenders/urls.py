from django.urls import path

from cfit.tenders import views

app_name = "tenders"
urlpatterns = [
    path("", views.tender_list, name="list"),
    path("new/", views.tender_start, name="start"),
    path("<int:tender_id>/", views.tender_detail, name="detail"),
    path("<int:tender_id>/ambition/", views.tender_ambition, name="ambition"),
    path("<int:tender_id>/review/", views.tender_review, name="review"),
    path("<int:tender_id>/edit/", views.tender_edit, name="edit"),
    path("<int:tender_id>/status/", views.tender_status, name="status"),
    path("<int:tender_id>/notice-terms/", views.notice_terms, name="notice-terms"),
    path("<int:tender_id>/download/<str:fmt>/", views.tender_download, name="download"),
]
