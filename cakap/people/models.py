import datetime
import functools
import secrets
from typing import ClassVar, TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.people.nip import format_nip
from cakap.people.unit_matching import unit_key


class Unit(models.Model):
    """A government unit. The tree starts wherever one deployment starts (regency or province)."""

    class UnitKind(models.TextChoices):
        PROVINCE = "province", _("Province")
        REGENCY = "regency", _("Regency / city")
        SECRETARIAT = "secretariat", _("Secretariat")
        DINAS = "dinas", _("Dinas (office)")
        BADAN = "badan", _("Badan (agency)")
        KECAMATAN = "kecamatan", _("Kecamatan (sub-district)")
        BIDANG = "bidang", _("Bidang (division)")
        OTHER = "other", _("Other")

    Kind: TypeAlias = UnitKind  # noqa: UP040 the API names an enum for its class

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path "/1/5/12/" so that a whole subtree is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_in_parent")
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        expected = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if self.path != expected:
            self.path = expected
            Unit.objects.filter(pk=self.pk).update(path=expected)

    def subtree(self) -> "models.QuerySet[Unit]":
        return Unit.objects.filter(path__startswith=self.path)


class UnitAlias(models.Model):
    """Another name a unit goes by in rosters: an older name, an abbreviation
    ("Disdukcapil"), the name of a unit merged into it. Matched by `key`, the name
    without case, spaces and punctuation (`unit_matching.unit_key`)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("alias"), max_length=200)
    key = models.CharField(max_length=200, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "key"], name="unit_alias_unique_key")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.key = unit_key(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Rank(models.TextChoices):
    """Pangkat/golongan of a PNS."""

    I_A = "I/a", "I/a Juru Muda"
    I_B = "I/b", "I/b Juru Muda Tingkat I"
    I_C = "I/c", "I/c Juru"
    I_D = "I/d", "I/d Juru Tingkat I"
    II_A = "II/a", "II/a Pengatur Muda"
    II_B = "II/b", "II/b Pengatur Muda Tingkat I"
    II_C = "II/c", "II/c Pengatur"
    II_D = "II/d", "II/d Pengatur Tingkat I"
    III_A = "III/a", "III/a Penata Muda"
    III_B = "III/b", "III/b Penata Muda Tingkat I"
    III_C = "III/c", "III/c Penata"
    III_D = "III/d", "III/d Penata Tingkat I"
    IV_A = "IV/a", "IV/a Pembina"
    IV_B = "IV/b", "IV/b Pembina Tingkat I"
    IV_C = "IV/c", "IV/c Pembina Utama Muda"
    IV_D = "IV/d", "IV/d Pembina Utama Madya"
    IV_E = "IV/e", "IV/e Pembina Utama"


class JobLevel(models.TextChoices):
    ESELON_II = "II", _("Eselon II (JPT Pratama)")
    ESELON_III = "III", _("Eselon III (Administrator)")
    ESELON_IV = "IV", _("Eselon IV (Pengawas)")
    FUNCTIONAL = "functional", _("Functional position")
    EXECUTOR = "executor", _("Executor (pelaksana)")
    NONE = "", _("Not stated")


class Person(models.Model):
    """A civil servant (ASN), with or without a login."""

    class EmployeeType(models.TextChoices):
        PNS = "pns", "PNS"
        PPPK = "pppk", "PPPK"

    nip = models.CharField("NIP", max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=150)
    title_prefix = models.CharField(_("title before name"), max_length=60, blank=True)
    title_suffix = models.CharField(_("title after name"), max_length=60, blank=True)
    employee_type = models.CharField(
        _("employee type"), max_length=8, choices=EmployeeType.choices, default=EmployeeType.PNS
    )
    rank = models.CharField(_("pangkat/golongan"), max_length=6, choices=Rank.choices, blank=True)
    position = models.CharField(_("position (jabatan)"), max_length=200, blank=True)
    job_level = models.CharField(
        _("job level"), max_length=12, choices=JobLevel.choices, blank=True, default=""
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # What a coach lets the participants of their groups see besides name and unit
    # (cakap.people.access.partly_seen_ids); nothing unless chosen.
    share_phone = models.BooleanField(_("share phone with my participants"), default=False)
    share_email = models.BooleanField(_("share email with my participants"), default=False)
    user = models.OneToOneField(
        "people.User",
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    # The direct superior (atasan langsung): told when this person falls behind in a
    # programme whose organiser turned that on (cakap.attendance.reminders).
    superior = models.ForeignKey(
        "self",
        verbose_name=_("direct superior (atasan langsung)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinates",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when retention replaced the person's identity (cakap/privacy); the record stays
    # for the counts that reports need.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """Name with academic titles, as official letters show it."""
        name = f"{self.title_prefix} {self.name}".strip()
        return f"{name}, {self.title_suffix}" if self.title_suffix else name

    @property
    def nip_grouped(self) -> str:
        return format_nip(self.nip)


class UserManager(BaseUserManager["User"]):
    # Not in migrations: no migration needs it, and a migration would have to import it.
    use_in_migrations = False

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


# A partial of the standard library, so that migrations name it without importing Cakap.
_new_feed_token = functools.partial(secrets.token_urlsafe, 24)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Signs in with the email or the NIP of the person it belongs to."""

    email = models.EmailField(_("email"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    feed_token = models.CharField(max_length=64, unique=True, default=_new_feed_token)

    objects: ClassVar[UserManager] = UserManager()

    # A login made for a person without an email gets an address under this reserved
    # domain (RFC 2606), which no mail reaches: they sign in with their NIP.
    PLACEHOLDER_DOMAIN: ClassVar[str] = "nip.invalid"

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)


class RoleAssignment(models.Model):
    """A role held over a unit's subtree. Coaching a group and taking part come from
    groups; the coach role makes its holder a coach whom the organisers of programmes in
    that subtree may put on their groups (decision 81)."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        ORGANISER = "organiser", _("Organiser")
        LEADER = "leader", _("Leader")
        COACH = "coach", _("Coach")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("scope"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="role_unique")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.unit}"


class ApiToken(models.Model):
    """A token for integrations; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: "datetime.datetime | None" = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def is_live(self) -> bool:
        return self.revoked_at is None and not self.is_expired()


class DataRead(models.Model):
    """One read of personal data: who opened whose profile, or downloaded which file of
    which unit, programme, group or session. Written with one insert by the view that
    served it (cakap/people/reads.py); administrators browse it, and a person finds the
    reads of their data in their own export."""

    class ReadKind(models.TextChoices):
        PROFILE = "profile", _("Profile page")
        PROFILE_API = "profile_api", _("Profile through the API")
        COMPETENCE_PROFILE = "competence_profile", _("Competence profile")
        RECORDS_API = "records_api", _("Attendance records through the API")
        RECAP_FILE = "recap_file", _("Attendance recap file")
        RESULTS_FILE = "results_file", _("Competence results file")
        RESULTS_API = "results_api", _("Competence results through the API")
        LINKS_PRINT = "links_print", _("Personal sign-in links, printed")
        DOCUMENT = "document", _("Attendance or absence document")
        OWN_EXPORT = "own_export", _("Own data export")

    Kind: TypeAlias = ReadKind  # noqa: UP040 the API names an enum for its class

    class ReadScope(models.TextChoices):
        PERSON = "person", _("Person")
        SESSION = "session", _("Session")
        GROUP = "group", _("Group")
        PROGRAMME = "programme", _("Programme")
        UNIT = "unit", _("Unit")

    Scope: TypeAlias = ReadScope  # noqa: UP040 the API names an enum for its class

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    reader = models.ForeignKey(
        User,
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("whose data"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    # The unit, programme, group or session by key: people names no table above it.
    scope_id = models.PositiveBigIntegerField(_("scope id"), null=True, blank=True)
    scope_label = models.CharField(_("scope name"), max_length=255, blank=True)
    detail = models.CharField(_("detail"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("read of personal data")
        verbose_name_plural = _("reads of personal data")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "at"], name="dataread_person_at"),
            models.Index(fields=["scope", "scope_id", "at"], name="dataread_scope_at"),
            models.Index(fields=["reader", "at"], name="dataread_reader_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.scope_label}"
