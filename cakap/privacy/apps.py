from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A person's own data (UU 27/2022): the self-service export, the log of reads for
    administrators, retention and the privacy notice. It sits on top beside portal and
    gathers each app's `personal_data` part; no app imports it."""

    name = "cakap.privacy"
    label = "privacy"
    verbose_name = _("Personal data")
