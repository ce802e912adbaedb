"""Which unit a name in a roster means: exact keys, and suggestions for a name that no
unit has (a shortened or older name, an abbreviation). Pure rules, no database.

A name matches a unit when its key (`unit_key`: no case, spaces or punctuation) equals
the key of the unit's name, short name or one of its aliases. A name that matches none
gets suggestions, ranked by the best of three readings:

- the same name once the usual Indonesian abbreviations are written out ("Kec.",
  "Camat" -> Kecamatan, "Dis" -> Dinas, "Bag." -> Bagian, "Sekr." -> Sekretariat);
- an abbreviation built from pieces of the unit's words, in order ("Disdukcapil" is
  Dis-inas + kepen-duk-an + pen-ca-tatan + si-pil; "DPRD" is the words' initials);
- the similarity ratio of the two names (difflib), for older and misspelt names.

Suggestions are never applied by themselves: the organiser chooses (decision 79).
"""

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

# Common short forms in Indonesian unit names -> the word they stand for.
ABBREVIATIONS: dict[str, str] = {
    "dis": "dinas",
    "din": "dinas",
    "kec": "kecamatan",
    "kecam": "kecamatan",
    "camat": "kecamatan",
    "kel": "kelurahan",
    "lurah": "kelurahan",
    "bag": "bagian",
    "bg": "bagian",
    "sekr": "sekretariat",
    "sek": "sekretariat",
    "sekret": "sekretariat",
    "set": "sekretariat",
    "bid": "bidang",
    "bdg": "bidang",
    "bdn": "badan",
    "kab": "kabupaten",
    "kan": "kantor",
    "ktr": "kantor",
    "subbag": "subbagian",
    "subbid": "subbidang",
}
# The pieces an abbreviation may take for a word, besides the word's own prefixes.
SHORT_FORMS: dict[str, tuple[str, ...]] = {}
for _short, _word in ABBREVIATIONS.items():
    SHORT_FORMS[_word] = (*SHORT_FORMS.get(_word, ()), _short)
# Words an abbreviation leaves out.
STOP_WORDS = frozenset({"dan", "serta", "atau", "di", "ke", "dari", "untuk", "pada"})

SUGGESTION_LIMIT = 3
SUGGESTION_THRESHOLD = 0.6
_MIN_ABBREVIATION = 3  # shorter texts ("BK") would look like half the units


def unit_key(text: str) -> str:
    """The key names are matched by: lower case, letters and digits only, no accents."""
    text = unicodedata.normalize("NFKD", text or "").lower()
    return re.sub(r"[^0-9a-z]", "", text)


def words(text: str) -> list[str]:
    """The words of a name, lower case, without punctuation."""
    text = unicodedata.normalize("NFKD", text or "").lower()
    return [w for w in re.split(r"[^0-9a-z]+", text) if w]


def expanded(text: str) -> list[str]:
    """The words of a name with the usual abbreviations written out."""
    return [ABBREVIATIONS.get(w, w) for w in words(text)]


@dataclass(frozen=True)
class Candidate:
    """A unit as the matching sees it: its id, label and every name it goes by."""

    id: int
    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    id: int
    label: str
    score: float  # 0..1, higher is closer
    reason: str = field(default="", compare=False)  # "abbreviation", "expanded", "similar"


@lru_cache(maxsize=4096)
def _abbreviation_cover(text: str, name_words: tuple[str, ...]) -> float:
    """How well `text` (one key) is an abbreviation of `name_words`, 0..1: the share of
    the name's significant words that gave a piece, in order, with the whole text used.
    A piece is a word's prefix or short form (counts 1) or another run of at least two
    of its letters (counts 0.7). 0 when the text cannot be read so."""
    n = len(text)
    significant = [w not in STOP_WORDS for w in name_words]
    total = sum(significant)
    if n < _MIN_ABBREVIATION or total == 0:
        return 0.0
    # best[i][j]: the best weight for text[i:] from words j.., or None if impossible.
    memo: dict[tuple[int, int], float | None] = {}

    def best(i: int, j: int) -> float | None:
        if i == n:
            return 0.0
        if j == len(name_words):
            return None
        if (i, j) in memo:
            return memo[(i, j)]
        word = name_words[j]
        found = best(i, j + 1)  # the word gives no piece
        pieces: list[tuple[int, float]] = [
            (len(short), 1.0) for short in SHORT_FORMS.get(word, ()) if text.startswith(short, i)
        ]
        pieces += [
            (length, 1.0)
            for length in range(1, min(len(word), n - i) + 1)
            if word[:length] == text[i : i + length]
        ]
        for start in range(1, len(word) - 1):
            for length in range(2, min(len(word) - start, n - i) + 1):
                if word[start : start + length] == text[i : i + length]:
                    pieces.append((length, 0.7))
                else:
                    break
        for length, weight in pieces:
            rest = best(i + length, j + 1)
            if rest is not None:
                value = rest + (weight if significant[j] else 0.0)
                if found is None or value > found:
                    found = value
        memo[(i, j)] = found
        return found

    # The first piece comes from the first word or a later one, never from nowhere.
    result = best(0, 0)
    return 0.0 if result is None else min(1.0, result / total)


def _score(text: str, candidate_name: str) -> tuple[float, str]:
    """How close `text` is to one name of a unit, and why."""
    raw_key = unit_key(text)
    text_words = expanded(text)
    text_key = "".join(text_words)
    name_words = tuple(expanded(candidate_name))
    name_key = "".join(name_words)
    if not raw_key or not name_key:
        return 0.0, ""
    if text_key == name_key:
        return 0.97, "expanded"
    best = (0.0, "")
    cover = _abbreviation_cover(text_key, name_words)
    if cover:
        best = max(best, (0.55 + 0.4 * cover, "abbreviation"))
    ratio = difflib.SequenceMatcher(None, text_key, name_key, autojunk=False).ratio()
    best = max(best, (0.95 * ratio, "similar"))
    return best


def suggest(
    text: str, candidates: Iterable[Candidate], limit: int = SUGGESTION_LIMIT
) -> list[Suggestion]:
    """The units closest to `text`, best first, at most `limit`, none below the
    threshold."""
    found: list[Suggestion] = []
    for candidate in candidates:
        score, reason = max(
            (_score(text, name) for name in candidate.names if name), default=(0, "")
        )
        if score >= SUGGESTION_THRESHOLD:
            found.append(Suggestion(candidate.id, candidate.label, round(score, 3), reason))
    found.sort(key=lambda s: (-s.score, s.label.casefold(), s.id))
    return found[:limit]
