"""Scoped look-ups shared by pages and the API."""

from django.db.models import Model, QuerySet
from django.http import Http404


def get_or_404[M: Model](scoped: QuerySet[M], pk: int) -> M:
    """The object `pk` from a scoped queryset; outside the scope it does not exist (404,
    never 403, so that a page or the API leaks nothing about what lies outside)."""
    obj = scoped.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj
