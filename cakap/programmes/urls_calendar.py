from django.urls import path, re_path

from cakap.programmes import calendar_views

urlpatterns = [
    path("my-schedule/", calendar_views.my_schedule, name="my-schedule"),
    path("<id:pk>/calendar/", calendar_views.programme_calendar, name="programme-calendar"),
    path("<id:pk>/calendar/week/", calendar_views.programme_week, name="programme-week"),
    path("<id:pk>/calendar/days/", calendar_views.calendar_days, name="calendar-days"),
    path(
        "<id:pk>/schedule/generate/",
        calendar_views.schedule_generate,
        name="schedule-generate",
    ),
    path("feed/regenerate/", calendar_views.ical_regenerate, name="ical-regenerate"),
    re_path(
        r"^feed/(?P<token>[A-Za-z0-9_-]{1,64})\.ics$",
        calendar_views.ical_feed,
        name="ical-feed",
    ),
]
