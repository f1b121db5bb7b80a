"""Database fixtures for the store tests: every store test runs on a real SQLite file and a real PostgreSQL.

PostgreSQL is reached through ``BROWSERFLOW_TEST_PG_URL`` (default: the local server, user ``postgres``,
database ``postgres``). A throw-away database ``bf_test_<uuid8>`` is created for the session (AUTOCOMMIT) and
dropped at the end; tables are truncated between tests. A missing PostgreSQL is a setup bug: the tests fail,
they do not skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from browserflow.store import Store, migrate
from browserflow.store.engine import normalize_url

PG_ADMIN_URL = os.environ.get("BROWSERFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TABLES = ("site_paths", "decisions", "recovery_attempts", "steps", "tasks")
BACKENDS = ("sqlite", "postgresql")


def _admin_engine() -> Engine:
    engine = create_engine(normalize_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        pytest.fail(
            f"PostgreSQL is required for the store tests and is not reachable at "
            f"{make_url(PG_ADMIN_URL).render_as_string(hide_password=True)} ({type(exc).__name__}: {exc}). "
            "Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set "
            "BROWSERFLOW_TEST_PG_URL.",
            pytrace=False,
        )
    return engine


class PgDatabases:
    """Creates throw-away databases on the test server and drops them all at the end."""

    def __init__(self) -> None:
        self.admin = _admin_engine()
        self.created: list[str] = []

    def create(self) -> URL:
        name = f"bf_test_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return normalize_url(PG_ADMIN_URL).set(database=name)

    def drop(self, url: URL) -> None:
        name = url.database
        assert name is not None and name.startswith("bf_test_")
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(normalize_url(PG_ADMIN_URL).set(database=name))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    dbs = PgDatabases()
    try:
        yield dbs
    finally:
        dbs.close()


@pytest.fixture(scope="session")
def pg_store_url(pg_databases: PgDatabases) -> URL:
    """One migrated PostgreSQL database for the whole session's store tests."""
    url = pg_databases.create()
    migrate.upgrade(url)
    return url


def _truncate(url: URL) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """A brand-new empty database (no tables) of each backend."""
    if request.param == "sqlite":
        yield normalize_url(f"sqlite:///{tmp_path / 'empty.db'}")
        return
    dbs: PgDatabases = request.getfixturevalue("pg_databases")
    url = dbs.create()
    try:
        yield url
    finally:
        dbs.drop(url)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    """A migrated database with empty tables, of each backend."""
    if request.param == "sqlite":
        url = normalize_url(f"sqlite:///{tmp_path / 'store.db'}")
        migrate.upgrade(url)
        return url
    url = request.getfixturevalue("pg_store_url")
    _truncate(url)
    return url


@pytest.fixture
def store(db_url: URL) -> Iterator[Store]:
    s = Store.from_url(db_url.render_as_string(hide_password=False))
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def make_store() -> Iterator[Callable[[str], Store]]:
    """Stores on arbitrary URLs, closed at the end of the test."""
    made: list[Store] = []

    def factory(url: str) -> Store:
        s = Store.from_url(url)
        made.append(s)
        return s

    yield factory
    for s in made:
        s.close()
