"""Who may see and change which units and people. Every view and API handler asks here."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cakap.core.lookups import get_or_404
from cakap.people.models import ApiToken, DataRead, Person, RoleAssignment, Unit, User

Role = RoleAssignment.Role


def is_admin(user: User) -> bool:
    if not user.is_authenticated:
        return False
    # The admin role comes from the same once-per-request role cache as the scopes.
    return bool(user.is_active and user.is_superuser) or bool(scope_paths(user, Role.ADMIN))


def scope_paths(user: User, *roles: str) -> list[str]:
    """Materialised paths of the units over which `user` holds any of `roles`."""
    if not user.is_authenticated:
        return []
    cached: dict[str, list[str]] | None = getattr(user, "_cakap_scope_cache", None)
    if cached is None:
        cached = {}
        for role, path in user.roles.values_list("role", "unit__path"):
            cached.setdefault(role, []).append(path)
        user._cakap_scope_cache = cached  # type: ignore[attr-defined]
    return [p for r in roles for p in cached.get(r, [])]


def under(paths: list[str], field: str) -> Q:
    """A filter for rows whose unit path (at `field`) lies under any of `paths`."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def person_of(user: User) -> Person | None:
    """The civil servant a login belongs to, or None (anonymous, or a login without one)."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def is_organiser(user: User) -> bool:
    return is_admin(user) or bool(scope_paths(user, Role.ORGANISER))


def units_visible_to(user: User) -> QuerySet[Unit]:
    """Every signed-in user sees the unit tree: names of offices are not personal data."""
    if not user.is_authenticated:
        return Unit.objects.none()
    return Unit.objects.all()


def units_managed_by(user: User) -> QuerySet[Unit]:
    """Units whose people `user` may add and change: admins all, organisers their scope."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if is_admin(user):
        return Unit.objects.all()
    return Unit.objects.filter(under(scope_paths(user, Role.ORGANISER), "path"))


def get_unit_for_managing(user: User, pk: int) -> Unit:
    """A unit `user` may change (rename, move, merge, aliases), or 404."""
    return get_or_404(units_managed_by(user), pk)


# The scope conditions are each a column of the person or a sub-select of person ids
# found from the user's side (their groups, their enrolments), never joins of the
# person's many-valued relations ORed together: those multiply the rows and make every
# page of a list scan the whole table, so the first 50 of 20,000 cost as much as all.


def _ids(**lookups: object) -> Q:
    """People (by id) who match `lookups`, all on the same related rows."""
    return Q(pk__in=Person.objects.filter(**lookups).values("pk"))


def _seen_in_full(user: User) -> Q:
    """People `user` sees with every field: themself, their units' people (organisers and
    leaders) and the active participants of the groups they coach."""
    q = Q(user=user)
    paths = scope_paths(user, Role.ORGANISER, Role.LEADER)
    if paths:
        q |= under(paths, "unit__path")
    q |= _ids(enrolments__status="active", enrolments__group__coaches__user=user)
    return q


def _coaches_of(user: User, *, active: bool) -> Q:
    """The coaches of the groups `user` takes part in (only while enrolled, if `active`),
    and for the mentions in sessions, the coaches named on those groups' sessions."""
    if active:
        return _ids(
            coached_groups__enrolments__person__user=user,
            coached_groups__enrolments__status="active",
        )
    return _ids(coached_groups__enrolments__person__user=user) | _ids(
        coached_sessions__group__enrolments__person__user=user
    )


def people_visible_to(user: User) -> QuerySet[Person]:
    """Admins see everyone; organisers and leaders their units' people; coaches their
    groups' participants; everyone sees themself; a participant the coaches of the
    groups they are actively in, but only partly (`partly_seen_ids`)."""
    if not user.is_authenticated:
        return Person.objects.none()
    if is_admin(user):
        return Person.objects.all()
    return Person.objects.filter(_seen_in_full(user) | _coaches_of(user, active=True))


def partly_seen_ids(user: User) -> frozenset[int]:
    """People `user` may see only by name, unit and what they chose to share
    (`share_phone`, `share_email`): the coaches of the groups they take part in, unless
    `user` sees them in full for another reason. Every page and API answer that shows a
    person masks the rest for these. Read once per request (cached on the user)."""
    if not user.is_authenticated or is_admin(user):
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_cakap_partly_seen", None)
    if cached is None:
        cached = frozenset(
            Person.objects.filter(_coaches_of(user, active=False))
            .exclude(pk__in=Person.objects.filter(_seen_in_full(user)).values("pk"))
            .values_list("pk", flat=True)
        )
        user._cakap_partly_seen = cached  # type: ignore[attr-defined]
    return cached


def sees_in_full(user: User, person: Person) -> bool:
    if user.is_authenticated and person.user_id == user.pk:  # oneself, without a query
        return True
    return person.pk not in partly_seen_ids(user)


def people_editable_by(user: User) -> QuerySet[Person]:
    if not user.is_authenticated:
        return Person.objects.none()
    if is_admin(user):
        return Person.objects.all()
    paths = scope_paths(user, Role.ORGANISER)
    return Person.objects.filter(under(paths, "unit__path"))


def get_person_for_user(user: User, pk: int) -> Person:
    return get_or_404(people_visible_to(user), pk)


