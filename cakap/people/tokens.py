"""API tokens: issue, revoke and look up. Only the SHA-256 of a key is stored.

A key is shown once, when it is issued. Its first characters (the prefix) are kept
in clear so that a person can tell their tokens apart and an administrator can
match a leaked key to its row without the key itself.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.core import audit
from cakap.core.errors import DomainError, ForbiddenError
from cakap.people.access import is_admin
from cakap.people.models import ApiToken, User

KEY_MARKER = "ck_"  # lets secret scanners and people recognise a Cakap key
PREFIX_LENGTH = 8
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
_AUDIT_FIELDS = ("user_id", "name", "prefix", "expires_at", "revoked_at")
# The longest life a token may be given; without an expiry it lives until revoked.
MAX_LIFETIME = datetime.timedelta(days=3660)


class TokenError(DomainError):
    pass


class TokenForbiddenError(TokenError, ForbiddenError):
    pass


def hash_key(key: str) -> str:
    """The stored form of a key: its SHA-256, hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def _may_manage(user: User, *, acting_user: User | None) -> bool:
    # None is the system (a management command run by the operator).
    return acting_user is None or acting_user.pk == user.pk or is_admin(acting_user)


@transaction.atomic
def issue_token(
    user: User,
    name: str,
    *,
    expires_at: datetime.datetime | None = None,
    acting_user: User | None,
) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with its key, which is never stored.

    A user may issue tokens for themself; administrators (and the system) for anyone.
    From `expires_at` on (when given) the key authenticates nobody.
    """
    name = (name or "").strip()
    if not name:
        raise TokenError("name_required", _("Give the token a name."))
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise TokenError("name_too_long", _("The token name is too long."))
    if not user.is_active:
        raise TokenError("user_inactive", _("This user is not active."))
    if not _may_manage(user, acting_user=acting_user):
        raise TokenForbiddenError("forbidden", _("You may not issue tokens for this user."))
    now = timezone.now()
    if expires_at is not None and not now < expires_at <= now + MAX_LIFETIME:
        raise TokenError(
            "bad_expiry",
            _("A token expires in the future, at most ten years from now."),
            field="expires_at",
        )
    key = KEY_MARKER + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_key(key),
        prefix=key[:PREFIX_LENGTH],
        expires_at=expires_at,
    )
    audit.record(
        "api_token.issue",
        token,
        after=audit.snapshot(token, _AUDIT_FIELDS),
        acting_user=acting_user,
    )
    return token, key


@transaction.atomic
def revoke_token(token: ApiToken, *, acting_user: User | None) -> ApiToken:
    """Refuse `token` from now on. Revoking a revoked token changes nothing."""
    if not _may_manage(token.user, acting_user=acting_user):
        raise TokenForbiddenError("forbidden", _("You may not revoke this token."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    before = audit.snapshot(token, _AUDIT_FIELDS)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("api_token.revoke", token, before=before, acting_user=acting_user)
    return token


@transaction.atomic
def revoke_tokens_of(user: User, *, acting_user: User | None) -> int:
    """Revoke every live token of `user` (after a new password, say); how many."""
    if not _may_manage(user, acting_user=acting_user):
        raise TokenForbiddenError("forbidden", _("You may not revoke this token."))
    revoked = 0
    for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        before = audit.snapshot(token, _AUDIT_FIELDS)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("api_token.revoke", token, before=before, acting_user=acting_user)
        revoked += 1
    return revoked


def authenticate_key(key: str) -> User | None:
    """The active user a live, unexpired key belongs to, or None. Notes the use at most
    once a minute."""
    if not key.startswith(KEY_MARKER):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user__person")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A plain UPDATE, no audit: this is bookkeeping, not a change anyone made.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
