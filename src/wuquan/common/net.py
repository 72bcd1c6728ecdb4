"""The client's address as far as we can trust it (issue 13 finding 8).

Behind a reverse proxy every request comes from the proxy; the client is in
`X-Forwarded-For`, which anyone can also forge. So the header is believed only when the
direct peer is one of `settings.WUQUAN_TRUSTED_PROXIES` (IPs or CIDRs), and read from the right:
the first address that is not a trusted proxy is the client. With no trusted proxies
(the default), `REMOTE_ADDR` is the client and the header is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(s, strict=False) for s in spec)


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(addr, networks) -> bool:
    return addr is not None and any(addr in n for n in networks)


def client_ip(request) -> str:
    """The client address for rate limits and login throttling; "" when unknown."""
    peer = _parse(request.META.get("REMOTE_ADDR", "") or "")
    networks = _networks(tuple(getattr(settings, "WUQUAN_TRUSTED_PROXIES", ()) or ()))
    if peer is None:
        return ""
    if not _trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        addr = _parse(hop)
        if addr is None:
            return str(peer)  # why: a garbled hop: stop believing the chain there
        if not _trusted(addr, networks):
            return str(addr)
    return str(peer)
