"""Pure arithmetic of scores, levels and gains. No database here, so it is easy to prove.

Every score is `earned` of `possible` points on one competence, shown as a percentage
0-100 with one decimal. The rules:

- single choice and true/false: the item's points when the one right option is chosen;
- multiple choice: all or nothing, the item's points only for exactly the right set;
- self-assessment statement: the answer's distance from the bottom of the scale
  (level or Likert value minus the lowest) of the scale's span; an unanswered
  statement counts in neither (no answer is not "lowest");
- observation line: the item's points when the coach ticks it;
- an unanswered question or unticked line counts as 0 of its points.

A percentage maps to a framework level linearly, rounding half up:
level = lowest + round(fraction * (highest - lowest)).

Gain from pre to post: absolute = post - pre (percentage points); normalised (Hake's g)
= (post - pre) / (100 - pre). When pre is 100 there is no room to gain and g is
undefined: it is `None`, shown as a dash and left out of any average. g may be negative.
An aggregate takes the means of pre and post over the people who have both and
reports g of those means (the class-average gain), with the number of people behind it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

HUNDRED = Fraction(100)


@dataclass(frozen=True)
class ItemKey:
    kind: str
    points: int
    correct: tuple[int, ...]


def item_points(
    item: ItemKey, value: Sequence[int] | None, scale: tuple[int, int]
) -> tuple[Fraction, Fraction]:
    """(earned, possible) for one item and one answer (None when unanswered)."""
    if item.kind == "statement":
        low, high = scale
        if not value or high <= low:
            return Fraction(0), Fraction(0)
        v = min(max(int(value[0]), low), high)
        return Fraction(v - low), Fraction(high - low)
    possible = Fraction(item.points)
    if item.kind == "check":
        return (possible if value and int(value[0]) == 1 else Fraction(0)), possible
    if not value:
        return Fraction(0), possible
    if item.kind == "multiple":
        right = set(value) == set(item.correct)
    else:
        right = len(value) == 1 and bool(item.correct) and value[0] == item.correct[0]
    return (possible if right else Fraction(0)), possible


def percent(earned: Fraction, possible: Fraction) -> Fraction | None:
    """Earned as a percentage of possible, or None when nothing was possible."""
    if possible <= 0:
        return None
    return earned * HUNDRED / possible


def level_for(pct: Fraction, low: int, high: int) -> int:
    """The framework level a percentage maps to (linear, half up)."""
    pct = min(max(pct, Fraction(0)), HUNDRED)
    step = pct / HUNDRED * (high - low)
    return low + int(Decimal(step.numerator) / Decimal(step.denominator) + Decimal("0.5"))


def round1(value: Fraction | None) -> Decimal | None:
    """One decimal place, half up, for storage and display."""
    if value is None:
        return None
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return d.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def absolute_gain(pre: Fraction, post: Fraction) -> Fraction:
    return post - pre


def normalised_gain(pre: Fraction, post: Fraction) -> Fraction | None:
    """(post - pre) / (100 - pre); None when pre is 100 (no room left to gain)."""
    if pre >= HUNDRED:
        return None
    return (post - pre) / (HUNDRED - pre)


@dataclass(frozen=True)
class Aggregate:
    """Pre and post means over the `n` people who have both, and their gains."""

    n: int
    pre: Fraction | None
    post: Fraction | None
    gain: Fraction | None
    normalised: Fraction | None
    n_pre: int
    n_post: int


def aggregate(pairs: Iterable[tuple[Fraction | None, Fraction | None]]) -> Aggregate:
    """Aggregate (pre, post) percentages of several people. Means and gains use only the
    people with both; `n_pre` and `n_post` count everyone with either."""
    n = n_pre = n_post = 0
    sum_pre = sum_post = Fraction(0)
    for pre, post in pairs:
        n_pre += pre is not None
        n_post += post is not None
        if pre is not None and post is not None:
            n += 1
            sum_pre += pre
            sum_post += post
    return aggregate_of_sums(n, sum_pre, sum_post, n_pre, n_post)


def aggregate_of_sums(
    n: int, sum_pre: Fraction, sum_post: Fraction, n_pre: int, n_post: int
) -> Aggregate:
    """The same aggregate from its sums: `n` people with both, the sums of their pre and
    post percentages, and the counts of people with either (so that a summary can add
    integers in one pass and still give exactly what `aggregate` gives)."""
    if not n:
        return Aggregate(0, None, None, None, None, n_pre, n_post)
    mean_pre = sum_pre / n
    mean_post = sum_post / n
    return Aggregate(
        n,
        mean_pre,
        mean_post,
        absolute_gain(mean_pre, mean_post),
        normalised_gain(mean_pre, mean_post),
        n_pre,
        n_post,
    )


def mean(values: Iterable[Fraction]) -> Fraction | None:
    vals = list(values)
    return sum(vals, Fraction(0)) / len(vals) if vals else None


# ---------------------------------------------------------------- item analysis


@dataclass(frozen=True)
class ItemStats:
    n: int
    difficulty: float | None  # share of people who got the item right (p-value)
    discrimination: float | None  # corrected point-biserial correlation
    upper_lower: float | None = None  # p of the top 27% minus p of the bottom 27%


def item_statistics(item_scores: Sequence[int], totals: Sequence[float]) -> ItemStats:
    """Difficulty (p) and discrimination of one item over the same people.

    `item_scores` are 1 (right) or 0; `totals` the same people's total scores. The
    discrimination is the point-biserial correlation of the item with the rest of the
    test (total minus this item), so an item is not correlated with itself. It is None
    when everyone scored the same on the item or on the rest.
    """
    n = len(item_scores)
    if n == 0:
        return ItemStats(0, None, None)
    p = sum(item_scores) / n
    rest = [t - s for s, t in zip(item_scores, totals, strict=True)]
    ul = upper_lower(item_scores, rest)
    mean_rest = sum(rest) / n
    var_rest = sum((r - mean_rest) ** 2 for r in rest) / n
    if p in (0.0, 1.0) or var_rest == 0:
        return ItemStats(n, p, None, ul)
    right = [r for s, r in zip(item_scores, rest, strict=True) if s]
    wrong = [r for s, r in zip(item_scores, rest, strict=True) if not s]
    m1 = sum(right) / len(right)
    m0 = sum(wrong) / len(wrong)
    r_pb = (m1 - m0) / var_rest**0.5 * (p * (1 - p)) ** 0.5
    return ItemStats(n, p, max(-1.0, min(1.0, r_pb)), ul)


def upper_lower(item_scores: Sequence[int], rest: Sequence[float]) -> float | None:
    """Kelley's index: the item's p among the 27% with the highest rest-of-test scores
    minus its p among the 27% with the lowest (at least one person each; ties broken by
    order). None with fewer than 2 people."""
    n = len(item_scores)
    if n < 2:
        return None
    k = max(1, round(n * 0.27))
    order = sorted(range(n), key=lambda i: rest[i])
    low = [item_scores[i] for i in order[:k]]
    high = [item_scores[i] for i in order[-k:]]
    return sum(high) / k - sum(low) / k
