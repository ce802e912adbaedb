"""Forms of attendance's pages: the check-in, the manual roll, absence requests and
their decisions, a programme's attendance policy and a session's venue. They parse
input; the rules live in checkin.py, windows.py and services."""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cakap.attendance.codes import CODE_LENGTH
from cakap.attendance.models import (
    DEFAULT_RADIUS_M,
    EXCUSED,
    AttendancePolicy,
    AttendanceRecord,
    SessionVenue,
    Status,
)
from cakap.attendance.overview import Filters
from cakap.attendance.services import RollChange
from cakap.attendance.services.policy import (
    POLICY_FIELDS,
    SESSION_FIELDS,
    VENUE_FIELDS,
    PolicyFields,
    VenueFields,
)
from cakap.attendance.windows import (
    MAX_CODE_GRACE_S,
    MAX_CODE_PERIOD_S,
    MAX_RADIUS_M,
    MAX_WINDOW_MIN,
    MIN_CODE_PERIOD_S,
    MIN_RADIUS_M,
    Location,
    Problem,
    code_problems,
    point_problems,
    window_problems,
)
from cakap.core import bounds
from cakap.core.forms import Form
from cakap.people.models import Person, Unit
from cakap.programmes.models import Group, Session


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


# --- How attendance is taken: the programme's policy and a session's venue --------------


class CoordinateField(forms.Field):
    """A latitude or longitude as typed: a decimal point or comma ("-1,4567"), six
    decimals kept. Coordinates have no thousands separators, so a comma is the decimal
    one; the range is checked with the other rules (windows.point_problems)."""

    widget = forms.TextInput(
        attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": "24"}
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip().replace(" ", "")
        if not text:
            return None
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text) if len(text) <= 24 else Decimal("NaN")
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise forms.ValidationError(_("Enter a number such as -1.456789."), code="invalid")
        # Far off the globe the range check speaks; rounding such a number would fail.
        return number.quantize(Decimal("0.000001")) if abs(number) <= 1000 else number


def _split_pair(data: Any, lat: str, lng: str) -> Any:
    """ "-1.45, 101.2" pasted into the latitude field (a map's "copy coordinates") fills
    both fields when the longitude is empty."""
    if not isinstance(data, QueryDict) or data.get(lng, "").strip():
        return data
    parts = [p.strip() for p in data.get(lat, "").split(",")]
    if len(parts) != 2 or not all(parts):
        return data
    try:
        [Decimal(p) for p in parts]
    except InvalidOperation:
        return data
    data = data.copy()
    data[lat], data[lng] = parts
    return data


def _minutes(label: Any, help_text: Any = "", required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_WINDOW_MIN, "inputmode": "numeric"}),
    )


