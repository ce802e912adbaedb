"""The notices' background work: sending queued emails. `send_email_deliveries` is
enqueued on commit by `services.notify_many`; a delivery the mailer refuses is marked
failed with its error and the task raises, so it is retried with backoff, and a rerun
sends only what has not gone (`mail.send_deliveries`)."""

from cakap.core.background import background_task
from cakap.notices import mail


@background_task(max_attempts=5)
def send_email_deliveries(delivery_ids: list[int]) -> int:
    return mail.send_deliveries(delivery_ids)
