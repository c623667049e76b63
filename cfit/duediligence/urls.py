from django.urls import path

from cfit.duediligence import views

app_name = "duediligence"
urlpatterns = [
    path("contract/<int:contract_id>/", views.contract_minerals, name="contract"),
    path("supplier/<int:contract_id>/", views.supplier_minerals, name="supplier"),
]