class _RulesForm(Form):
    """Shows each problem of the pure rules (windows.py) beside its field."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def add_problems(self, problems: list[Problem]) -> None:
        for problem in problems:
            field = problem.field if problem.field in self.fields else None
            if field is None or field not in self.errors:
                self.add_error(field, problem.message)


class PolicyForm(_RulesForm):
    opens_before_min = _minutes(_("Check-in opens (minutes before the start)"))
    closes_after_min = _minutes(_("Check-in closes (minutes after the start)"))
    late_after_min = _minutes(
        _("Late after (minutes after the start)"),
        _("A check-in after this is recorded as late; it must fall within the window."),
    )
    code_period_s = forms.IntegerField(
        label=_("The code changes every (seconds)"),
        widget=forms.NumberInput(
            attrs={"min": MIN_CODE_PERIOD_S, "max": MAX_CODE_PERIOD_S, "inputmode": "numeric"}
        ),
    )
    code_grace_s = forms.IntegerField(
        label=_("A code still counts after it changes for (seconds)"),
        help_text=_("For a phone on a weak signal that read the code just before it changed."),
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_CODE_GRACE_S, "inputmode": "numeric"}),
    )
    location_mode = forms.ChoiceField(
        label=_("Location at check-in"),
        choices=AttendancePolicy.LocationMode.choices,
        widget=forms.RadioSelect,
        help_text=AttendancePolicy._meta.get_field("location_mode").help_text,
    )
    latitude = CoordinateField(label=_("Latitude"))
    longitude = CoordinateField(label=_("Longitude"))
    radius_m = forms.IntegerField(
        label=_("Radius (metres)"),
        help_text=_("How far from the point a check-in still counts as at the venue."),
        widget=forms.NumberInput(
            attrs={"min": MIN_RADIUS_M, "max": MAX_RADIUS_M, "inputmode": "numeric"}
        ),
    )
    shared_device = forms.ChoiceField(
        label=_("One phone, two people"),
        choices=AttendancePolicy.SharedDevice.choices,
        widget=forms.RadioSelect,
        help_text=_("When a second person checks in on a phone that already checked someone in."),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(_split_pair(data, "latitude", "longitude"), **kwargs)

    @staticmethod
    def initial_for(policy: AttendancePolicy, seen: str) -> dict[str, object]:
        initial: dict[str, object] = {f: getattr(policy, f) for f in POLICY_FIELDS}
        initial["seen"] = seen
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = ("opens_before_min", "closes_after_min", "late_after_min")
        if all(data.get(n) is not None for n in names):
            self.add_problems(window_problems(*(data[n] for n in names)))
        if data.get("code_period_s") is not None and data.get("code_grace_s") is not None:
            self.add_problems(code_problems(data["code_period_s"], data["code_grace_s"]))
        if data.get("radius_m") is not None and "latitude" not in self.errors:
            self.add_problems(
                point_problems(data.get("latitude"), data.get("longitude"), data["radius_m"])
            )
        return data

    def service_fields(self) -> PolicyFields:
        return cast(PolicyFields, {f: self.cleaned_data[f] for f in POLICY_FIELDS})


class VenueForm(_RulesForm):
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    online_url = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        assume_scheme="https",
        help_text=_("Only when the session also meets online."),
    )
    latitude = CoordinateField(label=_("Latitude"))
    longitude = CoordinateField(label=_("Longitude"))
    radius_m = forms.IntegerField(
        label=_("Radius (metres)"),
        widget=forms.NumberInput(
            attrs={"min": MIN_RADIUS_M, "max": MAX_RADIUS_M, "inputmode": "numeric"}
        ),
    )
    opens_before_min = _minutes(
        _("Check-in opens (minutes before the start)"),
        required=False,
    )
    closes_after_min = _minutes(
        _("Check-in closes (minutes after the start)"),
        required=False,
    )

    def __init__(self, data: Any = None, *, policy: AttendancePolicy, **kwargs: Any) -> None:
        super().__init__(_split_pair(data, "latitude", "longitude"), **kwargs)
        self.policy = policy
        empty = _("Empty: the programme's %(minutes)s minutes.")
        self.fields["opens_before_min"].help_text = empty % {"minutes": policy.opens_before_min}
        self.fields["closes_after_min"].help_text = empty % {"minutes": policy.closes_after_min}
        if policy.latitude is not None:
            self.fields["latitude"].help_text = _(
                "Empty: the programme's venue point (%(lat)s, %(lng)s, %(radius)s m)."
            ) % {"lat": policy.latitude, "lng": policy.longitude, "radius": policy.radius_m}

    @staticmethod
    def initial_for(session: Session, venue: SessionVenue | None, seen: str) -> dict[str, object]:
        initial: dict[str, object] = {
            "venue": session.venue,
            "online_url": session.online_url,
            "radius_m": DEFAULT_RADIUS_M,
            "seen": seen,
        }
        if venue is not None:
            initial.update({f: getattr(venue, f) for f in VENUE_FIELDS})
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("radius_m") is not None and "latitude" not in self.errors:
            self.add_problems(
                point_problems(data.get("latitude"), data.get("longitude"), data["radius_m"])
            )
        opens, closes = data.get("opens_before_min"), data.get("closes_after_min")
        if "opens_before_min" not in self.errors and "closes_after_min" not in self.errors:
            policy = self.policy
            problems = window_problems(
                policy.opens_before_min if opens is None else opens,
                policy.closes_after_min if closes is None else closes,
                policy.late_after_min,
            )
            for problem in problems:
                if problem.field == "late_after_min":
                    self.add_error(
                        "closes_after_min",
                        _(
                            "The programme counts lateness from %(late)s minutes after the "
                            "start: this session's window cannot close before that."
                        )
                        % {"late": policy.late_after_min},
                    )
                else:
                    self.add_problems([problem])
        return data

    def service_fields(self) -> VenueFields:
        names = (*SESSION_FIELDS, *VENUE_FIELDS)
        return cast(VenueFields, {f: self.cleaned_data[f] for f in names})


class RecapFilterForm(Form):
    """The filters of the programme's recap and at-risk list, read from the query string
    (`group`, `unit`, `status`; the leader's dashboard links with them). A filter that
    names nothing is dropped with its message; the others still apply."""

    group = forms.IntegerField(
        label=_("Group"), required=False, min_value=1, max_value=bounds.MAX_ID
    )
    unit = forms.IntegerField(required=False, min_value=1, max_value=bounds.MAX_ID)
    status = forms.ChoiceField(label=_("Attendance"), required=False)

    def __init__(
        self, data: QueryDict, *, groups: dict[int, Group], statuses: Sequence[tuple[str, Any]]
    ) -> None:
        super().__init__(data)
        self.groups = groups
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = statuses

    def clean_group(self) -> Group | None:
        pk = self.cleaned_data["group"]
        if pk is None:
            return None
        if pk not in self.groups:
            raise forms.ValidationError(_("That group is not in this programme."))
        return self.groups[pk]

    def clean_unit(self) -> Unit | None:
        pk = self.cleaned_data["unit"]
        if pk is None:
            return None
        unit = Unit.objects.filter(pk=pk).first()
        if unit is None:
            raise forms.ValidationError(_("That unit does not exist."))
        return unit

    def filters(self) -> Filters:
        """The filters that were valid (call after `is_valid()`)."""
        data = getattr(self, "cleaned_data", {})
        return Filters(data.get("group"), data.get("unit"), data.get("status") or "")
