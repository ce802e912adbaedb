"""The API of a programme's delivery log (decision 93), on the same access functions as
its page (cakap.attendance.notice_access): organisers read all of it, coaches the part
of the groups they coach."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from cakap.attendance.notice_access import deliveries_for, get_programme_for_notices
from cakap.core.api_support import READ_RESPONSES, Id, InputSchema, PageNumbers
from cakap.notices.api import DeliveryOut
from cakap.notices.models import Channel, Delivery, DeliveryState, NoticeKind
from cakap.people.identity import actor

router = Router(tags=["notices"])


class DeliveryFilter(InputSchema):
    kind: NoticeKind | None = None
    channel: Channel | None = None
    state: DeliveryState | None = None
    person: Id | None = None


@router.get(
    "/programmes/{programme_id}/deliveries",
    response={200: list[DeliveryOut], **READ_RESPONSES},
    summary="A programme's delivery log",
    operation_id="notices_programme_deliveries",
)
@paginate(PageNumbers)
def programme_deliveries(
    request: HttpRequest, programme_id: Id, filters: Query[DeliveryFilter]
) -> QuerySet[Delivery]:
    user = actor(request)
    programme = get_programme_for_notices(user, programme_id)
    deliveries = deliveries_for(user, programme).select_related("person")
    if filters.kind:
        deliveries = deliveries.filter(kind=filters.kind)
    if filters.channel:
        deliveries = deliveries.filter(channel=filters.channel)
    if filters.state:
        deliveries = deliveries.filter(state=filters.state)
    if filters.person is not None:
        deliveries = deliveries.filter(person_id=filters.person)
    return deliveries.order_by("-created_at", "-pk")
