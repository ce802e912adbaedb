"""The delivery log and the per-person opt-outs.

A delivery is one notice to one person over one channel. Its idempotency key names the
event (`session-tomorrow:<session id>`), and the key, the person and the channel are
unique together, so each event reaches a person at most once per channel however often
a producer runs. Programmes and sessions sit above this app: a delivery names them by
id only (`programme_ref`, `session_ref`), never by foreign key, as people's read log does.
"""

from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.people.models import Person


class NoticeKind(models.TextChoices):
    """What a notice is about. "A task due" (the coaching issue) and "a certificate
    ready" (the credit issue) add their kind here when those apps land: `task_due`,
    `certificate_ready`."""

    SESSION_TOMORROW = "session_tomorrow", _("A session tomorrow")
    SESSION_SOON = "session_soon", _("A session in one hour")
    TEST_OPENING = "test_opening", _("A test opening")
    TEST_CLOSING = "test_closing", _("A test closing")
    BEHIND_TARGET = "behind_target", _("Falling behind the attendance target")
    STAFF_BEHIND = "staff_behind", _("A member of my staff falling behind")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    PREPARED = "prepared", _("Prepared")
    OPENED = "opened", _("Opened")
    OPTED_OUT = "opted_out", _("Skipped: opted out")
    NO_ADDRESS = "no_address", _("Skipped: no address")


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def for_programme(self, programme_id: int) -> "DeliveryQuerySet":
        return self.filter(programme_ref=programme_id)

    def whatsapp(self) -> "DeliveryQuerySet":
        return self.filter(channel=Channel.WHATSAPP)


class Delivery(models.Model):
    """One notice to one person over one channel, and what became of it."""

    Kind: TypeAlias = NoticeKind  # noqa: UP040 the API names an enum for its class
    State: TypeAlias = DeliveryState  # noqa: UP040

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    key = models.CharField(_("event"), max_length=120)
    state = models.CharField(_("state"), max_length=12, choices=DeliveryState.choices)
    address = models.CharField(_("address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    programme_ref = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    session_ref = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=255, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "person", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["person", "-created_at"], name="delivery_person_recent")]

    def __str__(self) -> str:
        return f"{self.key} {self.channel} #{self.person_id}"


class NoticePreference(models.Model):
    """A person's choice for one kind of notice: whether it comes by email. No row means
    the default, email on."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    email = models.BooleanField(_("by email"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="notice_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} email={self.email}"
