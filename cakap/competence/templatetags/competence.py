from decimal import Decimal
from fractions import Fraction

from django import template

from cakap.competence import results

register = template.Library()


@register.filter
def pct(value: Fraction | Decimal | None) -> str:
    """A percentage or gain with one decimal; a dash when there is none."""
    if value is None:
        return "–"
    shown = results.show(Fraction(value)) if isinstance(value, Fraction) else value
    return f"{shown}"


@register.filter
def gain_g(value: Fraction | Decimal | None) -> str:
    """A normalised gain with two decimals; a dash when undefined."""
    if value is None:
        return "–"
    return f"{results.show_g(Fraction(value))}"


@register.filter
def heat(value: Decimal | None) -> str:
    """A CSS class for a heatmap cell: five bands of 20 points."""
    if value is None:
        return ""
    return f"h{min(int(value) // 20, 4)}"


@register.filter
def agg(row: results.AggregateRow, competence_id: int) -> object:
    return row.per_competence.get(competence_id)
