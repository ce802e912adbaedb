"""Forms for the organiser pages. They parse input only; services validate and write.

Plain forms rather than ModelForms, because a ModelForm copies its data onto the
instance while validating, and the services need the untouched instance to record
the values before a change.
"""

import datetime
import hashlib
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from cakap.core import bounds
from cakap.core.formatting import JAKARTA, local
from cakap.core.forms import Form, ModelForm
from cakap.people.forms import UnitChoiceField
from cakap.people.models import JobLevel, Person, Rank, Unit
from cakap.programmes.models import CalendarDay, Group, Module, Programme, Session
from cakap.programmes.paste import MAX_PASTE_CHARS
from cakap.programmes.queries import CandidateFilter, ModulePlan, ScheduleRequest
from cakap.programmes.schedule import MAX_DURATION_MINUTES, MAX_SESSIONS, Slot
from cakap.programmes.services import SessionDetails


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class ProgrammeForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    organiser_unit = UnitChoiceField(label=_("Organiser unit"), queryset=Unit.objects.none())
    coaching_unit = UnitChoiceField(label=_("Coaching unit"), queryset=Unit.objects.none())
    learning_form = forms.ChoiceField(
        label=_("Learning form"), choices=Programme.LearningForm.choices
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    status = forms.ChoiceField(label=_("Status"), choices=Programme.Status.choices)
    target_sessions = forms.IntegerField(
        label=_("Target number of sessions"), min_value=0, max_value=1000, initial=0
    )
    min_attendance_pct = forms.IntegerField(
        label=_("Minimum attendance (%)"), min_value=0, max_value=100, initial=80
    )
    jp_credit = forms.IntegerField(label=_("JP credited"), min_value=0, max_value=1000, initial=0)
    notify_superior_when_behind = forms.BooleanField(
        label=_("Tell a participant's direct superior (atasan langsung) when they fall behind"),
        required=False,
    )
    min_post_score = forms.IntegerField(
        label=_("Minimum score on the final assessment"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("0 to 100; leave empty when the score does not decide the pass."),
    )
    require_tasks = forms.BooleanField(
        label=_("All practical tasks must be accepted"), required=False
    )

    def __init__(
        self, *args: Any, organiser_units: QuerySet[Unit], creating: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser_unit"].queryset = organiser_units  # type: ignore[attr-defined]
        self.fields["coaching_unit"].queryset = Unit.objects.all()  # type: ignore[attr-defined]
        if creating:
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (v, label)
                for v, label in Programme.Status.choices
                if v in (Programme.Status.DRAFT, Programme.Status.RUNNING)
            ]

    @staticmethod
    def initial_for(programme: Programme) -> dict[str, object]:
        criteria = programme.pass_criteria or {}
        return {
            "title": programme.title,
            "organiser_unit": programme.organiser_unit_id,
            "coaching_unit": programme.coaching_unit_id,
            "learning_form": programme.learning_form,
            "start_date": programme.start_date,
            "end_date": programme.end_date,
            "description": programme.description,
            "status": programme.status,
            "target_sessions": programme.target_sessions,
            "min_attendance_pct": programme.min_attendance_pct,
            "jp_credit": programme.jp_credit,
            "notify_superior_when_behind": programme.notify_superior_when_behind,
            "min_post_score": criteria.get("min_post_score"),
            "require_tasks": criteria.get("require_tasks", False),
        }

    def service_fields(self, existing: dict[str, Any] | None = None) -> dict[str, Any]:
        """The cleaned data in the shape the services take; pass criteria this form does not
        show (set through the API) are kept."""
        data = dict(self.cleaned_data)
        criteria = dict(existing or {})
        criteria.pop("min_post_score", None)
        if data["min_post_score"] is not None:
            criteria["min_post_score"] = data["min_post_score"]
        if data["require_tasks"] or "require_tasks" in criteria:
            criteria["require_tasks"] = data["require_tasks"]
        del data["min_post_score"], data["require_tasks"]
        data["pass_criteria"] = criteria
        return data


class ModuleForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    order = forms.IntegerField(
        label=_("Order"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=_("Leave empty to put it last."),
    )


class GroupForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    coaches = forms.ModelMultipleChoiceField(
        label=_("Coaches"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, coaches: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coaches"].queryset = coaches  # type: ignore[attr-defined]


class CoachesForm(Form):
    coaches = forms.ModelMultipleChoiceField(
        label=_("Coaches"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, coaches: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coaches"].queryset = coaches  # type: ignore[attr-defined]


class EnrolForm(Form):
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choose a person from the search results.")},
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class MoveParticipantForm(ReasonForm):
    to_group = forms.ModelChoiceField(label=_("Move to group"), queryset=Group.objects.none())

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_group"].queryset = groups  # type: ignore[attr-defined]
        self.order_fields(["to_group", "reason"])


class _TimesMixin(Form):
    """A day and a start and end time in WIB, turned into aware datetimes."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts (WIB)"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends (WIB)"), widget=TimeInput())

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["starts_at"] = datetime.datetime.combine(day, start, tzinfo=JAKARTA)
            data["ends_at"] = datetime.datetime.combine(day, end, tzinfo=JAKARTA)
        return data

    @staticmethod
    def times_initial(session: Session) -> dict[str, object]:
        start, end = local(session.starts_at), local(session.ends_at)
        return {"date": start.date(), "start_time": start.time(), "end_time": end.time()}


class SessionForm(_TimesMixin):
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    online_url = forms.URLField(
        label=_("Online meeting link"), required=False, assume_scheme="https"
    )
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=Module.objects.none(), required=False
    )
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    coach = forms.ModelChoiceField(label=_("Coach"), queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = group.programme.modules.all()  # type: ignore[attr-defined]
        self.fields["coach"].queryset = group.coaches.all()  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, session: Session) -> dict[str, object]:
        return {
            **cls.times_initial(session),
            "venue": session.venue,
            "online_url": session.online_url,
            "module": session.module_id,
            "topic": session.topic,
            "coach": session.coach_id,
        }

    def service_fields(self) -> SessionDetails:
        d = self.cleaned_data
        return {
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "venue": d["venue"],
            "online_url": d["online_url"],
            "module": d["module"],
            "topic": d["topic"],
            "coach": d["coach"],
        }


class MoveSessionForm(_TimesMixin, ReasonForm):
    pass


def fingerprint(slots: tuple[Slot, ...]) -> str:
    """A short digest of a proposal, to notice that it changed between preview and confirm."""
    text = "|".join(f"{s.starts_at.isoformat()}/{s.ends_at.isoformat()}" for s in slots)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class ScheduleForm(Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none())
    start_date = forms.DateField(label=_("First date"), widget=DateInput())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=[(i, WEEKDAYS[i]) for i in range(7)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=_("Start time (WIB)"), widget=TimeInput(), initial=datetime.time(8, 30)
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=MAX_DURATION_MINUTES, initial=90
    )
    count = forms.IntegerField(
        label=_("Number of sessions"),
        min_value=1,
        max_value=MAX_SESSIONS,
        required=False,
        help_text=_("Give either the number of sessions or the last date."),
    )
    end_date = forms.DateField(label=_("Last date"), widget=DateInput(), required=False)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    online_url = forms.URLField(
        label=_("Online meeting link"), required=False, assume_scheme="https"
    )
    coach = forms.ModelChoiceField(label=_("Coach"), queryset=Person.objects.none(), required=False)
    module_plan = forms.ChoiceField(
        label=_("Modules"),
        choices=[
            (ModulePlan.NONE, _("Do not assign modules")),
            (ModulePlan.IN_ORDER, _("Assign the programme's modules in order")),
        ],
        initial=ModulePlan.NONE,
    )
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, programme: Programme, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        group_field = self.fields["group"]
        coach_field = self.fields["coach"]
        assert isinstance(group_field, forms.ModelChoiceField)
        assert isinstance(coach_field, forms.ModelChoiceField)
        group_field.queryset = programme.groups.all()
        coach_field.queryset = (
            Person.objects.filter(coached_groups__programme=programme).distinct().order_by("name")
        )
        coach_field.help_text = _("Only a coach of the chosen group can be chosen.")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        count, end_date = data.get("count"), data.get("end_date")
        if (count is None) == (end_date is None) and "count" not in self.errors:
            raise forms.ValidationError(
                _("Give either the number of sessions or the last date, not both."),
                code="count_or_end",
            )
        start_date = data.get("start_date")
        if start_date and end_date and end_date < start_date:
            self.add_error("end_date", _("The last date is before the first date."))
        group, coach = data.get("group"), data.get("coach")
        coaches = group.coaches.all() if group is not None else None
        if coaches is not None and coach is not None and not coaches.filter(pk=coach.pk).exists():
            self.add_error("coach", _("This person does not coach the chosen group."))
        return data

    def schedule_request(self) -> ScheduleRequest:
        data = self.cleaned_data
        return ScheduleRequest(
            group=data["group"],
            start_date=data["start_date"],
            weekdays=tuple(sorted(data["weekdays"])),
            start_time=data["start_time"],
            duration=datetime.timedelta(minutes=data["duration_minutes"]),
            count=data.get("count"),
            end_date=data.get("end_date"),
        )


class CalendarDayForm(ModelForm[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "reason"]
        widgets = {"date": DateInput()}


# Bulk enrolment ---------------------------------------------------------------------------

ANY = ""
NOT_STATED = "none"  # the filter's value for people whose job level is not stated


def unit_choices(units: QuerySet[Unit]) -> list[tuple[str, str]]:
    """Units as choices in tree order, each indented by its depth below the shallowest."""
    rows = list(units.order_by("path").values_list("pk", "name", "path"))
    top = min((path.count("/") for _pk, _name, path in rows), default=0)
    return [(str(pk), "\u2003" * (path.count("/") - top) + name) for pk, name, path in rows]


class IdsField(forms.Field):
    """Several database ids (checkboxes), each a whole number within the id range."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {  # noqa: RUF012 Django's own fields declare them so
        "invalid": _("The selection holds something that is not a valid choice."),
    }

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids = []
        for raw in values:
            text = str(raw).strip()
            if not text.isascii() or not text.isdigit() or not bounds.id_in_range(int(text)):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        return list(dict.fromkeys(ids))


class CandidateFilterForm(Form):
    """The filters of the list of people to enrol (GET, and repeated in the POST of
    "enrol all matching")."""

    IN_PROGRAMME_CHOICES = (
        ("not_in", _("Not yet in this programme")),
        ("all", _("Everyone")),
    )

    unit = forms.ChoiceField(label=_("Unit (with its sub-units)"), required=False)
    rank = forms.ChoiceField(label=_("Pangkat/Gol"), required=False)
    job_level = forms.ChoiceField(label=_("Job level"), required=False)
    employee_type = forms.ChoiceField(label=_("Employee type"), required=False)
    q = forms.CharField(label=_("Name or NIP"), required=False, max_length=100)
    in_programme = forms.ChoiceField(
        label=_("In this programme"), required=False, choices=IN_PROGRAMME_CHOICES
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        any_choice = [(ANY, _("Any"))]
        self.fields["unit"].choices = [(ANY, _("All my units")), *unit_choices(units)]  # type: ignore[attr-defined]
        self.fields["rank"].choices = any_choice + list(Rank.choices)  # type: ignore[attr-defined]
        self.fields["job_level"].choices = any_choice + [  # type: ignore[attr-defined]
            (value or NOT_STATED, label) for value, label in JobLevel.choices
        ]
        self.fields["employee_type"].choices = any_choice + list(  # type: ignore[attr-defined]
            Person.EmployeeType.choices
        )

    def candidate_filter(self) -> CandidateFilter:
        """The filter the valid form describes (call after is_valid)."""
        data = self.cleaned_data
        unit_id = data.get("unit") or ""
        job_level = data.get("job_level") or ANY
        return CandidateFilter(
            unit=self.units.filter(pk=int(unit_id)).first() if unit_id else None,
            rank=data.get("rank") or "",
            job_level=None if job_level == ANY else ("" if job_level == NOT_STATED else job_level),
            employee_type=data.get("employee_type") or "",
            search=data.get("q") or "",
            not_in_programme=(data.get("in_programme") or "not_in") == "not_in",
        )

    def query_string(self) -> str:
        """The filters as a query string, for the pager's links (valid forms only)."""
        pairs = {k: v for k, v in self.cleaned_data.items() if v}
        return urlencode(pairs)


class PickForm(Form):
    """The POST of the list: the people ticked, or everyone matching the filters."""

    person = IdsField(required=False)
    scope = forms.ChoiceField(choices=(("selected", "selected"), ("all", "all")))
    expected = forms.IntegerField(required=False, min_value=0, max_value=bounds.MAX_PAGE)


class PasteForm(Form):
    nips = forms.CharField(
        label=_("NIPs"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
        max_length=MAX_PASTE_CHARS,
        help_text=_(
            "Paste a column copied from Excel: one NIP per line, or separated by tabs, commas "
            "or spaces; spaces inside a NIP are fine."
        ),
    )
    action = forms.ChoiceField(choices=(("preview", "preview"), ("confirm", "confirm")))


class ChangeManyForm(Form):
    """Move or withdraw the ticked participants of a group."""

    ACTIONS = (("move", _("Move to another group")), ("withdraw", _("Withdraw")))

    enrolment = IdsField(
        error_messages={"required": _("Tick at least one participant.")},
    )
    action = forms.ChoiceField(label=_("What to do"), choices=ACTIONS, widget=forms.RadioSelect)
    to_group = forms.ModelChoiceField(
        label=_("Move to group"), queryset=Group.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_group"].queryset = groups  # type: ignore[attr-defined]
        self.fields["to_group"].empty_label = _("Choose a group")  # type: ignore[attr-defined]
        # The programme is the page's; its name would only repeat in every option.
        self.fields["to_group"].label_from_instance = lambda group: group.name  # type: ignore[attr-defined]
        if not groups.exists():  # nowhere to move to: withdrawing is the one choice
            self.fields["action"].choices = [self.ACTIONS[1]]  # type: ignore[attr-defined]
            self.fields["action"].initial = "withdraw"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "move" and not data.get("to_group"):
            self.add_error("to_group", _("Choose the group to move them to."))
        return data
