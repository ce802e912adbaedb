"""Forms of the schedule generator and the local calendar."""

import datetime
import hashlib
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from cakap.core.forms import Form, ModelForm
from cakap.people.models import Person
from cakap.programmes.models import CalendarDay, Group, Programme
from cakap.programmes.schedule import MAX_DURATION_MINUTES, MAX_SESSIONS, Slot
from cakap.programmes.scheduling import ModulePlan, ScheduleRequest


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


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
