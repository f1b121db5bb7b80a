"""Alembic migrations of the browserflow store.

Run them through ``browserflow.store.migrate`` (or ``browserflow db upgrade``); ``alembic.ini`` sits in this
package so it is found from any working directory. Plain ``alembic -c migrations/alembic.ini upgrade head``
also works and takes the URL from ``DATABASE_URL`` (or the default SQLite file).
"""
