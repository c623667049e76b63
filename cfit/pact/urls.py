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
    path("working-groups/<slug:slug>/", views.working_group_detail, name="working-group"),
    path("working-groups/<slug:slug>/documents/<int:document_id>/", views.document, name="document"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/new/<slug:slug>/", views.statement_new, name="statement-new"),
    path("statements/<slug:slug>/", views.statement_detail, name="statement"),
    path("statements/<slug:slug>/edit/", views.statement_edit, name="statement-edit"),
    path("statements/<slug:slug>/publish/", views.statement_publish, name="statement-publish"),
    path("statements/<slug:slug>/withdraw/", views.statement_withdraw, name="statement-withdraw"),
]
