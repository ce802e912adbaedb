from django.urls import path

from cakap.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_trail, name="audit-trail"),
    path("health/", views.health, name="health"),
]
