from django.urls import path

from cfit.learning import views

app_name = "learning"

urlpatterns = [
    path("guides/", views.guide_list, name="guides"),
    path("guides/new/", views.guide_new, name="guide-new"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide"),
    path("guides/<slug:slug>/edit/", views.guide_edit, name="guide-edit"),
    path("guides/<slug:slug>/publish/", views.guide_publish, name="guide-publish"),
    path("guides/<slug:slug>/reviewed/", views.guide_review, name="guide-review"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_new, name="event-new"),
    path("events/my-events.ics", views.my_calendar, name="my-calendar"),
    path("events/feed/new/", views.calendar_feed_new, name="calendar-feed-new"),
    path("events/feed/<str:secret>/events.ics", views.calendar_feed, name="calendar-feed"),
    path("events/<int:event_id>/", views.event_detail, name="event"),
    path("events/<int:event_id>/event.ics", views.event_ics, name="event-ics"),
    path("events/<int:event_id>/register/", views.event_register, name="event-register"),
    path("events/<int:event_id>/unregister/", views.event_unregister, name="event-unregister"),
    path("events/<int:event_id>/materials/", views.material_add, name="material-add"),
    path("events/<int:event_id>/materials/<int:material_id>/", views.material, name="material"),
]
