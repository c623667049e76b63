from django.urls import path

from cfit.offers import evaluation_views, views

app_name = "offers"
urlpatterns = [
    path("tenders/<int:tender_id>/offers/", views.offer_index, name="index"),
    path("tenders/<int:tender_id>/offers/links/", views.issue_link, name="issue_link"),
    path("tenders/<int:tender_id>/offers/compare/", evaluation_views.compare, name="compare"),
    path("tenders/<int:tender_id>/offers/lines/<int:line_pk>/", evaluation_views.line_view, name="line"),
    path("tenders/<int:tender_id>/offers/report.<str:fmt>", evaluation_views.report, name="report"),
    path(
        "tenders/<int:tender_id>/offers/sign-off/", evaluation_views.prepare_sign_off, name="prepare_sign_off"
    ),
    path(
        "tenders/<int:tender_id>/offers/sign-off/<int:sign_off_pk>/approve/",
        evaluation_views.approve_sign_off,
        name="approve_sign_off",
    ),
    path("offers/upload/<str:token>/", views.upload, name="upload"),
    path("offers/upload/<str:token>/template.xlsx", views.upload_template, name="upload_template"),
    path("offers/upload/<str:token>/questions/", views.ask_question, name="ask_question"),
    path(
        "tenders/<int:tender_id>/offers/questions/<int:question_pk>/answer/",
        views.answer_question,
        name="answer_question",
    ),
]
