"""Store outages become StoreError (retryable), with no password in the message."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_mock_engine
from sqlalchemy.engine import URL

from browserflow.contracts import TaskRequest
from browserflow.errors import BrowserflowError, StoreError
from browserflow.store import Store, migrate, normalize_url, safe_url


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


REQUEST = TaskRequest(goal="Register the student", start_url="http://a.test/")


def test_unreachable_postgresql_raises_store_error(make_store: Callable[[str], Store]) -> None:
    url = f"postgresql://bf:hunter2-secret@127.0.0.1:{_closed_port()}/browserflow"
    store = make_store(url)
    with pytest.raises(StoreError) as info:
        store.record_task_started("wf-1", REQUEST)
    assert isinstance(info.value, BrowserflowError) and info.value.retryable
    assert info.value.type_name == "StoreError"
    assert "hunter2-secret" not in str(info.value)
    assert "record_task_started" in str(info.value)
    for call in (
        lambda: store.get_task("wf-1"),
        lambda: store.lookup_task_path(REQUEST),
        store.stats,
        store.require_current,
        lambda: store.site_median_seconds("a.test"),
    ):
        with pytest.raises(StoreError):
            call()
    with pytest.raises(StoreError) as migrate_info:
        migrate.require_current(url)
    assert "hunter2-secret" not in str(migrate_info.value)
    with pytest.raises(StoreError):
        migrate.upgrade(url)


def test_unusable_sqlite_path_raises_store_error(tmp_path: Path, make_store: Callable[[str], Store]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    store = make_store(f"sqlite:///{blocker / 'sub' / 'store.db'}")
    with pytest.raises(StoreError):
        store.require_current()


def test_unmigrated_database_raises_store_error(empty_db: URL, make_store: Callable[[str], Store]) -> None:
    store = make_store(empty_db.render_as_string(hide_password=False))
    with pytest.raises(StoreError, match="none \\(empty\\)"):  # reachable, and refused for want of a schema
        store.require_current()
    with pytest.raises(StoreError, match="record_task_started"):
        store.record_task_started("wf-1", REQUEST)


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg"),
        ("postgresql://u:p@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_urls_are_normalised(given: str, driver: str) -> None:
    assert normalize_url(given).drivername == driver


def test_safe_url_masks_passwords() -> None:
    assert "p4ss" not in safe_url("postgresql://u:p4ss@h:5432/db")
    assert safe_url("postgresql://u:p4ss@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert "p4ss" not in safe_url("::not a url u:p4ss@host")
    with pytest.raises(StoreError, match="not a database URL"):
        normalize_url("::nonsense")


def test_unsupported_database_is_refused() -> None:
    engine = create_mock_engine("mysql://u@h/db", executor=lambda *a, **k: None)
    with pytest.raises(StoreError, match="unsupported"):
        Store(engine)  # type: ignore[arg-type]
