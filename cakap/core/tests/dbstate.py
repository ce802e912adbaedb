"""What a test compares to prove that a request changed nothing in the database."""

from typing import Any

from django.apps import apps

# Bookkeeping that any request may write: the session store, login throttling, and the
# log of reads of personal data (a read is logged, and changes nothing; decision 86).
IGNORED_MODELS = {
    "people.DataRead",
    "sessions.Session",
    "core.UserSession",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "axes.AccessLog",
}
# A token's last use is written at most once a minute on any call (decision 17).
IGNORED_FIELDS = {"people.ApiToken": {"last_used_at"}, "people.User": {"last_login"}}


def database_state() -> dict[str, list[Any]]:
    """Every row of every table but the bookkeeping above, in a comparable form."""
    state: dict[str, list[Any]] = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in IGNORED_MODELS:
            continue
        skip = IGNORED_FIELDS.get(label, set())
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        state[label] = sorted(model._default_manager.values_list(*fields), key=repr)
    return state
