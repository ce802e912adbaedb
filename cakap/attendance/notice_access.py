"""Who may read a programme's delivery log and use its WhatsApp lists (decision 93): the
programme's organisers (everything of the programme) and the coaches of its groups (the
deliveries to the people of the groups they coach, and their own). Built on
cakap.attendance.access (the recap's scope), in a module of its own so that the notices'
rules stay together; answers 404 outside the scope, as every access function does."""

from django.db.models import Q, QuerySet
from django.http import Http404

from cakap.attendance.access import get_session_for_roll, groups_for_recap
from cakap.core.lookups import get_or_404
from cakap.notices.models import Channel, Delivery
from cakap.people.access import person_of
from cakap.people.models import User
from cakap.programmes.access import programmes_managed_by
from cakap.programmes.models import Enrolment, Programme, Session


def get_programme_for_notices(user: User, pk: int) -> Programme:
    """A programme whose log `user` may read: they organise it or coach one of its groups."""
    ids = groups_for_recap(user).filter(programme_id=pk).values("programme_id")
    return get_or_404(Programme.objects.filter(pk__in=ids), pk)


def deliveries_for(user: User, programme: Programme) -> QuerySet[Delivery]:
    """The programme's deliveries that `user` may read."""
    deliveries = Delivery.objects.for_programme(programme.pk)
    if programmes_managed_by(user).filter(pk=programme.pk).exists():
        return deliveries
    groups = groups_for_recap(user).filter(programme=programme)
    people = Enrolment.objects.filter(group__in=groups).values("person_id")
    own = person_of(user)
    q = Q(person_id__in=people)
    if own is not None:
        q |= Q(person=own)
    return deliveries.filter(q)


def get_session_for_whatsapp(user: User, pk: int) -> Session:
    """A session whose WhatsApp list `user` may use: its roll's scope."""
    return get_session_for_roll(user, pk)


def get_delivery_to_open(user: User, pk: int) -> Delivery:
    """A WhatsApp delivery `user` may open: of a session whose roll they take, or of a
    programme whose log they read and of a person in it they may see."""
    delivery = get_or_404(Delivery.objects.whatsapp().select_related("person"), pk)
    if delivery.programme_ref is None:
        raise Http404
    if delivery.session_ref is not None:
        get_session_for_whatsapp(user, delivery.session_ref)
        return delivery
    programme = get_programme_for_notices(user, delivery.programme_ref)
    return get_or_404(deliveries_for(user, programme).filter(channel=Channel.WHATSAPP), pk)
