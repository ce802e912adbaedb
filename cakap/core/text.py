"""The one rule for text that people and programs send: what is kept, removed, refused.

Forms (cakap.core.forms), the roster import and the API (cakap.core.api_support) all
pass text through `clean_text`:

- NUL (U+0000) is refused: PostgreSQL cannot store it, and a NUL is a sign of a
  binary file or a broken client, not of something a person typed.
- Other C0 control characters except tab, line feed and carriage return, DEL, lone
  surrogates and the non-characters U+FFFE/U+FFFF are removed: nobody can see them,
  a workbook cannot hold them, and a database encoding cannot store a lone surrogate.
- Whitespace and invisible characters (zero-width space, joiners, word joiner, byte
  order mark, no-break space) are trimmed at both ends, so a required reason made of
  only such characters is empty. Inside the text they stay (joiners shape some emoji
  and scripts).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NUL = "\x00"
_REMOVED = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00a0"
_ENDS = re.compile(f"^[\\s{INVISIBLE}]+|[\\s{INVISIBLE}]+$")
NUL_MESSAGE = _("Remove the NUL character: it cannot be stored.")


class UnstorableTextError(ValidationError):
    """Text that is refused rather than cleaned (it holds a NUL)."""

    def __init__(self) -> None:
        super().__init__(NUL_MESSAGE, code="null_characters_not_allowed")


def has_nul(value: str) -> bool:
    return NUL in value


def trim(value: str) -> str:
    """`value` without whitespace and invisible characters at either end."""
    return _ENDS.sub("", value)


def clean_text(value: str) -> str:
    """`value` as it is stored: raises UnstorableTextError for a NUL, removes the other
    control characters, trims invisible ends."""
    if NUL in value:
        raise UnstorableTextError()
    return trim(_REMOVED.sub("", value))


def clean_data(value: object) -> object:
    """`clean_text` over every string inside `value` (dicts, lists), keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_data(v) for v in value]
    return value
