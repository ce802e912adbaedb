from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "cakap.attendance"
    label = "attendance"
    verbose_name = _("Attendance")

    def ready(self) -> None:
        from cakap.attendance import signals

        signals.connect()
