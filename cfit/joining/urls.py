from django.urls import path

from cfit.joining import views

app_name = "joining"

urlpatterns = [
    path("", views.apply, name="apply"),
    path("applications/", views.my_applications, name="mine"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path("applications/<int:application_id>/answer/", views.answer, name="answer"),
    path("applications/<int:application_id>/decide/", views.decide, name="decide"),
    path("applications/<int:application_id>/signed-pact.pdf", views.signed_pact, name="signed-pact"),
    path("review/", views.review, name="review"),
]
