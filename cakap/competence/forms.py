"""Forms of the competence pages. They parse input; services decide."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cakap.competence import frameworks_io
from cakap.competence.models import Administration, Competence, Framework, Instrument, Item
from cakap.core.formatting import JAKARTA
from cakap.core.forms import Form

MAX_UPLOAD = 2 * 1024 * 1024


class UploadForm(Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return f


class FrameworkForm(Form):
    """A framework typed in: levels and competences one per line, fields split by "|"."""

    code = forms.SlugField(label=_("Code"), max_length=60, help_text=_("e.g. aplikasi-pemda"))
    name = forms.CharField(label=_("Name (English)"), max_length=255)
    name_id = forms.CharField(label=_("Name (Indonesian)"), max_length=255, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    levels = forms.CharField(
        label=_("Levels"),
        widget=forms.Textarea,
        help_text=_(
            "One per line: number | name | Indonesian name, e.g. “1 | With help | Dengan bantuan”"
        ),
    )
    competences = forms.CharField(
        label=_("Competences"),
        widget=forms.Textarea,
        help_text=_(
            "One per line: area code | area name | competence code | competence name | "
            "Indonesian name, e.g. “ADM | Electronic administration | SRK | SRIKANDI | SRIKANDI”"
        ),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.errors:
            return data
        levels = []
        for n, line in enumerate(data["levels"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")] + ["", ""]
            try:
                number: int | str = int(parts[0])
            except ValueError:
                self.add_error("levels", _("Line %d: the level number is not a whole number.") % n)
                number = parts[0]
            levels.append(
                {"number": number, "name": parts[1], "name_id": parts[2], "description": ""}
            )
        areas: dict[str, dict[str, Any]] = {}
        for n, line in enumerate(data["competences"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")] + ["", "", "", ""]
            if not parts[2] or not parts[3]:
                self.add_error(
                    "competences", _("Line %d: give area code, area name, code and name.") % n
                )
                continue
            area = areas.setdefault(
                parts[0], {"code": parts[0], "name": parts[1], "name_id": "", "competences": []}
            )
            area["competences"].append(
                {"code": parts[2], "name": parts[3], "name_id": parts[4], "description": ""}
            )
        self.spec = {
            "code": data["code"],
            "name": data["name"],
            "name_id": data.get("name_id", ""),
            "description": data.get("description", ""),
            "source": "",
            "levels": levels,
            "areas": list(areas.values()),
        }
        for problem in frameworks_io.validate(self.spec):
            field = (
                problem.field
                if problem.field in self.fields
                else ("levels" if problem.where.startswith("levels") else "competences")
            )
            self.add_error(field, str(problem.message))
        return data


class ChooseFrameworkForm(Form):
    framework = forms.ModelChoiceField(label=_("Framework"), queryset=Framework.objects.all())


class InstrumentForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Instrument.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(label=_("Instructions"), widget=forms.Textarea, required=False)
    scale = forms.ChoiceField(
        label=_("Answer scale (self-assessment)"),
        choices=Instrument.Scale.choices,
        initial=Instrument.Scale.LEVELS,
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit in minutes (knowledge test)"),
        required=False,
        min_value=1,
        max_value=600,
    )


class ItemForm(Form):
    competence = forms.ModelChoiceField(label=_("Competence"), queryset=Competence.objects.none())
    kind = forms.ChoiceField(label=_("Type"), choices=Item.Kind.choices)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea)
    options = forms.CharField(
        label=_("Options (choice questions)"),
        widget=forms.Textarea,
        required=False,
        help_text=_("One per line; mark each right option with a * at the start."),
    )
    true_false = forms.ChoiceField(
        label=_("Right answer (true/false)"),
        choices=[("", "—"), ("0", _("True")), ("1", _("False"))],
        required=False,
    )
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100, initial=1)

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competence"].queryset = Competence.objects.filter(  # type: ignore[attr-defined]
            framework_id=instrument.framework_id
        ).order_by("order")
        from cakap.competence.services import ITEM_KINDS

        kinds = ITEM_KINDS[Instrument.Kind(instrument.kind)]
        self.fields["kind"].choices = [c for c in Item.Kind.choices if c[0] in kinds]  # type: ignore[attr-defined]

    def parsed(self) -> tuple[list[str], list[int]]:
        kind = self.cleaned_data["kind"]
        if kind == Item.Kind.TRUE_FALSE:
            tf = self.cleaned_data.get("true_false")
            return [], [int(tf)] if tf else []
        options: list[str] = []
        correct: list[int] = []
        for line in self.cleaned_data.get("options", "").splitlines():
            text = line.strip()
            if not text:
                continue
            if text.startswith("*"):
                correct.append(len(options))
                text = text[1:].strip()
            options.append(text)
        return options, correct


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AdministrationForm(Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Administration.Phase.choices)
    opens_at = forms.DateTimeField(
        label=_("Opens at (WIB)"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at (WIB)"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in ("opens_at", "closes_at"):
            value = data.get(name)
            if isinstance(value, datetime.datetime):
                # The form speaks WIB whatever the browser's zone.
                data[name] = value.replace(tzinfo=None).replace(tzinfo=JAKARTA)
        return data


class ResultsFilterForm(Form):
    """Which people the results page lists: one group or one unit of those in the summary
    (choices limited to what the reader may see)."""

    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        data: Any,
        *,
        groups: list[tuple[int, str]],
        units: list[tuple[int, str]],
    ) -> None:
        super().__init__(data)
        everyone = [("", _("All"))]
        self.fields["group"].choices = everyone + groups  # type: ignore[attr-defined]
        self.fields["unit"].choices = everyone + units  # type: ignore[attr-defined]
