"""The notices' API: the caller's own notice preferences (which kinds come by email).
A programme's delivery log is attendance's (cakap/attendance/notices_api.py), which
knows programmes."""

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from cakap.core.api_support import ERROR_RESPONSES, READ_RESPONSES, InputSchema, LocalDateTime
from cakap.notices import queries, services
from cakap.notices.access import own_person
from cakap.notices.models import Channel, DeliveryState, NoticeKind
from cakap.people.identity import actor
from cakap.people.models import Person

router = Router(tags=["notices"])


class DeliveryPersonOut(Schema):
    id: int
    full_name: str


class DeliveryOut(Schema):
    id: int
    person: DeliveryPersonOut
    kind: NoticeKind
    channel: Channel
    state: DeliveryState
    subject: str
    created_at: LocalDateTime
    sent_at: LocalDateTime | None
    opened_at: LocalDateTime | None
    error: str


class PreferenceOut(Schema):
    kind: NoticeKind
    email: bool = Field(description="whether this kind of notice comes by email")


class PreferencesIn(InputSchema):
    email: list[NoticeKind] = Field(
        description="the kinds that come by email; every kind not listed does not"
    )


def _own(request: HttpRequest) -> Person:
    person = own_person(actor(request))
    if person is None:
        raise Http404
    return person


def _preferences(person: Person) -> list[dict[str, object]]:
    return [{"kind": k, "email": on} for k, on in queries.email_preferences(person).items()]


@router.get(
    "/preferences",
    response={200: list[PreferenceOut], **READ_RESPONSES},
    summary="My notice preferences",
    operation_id="notices_my_preferences",
)
def my_preferences(request: HttpRequest) -> list[dict[str, object]]:
    return _preferences(_own(request))


@router.put(
    "/preferences",
    response={200: list[PreferenceOut], **ERROR_RESPONSES},
    summary="Set which of my notices come by email",
    operation_id="notices_set_my_preferences",
)
def set_my_preferences(request: HttpRequest, payload: PreferencesIn) -> list[dict[str, object]]:
    person = _own(request)
    services.set_email_preferences(person, payload.email, acting_user=actor(request))
    return _preferences(person)
