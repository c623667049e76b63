from django.urls import path

from cfit.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("new/<slug:organisation_slug>/", views.contract_enter, name="enter"),
    path("import/<slug:organisation_slug>/", views.contract_import, name="import"),
    path("tender/<int:tender_id>/", views.tender_contracts, name="tender"),
    path("<int:contract_id>/", views.contract_detail, name="detail"),
    path("<int:contract_id>/criteria/<int:row_id>/frequency/", views.criterion_frequency, name="frequency"),
    path("<int:contract_id>/obligations/<int:obligation_id>/decide/", views.obligation_decide, name="decide"),
    path(
        "<int:contract_id>/obligations/<int:obligation_id>/evidence/<int:submission_id>/",
        views.buyer_evidence,
        name="evidence",
    ),
    path("<int:contract_id>/deliveries/", views.delivery_record, name="delivery_record"),
    path("<int:contract_id>/findings/", views.finding_open, name="finding_open"),
    path(
        "<int:contract_id>/findings/<int:finding_id>/evidence/",
        views.buyer_finding_evidence,
        name="finding_evidence",
    ),
    path("supplier/<int:contract_id>/", views.supplier_contract, name="supplier"),
    path(
        "supplier/<int:contract_id>/findings/<int:finding_id>/close/",
        views.finding_close,
        name="finding_close",
    ),
    path(
        "supplier/<int:contract_id>/findings/<int:finding_id>/evidence/",
        views.supplier_finding_evidence,
        name="supplier_finding_evidence",
    ),
    path(
        "supplier/<int:contract_id>/obligations/<int:obligation_id>/",
        views.supplier_obligation,
        name="deliver",
    ),
    path(
        "supplier/<int:contract_id>/obligations/<int:obligation_id>/evidence/<int:submission_id>/",
        views.supplier_evidence,
        name="supplier_evidence",
    ),
]
