from django.urls import path

from cfit.criteria import views

app_name = "criteria"
urlpatterns = [
    path("", views.library, name="library"),
    path("compare/<slug:group>/", views.compare, name="compare"),
    path("versions/", views.versions, name="versions"),
    path("versions/<str:code>/", views.version_detail, name="version"),
    path("versions/<str:code>/draft/", views.create_draft, name="create_draft"),
    path("versions/<str:code>/submit/", views.submit_for_review, name="submit"),
    path("versions/<str:code>/approve/", views.approve, name="approve"),
    path("versions/<str:code>/send-back/", views.send_back, name="send_back"),
    path("versions/<str:code>/publish/", views.publish, name="publish"),
    path("versions/<str:code>/import/", views.import_file, name="import"),
    path("versions/<str:code>/criteria.xlsx", views.export_xlsx, name="export_xlsx"),
    path("versions/<str:code>/edit/<slug:criterion_code>/", views.edit_criterion, name="edit"),
    path(
        "versions/<str:code>/edit/<slug:criterion_code>/reviewed/", views.mark_reviewed, name="mark_reviewed"
    ),
    path("<slug:code>/", views.criterion_detail, name="criterion"),
    path("<slug:code>/shortlist/", views.add_to_shortlist, name="add_to_shortlist"),
]
