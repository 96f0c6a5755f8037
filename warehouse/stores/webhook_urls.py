"""Where a store's webhooks may go, in plain Python: http(s) only, and never to an address
inside the service's own network unless the operator allows it.

A webhook URL is chosen by a store, and the worker posts to it from inside the return
centre's network: without this check a store could make the service post to (and report
the answers of) an admin page on 127.0.0.1, a metadata service on 169.254.169.254 or a
printer on 10.x. The URL is checked when it is set (its scheme, and its host when that is
an address or `localhost`) and again before each post, after resolving the host, because a
name can point anywhere and be changed at any time.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000
ALLOW_PRIVATE_HINT = "set WAREHOUSE_WEBHOOK_ALLOW_PRIVATE for on-premises endpoints"
LOOPBACK_NAMES = ("localhost",)

Resolver = Callable[[str, int], list[str]]


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet: not private, loopback, link-local,
    unspecified, multicast or reserved (an IPv4 address mapped into IPv6 counts as itself)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    )


def is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is this host itself (127.0.0.0/8, ::1, or IPv4 loopback in IPv6)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _is_loopback_name(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.endswith(".localhost")


def url_problem(url: str, *, allow_private: bool, allow_loopback: bool = False) -> str | None:
    """Why `url` may not be a webhook URL, or None. Does not resolve names (that happens
    before each post): a name that resolves nowhere today may well tomorrow.

    `allow_loopback` lets a URL name this host only (a demo's local receiver), never
    another address inside the network."""
    if len(url) > MAX_URL_LENGTH:
        return f"The webhook URL is at most {MAX_URL_LENGTH} characters."
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "The webhook URL must be an absolute http(s) URL."
    if parts.scheme not in {"http", "https"} or not host:
        return "The webhook URL must be an absolute http(s) URL."
    if allow_private:
        return None
    if _is_loopback_name(host):
        if allow_loopback:
            return None
        return f"The webhook URL may not point at this host ({ALLOW_PRIVATE_HINT})."
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if allow_loopback and is_loopback(address):
        return None
    if not is_public_address(address):
        return (
            f"The webhook URL may not point at a private address {address} ({ALLOW_PRIVATE_HINT})."
        )
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, as the HTTP client would look it up."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def destination_problem(
    url: str, resolver: Resolver | None = None, *, allow_loopback: bool = False
) -> str | None:
    """Why a webhook may not be posted to `url` now, or None: checked before every post.

    Every address the host resolves to must be public (a client may connect to any of
    them), or with `allow_loopback` this host itself. A name that does not resolve is left
    to the HTTP client to report.
    """
    problem = url_problem(url, allow_private=False, allow_loopback=allow_loopback)
    if problem:
        return problem
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = (resolver or system_resolver)(parts.hostname or "", port)
    except (OSError, UnicodeError):
        return None
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if allow_loopback and is_loopback(address):
            continue
        if not is_public_address(address):
            return (
                f"not posted: {parts.hostname} resolves to the private address {address} "
                f"({ALLOW_PRIVATE_HINT})"
            )
    return None
