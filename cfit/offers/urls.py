from django.urls import path

from cfit.offers import views

app_name = "offers"
urlpatterns = [
    path("tenders/<int:tender_id>/offers/", views.offer_index, name="index"),
    path("tenders/<int:tender_id>/offers/links/", views.issue_link, name="issue_link"),
    path("tenders/<int:tender_id>/offers/compare/", views.compare, name="compare"),
    path("tenders/<int:tender_id>/offers/lines/<int:line_pk>/", views.line_view, name="line"),
    path("tenders/<int:tender_id>/offers/report.<str:fmt>", views.report, name="report"),
    path("offers/upload/<str:token>/", views.upload, name="upload"),
    path("offers/upload/<str:token>/template.xlsx", views.upload_template, name="upload_template"),
]
