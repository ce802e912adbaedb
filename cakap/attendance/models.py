from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.people.models import Person
from cakap.programmes.models import Programme, Session


class AttendanceStatus(models.TextChoices):
    HADIR = "hadir", _("Present")
    TERLAMBAT = "terlambat", _("Late")
    IZIN = "izin", _("Excused (izin)")
    SAKIT = "sakit", _("Sick")
    DINAS_LUAR = "dinas_luar", _("Official duty elsewhere (dinas luar)")
    ALPA = "alpa", _("Absent without notice (alpa)")


# How far from the venue point a check-in counts as at the venue, unless set.
DEFAULT_RADIUS_M = 200

Status: TypeAlias = AttendanceStatus  # noqa: UP040 the API names an enum for its class


# Statuses that need a reason (and may carry a document such as a duty letter).
STATUSES = frozenset(Status)  # `in` without building Status.values each time
EXCUSED = {Status.IZIN, Status.SAKIT, Status.DINAS_LUAR}
PRESENT = {Status.HADIR, Status.TERLAMBAT}


class Flag(models.TextChoices):
    """What the coach should look at in a check-in; a record holds several, space-separated."""

    SHARED_DEVICE = "shared_device", _("shared phone")
    OUTSIDE_AREA = "outside_area", _("outside the area")
    OTHER_PHONE = "other_phone", _("not the phone of their link")
    NEW_PHONE = "new_phone", _("phone never used before")
    COARSE_FIX = "coarse_fix", _("rough position")


class Method(models.TextChoices):
    CODE = "code", _("Scanned or typed the session code")
    COACH_SCAN = "coach_scan", _("Scanned by the coach")
    COACH_SEARCH = "coach_search", _("Marked by the coach from a search")
    MANUAL = "manual", _("Set on the roll")
    EXCUSE = "excuse", _("Approved absence request")
    AUTO_CLOSE = "auto_close", _("Unmarked when the window closed")
    API = "api", _("Through the API")


class AttendancePolicy(models.Model):
    """How a programme takes attendance. A session may override the window and the place.

    The programme's venue point (latitude, longitude, radius) is where its sessions meet
    unless a session names its own (`SessionVenue`); `windows.place_for` decides."""

    class LocationMode(models.TextChoices):
        OFF = "off", _("Off")
        RECORD = "record", _("Record only")
        REQUIRED = "required", _("Required")

    class SharedDevice(models.TextChoices):
        REFUSE = "refuse", _("Refuse the second person")
        HOLD = "hold", _("Hold for the coach's approval")

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="attendance_policy"
    )
    opens_before_min = models.PositiveSmallIntegerField(
        _("window opens (minutes before start)"), default=30
    )
    closes_after_min = models.PositiveSmallIntegerField(
        _("window closes (minutes after start)"), default=60
    )
    late_after_min = models.PositiveSmallIntegerField(
        _("late after (minutes after start)"), default=10
    )
    code_period_s = models.PositiveSmallIntegerField(_("code changes every (seconds)"), default=30)
    code_grace_s = models.PositiveSmallIntegerField(
        _("previous code accepted for (seconds)"), default=30
    )
    location_mode = models.CharField(
        _("location check"),
        max_length=10,
        choices=LocationMode.choices,
        default=LocationMode.OFF,
        help_text=_(
            "The position a browser reports is evidence, not proof: a phone can be made to "
            "report any place. Record only keeps it and flags check-ins outside the venue; "
            "required also refuses them. Rough positions are flagged on the roll, and a "
            "phone's claimed accuracy widens the venue's radius by a limited amount only."
        ),
    )
    shared_device = models.CharField(
        _("one phone, two people"),
        max_length=10,
        choices=SharedDevice.choices,
        default=SharedDevice.REFUSE,
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=DEFAULT_RADIUS_M)

    class Meta:
        verbose_name = _("attendance policy")
        verbose_name_plural = _("attendance policies")

    def __str__(self) -> str:
        return f"{self.programme}"


