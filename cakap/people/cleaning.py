"""Cleaning of person fields as people type them: phone numbers, ranks, academic titles.

Pure functions, shared by the services (which refuse bad values), the forms and the
roster import (which reports them per row).
"""

import re
import unicodedata

from cakap.people.models import Rank

# --- Phone ---------------------------------------------------------------------------------

PHONE_MIN_DIGITS = 9
PHONE_MAX_DIGITS = 14


def normalise_phone(raw: str) -> str | None:
    """'+62 812-3456-7890', '6281234567890', '0812 3456 7890' -> '081234567890'.

    Returns '' for empty input and None when the value is not a plausible Indonesian
    number (9-14 digits starting with 0 once the country code is replaced).
    """
    text = (raw or "").strip()
    if not text:
        return ""
    if re.search(r"[^0-9+\s().\-/]", text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    elif digits.startswith("8"):
        # A spreadsheet that stored the number as a number dropped its leading zero.
        digits = "0" + digits
    if not digits.startswith("0") or digits.startswith("00"):
        return None
    if not PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS:
        return None
    return digits


# --- Rank (pangkat/golongan) -----------------------------------------------------------------

_RANK_CODE = re.compile(r"(?<![A-Z])(IV|III|II|I)\s*[/\-.]?\s*([A-E])(?![A-Z])")
_RANK_NAMES = sorted(
    ((label.split(" ", 1)[1].upper(), code) for code, label in Rank.choices),
    key=lambda pair: -len(pair[0]),
)


def parse_rank(raw: str) -> str | None:
    """'III/c', 'III c', 'Penata (III/c)', 'IV/a Pembina', 'Penata Tk. I' -> a Rank code.

    Returns '' for empty input and None when no rank can be read.
    """
    text = " ".join((raw or "").upper().split())
    if not text:
        return ""
    text = re.sub(r"\bGOL(ONGAN)?\b\.?", " ", text)
    match = _RANK_CODE.search(text)
    if match:
        code = f"{match.group(1)}/{match.group(2).lower()}"
        return code if code in Rank.values else None
    name = re.sub(r"\bTK\b\.?", "TINGKAT", text)
    name = " ".join(re.sub(r"[^A-Z ]", " ", name).split())
    for label, code in _RANK_NAMES:
        if name == label:
            return str(code)
    return None


# --- Academic titles -----------------------------------------------------------------------

# Titles written before the name. Case matters for some: "dr." is a medical doctor,
# "Dr." a doctorate; both go first.
PREFIX_TITLES = {
    "prof",
    "dr",
    "drs",
    "dra",
    "ir",
    "h",
    "hj",
    "drg",
    "apt",
    "ns",
    "kh",
    "ar",
    "bd",
}
# A degree after the name: "S.Kom", "M.Si.", "S.E", "A.Md.Kom", "Ph.D", "M.M".
_DEGREE = re.compile(r"^(?:[A-Za-z]{1,5}\.){1,4}[A-Za-z]{0,6}\.?$")
_BARE_DEGREES = {"MPA", "MBA", "MM", "MSI", "MT", "ST", "SE", "SH", "SKOM", "SPD", "MPD", "PHD"}


def _is_prefix(token: str) -> bool:
    return token.endswith(".") and token[:-1].lower() in PREFIX_TITLES


def _is_degree(token: str) -> bool:
    bare = token.rstrip(".,")
    if bare.upper().replace(".", "") in _BARE_DEGREES and (bare.isupper() or "." in bare):
        return True
    return bool(_DEGREE.match(token)) and bare.count(".") >= 1 and len(bare) >= 3


def _merge(*groups: list[str]) -> list[str]:
    seen: list[str] = []
    for group in groups:
        seen.extend(t for t in group if t not in seen)
    return seen


def split_titles(text: str) -> tuple[list[str], list[str]]:
    """A 'Gelar' cell -> (titles before the name, titles after the name)."""
    before: list[str] = []
    after: list[str] = []
    for part in (text or "").split(","):
        words = part.split()
        while words and _is_prefix(words[0]):
            before.append(words.pop(0))
        if words:
            after.append(" ".join(words))
    return before, after


def split_name(text: str) -> tuple[list[str], str, list[str]]:
    """'Dr. Ir. Budi Santoso, M.Si.' -> (['Dr.', 'Ir.'], 'Budi Santoso', ['M.Si.'])."""
    text = " ".join(unicodedata.normalize("NFC", text or "").split())
    main, _, rest = text.partition(",")
    after = [p.strip() for p in rest.split(",") if p.strip()]
    words = main.split()
    before: list[str] = []
    while len(words) > 1 and _is_prefix(words[0]):
        before.append(words.pop(0))
    tail: list[str] = []
    while len(words) > 1 and _is_degree(words[-1]):
        tail.insert(0, words.pop())
    return before, " ".join(words), tail + after


def join_titles(before: list[str], after: list[str]) -> tuple[str, str]:
    """Title lists -> the stored title_prefix and title_suffix."""
    return " ".join(before), ", ".join(a.strip().rstrip(",") for a in after if a.strip())


def name_and_titles(name_cell: str, titles_cell: str = "") -> tuple[str, str, str]:
    """A name cell (perhaps with titles) and a 'Gelar' cell -> (prefix, name, suffix)."""
    before, name, after = split_name(name_cell)
    g_before, g_after = split_titles(titles_cell)
    prefix, suffix = join_titles(_merge(g_before, before), _merge(after, g_after))
    return prefix, name, suffix
