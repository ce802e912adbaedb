from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Reminders and notices: the delivery log, the opt-outs and the channels (email,
    WhatsApp click-to-chat). It sits right above people and imports core and people
    only; the apps that know an event (attendance, competence) call its services."""

    name = "cakap.notices"
    label = "notices"
    verbose_name = _("Notices")