class SessionVenue(models.Model):
    """Per-session overrides: the venue's coordinates and radius, and the window."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="attendance")
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=DEFAULT_RADIUS_M)
    opens_before_min = models.PositiveSmallIntegerField(
        _("window opens (minutes before start)"), null=True, blank=True
    )
    closes_after_min = models.PositiveSmallIntegerField(
        _("window closes (minutes after start)"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session attendance settings")
        verbose_name_plural = _("session attendance settings")

    def __str__(self) -> str:
        return f"{self.session}"


class AttendanceRecord(models.Model):
    """One participant in one session. Never deleted; every change is kept in `changes`."""

    # No index of its own: the unique (session, person) and the (session, device_id)
    # index both begin with it.
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,
    )
    person = models.ForeignKey(
        Person, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    minutes_late = models.PositiveSmallIntegerField(_("minutes late"), default=0)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    document = models.FileField(_("document"), upload_to="attendance/%Y/%m/", blank=True)
    device_id = models.CharField(_("phone id"), max_length=64, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    pending = models.BooleanField(_("awaiting the coach's approval"), default=False)
    # Space-separated `Flag` values (see `flags`).
    flag = models.CharField(_("flags"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        ordering = ["session", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="attendance_one_per_session"
            ),
            # One phone checks in one person per session; a second person on it is either
            # refused or held for the coach (flagged shared_device), as the policy says.
            # The database decides, so that people posting at once cannot all win.
            models.UniqueConstraint(
                fields=["session", "device_id"],
                condition=~Q(device_id="") & ~Q(flag__contains=Flag.SHARED_DEVICE),
                name="attendance_one_person_per_phone",
            ),
        ]
        # "Has this phone checked in someone else to this session?" and "has this phone
        # ever checked anyone in?" run on every check-in.
        indexes = [models.Index(fields=["device_id", "session"], name="attendance_device_session")]

    def __str__(self) -> str:
        return f"{self.person} {self.session}: {self.status}"

    @property
    def flags(self) -> list[str]:
        return self.flag.split()

    @property
    def flag_labels(self) -> list[str]:
        """The flags in words, for the coach."""
        return [str(Flag(f).label) if f in Flag.values else f for f in self.flags]


class AttendanceChange(models.Model):
    """The trail of a record: who changed it, when, from what, to what, and why."""

    record = models.ForeignKey(AttendanceRecord, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class CheckInAttempt(models.Model):
    """A refused check-in, kept for the organiser to review. The same refusal repeated
    (same session, person, phone and reason within an hour) is one row with a count."""

    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="refusals"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)
    count = models.PositiveIntegerField(_("times"), default=1)
    reason = models.CharField(max_length=32, db_index=True)
    device_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("refused check-in")
        verbose_name_plural = _("refused check-ins")
        ordering = ["-last_at"]

    def __str__(self) -> str:
        return f"{self.reason} {self.at:%Y-%m-%d %H:%M}"


class PersonalLink(models.Model):
    """A single-use sign-in link for one participant in one programme; binds one phone."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="personal_links")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    # The URL's secret is derived from this under SECRET_KEY (see links.link_token), so
    # the list can be printed again while the table alone reveals no working link.
    nonce = models.CharField(max_length=48, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A keyed digest of the login's password hash when the link was issued: a new
    # password (or a reset) changes it, and the link stops working (links.py).
    password_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(revoked_at__isnull=True),
                name="personal_link_one_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} / {self.programme}"


class AbsenceRequest(models.Model):
    """A participant asks beforehand to be excused; the organiser decides."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="absence_requests")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="absence_requests")
    status = models.CharField(
        _("asked status"),
        max_length=12,
        choices=[(s.value, s.label) for s in (Status.IZIN, Status.SAKIT, Status.DINAS_LUAR)],
    )
    reason = models.CharField(_("reason"), max_length=255)
    document = models.FileField(_("document"), upload_to="absence/%Y/%m/", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("absence request")
        verbose_name_plural = _("absence requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=Q(state="pending"),
                name="absence_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.session} {self.status}"
