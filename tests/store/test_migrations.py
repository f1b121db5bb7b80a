"""Alembic migrations on SQLite and PostgreSQL: up, down, up again; the schema matches the ORM."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL

from browserflow.errors import StoreError
from browserflow.store import Store, migrate
from browserflow.store.schema import Base

from .conftest import TABLES, PgDatabases


def _tables(url: URL) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _diff(url: URL) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_head_is_the_deep_link_revision() -> None:
    assert migrate.head() == "0002"


def test_up_down_up(empty_db: URL) -> None:
    assert migrate.current(empty_db) is None
    migrate.upgrade(empty_db)
    assert migrate.current(empty_db) == migrate.head()
    assert set(TABLES) <= _tables(empty_db)

    migrate.downgrade(empty_db, "base")
    assert migrate.current(empty_db) is None
    assert _tables(empty_db) & set(TABLES) == set()

    migrate.upgrade(empty_db, "head")
    assert migrate.current(empty_db) == migrate.head()
    assert set(TABLES) <= _tables(empty_db)


def test_migrated_schema_matches_the_orm(empty_db: URL) -> None:
    migrate.upgrade(empty_db)
    assert _diff(empty_db) == []


def test_upgrade_is_idempotent(empty_db: URL) -> None:
    migrate.upgrade(empty_db)
    migrate.upgrade(empty_db)
    assert migrate.current(empty_db) == migrate.head()


def test_require_current_refuses_a_database_behind(empty_db: URL) -> None:
    with pytest.raises(StoreError) as info:
        migrate.require_current(empty_db)
    message = info.value.message
    assert "run `browserflow db upgrade`" in message
    assert migrate.head() in message
    assert "none" in message

    store = Store.from_url(empty_db.render_as_string(hide_password=False))
    try:
        with pytest.raises(StoreError, match="browserflow db upgrade"):
            store.require_current()
        migrate.upgrade(empty_db)
        store.require_current()  # no error once current
    finally:
        store.close()


def test_require_current_refuses_an_unknown_newer_revision(empty_db: URL) -> None:
    migrate.upgrade(empty_db)
    engine = create_engine(empty_db)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'fff999'"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match=r"fff999.*does not know"):
        migrate.require_current(empty_db)


def test_require_current_message_hides_the_password(pg_databases: PgDatabases) -> None:
    url = pg_databases.create()
    try:
        # trust authentication accepts any password: the URL carries one that must never be shown
        with_password = url.set(password="s3cret-pw").render_as_string(hide_password=False)
        with pytest.raises(StoreError) as info:
            migrate.require_current(with_password)
        assert "s3cret-pw" not in str(info.value)
        assert "***" in str(info.value)
    finally:
        pg_databases.drop(url)


def test_migrations_are_found_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert (migrate.migrations_dir() / "alembic.ini").is_file()
    assert migrate.main(["--url", url, "check"]) == 1
    assert "browserflow db upgrade" in capsys.readouterr().err
    assert migrate.main(["--url", url, "upgrade"]) == 0
    assert migrate.main(["--url", url, "check"]) == 0
    assert migrate.main(["--url", url, "current"]) == 0
    assert capsys.readouterr().out.strip().endswith(migrate.head())


def test_cli_takes_database_url_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert migrate.main(["upgrade"]) == 0
    assert migrate.current(f"sqlite:///{tmp_path / 'env.db'}") == migrate.head()
    assert migrate.main(["downgrade", "base"]) == 0
    assert migrate.current(f"sqlite:///{tmp_path / 'env.db'}") is None


def test_the_deep_link_revision_keeps_the_cached_paths(empty_db: URL) -> None:
    """0001 -> 0002 adds the paths' start URL and deep links; paths cached before it stay, without deep links."""
    migrate.upgrade(empty_db, "0001")
    engine = create_engine(empty_db)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO site_paths (site, goal_signature, goal_template, data_keys, steps, created_at, "
                    "updated_at, expires_at, uses, consecutive_failures, recent_seconds) VALUES ('pool.test', 'sig', "
                    '\'register {name}\', \'["name"]\', \'[{"kind": "click", "selector": "#go", "id": "1.0"}]\', '
                    ":at, :at, :later, 2, 0, '[]')"
                ),
                {"at": "2026-11-20 10:00:00+00:00", "later": "2099-01-01 00:00:00+00:00"},
            )
    finally:
        engine.dispose()
    with pytest.raises(StoreError):
        migrate.require_current(empty_db)  # the worker refuses a database one revision behind

    migrate.upgrade(empty_db)

    store = Store.from_url(empty_db)
    try:
        path = store.get_path("pool.test", "sig")
        assert path is not None
        assert (path.uses, path.steps[0].selector, path.start_url, path.links) == (2, "#go", "", [])
    finally:
        store.close()
    migrate.downgrade(empty_db, "0001")
    assert migrate.current(empty_db) == "0001"
