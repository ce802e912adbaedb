from django.urls import include, path

from cakap.programmes import views

urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("<int:pk>/", views.programme_detail, name="programme-detail"),
    path("", include("cakap.programmes.urls_calendar")),
]
