from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cakap.core.forms import CleanInput, Form
from cakap.people.cleaning import normalise_phone
from cakap.people.models import JobLevel, Person, Rank, Unit, User
from cakap.people.nip import NipError, format_nip, parse_nip

INDENT = "\u00a0" * 4  # kept by browsers in an <option>, where spaces collapse


def units_in_tree_order(units: Iterable[Unit]) -> list[tuple[Unit, int]]:
    """`units` as a tree reads, each after its parent and siblings by the name shown, with
    its depth below the shallowest of them (0): what a unit picker shows, indented."""
    units = list(units)
    ids = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        # A unit whose parent is not among the choices starts a branch of its own.
        children[unit.parent_id if unit.parent_id in ids else None].append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (str(u).casefold(), u.pk))  # as the picker shows them
    ordered: list[tuple[Unit, int]] = []
    stack = [(u, 0) for u in reversed(children[None])]
    while stack:
        unit, depth = stack.pop()
        ordered.append((unit, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(unit.pk, [])))
    return ordered


class UnitChoiceIterator(forms.models.ModelChoiceIterator):  # type: ignore[type-arg]
    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit, depth in units_in_tree_order(self.queryset):
            yield (
                forms.models.ModelChoiceIteratorValue(self.field.prepare_value(unit), unit),
                INDENT * depth + self.field.label_from_instance(unit),
            )


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A unit picker whose choices are indented by the unit tree (decision 84); every form
    that chooses a unit uses it."""

    iterator = UnitChoiceIterator


class LoginForm(CleanInput, AuthenticationForm):
    username = forms.CharField(
        label=_("NIP or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "That NIP or email and password do not match an active account. "
            "Check both and try again."
        ),
        "inactive": _("This account is inactive."),
    }


class NipField(forms.CharField):
    """A NIP typed with or without spaces or dots; cleans to the 18 digits."""

    def to_python(self, value: object) -> str:
        text = super().to_python(value) or ""
        if not text:
            return text
        try:
            return parse_nip(text).digits
        except NipError as err:
            raise forms.ValidationError(str(err.message), code=err.code) from None

    def prepare_value(self, value: object) -> object:
        return format_nip(value) if isinstance(value, str) else value


class PersonForm(Form):
    """The fields an organiser types for a person; the service validates them again."""

    nip = NipField(
        label="NIP",
        max_length=40,
        help_text=_("18 digits; spaces are fine, like 19660801 198803 1 001."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    title_prefix = forms.CharField(label=_("Title before name"), max_length=60, required=False)
    name = forms.CharField(label=_("Name"), max_length=150)
    title_suffix = forms.CharField(label=_("Title after name"), max_length=60, required=False)
    employee_type = forms.ChoiceField(label=_("Employee type"), choices=Person.EmployeeType.choices)
    rank = forms.ChoiceField(
        label=_("Pangkat/Gol"), choices=[("", "—"), *Rank.choices], required=False
    )
    position = forms.CharField(label=_("Position (jabatan)"), max_length=200, required=False)
    job_level = forms.ChoiceField(label=_("Job level"), choices=JobLevel.choices, required=False)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    share_phone = forms.BooleanField(
        label=_("Show the phone to the participants this person coaches"), required=False
    )
    share_email = forms.BooleanField(
        label=_("Show the email to the participants this person coaches"), required=False
    )
    superior = NipField(
        label=_("Direct superior (atasan langsung)"),
        max_length=40,
        required=False,
        help_text=_(
            "The NIP of the person's direct superior, who may be told when they fall behind "
            "in a programme that asks for it. Leave empty for none."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "")
        phone = normalise_phone(raw)
        if phone is None:
            raise forms.ValidationError(
                _("Phone must be an Indonesian number of 9 to 14 digits, like 0812 3456 7890.")
            )
        return phone


class RosterUploadForm(Form):
    file = forms.FileField(
        label=_("Roster file (.xlsx or .csv)"),
        help_text=_(
            "Columns NIP and Nama are required; Gelar, Pangkat/Gol, Jabatan, Unit Kerja, "
            "No HP and Email are read when present."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet,text/csv"
            }
        ),
    )
    unit_default = UnitChoiceField(
        label=_("Unit for rows without one"),
        queryset=Unit.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit_default"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units


class TokenForm(forms.Form):
    """A new API token: what it is for and how long it lives."""

    EXPIRY_CHOICES = (
        ("", _("Never (until revoked)")),
        ("30", _("In 30 days")),
        ("90", _("In 90 days")),
        ("365", _("In a year")),
    )
    name = forms.CharField(label=_("What is it for?"), max_length=100, required=False, strip=True)
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"), choices=EXPIRY_CHOICES, required=False, coerce=int, empty_value=None
    )


class _OfferTokenRevocation(forms.Form):
    revoke_tokens = forms.BooleanField(
        label=_("Also revoke all my API tokens (scripts using them stop working)"),
        required=False,
        initial=True,
    )


class PasswordChangeWithTokensForm(PasswordChangeForm, _OfferTokenRevocation):
    """Django's password change, offering to revoke the person's API tokens."""


class SetPasswordWithTokensForm(SetPasswordForm[User], _OfferTokenRevocation):
    """Django's new password after a reset, offering to revoke the API tokens."""


def _units_choice(label: Any, units: QuerySet[Unit], *, required: bool = True) -> UnitChoiceField:
    field = UnitChoiceField(label=label, queryset=units.order_by("path"), required=required)
    return field