def get_person_for_editing(user: User, pk: int) -> Person:
    return get_or_404(people_editable_by(user).select_related("unit"), pk)


def capabilities_beyond_taking_part(user: User) -> list[str]:
    """What `user` may do besides taking part in programmes, as short translated phrases;
    empty when the login only takes part.

    A login that signs in without its password (a personal sign-in link) must be one that
    can do nothing else: staff, superusers, any role and coaching any group or session
    are capabilities. Read fresh from the database, never from a request's role cache,
    so that a capability granted a moment ago counts.
    """
    if user.pk is None:
        return []
    found: list[str] = []
    if user.is_superuser:
        found.append(str(_("administrator rights")))
    if user.is_staff:
        found.append(str(_("access to the admin site")))
    for role, unit in (
        RoleAssignment.objects.filter(user=user)
        .order_by("role", "unit__name")
        .values_list("role", "unit__name")
    ):
        found.append(str(_("%(role)s of %(unit)s") % {"role": Role(role).label, "unit": unit}))
    person = Person.objects.filter(user=user)
    if person.filter(coached_groups__isnull=False).exists():
        found.append(str(_("coaches a group")))
    elif person.filter(coached_sessions__isnull=False).exists():
        found.append(str(_("coaches a session")))
    return found


def only_takes_part(user: User) -> bool:
    """True when `user` has no capability beyond taking part (see above)."""
    return not capabilities_beyond_taking_part(user)


def tokens_visible_to(user: User) -> QuerySet[ApiToken]:
    """API tokens `user` may see and revoke: their own; an administrator's, everyone's."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    if is_admin(user):
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user=user)


def get_token_for_revoking(user: User, pk: int) -> ApiToken:
    return get_or_404(tokens_visible_to(user).select_related("user"), pk)


def reads_visible_to(user: User) -> QuerySet[DataRead]:
    """The log of reads of personal data is the administrators'; a person sees the reads
    of their own data in their export (cakap/privacy), not here."""
    if not is_admin(user):
        return DataRead.objects.none()
    return DataRead.objects.all()


# --- Logins and roles (decision 81) ---------------------------------------------------------

# The roles an organiser may grant within their subtree; administrators grant every role.
ORGANISER_GRANTS = (Role.COACH, Role.ORGANISER, Role.LEADER)


def grantable_roles(user: User) -> list[str]:
    """The roles `user` may grant and revoke: every role for an administrator, coach,
    organiser and leader for an organiser, none for anyone else."""
    if is_admin(user):
        return list(Role.values)
    if scope_paths(user, Role.ORGANISER):
        return [str(role) for role in ORGANISER_GRANTS]
    return []


def may_hold_role_over(user: User, unit: Unit) -> bool:
    """Whether `user` may grant or revoke a role over `unit`: an administrator anywhere,
    an organiser over a unit of their own subtree (never above it, never outside it)."""
    if is_admin(user):
        return True
    return any(unit.path.startswith(p) for p in scope_paths(user, Role.ORGANISER))


def roles_visible_to(user: User) -> QuerySet[RoleAssignment]:
    """Role assignments `user` may see and change: an administrator's, all; an
    organiser's, those over units of their subtree; nobody else's, none."""
    if not user.is_authenticated:
        return RoleAssignment.objects.none()
    if is_admin(user):
        return RoleAssignment.objects.all()
    return RoleAssignment.objects.filter(under(scope_paths(user, Role.ORGANISER), "unit__path"))


def login_link_refusal(actor: User, login: User) -> str | None:
    """Why `actor` may not be given a new set-password link for `login`, or None.

    A set-password link lets whoever holds it choose the login's password, and the
    organiser sees it: so an organiser gets one only for a login that has never signed
    in and holds no rights beyond those the organiser could grant (roles of their own
    subtree, coaching in programmes of their subtree). Administrators may for any login.
    Read fresh from the database."""
    if not login.is_active:
        return str(_("This login is inactive; an administrator can reactivate it."))
    if is_admin(actor):
        return None
    if login.last_login is not None:
        return str(
            _(
                "This login has been used already. Its owner can change the password, or "
                "ask for a reset link from the sign-in page."
            )
        )
    paths = scope_paths(actor, Role.ORGANISER)
    beyond = login.is_staff or login.is_superuser
    for role, path in RoleAssignment.objects.filter(user=login).values_list("role", "unit__path"):
        if role == Role.ADMIN or not any(path.startswith(p) for p in paths):
            beyond = True
    # Coaching a group of a programme outside the actor's subtree reaches its people.
    person = Person.objects.filter(user=login).first()
    if person is not None:
        ours = under(paths, "programme__organiser_unit__path") | under(
            paths, "programme__coaching_unit__path"
        )
        ours_by_group = under(paths, "group__programme__organiser_unit__path") | under(
            paths, "group__programme__coaching_unit__path"
        )
        if (
            person.coached_groups.exclude(ours).exists()
            or person.coached_sessions.exclude(ours_by_group).exists()
        ):
            beyond = True
    if beyond:
        return str(
            _(
                "This login has rights beyond yours (%(rights)s); only an administrator can "
                "send it a new set-password link."
            )
            % {"rights": ", ".join(capabilities_beyond_taking_part(login))}
        )
    return None
