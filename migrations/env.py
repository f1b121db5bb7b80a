"""Alembic environment of the browserflow store.

Where the database comes from, first match wins:
1. ``config.attributes["connection"]``: an open connection (``browserflow.store.migrate`` passes one);
2. ``config.attributes["url"]``;
3. ``DATABASE_URL``, else the default SQLite file of ``browserflow.config.Settings``.
Never from alembic.ini, so no password is ever written to a file.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from browserflow.config import Settings
from browserflow.store.engine import make_engine, normalize_url
from browserflow.store.schema import Base

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    url = config.attributes.get("url") or Settings.from_env().resolved_database_url()
    context.configure(
        url=normalize_url(url).render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.attributes.get("url") or Settings.from_env().resolved_database_url()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
