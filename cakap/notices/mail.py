"""The email channel: one delivery through Django's mailer, in the words it was prepared
with (Indonesian unless the notice was made in English), under the product's name.

`send_delivery` is what the background task runs for each queued delivery: it sends a
delivery that is queued or failed, marks it sent, and on a mailer error marks it failed
with the error and raises, so that the task is retried; a delivery already sent is left
alone, so a rerun sends nothing twice.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cakap.notices.models import Delivery, DeliveryState

RESENDABLE = (DeliveryState.QUEUED, DeliveryState.FAILED)


class DeliveryFailedError(Exception):
    """The mailer refused a delivery; the task that ran it is retried."""


def render_email(delivery: Delivery) -> str:
    """The mail's text: the prepared message and a footer on how to stop such mail, in
    the product's language (the worker has no request to take one from)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "notices/email.txt", {"delivery": delivery, "site_url": settings.SITE_URL}
        )


def send_delivery(delivery_id: int) -> bool:
    """Send one queued (or failed) email delivery; True when it was sent now."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .filter(pk=delivery_id, state__in=RESENDABLE)
            .select_related("person")
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        message = EmailMessage(
            subject=delivery.subject,
            body=render_email(delivery),
            from_email=None,
            to=[delivery.address],
        )
        try:
            message.send()
        except Exception as err:  # noqa: BLE001 any mailer error marks the delivery failed
            delivery.state = DeliveryState.FAILED
            delivery.error = f"{type(err).__name__}: {err}"[:255]
            delivery.save(update_fields=["state", "error", "attempts"])
            failed = err
        else:
            delivery.state = DeliveryState.SENT
            delivery.sent_at = timezone.now()
            delivery.error = ""
            delivery.save(update_fields=["state", "sent_at", "error", "attempts"])
            return True
    raise DeliveryFailedError(delivery.error) from failed


def send_deliveries(delivery_ids: list[int]) -> int:
    """Send each delivery that is still to go; the number sent. Every delivery is tried
    even when one fails; then the first failure is raised, so the task is retried and
    the rerun sends only what has not gone."""
    sent = 0
    first_failure: DeliveryFailedError | None = None
    for pk in delivery_ids:
        try:
            sent += send_delivery(pk)
        except DeliveryFailedError as err:
            first_failure = first_failure or err
    if first_failure is not None:
        raise first_failure
    return sent
