from django.urls import path

from cfit.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("mine/", views.my_organisations, name="mine"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
    path("<slug:slug>/notice-details/", views.notice_details, name="notice-details"),
]