class UnitForm(Form):
    """A unit's own fields; its place in the tree (`parent`) is a move."""

    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(
        label=_("Short name"),
        max_length=60,
        required=False,
        help_text=_("The abbreviation people use, like Disdukcapil or BKPSDM."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices)
    parent = UnitChoiceField(label=_("Belongs to"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, parents: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, UnitChoiceField)
        parent.queryset = parents.order_by("path")


class UnitMergeForm(Form):
    into = UnitChoiceField(label=_("Merge into"), queryset=Unit.objects.none())
    confirm = forms.BooleanField(
        label=_("I understand that this unit will be removed and everything in it moved."),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        into = self.fields["into"]
        assert isinstance(into, UnitChoiceField)
        into.queryset = units.order_by("path")


class UnitAliasForm(Form):
    alias = forms.CharField(
        label=_("Another name"),
        max_length=200,
        help_text=_("An older name or an abbreviation that rosters use, like Disdukcapil."),
    )


class UnitMappingForm(Form):
    """The organiser's answer for one unit name of a roster that names no single unit."""

    LATER, OTHER, NEW = "", "other", "new"

    text = forms.CharField(widget=forms.HiddenInput, max_length=200, required=False)
    choice = forms.ChoiceField(label=_("This unit is"), widget=forms.RadioSelect, required=False)
    other = forms.ModelChoiceField(
        label=_("Another unit"), queryset=Unit.objects.none(), required=False
    )
    new_name = forms.CharField(label=_("Name of the new unit"), max_length=200, required=False)
    parent = forms.ModelChoiceField(label=_("Under"), queryset=Unit.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices, required=False)

    def __init__(
        self,
        *args: Any,
        suggestions: list[tuple[int, str]],
        units: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["choice"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [
            *[(str(pk), label) for pk, label in suggestions],
            (self.OTHER, _("Another unit from the list")),
            (self.NEW, _("A new unit")),
            (self.LATER, _("Decide later (its rows are skipped)")),
        ]
        self.fields["other"] = _units_choice(_("Another unit"), units, required=False)
        self.fields["parent"] = _units_choice(_("Under"), units, required=False)
        self._suggested = {pk for pk, _label in suggestions}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("choice", "")
        if choice == self.OTHER and not data.get("other"):
            self.add_error("other", _("Choose the unit."))
        if choice == self.NEW and not data.get("parent"):
            self.add_error("parent", _("Choose the unit the new unit belongs to."))
        return data

    def chosen_unit_id(self) -> int | None:
        choice = self.cleaned_data.get("choice", "")
        if choice == self.OTHER:
            other = self.cleaned_data.get("other")
            return other.pk if other else None
        return int(choice) if choice.isdigit() and int(choice) in self._suggested else None


# --- Logins and roles -----------------------------------------------------------------------


class LoginCreateForm(Form):
    """A login for one person: the email it signs in with (the person's by default)."""

    email = forms.EmailField(
        label=_("Email for the login"),
        required=False,
        help_text=_("Leave empty to sign in with the NIP only."),
    )
    send_email = forms.BooleanField(
        label=_("Also send the set-password link by email"), required=False, initial=True
    )


class LinkSendForm(Form):
    send_email = forms.BooleanField(required=False)


class PeoplePickForm(Form):
    """People picked on the person list: the ticked ones (`person`, repeated), or
    everyone the search `q` matches (`everyone`). Ids are checked against the
    organiser's scope by the view."""

    everyone = forms.BooleanField(required=False)
    q = forms.CharField(required=False, max_length=200)
    send_email = forms.BooleanField(required=False)

    MAX_TICKED = 2000

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = self.data.getlist("person") if hasattr(self.data, "getlist") else []
        ids: list[int] = []
        for value in raw[: self.MAX_TICKED + 1]:
            if not str(value).isdigit() or not 0 < int(value) < 2**63:
                raise forms.ValidationError(_("The list of people sent is not valid."))
            ids.append(int(value))
        if len(ids) > self.MAX_TICKED:
            raise forms.ValidationError(
                _("Tick at most %(n)d people at a time.") % {"n": self.MAX_TICKED}
            )
        if not data.get("everyone") and not ids:
            raise forms.ValidationError(_("Tick at least one person, or choose everyone listed."))
        data["person"] = list(dict.fromkeys(ids))
        return data


class RoleGrantForm(Form):
    role = forms.ChoiceField(label=_("Role"), choices=())
    unit = forms.ModelChoiceField(
        label=_("Over unit (and the units below it)"), queryset=Unit.objects.none()
    )

    def __init__(
        self, *args: Any, roles: list[tuple[str, str]], units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = roles
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units


class RoleRevokeForm(Form):
    role = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class RoleFilterForm(Form):
    role = forms.ChoiceField(label=_("Role"), required=False, choices=())
    q = forms.CharField(label=_("Name, NIP or email"), required=False, max_length=200)

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [("", _("All roles")), *roles]


class FirstPasswordForm(SetPasswordForm[User]):
    """The first password of a login, chosen through its set-password link."""


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset request, which also reaches a login made without a password that
    has never signed in (services.create_login), so that a person whose set-password
    link expired can still recover by email. Placeholder addresses get no mail."""

    def get_users(self, email: str) -> Any:
        found = User.objects.filter(email__iexact=email, is_active=True)
        return (
            user
            for user in found
            if (user.has_usable_password() or user.last_login is None)
            and user.email.casefold() == email.casefold()
            and not user.email.endswith("@" + User.PLACEHOLDER_DOMAIN)
        )
