"""Expected changes, and the verdict of a task from its database diff.

A task's expectation is a list of specs. Each spec *claims* the row changes it accounts for:

- ``Insert(table, values)``: one inserted row whose columns include ``values`` (a second such row is a
  duplicate and stays unclaimed);
- ``Update(table, where, set)``: the row matching ``where`` (before the change), whose changed columns are
  exactly ``set``, each to its value;
- ``Delete(table, where)``: the deleted row matching ``where``;
- ``Allow(table, kind, where)``: optional side effects the application itself makes (cascades, a
  detector adding the author to a nosy list); never required.

Values may be ``Ref(table, where)``: a column (default ``id``) of the row matching ``where`` in the database
before the task, e.g. the id of the user named ``bob``.

Verdict: ``no_change`` (nothing but bookkeeping changed), ``wrong_write`` (a change no spec claims),
``success`` (every required spec claimed exactly one change and nothing else changed), ``incomplete`` (only
allowed side effects happened, not the asked change).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.apps.dbdiff import Diff, RowChange, Snapshot

__all__ = ["Allow", "Delete", "Insert", "Judgement", "Ref", "Spec", "Update", "judge"]


@dataclass(frozen=True)
class Ref:
    table: str
    where: Mapping[str, Any]
    column: str = "id"

    def resolve(self, before: Snapshot) -> Any:
        return before.find(self.table, **self.where)[self.column]

    def __repr__(self) -> str:
        where = ",".join(f"{k}={v!r}" for k, v in self.where.items())
        return f"{self.table}[{where}].{self.column}"


def _value(v: Any, before: Snapshot) -> Any:
    return v.resolve(before) if isinstance(v, Ref) else v


def _matches(row: Mapping[str, Any], want: Mapping[str, Any], before: Snapshot) -> bool:
    return all(row.get(k) == _value(v, before) for k, v in want.items())


@dataclass(frozen=True)
class Spec:
    table: str

    @property
    def required(self) -> bool:
        return True

    def claims(self, change: RowChange, before: Snapshot) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Insert(Spec):
    values: Mapping[str, Any] = field(default_factory=dict)

    def claims(self, change: RowChange, before: Snapshot) -> bool:
        return change.table == self.table and change.kind == "inserted" and _matches(change.row, self.values, before)

    def describe(self) -> str:
        return f"insert into {self.table} {dict(self.values)}"


@dataclass(frozen=True)
class Update(Spec):
    where: Mapping[str, Any] = field(default_factory=dict)
    set: Mapping[str, Any] = field(default_factory=dict)

    def claims(self, change: RowChange, before: Snapshot) -> bool:
        if change.table != self.table or change.kind != "updated" or change.before is None:
            return False
        if not _matches(change.before, self.where, before):
            return False
        changed = change.changed
        return set(changed) == set(self.set) and all(changed[k][1] == _value(v, before) for k, v in self.set.items())

    def describe(self) -> str:
        return f"update {self.table} where {dict(self.where)} set {dict(self.set)}"


@dataclass(frozen=True)
class Delete(Spec):
    where: Mapping[str, Any] = field(default_factory=dict)

    def claims(self, change: RowChange, before: Snapshot) -> bool:
        return change.table == self.table and change.kind == "deleted" and _matches(change.row, self.where, before)

    def describe(self) -> str:
        return f"delete from {self.table} where {dict(self.where)}"


@dataclass(frozen=True)
class Allow(Spec):
    kind: str | None = None  # inserted / deleted / updated; None: any
    where: Mapping[str, Any] = field(default_factory=dict)  # on the row's values (after; before for deletes)
    columns: frozenset[str] | None = None  # for updates: the columns that may change; None: any

    @property
    def required(self) -> bool:
        return False

    def claims(self, change: RowChange, before: Snapshot) -> bool:
        if change.table != self.table or (self.kind is not None and change.kind != self.kind):
            return False
        if self.columns is not None and not set(change.changed) <= self.columns:
            return False
        return _matches(change.row, self.where, before)

    def describe(self) -> str:
        return f"allow {self.kind or 'any change'} in {self.table} where {dict(self.where)}"


@dataclass(frozen=True)
class Judgement:
    verdict: str  # success / no_change / wrong_write / incomplete
    unexpected: tuple[str, ...] = ()  # the unclaimed changes (a wrong write's content)
    missing: tuple[str, ...] = ()  # required specs no change satisfied
    changes: tuple[str, ...] = ()  # every change after bookkeeping

    @property
    def wrong_write(self) -> bool:
        return self.verdict == "wrong_write"


def judge(d: Diff, expected: list[Spec] | tuple[Spec, ...], before: Snapshot) -> Judgement:
    """The verdict of ``d`` (already stripped of bookkeeping) against ``expected``."""
    required = [s for s in expected if s.required]
    optional = [s for s in expected if not s.required]
    claimed_by: dict[int, int] = {}  # required spec index -> change index
    unclaimed: list[RowChange] = []
    for ci, change in enumerate(d.changes):
        spec_i = next((i for i, s in enumerate(required) if i not in claimed_by and s.claims(change, before)), None)
        if spec_i is not None:
            claimed_by[spec_i] = ci
        elif not any(s.claims(change, before) for s in optional):
            unclaimed.append(change)
    missing = tuple(s.describe() for i, s in enumerate(required) if i not in claimed_by)
    described = tuple(d.describe())
    if not d:
        return Judgement("no_change", (), missing, described)
    if unclaimed:
        return Judgement("wrong_write", tuple(c.describe() for c in unclaimed), missing, described)
    if missing:
        return Judgement("incomplete", (), missing, described)
    return Judgement("success", (), (), described)
