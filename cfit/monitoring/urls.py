from django.urls import path

from cfit.monitoring import public, views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("method/", public.method_page, name="method"),
    path("method/cloud/", public.cloud_method_page, name="cloud-method"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/publish/", views.campaign_publish, name="campaign-publish"),
    path("campaigns/<int:campaign_id>/withdraw/", views.campaign_withdraw, name="campaign-withdraw"),
    path("campaigns/<int:campaign_id>/<str:action>/", views.campaign_action, name="campaign-action"),
    path("campaigns/<int:campaign_id>/start/<slug:slug>/", views.report_start, name="report-start"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/template.xlsx", views.report_template, name="report-template"),
    path("reports/<int:report_id>/upload/", views.report_upload, name="report-upload"),
    path("reports/<int:report_id>/decide/", views.report_decide, name="report-decide"),
]
