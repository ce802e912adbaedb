"""People's part of a person's data (UU 27/2022; cakap/core/personal_data.py): the
person record, the login, roles, API tokens' metadata, sign-in sessions and log-in
events for the export; the activity that keeps a record; and anonymising it."""

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.core.models import AuditEntry, UserSession
from cakap.core.personal_data import AuditRef, Table
from cakap.people.models import ApiToken, Person, RoleAssignment, User

# The person's fields retention replaces; the rest (unit, employee type, job level) stay
# for the counts that reports need.
IDENTIFYING_FIELDS = (
    "nip",
    "name",
    "title_prefix",
    "title_suffix",
    "rank",
    "position",
    "phone",
    "email",
    "display_name",
)


def _login_username(user: User) -> str:
    # django-axes counts and logs a known account under its email (auth.lockout_username).
    return user.email.lower()


def export(person: Person) -> list[Table]:
    """The person record, their login, roles, tokens, sessions and log-in events."""
    tables = [
        Table(
            "person",
            _("Person record"),
            [
                ("nip", "NIP"),
                ("name", _("name")),
                ("title_prefix", _("title before name")),
                ("title_suffix", _("title after name")),
                ("employee_type", _("employee type")),
                ("rank", _("pangkat/golongan")),
                ("position", _("position (jabatan)")),
                ("job_level", _("job level")),
                ("unit", _("unit")),
                ("phone", _("phone")),
                ("email", _("email")),
                ("share_phone", _("share phone with my participants")),
                ("share_email", _("share email with my participants")),
                ("created_at", _("recorded on")),
                ("updated_at", _("last changed")),
            ],
            [
                {
                    "nip": person.nip,
                    "name": person.name,
                    "title_prefix": person.title_prefix,
                    "title_suffix": person.title_suffix,
                    "employee_type": person.get_employee_type_display(),
                    "rank": person.rank,
                    "position": person.position,
                    "job_level": person.get_job_level_display() if person.job_level else "",
                    "unit": person.unit.name,
                    "phone": person.phone,
                    "email": person.email,
                    "share_phone": person.share_phone,
                    "share_email": person.share_email,
                    "created_at": person.created_at,
                    "updated_at": person.updated_at,
                }
            ],
            record=True,
        )
    ]
    user = person.user
    if user is None:
        return tables
    tables.append(
        Table(
            "login",
            _("Login"),
            [
                ("email", _("email")),
                ("display_name", _("display name")),
                ("is_active", _("active")),
                ("has_password", _("has a password")),
                ("is_staff", _("may use the admin site")),
                ("date_joined", _("joined")),
                ("last_login", _("last signed in")),
            ],
            [
                {
                    "email": user.email,
                    "display_name": user.display_name,
                    "is_active": user.is_active,
                    "has_password": user.has_usable_password(),
                    "is_staff": user.is_staff,
                    "date_joined": user.date_joined,
                    "last_login": user.last_login,
                }
            ],
            record=True,
        )
    )
    tables.append(
        Table(
            "roles",
            _("Roles"),
            [("role", _("role")), ("unit", _("scope"))],
            [
                {"role": r.get_role_display(), "unit": r.unit.name}
                for r in RoleAssignment.objects.filter(user=user)
                .select_related("unit")
                .order_by("role", "unit__name")
            ],
        )
    )
    tables.append(
        Table(
            "api_tokens",
            _("API tokens (never their keys)"),
            [
                ("name", _("name")),
                ("prefix", _("begins with")),
                ("created_at", _("created at")),
                ("last_used_at", _("last used")),
                ("expires_at", _("expires")),
                ("revoked_at", _("revoked at")),
            ],
            [
                {
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": t.created_at,
                    "last_used_at": t.last_used_at,
                    "expires_at": t.expires_at,
                    "revoked_at": t.revoked_at,
                }
                for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
            ],
        )
    )
    tables.append(
        Table(
            "sign_in_sessions",
            _("Signed-in sessions"),
            [("expires", _("expires"))],
            [
                {"expires": s.expire_date}
                for s in UserSession.objects.filter(
                    user=user, expire_date__gt=timezone.now()
                ).order_by("expire_date")
            ],
        )
    )
    username = _login_username(user)
    events: list[tuple[datetime.datetime, str, str | None, str]] = [
        (e.attempt_time, str(_("signed in")), e.ip_address, e.user_agent)
        for e in AccessLog.objects.filter(username=username)
    ]
    events += [
        (e.attempt_time, str(_("failed to sign in")), e.ip_address, e.user_agent)
        for e in AccessFailureLog.objects.filter(username=username)
    ]
    events.sort(key=lambda e: e[0])
    tables.append(
        Table(
            "login_events",
            _("Log-in events"),
            [
                ("at", _("time")),
                ("event", _("event")),
                ("address", _("address")),
                ("browser", _("browser")),
            ],
            [{"at": at, "event": ev, "address": ip, "browser": ua} for at, ev, ip, ua in events],
        )
    )
    return tables


