from django.urls import path

from cakap.programmes import calendar_views

urlpatterns = [
    path("my-schedule/", calendar_views.my_schedule, name="my-schedule"),
]
