"""Exact before/after diffs of an application's SQLite database.

``snapshot`` reads every table (all rows, all columns). ``diff`` compares two snapshots per row identity:
the primary key when the table has one, else the whole row (link and journal tables without a key; a
changed row there shows as one deleted plus one inserted row). ``Bookkeeping`` names what changes on any
visit without being a write (sessions, last-login stamps, one-time keys, derived logs and indexes); it is
removed from a diff before judging it.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

__all__ = ["Bookkeeping", "Diff", "RowChange", "Snapshot", "TableSnapshot", "copy_db", "diff", "snapshot"]

Row = dict[str, Any]


@dataclass(frozen=True)
class TableSnapshot:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # primary-key columns; empty: rows are identified by all their values
    rows: tuple[tuple[Any, ...], ...]

    def as_dicts(self) -> list[Row]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


@dataclass(frozen=True)
class Snapshot:
    tables: Mapping[str, TableSnapshot]

    def rows(self, table: str) -> list[Row]:
        return self.tables[table].as_dicts() if table in self.tables else []

    def find(self, table: str, **where: Any) -> Row:
        """The one row of ``table`` whose columns equal ``where`` (an error unless exactly one matches)."""
        found = [r for r in self.rows(table) if all(r.get(k) == v for k, v in where.items())]
        if len(found) != 1:
            raise LookupError(f"{table} where {where}: {len(found)} rows")
        return found[0]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot(db_path: Path | str) -> Snapshot:
    """Every table of the database, read in one read transaction."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        con.execute("BEGIN")
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables: dict[str, TableSnapshot] = {}
        for name in names:
            info = con.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
            columns = tuple(str(c[1]) for c in info)
            key = tuple(str(c[1]) for c in sorted((c for c in info if c[5]), key=lambda c: c[5]))
            try:
                rows = tuple(tuple(r) for r in con.execute(f"SELECT * FROM {_quote(name)}"))
            except sqlite3.OperationalError:  # virtual tables whose module is not loaded here (e.g. FTS5)
                continue
            tables[name] = TableSnapshot(name, columns, key, rows)
        con.rollback()
        return Snapshot(tables)
    finally:
        con.close()


def copy_db(source: Path | str, target: Path | str) -> None:
    """Copy one SQLite database over another through the backup API (safe while the app has it open)."""
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@dataclass(frozen=True)
class RowChange:
    table: str
    before: Row | None  # None: inserted
    after: Row | None  # None: deleted

    @property
    def kind(self) -> str:
        return "inserted" if self.before is None else "deleted" if self.after is None else "updated"

    @property
    def row(self) -> Row:
        """The row's values after the change (before it, for a deletion)."""
        found = self.after if self.after is not None else self.before
        assert found is not None
        return found

    @property
    def changed(self) -> dict[str, tuple[Any, Any]]:
        """For an update: column -> (before, after) of every changed column."""
        if self.before is None or self.after is None:
            return {}
        return {k: (v, self.after.get(k)) for k, v in self.before.items() if self.after.get(k) != v}

    def describe(self) -> str:
        if self.kind == "updated":
            cols = ", ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in self.changed.items())
            return f"{self.table} updated {_brief(self.row)}: {cols}"
        return f"{self.table} {self.kind} {_brief(self.row)}"


def _brief(row: Row, limit: int = 160) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in row.items() if v not in (None, ""))
    return "{" + (text if len(text) <= limit else text[: limit - 1] + "…") + "}"


@dataclass(frozen=True)
class Diff:
    changes: tuple[RowChange, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def of(self, table: str, kind: str | None = None) -> list[RowChange]:
        return [c for c in self.changes if c.table == table and (kind is None or c.kind == kind)]

    def tables(self) -> set[str]:
        return {c.table for c in self.changes}

    def describe(self) -> list[str]:
        return [c.describe() for c in self.changes]


def _keyed(t: TableSnapshot) -> dict[tuple[Any, ...], Row]:
    idx = [t.columns.index(k) for k in t.key]
    return {tuple(r[i] for i in idx): dict(zip(t.columns, r, strict=True)) for r in t.rows}


def _diff_table(name: str, before: TableSnapshot | None, after: TableSnapshot | None) -> list[RowChange]:
    if before is not None and after is not None and before.key and before.key == after.key:
        old, new = _keyed(before), _keyed(after)
        out = [RowChange(name, None, new[k]) for k in new if k not in old]
        out += [RowChange(name, old[k], None) for k in old if k not in new]
        out += [RowChange(name, old[k], new[k]) for k in old if k in new and old[k] != new[k]]
        return out
    # no primary key (or the table appeared / vanished): rows as a multiset
    present = after if after is not None else before
    cols = present.columns if present is not None else ()
    old_rows = Counter(before.rows if before else ())
    new_rows = Counter(after.rows if after else ())
    out = []
    for r, n in (new_rows - old_rows).items():
        out += [RowChange(name, None, dict(zip(cols, r, strict=True)))] * n
    for r, n in (old_rows - new_rows).items():
        out += [RowChange(name, dict(zip(cols, r, strict=True)), None)] * n
    return out


@dataclass(frozen=True)
class Bookkeeping:
    """What changes on any visit and is not a write: whole tables, and columns of tables (``fnmatch``
    patterns, e.g. ``*__journal`` or ``"*": {"_activity"}``)."""

    tables: frozenset[str] = frozenset()
    columns: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, tables: Iterable[str] = (), columns: Mapping[str, Iterable[str]] | None = None) -> Bookkeeping:
        return cls(frozenset(tables), {t: frozenset(c) for t, c in (columns or {}).items()})

    def ignores_table(self, table: str) -> bool:
        return any(fnmatchcase(table, p) for p in self.tables)

    def ignored_columns(self, table: str) -> frozenset[str]:
        return frozenset().union(*(c for p, c in self.columns.items() if fnmatchcase(table, p)))

    def strip(self, change: RowChange) -> RowChange | None:
        """The change without its bookkeeping part; None when nothing else is left."""
        if self.ignores_table(change.table):
            return None
        if change.kind != "updated":
            return change
        ignored = self.ignored_columns(change.table)
        if all(k in ignored for k in change.changed):
            return None
        if not ignored or change.before is None or change.after is None:
            return change
        # keep the row, but let its bookkeeping columns count as unchanged
        before = {k: (change.after[k] if k in ignored else v) for k, v in change.before.items()}
        return RowChange(change.table, before, change.after)


def diff(before: Snapshot, after: Snapshot, bookkeeping: Bookkeeping | None = None) -> Diff:
    """Inserted, deleted and updated rows of every table, minus ``bookkeeping``."""
    changes: list[RowChange] = []
    for name in sorted(set(before.tables) | set(after.tables)):
        changes += _diff_table(name, before.tables.get(name), after.tables.get(name))
    if bookkeeping is not None:
        changes = [s for c in changes if (s := bookkeeping.strip(c)) is not None]
    return Diff(tuple(changes))
