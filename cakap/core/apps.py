from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cakap.core import converters


class CoreConfig(AppConfig):
    name = "cakap.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Before any urls.py is read: they name ids as <id:pk>.
        converters.register()
