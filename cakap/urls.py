from django.contrib import admin
from django.urls import include, path

from cakap.api import api

urlpatterns = [
    path("", include("cakap.portal.urls")),
    path("", include("cakap.people.urls")),
    path("", include("cakap.notices.urls")),
    path("programmes/", include("cakap.programmes.urls")),
    path("attendance/", include("cakap.attendance.urls")),
    path("competence/", include("cakap.competence.urls")),
    path("reports/", include("cakap.reports.urls")),
    path("", include("cakap.privacy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler500 = "cakap.core.views.server_error"
