from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "cakap.programmes"
    label = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from cakap.people import roster_targets
        from cakap.programmes.roster_targets import GroupTargets

        roster_targets.register(GroupTargets())
