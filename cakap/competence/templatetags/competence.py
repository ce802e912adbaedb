from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils import formats

from cakap.competence import queries

register = template.Library()


@register.filter
def pct(value: Fraction | Decimal | None) -> str:
    """A percentage or gain with one decimal; a dash when there is none."""
    if value is None:
        return "–"
    shown = queries.show(Fraction(value))
    return formats.number_format(shown, decimal_pos=1) if shown is not None else "–"


@register.filter
def gain_g(value: Fraction | Decimal | None) -> str:
    """A normalised gain with two decimals; a dash when undefined."""
    if value is None:
        return "–"
    shown = queries.show_g(Fraction(value))
    return formats.number_format(shown, decimal_pos=2) if shown is not None else "–"


@register.filter
def heat(value: Decimal | None) -> str:
    """A CSS class for a heatmap cell: five bands of 20 points."""
    if value is None:
        return ""
    return f"h{min(int(value) // 20, 4)}"


@register.filter
def agg(row: queries.AggregateRow, competence_id: int) -> object:
    return row.per_competence.get(competence_id)
