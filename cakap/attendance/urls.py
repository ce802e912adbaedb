from django.urls import include, path

urlpatterns = [
    path("", include("cakap.attendance.urls_checkin")),
    path("", include("cakap.attendance.urls_roll")),
]
