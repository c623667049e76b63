from django.urls import path

from cfit.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.market_page, name="market"),
    path("download.<str:fmt>", views.market_download, name="download"),
    path("import/", views.market_import, name="import"),
]
