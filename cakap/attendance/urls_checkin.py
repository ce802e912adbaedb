from django.urls import path

from cakap.attendance import views_checkin as views

urlpatterns = [
    path("c/<int:session_id>/<str:code>/", views.checkin_scan, name="checkin-scan"),
    path("checkin/", views.checkin_code, name="checkin-code"),
    path("card/", views.my_card, name="my-card"),
    path("sessions/<int:pk>/checkin/", views.coach_checkin, name="coach-checkin"),
    path("sessions/<int:pk>/checkin/code/", views.coach_code, name="coach-code"),
    path("sessions/<int:pk>/checkin/roll/", views.coach_roll, name="coach-roll"),
    path("sessions/<int:pk>/checkin/search/", views.coach_search, name="coach-search"),
    path("sessions/<int:pk>/checkin/mark/", views.coach_mark, name="coach-mark"),
    path("sessions/<int:pk>/checkin/card/", views.coach_card, name="coach-card"),
    path(
        "sessions/<int:pk>/checkin/records/<int:record_pk>/decide/",
        views.coach_decide,
        name="coach-decide",
    ),
    path("programmes/<int:pk>/links/", views.links_list, name="links-list"),
    path("programmes/<int:pk>/links/issue/", views.links_issue, name="links-issue"),
    path("programmes/<int:pk>/links/print/", views.links_print, name="links-print"),
    path("programmes/<int:pk>/refusals/", views.attempts_list, name="checkin-attempts"),
    path("links/<int:link_pk>/revoke/", views.links_revoke, name="links-revoke"),
    path("links/<int:link_pk>/email/", views.links_email, name="links-email"),
    path("l/<str:token>/", views.link_open, name="link-open"),
]
