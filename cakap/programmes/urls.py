from django.urls import include, path

from cakap.programmes import views

urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("new/", views.programme_create, name="programme-create"),
    path("<id:pk>/", views.programme_detail, name="programme-detail"),
    path("<id:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("<id:pk>/modules/new/", views.module_add, name="module-add"),
    path("<id:pk>/groups/new/", views.group_create, name="group-create"),
    path("modules/<id:pk>/edit/", views.module_edit, name="module-edit"),
    path("modules/<id:pk>/remove/", views.module_remove, name="module-remove"),
    path("groups/<id:pk>/", views.group_detail, name="group-detail"),
    path("groups/<id:pk>/coaches/", views.group_coaches, name="group-coaches"),
    path("groups/<id:pk>/enrol/", views.group_enrol, name="group-enrol"),
    path("groups/<id:pk>/sessions/new/", views.session_create, name="session-create"),
    path("enrolments/<id:pk>/move/", views.enrolment_move, name="enrolment-move"),
    path("enrolments/<id:pk>/withdraw/", views.enrolment_withdraw, name="enrolment-withdraw"),
    path("sessions/<id:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<id:pk>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<id:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<id:pk>/move/", views.session_move, name="session-move"),
    path("", include("cakap.programmes.urls_calendar")),
]
