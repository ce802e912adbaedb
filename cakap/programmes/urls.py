from django.urls import path, re_path

from cakap.programmes.views import calendar, enrolment, programmes

app_name = "programmes"

urlpatterns = [
    path("", programmes.programme_list, name="programme-list"),
    path("new/", programmes.programme_create, name="programme-create"),
    path("<id:pk>/", programmes.programme_detail, name="programme-detail"),
    path("<id:pk>/edit/", programmes.programme_edit, name="programme-edit"),
    path("<id:pk>/modules/new/", programmes.module_add, name="module-add"),
    path("<id:pk>/groups/new/", programmes.group_create, name="group-create"),
    path("modules/<id:pk>/edit/", programmes.module_edit, name="module-edit"),
    path("modules/<id:pk>/remove/", programmes.module_remove, name="module-remove"),
    path("groups/<id:pk>/", programmes.group_detail, name="group-detail"),
    path("groups/<id:pk>/coaches/", programmes.group_coaches, name="group-coaches"),
    path("groups/<id:pk>/enrol/", programmes.group_enrol, name="group-enrol"),
    path("groups/<id:pk>/enrol/many/", enrolment.group_enrol_many, name="group-enrol-many"),
    path("groups/<id:pk>/enrol/paste/", enrolment.group_enrol_paste, name="group-enrol-paste"),
    path(
        "groups/<id:pk>/participants/change/",
        enrolment.group_change_many,
        name="group-change-many",
    ),
    path("groups/<id:pk>/sessions/new/", programmes.session_create, name="session-create"),
    path("enrolments/<id:pk>/move/", programmes.enrolment_move, name="enrolment-move"),
    path("enrolments/<id:pk>/withdraw/", programmes.enrolment_withdraw, name="enrolment-withdraw"),
    path("sessions/<id:pk>/", programmes.session_detail, name="session-detail"),
    path("sessions/<id:pk>/edit/", programmes.session_edit, name="session-edit"),
    path("sessions/<id:pk>/cancel/", programmes.session_cancel, name="session-cancel"),
    path("sessions/<id:pk>/move/", programmes.session_move, name="session-move"),
    # The calendars, the schedule generator and the iCalendar feed.
    path("my-schedule/", calendar.my_schedule, name="my-schedule"),
    path("<id:pk>/calendar/", calendar.programme_calendar, name="programme-calendar"),
    path("<id:pk>/calendar/week/", calendar.programme_week, name="programme-week"),
    path("<id:pk>/calendar/days/", calendar.calendar_days, name="calendar-days"),
    path(
        "<id:pk>/schedule/generate/",
        calendar.schedule_generate,
        name="schedule-generate",
    ),
    path("feed/regenerate/", calendar.ical_regenerate, name="ical-regenerate"),
    re_path(
        r"^feed/(?P<token>[A-Za-z0-9_-]{1,64})\.ics$",
        calendar.ical_feed,
        name="ical-feed",
    ),
]