def audit_refs(person: Person) -> list[AuditRef]:
    """The person, their login, roles and tokens: whose audit entries are theirs."""
    refs: list[AuditRef] = [("people.person", [person.pk])]
    if person.user_id is not None:
        refs.append(("people.user", [person.user_id]))
        refs.append(
            (
                "people.roleassignment",
                RoleAssignment.objects.filter(user_id=person.user_id).values_list("pk", flat=True),
            )
        )
        refs.append(
            (
                "people.apitoken",
                ApiToken.objects.filter(user_id=person.user_id).values_list("pk", flat=True),
            )
        )
    return refs


def active_since(since: datetime.datetime) -> QuerySet[Person]:
    """People recorded, changed, signed in, or acting (an audit entry) since `since`,
    and every holder of an office (a role, staff or administrator rights): holding one
    keeps the record."""
    acted = AuditEntry.objects.filter(at__gte=since, actor__isnull=False).values("actor_id")
    return Person.objects.filter(
        Q(created_at__gte=since)
        | Q(updated_at__gte=since)
        | Q(user__last_login__gte=since)
        | Q(user__date_joined__gte=since)
        | Q(user__in=acted)
        | Q(user__roles__isnull=False)
        | Q(user__is_staff=True)
        | Q(user__is_superuser=True)
    )


def anonymise(person: Person, *, acting_user: User | None) -> None:
    """Replace who the person is (NIP, name, titles, rank, position, contacts) and close
    their login (disabled, no password, a placeholder email, tokens revoked, sessions
    and log-in records gone). Keeps the unit, employee type and job level, which the
    counts of reports need. Called inside retention's transaction."""
    now = timezone.now()
    user = person.user
    person.nip = f"X{person.pk:017d}"[-18:]
    person.name = f"Anonim #{person.pk}"
    person.title_prefix = person.title_suffix = person.rank = person.position = ""
    person.phone = person.email = ""
    person.share_phone = person.share_email = False
    person.anonymised_at = now
    person.save(
        update_fields=[
            *(f for f in IDENTIFYING_FIELDS if f != "display_name"),
            "share_phone",
            "share_email",
            "anonymised_at",
            "updated_at",
        ]
    )
    if user is None:
        return
    username = _login_username(user)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=username).delete()
    UserSession.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    user.email = f"anonim-{user.pk}@anonim.invalid"
    user.display_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.feed_token = User._meta.get_field("feed_token").get_default()
    user.save(update_fields=["email", "display_name", "is_active", "password", "feed_token"])


# --- Age limits (retention) --------------------------------------------------------------


def login_records_before(
    before: datetime.datetime,
) -> tuple[QuerySet[AccessAttempt], QuerySet[AccessFailureLog], QuerySet[AccessLog]]:
    """Log-in records (failure counters, failures, sign-ins with their address and
    browser) older than `before`."""
    return (
        AccessAttempt.objects.filter(attempt_time__lt=before),
        AccessFailureLog.objects.filter(attempt_time__lt=before),
        AccessLog.objects.filter(attempt_time__lt=before),
    )


def drop_login_records_before(before: datetime.datetime) -> int:
    """Delete log-in records older than `before`; no report counts them."""
    return sum(qs.delete()[1].get(qs.model._meta.label, 0) for qs in login_records_before(before))
