"""Typed readers for settings that come from environment variables.

Each reader fails loudly with the variable's name when its value is bad, so a
misconfigured server refuses to start instead of running with a wrong guess.
"""

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    """The variable's value; unset or empty means the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_days(name: str, default: int) -> int:
    """A number of days, at least one: an age that retention keeps data for."""
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a number of days of at least 1, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def cache_settings(redis_url: str, key_prefix: str) -> dict[str, dict[str, Any]]:
    """CACHES: Redis at `redis_url`, shared by every worker and server, or the memory of
    one process when there is no URL (then counters such as rate limits are per process).

    Short socket timeouts keep a Redis that has gone away from holding a request for
    long; the prefix lets several sites share one Redis.
    """
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
