from django.urls import path

from cakap.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.notice, name="notice"),
    path("account/data/", views.my_data, name="my-data"),
    path("account/data/export.zip", views.my_data_export, name="my-data-export"),
    path("privacy/reads/", views.read_log, name="read-log"),
]
