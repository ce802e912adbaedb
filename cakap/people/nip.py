"""NIP, the 18-digit civil-servant number: birth date, appointment month, sex, sequence.

There is no checksum, so validation checks each part for sense (DOMAIN.md).
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.core.errors import DomainError

_SEPARATORS = re.compile(r"[\s.\-]")
# str.isdigit() accepts "²" and Arabic-Indic digits; a NIP is ASCII digits only.
_DIGITS = re.compile(r"[0-9]+")


class NipError(DomainError):
    pass


@dataclass(frozen=True)
class Nip:
    digits: str
    birth_date: datetime.date
    appointed: tuple[int, int]  # (year, month)
    sex: str  # "M" or "F"
    sequence: int

    def grouped(self) -> str:
        return format_nip(self.digits)


def format_nip(digits: str) -> str:
    """'196608011988031001' -> '19660801 198803 1 001'; anything else is returned as given."""
    if len(digits) != 18 or not _DIGITS.fullmatch(digits):
        return digits
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def parse_nip(raw: str) -> Nip:
    """Parse and validate a NIP typed with or without spaces, dots or dashes."""
    digits = _SEPARATORS.sub("", raw or "")
    if not digits:
        raise NipError("empty", _("NIP is empty."))
    if not _DIGITS.fullmatch(digits):
        raise NipError("not_digits", _("NIP may contain only digits."))
    if len(digits) != 18:
        raise NipError(
            "length", _("NIP must have 18 digits; this one has %(n)d.") % {"n": len(digits)}
        )
    try:
        birth = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise NipError(
            "birth_date", _("The first 8 digits of the NIP are not a real birth date.")
        ) from None
    if birth.year < 1900 or birth > timezone.localdate():
        raise NipError("birth_date", _("The first 8 digits of the NIP are not a real birth date."))
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12:
        raise NipError(
            "appointment", _("Digits 13-14 of the NIP must be an appointment month 01-12.")
        )
    eighteenth = (birth.year + 18, birth.month)
    if (year, month) < eighteenth:
        raise NipError(
            "appointment", _("The NIP's appointment date is before the person's 18th birthday.")
        )
    if digits[14] not in "12":
        raise NipError("sex", _("Digit 15 of the NIP must be 1 (male) or 2 (female)."))
    sequence = int(digits[15:])
    if sequence == 0:
        raise NipError("sequence", _("The last 3 digits of the NIP must not be 000."))
    return Nip(
        digits=digits,
        birth_date=birth,
        appointed=(year, month),
        sex="M" if digits[14] == "1" else "F",
        sequence=sequence,
    )
