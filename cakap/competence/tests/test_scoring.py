"""The arithmetic of scores, levels and gains, proved over many inputs."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from cakap.competence import scoring

pcts = st.fractions(min_value=0, max_value=100)
levels = st.tuples(st.integers(0, 5), st.integers(1, 10)).map(lambda t: (t[0], t[0] + t[1]))


@given(pcts, levels)
def test_level_stays_within_the_framework(pct, scale):
    low, high = scale
    assert low <= scoring.level_for(pct, low, high) <= high


@given(pcts, pcts, levels)
def test_level_never_falls_as_the_score_rises(a, b, scale):
    low, high = scale
    lo, hi = sorted((a, b))
    assert scoring.level_for(lo, low, high) <= scoring.level_for(hi, low, high)


def test_level_ends_and_halves():
    assert scoring.level_for(Fraction(0), 1, 5) == 1
    assert scoring.level_for(Fraction(100), 1, 5) == 5
    assert scoring.level_for(Fraction(50), 1, 5) == 3
    assert scoring.level_for(Fraction(125, 10), 1, 5) == 2  # 0.5 of a step rounds up
    assert scoring.level_for(Fraction(100), 1, 8) == 8


@given(pcts, pcts)
def test_normalised_gain_is_undefined_only_at_full_pre(pre, post):
    g = scoring.normalised_gain(pre, post)
    if pre == 100:
        assert g is None
    else:
        assert g is not None
        assert g <= 1
        assert (g == 1) == (post == 100)
        assert (g > 0) == (post > pre)
        assert g == (post - pre) / (100 - pre)


@given(pcts, pcts)
def test_absolute_gain_is_post_minus_pre(pre, post):
    assert scoring.absolute_gain(pre, post) + pre == post


@given(st.lists(st.tuples(st.none() | pcts, st.none() | pcts), max_size=30))
def test_aggregate_counts_only_people_with_both(pairs):
    agg = scoring.aggregate(pairs)
    both = [(a, b) for a, b in pairs if a is not None and b is not None]
    assert agg.n == len(both)
    assert agg.n_pre == sum(a is not None for a, _ in pairs)
    assert agg.n_post == sum(b is not None for _, b in pairs)
    if both:
        mean_pre = sum(a for a, _ in both) / len(both)
        mean_post = sum(b for _, b in both) / len(both)
        assert agg.pre == mean_pre
        assert agg.gain == mean_post - mean_pre
        assert agg.normalised == scoring.normalised_gain(mean_pre, mean_post)
    else:
        assert agg.pre is agg.post is agg.gain is agg.normalised is None


choice_items = st.builds(
    lambda kind, points, n, correct: scoring.ItemKey(
        kind, points, tuple(sorted({c % n for c in correct}))[: 1 if kind != "multiple" else n]
    ),
    st.sampled_from(["single", "multiple", "true_false"]),
    st.integers(1, 10),
    st.integers(2, 6),
    st.lists(st.integers(0, 5), min_size=1, max_size=6),
)


@given(choice_items, st.none() | st.lists(st.integers(0, 5), max_size=6))
def test_an_item_scores_nothing_or_everything(item, value):
    earned, possible = scoring.item_points(item, value, (1, 5))
    assert possible == item.points
    assert earned in (0, possible)


@given(choice_items)
def test_the_right_answer_scores_full_points(item):
    earned, possible = scoring.item_points(item, list(item.correct), (1, 5))
    assert earned == possible


@given(levels, st.integers(-3, 15))
def test_a_statement_scores_its_distance_from_the_bottom(scale, answer):
    low, high = scale
    earned, possible = scoring.item_points(scoring.ItemKey("statement", 1, ()), [answer], scale)
    assert possible == high - low
    assert earned == min(max(answer, low), high) - low


def test_an_unanswered_statement_counts_in_neither():
    assert scoring.item_points(scoring.ItemKey("statement", 1, ()), None, (1, 5)) == (
        Fraction(0),
        Fraction(0),
    )
    assert scoring.percent(Fraction(0), Fraction(0)) is None


@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 20)), min_size=1, max_size=40))
def test_item_statistics_stay_in_range(rows):
    item = [s for s, _ in rows]
    totals = [float(s + rest) for s, rest in rows]
    stats = scoring.item_statistics(item, totals)
    assert stats.n == len(rows)
    assert stats.difficulty is not None and 0 <= stats.difficulty <= 1
    assert stats.discrimination is None or -1 <= stats.discrimination <= 1
    assert stats.upper_lower is None or -1 <= stats.upper_lower <= 1


def test_an_item_that_the_strong_get_right_discriminates():
    item = [1, 1, 1, 0, 0, 0]
    totals = [10.0, 9.0, 8.0, 2.0, 1.0, 0.0]
    stats = scoring.item_statistics(item, totals)
    assert stats.difficulty == 0.5
    assert stats.discrimination is not None and stats.discrimination > 0.9
    assert stats.upper_lower == 1.0  # the top two got it right, the bottom two did not
    reverse = scoring.item_statistics([0, 0, 0, 1, 1, 1], [9.0, 8.0, 7.0, 3.0, 2.0, 1.0])
    assert reverse.discrimination is not None and reverse.discrimination < 0
