from django.urls import path

from cakap.attendance import views_checkin as views

urlpatterns = [
    path("c/<id:session_id>/<str:code>/", views.checkin_scan, name="checkin-scan"),
    path("checkin/", views.checkin_code, name="checkin-code"),
    path("card/", views.my_card, name="my-card"),
    path("sessions/<id:pk>/checkin/", views.coach_checkin, name="coach-checkin"),
    path("sessions/<id:pk>/checkin/code/", views.coach_code, name="coach-code"),
    path("sessions/<id:pk>/checkin/roll/", views.coach_roll, name="coach-roll"),
    path("sessions/<id:pk>/checkin/search/", views.coach_search, name="coach-search"),
    path("sessions/<id:pk>/checkin/mark/", views.coach_mark, name="coach-mark"),
    path("sessions/<id:pk>/checkin/card/", views.coach_card, name="coach-card"),
    path(
        "sessions/<id:pk>/checkin/records/<id:record_pk>/decide/",
        views.coach_decide,
        name="coach-decide",
    ),
    path("programmes/<id:pk>/links/", views.links_list, name="links-list"),
    path("programmes/<id:pk>/links/issue/", views.links_issue, name="links-issue"),
    path("programmes/<id:pk>/links/print/", views.links_print, name="links-print"),
    path("programmes/<id:pk>/refusals/", views.attempts_list, name="checkin-attempts"),
    path("links/<id:link_pk>/revoke/", views.links_revoke, name="links-revoke"),
    path("links/<id:link_pk>/email/", views.links_email, name="links-email"),
    path("l/<str:token>/", views.link_open, name="link-open"),
]
