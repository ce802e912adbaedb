from django import forms
from django.utils.translation import gettext_lazy as _

from cakap.core.forms import Form
from cakap.notices.models import Channel, DeliveryState, NoticeKind


class PreferencesForm(Form):
    """Which kinds of notice come by email; what is not ticked does not."""

    email_kinds = forms.MultipleChoiceField(
        label=_("Send me these by email"),
        choices=NoticeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class LogFilterForm(Form):
    """The filters of a delivery log; a bad value is named under its field and the log
    shown unfiltered."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All"))] + NoticeKind.choices, required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All"))] + Channel.choices, required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All"))] + DeliveryState.choices, required=False
    )
