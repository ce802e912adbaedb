from django.urls import path

from cakap.attendance import views_roll as views

urlpatterns = [
    path("sessions/<id:pk>/roll/", views.roll, name="roll"),
    path("sessions/<id:pk>/roll/<id:person_pk>/", views.roll_row, name="roll-row"),
    path("sessions/<id:pk>/close/", views.roll_close, name="roll-close"),
    path("sessions/<id:session_pk>/absence/", views.absence_request, name="absence-request"),
    path("records/<id:pk>/document/", views.record_document, name="record-document"),
    path("absence/", views.absence_queue, name="absence-queue"),
    path("absence/<id:pk>/decide/", views.absence_decide, name="absence-decide"),
    path("absence/<id:pk>/document/", views.absence_document, name="absence-document"),
    path("my/", views.my_index, name="my-attendance"),
    path("my/<id:programme_pk>/", views.my_programme, name="my-attendance-programme"),
    path("recap/groups/<id:pk>/", views.recap_group, name="recap-group"),
    path("recap/groups/<id:pk>/export.<str:fmt>", views.recap_group, name="recap-group-export"),
    path("recap/programmes/<id:pk>/", views.recap_programme, name="recap-programme"),
    path(
        "recap/programmes/<id:pk>/export.<str:fmt>",
        views.recap_programme,
        name="recap-programme-export",
    ),
    path("risk/programmes/<id:pk>/", views.risk_list, name="risk-programme"),
]
