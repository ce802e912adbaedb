from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cakap.people.models import Person, Unit


class Programme(models.Model):
    class ProgrammeStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    Status: TypeAlias = ProgrammeStatus  # noqa: UP040 the API names an enum for its class

    class LearningForm(models.TextChoices):
        COACHING = "coaching", _("Coaching")
        MENTORING = "mentoring", _("Mentoring")
        WORKSHOP = "workshop", _("Workshop")
        BIMTEK = "bimtek", _("Technical guidance (bimtek)")
        COURSE = "course", _("Course")
        E_LEARNING = "e_learning", _("E-learning")

    title = models.CharField(_("title"), max_length=200)
    organiser_unit = models.ForeignKey(
        Unit, verbose_name=_("organiser unit"), on_delete=models.PROTECT, related_name="+"
    )
    coaching_unit = models.ForeignKey(
        Unit, verbose_name=_("coaching unit"), on_delete=models.PROTECT, related_name="+"
    )
    learning_form = models.CharField(
        _("learning form"), max_length=16, choices=LearningForm.choices, default="coaching"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    target_sessions = models.PositiveSmallIntegerField(_("target number of sessions"), default=0)
    min_attendance_pct = models.PositiveSmallIntegerField(_("minimum attendance (%)"), default=80)
    jp_credit = models.PositiveSmallIntegerField(_("JP credited"), default=0)
    pass_criteria = models.JSONField(_("pass criteria"), default=dict, blank=True)
    notify_superior_when_behind = models.BooleanField(
        _("tell a participant's direct superior when they fall behind"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="programme_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(min_attendance_pct__lte=100), name="programme_attendance_pct_max"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    """One curriculum module of a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["programme", "order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Group(models.Model):
    """A slice of a programme's participants with its own coaches."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)
    coaches = models.ManyToManyField(
        Person, verbose_name=_("coaches"), related_name="coached_groups", blank=True
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["programme", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="group_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.name}"

    def participants(self) -> "models.QuerySet[Person]":
        """The people actively enrolled in this group."""
        return Person.objects.filter(Enrolment.active_q("enrolments", group_id=self.pk))


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def active(self) -> "EnrolmentQuerySet":
        """Enrolments in force: the participant is in the group now (ended ones are history)."""
        return self.filter(status=Enrolment.Status.ACTIVE)


class Enrolment(models.Model):
    """A participant's place in a group. Ended enrolments stay as history."""

    class EnrolmentStatus(models.TextChoices):
        ACTIVE = "active", _("Active")
        MOVED = "moved", _("Moved to another group")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    Status: TypeAlias = EnrolmentStatus  # noqa: UP040 the API names an enum for its class

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=255, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["programme", "group", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person"],
                condition=Q(status="active"),
                name="enrolment_one_active_per_programme",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.group.name}"

    @classmethod
    def active_q(cls, via: str, **lookups: object) -> Q:
        """`active()` seen across a join: the enrolments at the relation path `via`
        (`"enrolments"`, `"group__enrolments"`) that are active and match `lookups`.

        The conditions stay in one `Q`, so that they hold for the same enrolment
        (`Person.objects.filter(Enrolment.active_q("enrolments", group=group))`).
        """
        conditions = {"status": cls.Status.ACTIVE, **lookups}
        return Q(**{f"{via}__{name}": value for name, value in conditions.items()})


class Session(models.Model):
    """One meeting of a group. Times are stored in UTC and shown in WIB."""

    class SessionStatus(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        MOVED = "moved", _("Moved")

    Status: TypeAlias = SessionStatus  # noqa: UP040 the API names an enum for its class

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    module = models.ForeignKey(
        Module, verbose_name=_("module"), null=True, blank=True, on_delete=models.SET_NULL
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    coach = models.ForeignKey(
        Person,
        verbose_name=_("coach"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coached_sessions",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    moved_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="moved_from"
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group.name} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def title(self) -> str:
        return self.topic or (self.module.title if self.module else "")

    def roster(self) -> EnrolmentQuerySet:
        """The active enrolments of this session's group: whom the roll expects."""
        return Enrolment.objects.active().filter(group_id=self.group_id)


class CalendarDay(models.Model):
    """A local calendar correction: a blackout date, or a working day on a listed holiday.

    With no programme it applies to every programme of the deployment.
    """

    class Kind(models.TextChoices):
        BLACKOUT = "blackout", _("No sessions (local holiday or blackout)")
        WORKING = "working", _("Working day despite a listed holiday")

    date = models.DateField(_("date"))
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_days"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "programme"], name="calendarday_unique_per_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"
