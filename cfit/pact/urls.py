from django.urls import path

from cfit.pact import views

app_name = "pact"

urlpatterns = [
    path("groups/", views.group_list, name="groups"),
    path("groups/memberships/<int:membership_id>/answer/", views.membership_answer, name="membership-answer"),
    path("groups/<slug:slug>/", views.group_detail, name="group"),
    path("groups/<slug:slug>/join/", views.group_join, name="group-join"),
    path("groups/<slug:slug>/invite/", views.group_invite, name="group-invite"),
    path("organisations/<slug:slug>/participation/", views.participation, name="participation"),
    path("working-groups/", views.working_group_list, name="working-groups"),
    path("working-groups/new/", views.working_group_new, name="working-group-new"),
    path(
        "working-groups/requests/<int:request_id>/answer/",
        views.working_group_request_answer,
        name="working-group-request-answer",
    ),
    path("working-groups/<slug:slug>/", views.working_group_detail, name="working-group"),
    path("working-groups/<slug:slug>/edit/", views.working_group_edit, name="working-group-edit"),
    path("working-groups/<slug:slug>/seats/", views.working_group_seat, name="working-group-seat"),
    path(
        "working-groups/<slug:slug>/seats/<int:seat_id>/remove/",
        views.working_group_seat_remove,
        name="working-group-seat-remove",
    ),
    path("working-groups/<slug:slug>/join/", views.working_group_join, name="working-group-join"),
    path("working-groups/<slug:slug>/documents/<int:document_id>/", views.document, name="document"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/new/<slug:slug>/", views.statement_new, name="statement-new"),
    path("statements/<slug:slug>/", views.statement_detail, name="statement"),
    path("statements/<slug:slug>/edit/", views.statement_edit, name="statement-edit"),
    path("statements/<slug:slug>/publish/", views.statement_publish, name="statement-publish"),
    path("statements/<slug:slug>/withdraw/", views.statement_withdraw, name="statement-withdraw"),
    path("statements/<slug:slug>/close/", views.statement_close, name="statement-close"),
]
