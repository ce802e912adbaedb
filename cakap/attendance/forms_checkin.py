"""Forms of the check-in pages: they parse input; the rules live in checkin.py."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cakap.attendance.codes import CODE_LENGTH
from cakap.attendance.windows import Location
from cakap.core.forms import Form


class CodeForm(Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=12,
        help_text=_("The six characters under the QR code on the coach's screen."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "code-input",
            }
        ),
    )

    def clean_code(self) -> str:
        from cakap.attendance.codes import normalise_code

        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(_("The code has six characters."))
        return code


class LocationForm(Form):
    """What the page's script says about the phone's position; every field optional."""

    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)
    acc = forms.FloatField(required=False, min_value=0, max_value=1_000_000)
    loc_error = forms.CharField(required=False, max_length=20)

    def location(self) -> Location | None:
        if not self.is_valid():
            return Location(error="invalid")
        data = self.cleaned_data
        if data["lat"] is not None and data["lng"] is not None:
            return Location(data["lat"], data["lng"], data["acc"])
        if data["loc_error"]:
            return Location(error=data["loc_error"])
        return None


def location_from(data: QueryDict) -> Location | None:
    """The phone's position from a check-in POST; None when the page sent none (the
    programme does not check location), without building a form for nothing."""
    if not any(name in data for name in LocationForm.base_fields):
        return None
    return LocationForm(data).location()


class SearchForm(Form):
    q = forms.CharField(label=_("Name or NIP"), max_length=100, required=False)


class PersonPickForm(Form):
    person = forms.IntegerField(min_value=1)


class CardForm(Form):
    token = forms.CharField(max_length=200)


class DecisionForm(Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
