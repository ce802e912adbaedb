from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One change made through a service: who, when, what, and the values before and after."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def change_list(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) of each change, for templates: `changes.items` in a
        template would read a changed field named "items" instead of the dict's items."""
        changes = self.changes if isinstance(self.changes, dict) else {}
        rows = []
        for name, pair in changes.items():
            if isinstance(pair, list | tuple) and len(pair) == 2:
                rows.append((str(name), pair[0], pair[1]))
            else:
                rows.append((str(name), None, pair))
        return rows


class UserSession(AbstractBaseSession):
    """A session that also names its signed-in user in a column, so that a person's
    sessions can be ended everywhere (core/sessions). Deleting a user ends their
    sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        pass

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        # The configured engine's store (with or without the shared cache).
        return import_module(settings.SESSION_ENGINE).SessionStore  # type: ignore[no-any-return]


class ScheduledRun(models.Model):
    """One slot of a scheduled job that a worker has enqueued. The unique pair makes two
    workers, or one that restarts, enqueue each slot once (decision 88)."""

    name = models.CharField(_("job"), max_length=100)
    slot = models.DateTimeField(_("slot"))
    enqueued_at = models.DateTimeField(_("enqueued"), auto_now_add=True)
    task_result_id = models.CharField(_("task result"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="scheduled_run_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.slot:%Y-%m-%d %H:%M}"
