"""Schema migrations (Alembic, in the top-level ``migrations`` package) for the store.

``alembic.ini`` lives inside ``migrations/`` and is found through the package's path, so these functions
work from any working directory and from an installed copy. The URL is handed to ``migrations/env.py``
through ``Config.attributes`` (never written into the ini), so a password never lands in a file or a log.

Command line: ``python -m browserflow.store.migrate {upgrade,downgrade REV,current,head,check}``
(``DATABASE_URL`` or the default SQLite file), which is what ``browserflow db upgrade`` runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from browserflow.config import Settings
from browserflow.errors import StoreError
from browserflow.store.engine import describe_db_error, make_engine, safe_url

__all__ = ["UPGRADE_COMMAND", "alembic_config", "current", "downgrade", "head", "main", "require_current", "upgrade"]

UPGRADE_COMMAND = "browserflow db upgrade"

Target = str | URL | Engine


def migrations_dir() -> Path:
    """The ``migrations`` package's directory (works for a regular, namespace or editable-installed package)."""
    import migrations

    for entry in migrations.__path__:
        if (Path(entry) / "alembic.ini").is_file():
            return Path(entry).resolve()
    raise StoreError(f"migrations/alembic.ini not found in {list(migrations.__path__)}")


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic config of ``migrations/alembic.ini``; with ``connection``, env.py migrates through it."""
    directory = migrations_dir()
    config = Config(str(directory / "alembic.ini"))
    config.set_main_option("script_location", str(directory).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision the code knows."""
    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if found is None:  # pragma: no cover - the package ships revisions
        raise StoreError("no migrations found")
    return found


@contextmanager
def _engine(target: Target) -> Iterator[Engine]:
    if isinstance(target, Engine):
        yield target
        return
    engine = make_engine(target)
    try:
        yield engine
    finally:
        engine.dispose()


def _describe(target: Target) -> str:
    return safe_url(target.url if isinstance(target, Engine) else target)


def _run(target: Target, what: str, revision: str) -> None:
    try:
        with _engine(target) as engine, engine.begin() as conn:
            config = alembic_config(conn)
            if what == "upgrade":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"{what} of {_describe(target)} to {revision} failed: {describe_db_error(exc)}") from exc


def upgrade(target: Target, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (default: the newest)."""
    _run(target, "upgrade", revision)


def downgrade(target: Target, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` removes every table)."""
    _run(target, "downgrade", revision)


def current(target: Target) -> str | None:
    """The database's revision (``None`` for an empty database)."""
    try:
        with _engine(target) as engine, engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the schema revision of {_describe(target)}: {describe_db_error(exc)}") from exc


def require_current(target: Target) -> None:
    """:class:`StoreError` unless the database is at :func:`head`, naming the command that fixes it."""
    have, need = current(target), head()
    if have == need:
        return
    where = _describe(target)
    script = ScriptDirectory.from_config(alembic_config())
    known = have is None or any(rev.revision == have for rev in script.walk_revisions())
    if not known:
        raise StoreError(
            f"database at {where} is at revision {have}, which this code does not know (it needs {need}): "
            "the database was migrated by a newer browserflow; upgrade the code"
        )
    raise StoreError(
        f"database at {where} is at revision {have or 'none (empty)'} but the code needs {need}: "
        f"run `{UPGRADE_COMMAND}`"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m browserflow.store.migrate", description=__doc__)
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or the SQLite file under data_dir)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("upgrade").add_argument("revision", nargs="?", default="head")
    sub.add_parser("downgrade").add_argument("revision")
    sub.add_parser("current")
    sub.add_parser("head")
    sub.add_parser("check")
    args = parser.parse_args(argv)
    url = args.url or Settings.from_env().resolved_database_url()
    try:
        if args.cmd == "upgrade":
            upgrade(url, args.revision)
            print(f"{safe_url(url)} is at {current(url)}")
        elif args.cmd == "downgrade":
            downgrade(url, args.revision)
            print(f"{safe_url(url)} is at {current(url)}")
        elif args.cmd == "current":
            print(current(url) or "none")
        elif args.cmd == "head":
            print(head())
        else:
            require_current(url)
            print(f"{safe_url(url)} is current ({head()})")
    except StoreError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
