from django.urls import path

from cakap.notices import views

app_name = "notices"

urlpatterns = [
    path("account/notices/", views.my_notices, name="my-notices"),
    path("people/<id:pk>/notices/", views.person_log, name="person-log"),
]
