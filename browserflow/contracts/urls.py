"""URL helpers every boundary uses: the site of a URL, a URL without credentials, http(s) checks, and
``allowed_domains`` entries read as hosts. Pure functions, no I/O."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["allowed_host", "check_http_url", "site_of", "without_userinfo"]


def site_of(url: str) -> str:
    """The site a URL belongs to: its host (with a non-default port), lower-cased; never its credentials."""
    parts = urlsplit(url)
    return (parts.netloc or "").rsplit("@", 1)[-1].lower()


def without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` removed: what may be recorded (store, Web UI summary, search
    attributes) of a start URL that carries HTTP credentials."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def check_http_url(value: str, field: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"}:
        shown = parts.scheme or "none"
        raise ValueError(f"{field} must be an http(s) URL; scheme {shown!r} is not allowed")
    if not parts.hostname:
        raise ValueError(f"{field} must include a host")
    return value


_HOST = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_-]{0,62})?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62})?)*$")


def allowed_host(entry: str) -> str:
    """An ``allowed_domains`` entry as the host (and port, when it names one) it allows: lower-cased, without a
    scheme, path or trailing dot (``127.0.0.1:8765`` stays ``127.0.0.1:8765``: that port only;
    ``https://Example.com:8443/x`` -> ``example.com:8443``; ``example.com``: any port; ``*.example.com`` and ``.example.com`` ->
    ``example.com``, whose subdomains are allowed anyway)."""
    text = entry.strip().lower()
    if text.startswith("*."):
        text = text[2:]
    text = text.lstrip(".")
    try:
        parts = urlsplit(text if "://" in text else f"//{text}")
        host = (parts.hostname or "").rstrip(".")
        port = parts.port  # raises for a port that is not a number
    except ValueError:
        host, port = "", None
    if not host or not (_HOST.match(host) or ":" in host):  # ':' is an IPv6 literal from [..]
        raise ValueError(f"allowed_domains entry {entry!r} is not a host name (e.g. example.com or 127.0.0.1:8080)")
    if port is None:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
