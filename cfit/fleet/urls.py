from django.urls import path

from cfit.fleet import endofuse, views

app_name = "fleet"

urlpatterns = [
    path("", views.index, name="index"),
    path("template.csv", views.register_template, name="template"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/scenario.json", views.scenario, name="scenario"),
    path("<slug:slug>/assets/", views.asset_list, name="assets"),
    path("<slug:slug>/assets/<int:asset_id>/", views.asset_detail, name="asset"),
    path("<slug:slug>/assets/retire/", endofuse.retire, name="retire"),
    path("<slug:slug>/disposal/", endofuse.report_upload, name="disposal"),
    path("<slug:slug>/disposal/<int:report_id>/", endofuse.report_detail, name="disposal-report"),
    path("<slug:slug>/import/", views.import_upload, name="import"),
    path("<slug:slug>/import/<int:import_id>/", views.import_mapping, name="import-mapping"),
    path("<slug:slug>/import/<int:import_id>/values/", views.import_values, name="import-values"),
    path("<slug:slug>/import/<int:import_id>/progress/", views.import_progress, name="import-progress"),
    path(
        "<slug:slug>/import/<int:import_id>/problems.csv", views.import_problems_csv, name="import-problems"
    ),
    path("<slug:slug>/import/<int:import_id>/status.json", views.import_status, name="import-status"),
]
