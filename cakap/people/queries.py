"""Reads that pages and the API share: the search of the person list."""

from django.db.models import Q, QuerySet

from cakap.people.models import Person


def search_people(people: QuerySet[Person], q: str) -> QuerySet[Person]:
    """`people` whose name, position or unit name contains `q`, or whose NIP contains its
    digits (four or more); all of them for an empty `q`."""
    q = (q or "").strip()
    if not q:
        return people
    digits = "".join(ch for ch in q if ch.isdigit())
    cond = Q(name__icontains=q) | Q(position__icontains=q) | Q(unit__name__icontains=q)
    if len(digits) >= 4:
        cond |= Q(nip__contains=digits)
    return people.filter(cond)
