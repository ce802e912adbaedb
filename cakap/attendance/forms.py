"""Forms of attendance's pages: the check-in, the manual roll, absence requests and
their decisions. They parse input; the rules live in checkin.py and services.py."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cakap.attendance.codes import CODE_LENGTH
from cakap.attendance.models import EXCUSED, AttendanceRecord, Status
from cakap.attendance.services import RollChange
from cakap.attendance.windows import Location
from cakap.core.forms import Form
from cakap.people.models import Person


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


class HeldCheckInForm(Form):
    """The coach's word on a check-in held for approval (a shared phone)."""

    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])


EXCUSED_CHOICES = [(s.value, s.label) for s in (Status.IZIN, Status.SAKIT, Status.DINAS_LUAR)]
DOCUMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _document_field(*, help_text: bool = True) -> forms.FileField:
    return forms.FileField(
        label=_("Document"),
        required=False,
        help_text=(
            _("A duty letter or a doctor's note: PDF, JPG or PNG, at most 5 MB.")
            if help_text
            else ""
        ),
        widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )


class RollForm(Form):
    """One status, reason and document per participant: fields `status-<person id>`,
    `reason-<person id>` and `document-<person id>`."""

    def __init__(
        self,
        roster: list[tuple[Person, AttendanceRecord | None]],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.roster = roster
        # One radio button per status, one tap each (decision 84); no blank choice: an
        # unmarked row is one with no button chosen, and a record is never unmarked.
        for person, record in roster:
            pid = person.pk
            self.fields[f"status-{pid}"] = forms.ChoiceField(
                label=_("Status"),
                choices=Status.choices,
                required=False,
                initial=record.status if record else "",
                widget=forms.RadioSelect,
            )
            self.fields[f"reason-{pid}"] = forms.CharField(
                label=_("Reason"),
                max_length=255,
                required=False,
                initial=record.reason if record else "",
            )
            # The roll says once, above the grid, what a document may be.
            self.fields[f"document-{pid}"] = _document_field(help_text=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for person, _record in self.roster:
            status = data.get(f"status-{person.pk}") or ""
            if status in EXCUSED and not (data.get(f"reason-{person.pk}") or "").strip():
                self.add_error(
                    f"reason-{person.pk}", _("Izin, sakit and dinas luar need a reason.")
                )
        return data

    def changes(self) -> list[RollChange]:
        """The rows whose status, reason or document differ from the record. An unmarked
        row stays unmarked: a record is never removed."""
        result = []
        for person, record in self.roster:
            status = self.cleaned_data.get(f"status-{person.pk}") or ""
            reason = (self.cleaned_data.get(f"reason-{person.pk}") or "").strip()
            document = self.cleaned_data.get(f"document-{person.pk}")
            if not status:
                continue
            if not isinstance(document, UploadedFile):
                document = None
            if (
                record is not None
                and record.status == status
                and record.reason == reason
                and document is None
                and not record.pending
            ):
                continue
            result.append(RollChange(person, status, reason, document))
        return result

    def rows(self) -> list[dict[str, Any]]:
        """What the template draws per participant: the fields, and each status button
        with whether it is chosen and whether it asks for a reason."""
        result = []
        for person, record in self.roster:
            status = self[f"status-{person.pk}"]
            chosen = str(status.value() or "")
            result.append(
                {
                    "person": person,
                    "record": record,
                    "status": status,
                    "reason": self[f"reason-{person.pk}"],
                    "document": self[f"document-{person.pk}"],
                    "chosen": chosen,
                    "excused": chosen in EXCUSED,
                    "choices": [
                        {
                            "value": value,
                            "label": label,
                            "checked": value == chosen,
                            "excused": value in EXCUSED,
                            "id": f"{status.auto_id}_{value}",
                        }
                        for value, label in Status.choices
                    ],
                }
            )
        return result


class AbsenceRequestForm(Form):
    status = forms.ChoiceField(label=_("I will be"), choices=EXCUSED_CHOICES)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the duty letter's number and destination."),
    )
    document = _document_field()


class AbsenceDecisionForm(Form):
    note = forms.CharField(label=_("Note to the participant"), max_length=255, required=False)
