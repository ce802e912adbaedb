"""Pure rules for a pasted column of NIPs (bulk enrolment): no database.

What an organiser pastes comes from a spreadsheet: one NIP per line (a copied column),
or several on a line separated by tabs (a copied row), commas, semicolons or spaces,
each NIP with or without the spaces, dots or dashes of its grouped form
(`19660801 198803 1 001`). Spaces are both a separator and a part of a grouped NIP,
so a space-separated run of digit groups is read greedily: groups are joined until
they make 18 digits, which is one NIP; a run that does not fall on 18-digit borders
is one malformed entry, shown as typed.
"""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.people.nip import NipError, parse_nip

# Between entries on one line: a tab (a copied row), a comma or a semicolon.
_HARD_SEPARATORS = re.compile(r"[\t,;]+")
_DIGIT_GROUP = re.compile(r"[0-9.\-]+")
# What Excel shows for an 18-digit number in a cell formatted as a number.
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+")
# The same inside a line, where an Indonesian Excel's decimal comma must not split it.
_SCIENTIFIC_IN_LINE = re.compile(r"(?<![0-9])[0-9],[0-9]+[eE]\+?[0-9]+")
NIP_LENGTH = 18
# The longest text one paste may hold: 5,000 grouped NIPs with their line ends.
MAX_PASTE_CHARS = 5_000 * 24


@dataclass(frozen=True)
class PastedNip:
    """One entry of a paste: its line (from 1), the text as pasted, and either the
    NIP's 18 digits or why it is not one."""

    line: int
    text: str
    nip: str | None = None
    problem: str | Promise | None = None


def _entry(line: int, text: str) -> PastedNip:
    if _SCIENTIFIC.fullmatch(text.replace(" ", "")):
        return PastedNip(
            line,
            text,
            problem=_(
                "Excel turned this NIP into a number in scientific notation, which lost its "
                "last digits; format the column as text and copy it again."
            ),
        )
    try:
        nip = parse_nip(text)
    except NipError as error:
        return PastedNip(line, text, problem=error.message)
    return PastedNip(line, text, nip=nip.digits)


def _split_spaced(line: int, chunk: str) -> list[PastedNip]:
    """A chunk holding spaces: grouped NIPs, or several NIPs separated by spaces."""
    words = chunk.split()
    if not all(_DIGIT_GROUP.fullmatch(w) for w in words):
        return [_entry(line, chunk)]
    entries: list[PastedNip] = []
    run: list[str] = []
    digits = 0
    for word in words:
        run.append(word)
        digits += sum(ch.isdigit() for ch in word)
        if digits == NIP_LENGTH:
            entries.append(_entry(line, " ".join(run)))
            run, digits = [], 0
        elif digits > NIP_LENGTH:
            break
    if run:  # the groups did not fall on NIP borders: the chunk as a whole is wrong
        return [_entry(line, chunk)]
    return entries


def read_pasted_nips(text: str) -> list[PastedNip]:
    """Every entry of `text` in order, with its line number; blank lines and blank
    entries are skipped. Repeats are kept: the caller says which came first."""
    entries: list[PastedNip] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        raw = _SCIENTIFIC_IN_LINE.sub(lambda m: m.group(0).replace(",", "."), raw)
        for piece in _HARD_SEPARATORS.split(raw):
            chunk = piece.strip().strip("'\"")
            if not chunk:
                continue
            if any(ch.isspace() for ch in chunk):
                entries.extend(_split_spaced(number, chunk))
            else:
                entries.append(_entry(number, chunk))
    return entries


def read_nip_list(values: list[str]) -> list[PastedNip]:
    """NIPs sent one per item (the API): entry n is item n, counted from 1."""
    return [_entry(number, (value or "").strip()) for number, value in enumerate(values, start=1)]
