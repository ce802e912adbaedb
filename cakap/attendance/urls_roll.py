from django.urls import path

from cakap.attendance import views_roll as views

urlpatterns = [
    path("sessions/<int:pk>/roll/", views.roll, name="roll"),
    path("sessions/<int:pk>/roll/<int:person_pk>/", views.roll_row, name="roll-row"),
    path("sessions/<int:pk>/close/", views.roll_close, name="roll-close"),
    path("sessions/<int:session_pk>/absence/", views.absence_request, name="absence-request"),
    path("records/<int:pk>/document/", views.record_document, name="record-document"),
    path("absence/", views.absence_queue, name="absence-queue"),
    path("absence/<int:pk>/decide/", views.absence_decide, name="absence-decide"),
    path("absence/<int:pk>/document/", views.absence_document, name="absence-document"),
    path("my/", views.my_index, name="my-attendance"),
    path("my/<int:programme_pk>/", views.my_programme, name="my-attendance-programme"),
    path("recap/groups/<int:pk>/", views.recap_group, name="recap-group"),
    path("recap/groups/<int:pk>/export.<str:fmt>", views.recap_group, name="recap-group-export"),
    path("recap/programmes/<int:pk>/", views.recap_programme, name="recap-programme"),
    path(
        "recap/programmes/<int:pk>/export.<str:fmt>",
        views.recap_programme,
        name="recap-programme-export",
    ),
    path("risk/programmes/<int:pk>/", views.risk_list, name="risk-programme"),
]
