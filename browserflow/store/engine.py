"""Engines for the store: URL normalisation, SQLite pragmas, password-free URLs for messages."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from browserflow.errors import StoreError

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "describe_db_error", "make_engine", "normalize_url", "safe_url"]

SQLITE_BUSY_TIMEOUT_MS = 5000
POSTGRES_CONNECT_TIMEOUT_S = 10

_POSTGRES_ALIASES = {"postgres", "postgresql", "postgres+psycopg", "postgresql+psycopg"}


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL; ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://`` (psycopg 3)."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {safe_url(url)} ({exc})") from None
    if parsed.drivername in _POSTGRES_ALIASES:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL with its password masked, for messages and logs."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        # Unparseable: drop anything that could be credentials (everything before an '@').
        text = str(url)
        if "@" not in text:
            return text
        scheme, sep, _ = text.partition("://")
        return f"{scheme}://***@{text.rpartition('@')[2]}" if sep else f"***@{text.rpartition('@')[2]}"
    return parsed.render_as_string(hide_password=True)


def _is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """A synchronous engine for ``url``.

    SQLite: WAL journal, foreign keys and a busy timeout on every connection; the file's directory is created.
    PostgreSQL: psycopg 3, a bounded connect timeout, pre-ping so a restarted server is noticed.
    Nothing connects here: an unreachable database surfaces as :class:`StoreError` on first use.
    """
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {"echo": echo}
    if backend == "sqlite":
        connect_args: dict[str, Any] = {"check_same_thread": False}
        if _is_memory(parsed):
            kwargs["poolclass"] = StaticPool
        elif parsed.database and not parsed.database.startswith("file:"):
            with contextlib.suppress(OSError):  # an unwritable directory is reported on first use
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = connect_args
    elif backend == "postgresql":
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    try:
        engine = create_engine(parsed, **kwargs)
    except Exception as exc:  # missing driver, bad options
        raise StoreError(f"cannot create an engine for {safe_url(parsed)}: {exc}") from exc
    if backend == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def describe_db_error(exc: SQLAlchemyError) -> str:
    """A one-line reason without SQL text or parameters (they may hold goal text)."""
    text = str(exc.orig) if isinstance(exc, DBAPIError) and exc.orig is not None else str(exc).split("\n[SQL:")[0]
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"{type(exc).__name__}: {first}"
