"""The delivery log (decision 93): each event at most once per person and channel, an
opt-out of email per kind, a missing address logged, the phone normalised for wa.me, and
the email sent after commit by a background task that marks failures and is retried."""

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from cakap.core.models import AuditEntry
from cakap.notices import personal_data, services
from cakap.notices.models import Channel, Delivery, DeliveryState, NoticeKind, NoticePreference
from cakap.notices.queries import chat_rows, email_preferences
from cakap.notices.whatsapp import chat_url
from cakap.people.models import Person

pytestmark = pytest.mark.django_db

BOTH = (Channel.EMAIL, Channel.WHATSAPP)


@pytest.fixture
def person(world):
    person = Person.objects.get(user=world.participant)
    person.phone = "0812-3456-7890"
    person.save(update_fields=["phone"])
    return person


def _notify(person, key="event:1", kind=NoticeKind.TEST_OPENING, channels=BOTH):
    return services.notify(
        person,
        kind=kind,
        key=key,
        subject="Cakap: tes dibuka",
        body="Tes dibuka.",
        channels=channels,
        programme_ref=7,
    )


def test_an_event_goes_once_per_person_and_channel(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(person)
    with django_capture_on_commit_callbacks(execute=True):
        again = _notify(person)
        services.notify_many(
            [services.Notice(person, NoticeKind.TEST_OPENING, "event:1", "s", "b", BOTH)] * 2
        )
    assert len(first) == 2 and again == []
    assert Delivery.objects.filter(person=person).count() == 2
    assert len(mail.outbox) == 1
    email = Delivery.objects.get(person=person, channel=Channel.EMAIL)
    assert email.state == DeliveryState.SENT and email.sent_at is not None
    assert email.attempts == 1
    assert mail.outbox[0].to == [person.email]
    assert "Tes dibuka." in mail.outbox[0].body
    assert "/account/notices/" in mail.outbox[0].body  # how to stop these emails
    # Another event is another delivery.
    with django_capture_on_commit_callbacks(execute=True):
        assert len(_notify(person, key="event:2")) == 2


def test_nothing_is_mailed_before_the_transaction_commits(person):
    with transaction.atomic():
        _notify(person)
        assert mail.outbox == []
        transaction.set_rollback(True)
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_an_opt_out_of_email_is_per_kind(person, world, django_capture_on_commit_callbacks):
    chosen = [k for k in NoticeKind.values if k != NoticeKind.TEST_OPENING]
    services.set_email_preferences(person, chosen, acting_user=world.participant)
    assert email_preferences(person)[NoticeKind.TEST_OPENING] is False
    assert email_preferences(person)[NoticeKind.TEST_CLOSING] is True
    assert AuditEntry.objects.filter(action="notices.preferences").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
        _notify(person, key="event:closing", kind=NoticeKind.TEST_CLOSING)
    states = dict(
        Delivery.objects.filter(person=person, channel=Channel.EMAIL).values_list("kind", "state")
    )
    assert states == {
        NoticeKind.TEST_OPENING: DeliveryState.OPTED_OUT,
        NoticeKind.TEST_CLOSING: DeliveryState.SENT,
    }
    assert len(mail.outbox) == 1
    # Turning it back on keeps one row per kind.
    services.set_email_preferences(person, NoticeKind.values, acting_user=world.participant)
    assert NoticePreference.objects.filter(person=person, email=False).count() == 0


def test_a_missing_address_is_logged_not_sent(person, django_capture_on_commit_callbacks):
    Person.objects.filter(pk=person.pk).update(email="", phone="12")
    person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.NO_ADDRESS}
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("812 3456 7890", "6281234567890"),  # a spreadsheet dropped the leading zero
    ],
)
def test_the_phone_is_normalised_to_62(phone, number):
    url = chat_url(phone, "Sesi besok, 09.00 WIB & bawa laptop")
    assert url.startswith(f"https://wa.me/{number}?text=")
    assert "Sesi%20besok%2C%2009.00%20WIB%20%26%20bawa%20laptop" in url


def test_the_whatsapp_list_has_one_link_per_person(person, world):
    _notify(person, channels=(Channel.WHATSAPP,))
    (row,) = chat_rows(Delivery.objects.filter(channel=Channel.WHATSAPP))
    assert row.delivery.state == DeliveryState.PREPARED
    assert row.url.startswith("https://wa.me/6281234567890?text=Tes%20dibuka.")


def test_a_failed_email_is_marked_and_retried(
    person, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    real_send = EmailMessage.send

    def flaky(self, fail_silently=False):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("mail server down")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person, channels=(Channel.EMAIL,))
    email = Delivery.objects.get(person=person)
    # The immediate backend retries at once; the second attempt went through.
    assert email.state == DeliveryState.SENT
    assert email.attempts == 2 and email.error == ""
    assert len(mail.outbox) == 1


def test_an_email_that_keeps_failing_stays_failed_with_its_error(
    person, monkeypatch, django_capture_on_commit_callbacks
):
    def down(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", down)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person, channels=(Channel.EMAIL,))
    email = Delivery.objects.get(person=person)
    assert email.state == DeliveryState.FAILED
    assert email.error == "ConnectionRefusedError: mail server down"
    assert email.attempts == 5  # the task's max_attempts
    assert mail.outbox == []


def test_the_persons_export_and_anonymising_cover_their_notices(person):
    _notify(person)
    tables = {t.key: t for t in personal_data.export(person)}
    assert [row["subject"] for row in tables["deliveries"].rows] == ["Cakap: tes dibuka"] * 2
    assert len(tables["notice_preferences"].rows) == len(NoticeKind.values)
    personal_data.anonymise(person, acting_user=None)
    assert set(Delivery.objects.values_list("body", "address")) == {("", "")}
    assert Delivery.objects.count() == 2  # what went out, when and how stays
