"""Small helpers for views."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address of the client, as far as the configured trusted proxies vouch for it.

    Without `TRUSTED_PROXY_COUNT` it is REMOTE_ADDR, the one address the client cannot
    choose. With N trusted proxies in front, each appends the address it received the
    request from to `CLIENT_IP_HEADER` (X-Forwarded-For), so the client is the N-th entry
    from the right: entries further left came from the client and prove nothing. A
    request with fewer entries did not pass through every proxy, and REMOTE_ADDR is all
    that can be trusted. django-axes reads it through AXES_CLIENT_IP_CALLABLE.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count: int = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    meta_key = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
    hops = [hop.strip() for hop in str(request.META.get(meta_key, "")).split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
