from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The site above the domain apps: home, health check, navigation, the audit trail
    page and the demo seed. It may import every app; no app imports it."""

    name = "cakap.portal"
    label = "portal"
    verbose_name = _("Portal")
