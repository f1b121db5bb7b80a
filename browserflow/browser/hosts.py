"""Which hosts a task may navigate to: plain Python (no browser), shared by the browser guard
(``browserflow.browser.confine``) and the rules tier's link choice. See ``confine`` for the rules."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from browserflow.config import ComponentSettings
from browserflow.errors import InvalidUrl, NavigationBlocked

__all__ = ["HostPolicy", "allow_internal", "canonical_host", "is_internal"]

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6"}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAVIGABLE = {"http", "https"}
_HARMLESS = {"about", "data", "blob", "chrome-error"}  # no request leaves the browser for these


def allow_internal() -> bool:
    """``BROWSERFLOW_ALLOW_INTERNAL``: allow internal addresses like any other host (local development)."""
    return ComponentSettings.current().allow_internal


def canonical_host(host: str) -> str:
    """A host as Chromium would spell it: lower case, no trailing dot or brackets, IPv4 in dotted quad
    (``127.1``, ``0x7f000001`` and ``2130706433`` are all ``127.0.0.1``), IPv4-mapped IPv6 as IPv4."""
    host = host.strip().lower().rstrip(".").strip("[]")
    if not host:
        return ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if all(c in "0123456789abcdefx." for c in host):
            with contextlib.suppress(OSError):
                return socket.inet_ntoa(socket.inet_aton(host))  # the legacy IPv4 spellings browsers accept
        return host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def is_internal(host: str) -> bool:
    """Loopback, private, link-local, unspecified, reserved or multicast address, or a localhost name."""
    host = canonical_host(host)
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return bool(
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_reserved
        or ip.is_multicast
        or not ip.is_global
    )


@dataclass(frozen=True)
class _Entry:
    host: str
    port: int | None  # None: any port

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if host == self.host:
            return True
        named = not _is_ip(self.host)
        return named and host.endswith("." + self.host)

    def names(self, host: str, port: int) -> bool:
        """Names this very host (not a parent domain of it)."""
        return host == self.host and (self.port is None or self.port == port)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _entry(raw: str) -> _Entry | None:
    """``example.com``, ``.example.com``, ``127.0.0.1:8765``, ``[::1]:80``, ``https://host:8443/path``."""
    text = raw.strip()
    if not text:
        return None
    parts = urlsplit(text if "//" in text else f"//{text}")
    try:
        port = parts.port
    except ValueError:
        port = None
    host = canonical_host((parts.hostname or "").lstrip("."))
    return _Entry(host, port) if host else None


def _port(parts: Any) -> int:
    try:
        explicit = parts.port
    except ValueError:
        explicit = None
    return explicit if explicit is not None else _DEFAULT_PORTS.get(parts.scheme.lower(), 0)


@dataclass(frozen=True)
class HostPolicy:
    """Which URLs a task's page may navigate to (see the module docstring)."""

    allowed: tuple[str, ...] = ()
    site: str = ""  # the start URL's netloc (host[:port]); implicitly allowed
    internal_ok: bool = False

    @classmethod
    def of(cls, allowed: Sequence[str], site: str = "", internal_ok: bool | None = None) -> HostPolicy:
        return cls(tuple(allowed), site, allow_internal() if internal_ok is None else internal_ok)

    @property
    def confined(self) -> bool:
        """False for a session opened without a site or hosts (a bare pool in a test): nothing to enforce."""
        return bool(self.allowed or self.site)

    def _site_entry(self) -> _Entry | None:
        if not self.site:
            return None
        entry = _entry(self.site.rsplit("@", 1)[-1])
        return entry

    def entries(self) -> list[_Entry]:
        site = self._site_entry()
        found: list[_Entry] = []
        for raw in self.allowed:
            entry = _entry(raw)
            if entry is None:
                continue
            if (
                site is not None
                and entry.port is None
                and entry.host == site.host
                and is_internal(entry.host)
                and not self.internal_ok
            ):
                entry = _Entry(entry.host, site.port)  # the task's own internal host: its port only
            found.append(entry)
        if site is not None:
            found.append(site)
        return found

    def refusal(self, url: str) -> tuple[str, str] | None:
        """``(host, reason)`` when ``url`` must not be navigated to, else None."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in _HARMLESS:
            return None
        if scheme not in _NAVIGABLE:
            return (scheme or url[:40], f"scheme {scheme or 'none'!r} is not allowed")
        host = canonical_host(parts.hostname or "")
        if not host:
            return (url[:80], "the URL has no host")
        if not self.confined:
            return None
        port = _port(parts)
        entries = self.entries()
        shown = f"{host}:{port}" if parts.port else host
        if not any(e.matches(host, port) for e in entries):
            names = ", ".join(self.allowed) or self.site
            return (shown, f"{shown} is outside the task's allowed hosts ({names})")
        if is_internal(host) and not self.internal_ok and not any(e.names(host, port) for e in entries):
            return (shown, f"{shown} is an internal address the task's allowed hosts do not name")
        return None

    def check(self, url: str) -> None:
        """Raise ``InvalidUrl`` (not http(s)) or ``NavigationBlocked`` (a refused host) for ``url``."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in _NAVIGABLE or not parts.hostname:
            raise InvalidUrl(f"refusing to open {url!r}: only http(s) URLs with a host are allowed")
        refused = self.refusal(url)
        if refused is not None:
            raise NavigationBlocked(f"navigation to {refused[0]} blocked: {refused[1]}")
