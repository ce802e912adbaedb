from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What leaders read: the dashboard for their scope and the weekly briefs. It sits
    above the domain apps (people, programmes, attendance, competence) and reads them;
    none of them imports it."""

    name = "cakap.reports"
    label = "reports"
    verbose_name = _("Reports")
