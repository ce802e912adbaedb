from django.urls import include, path

from cakap.programmes import views

urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("new/", views.programme_create, name="programme-create"),
    path("<int:pk>/", views.programme_detail, name="programme-detail"),
    path("<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("<int:pk>/modules/new/", views.module_add, name="module-add"),
    path("<int:pk>/groups/new/", views.group_create, name="group-create"),
    path("modules/<int:pk>/edit/", views.module_edit, name="module-edit"),
    path("modules/<int:pk>/remove/", views.module_remove, name="module-remove"),
    path("groups/<int:pk>/", views.group_detail, name="group-detail"),
    path("groups/<int:pk>/coaches/", views.group_coaches, name="group-coaches"),
    path("groups/<int:pk>/enrol/", views.group_enrol, name="group-enrol"),
    path("groups/<int:pk>/sessions/new/", views.session_create, name="session-create"),
    path("enrolments/<int:pk>/move/", views.enrolment_move, name="enrolment-move"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="enrolment-withdraw"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/move/", views.session_move, name="session-move"),
    path("", include("cakap.programmes.urls_calendar")),
]
