from django.urls import path

from cakap.programmes import views

urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("<int:pk>/", views.programme_detail, name="programme-detail"),
    path("my-schedule/", views.my_schedule, name="my-schedule"),
]
