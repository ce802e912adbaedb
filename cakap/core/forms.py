"""The base of every form: the input rules of cakap.core.text and cakap.core.bounds.

Every form of the product subclasses `Form` or `ModelForm` (or mixes in `CleanInput`),
so that before any field or `clean()` sees the data:

- text is cleaned by `cakap.core.text.clean_text` (control characters removed,
  invisible ends trimmed), except fields that keep their text as typed
  (`strip=False`: passwords). A NUL is left for Django's own validator on every
  CharField to refuse, naming the field;
- a date or date-time outside bounds.MIN_DATE..MAX_DATE is refused, naming the field.
"""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_noop

from cakap.core import bounds
from cakap.core.text import NUL, clean_text

# Django 6's empty choice of a ModelChoiceField (and of model fields' choices) has no
# Indonesian translation in Django's own catalogue; naming the msgid here keeps it, and its
# translation, in ours (locale/id), so that no picker says "- Select an option -" on an
# Indonesian page (decision 84).
BLANK_CHOICE = gettext_noop("- Select an option -")


def _clean_value(value: Any) -> Any:
    if not isinstance(value, str) or NUL in value:
        return value
    return clean_text(value)


def clean_form_data(data: Any, keep: set[str]) -> Any:
    """A copy of a form's `data` with its text cleaned, the keys in `keep` untouched."""
    if isinstance(data, QueryDict):
        cleaned = data.copy()
        for key in cleaned:
            if key not in keep:
                cleaned.setlist(key, [_clean_value(v) for v in cleaned.getlist(key)])
        return cleaned
    if isinstance(data, dict):
        return {
            key: value
            if key in keep
            else [_clean_value(v) for v in value]
            if isinstance(value, list)
            else _clean_value(value)
            for key, value in data.items()
        }
    return data


def validate_date_in_range(value: datetime.date) -> None:
    if isinstance(value, datetime.date) and not bounds.date_in_range(value):
        raise ValidationError(bounds.date_range_message(), code="date_range")


class CleanInput:
    """Mix into a Django form (before the form class) to apply the product's input rules."""

    fields: dict[str, forms.Field]
    is_bound: bool
    data: Any

    def full_clean(self) -> None:
        # Here rather than in __init__: forms add fields (the roll's rows) after theirs.
        if self.is_bound:
            keep = {
                self.add_prefix(name)  # type: ignore[attr-defined]
                for name, field in self.fields.items()
                if isinstance(field, forms.CharField) and not field.strip
            }
            self.data = clean_form_data(self.data, keep)
        for field in self.fields.values():
            if (
                isinstance(field, forms.DateField | forms.DateTimeField)
                and validate_date_in_range not in field.validators
            ):
                field.validators.append(validate_date_in_range)
        super().full_clean()  # type: ignore[misc]


class Form(CleanInput, forms.Form):
    pass


class ModelForm[M](CleanInput, forms.ModelForm[M]):  # type: ignore[type-var]
    pass
