from django import forms
from django.utils.translation import gettext_lazy as _

from cakap.core.forms import Form
from cakap.people.models import DataRead


class ReadLogFilterForm(Form):
    """The read log's filters; every field may be empty."""

    reader = forms.CharField(label=_("Read by (email or name)"), required=False, max_length=100)
    person = forms.CharField(label=_("Whose data (name or NIP)"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("All")), *DataRead.Kind.choices]
    )
    scope = forms.ChoiceField(
        label=_("Scope"), required=False, choices=[("", _("All")), *DataRead.Scope.choices]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data
