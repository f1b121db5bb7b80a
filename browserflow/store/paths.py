"""The site-path cache: a site's known path to a goal, keyed by (site, goal signature).

A path is saved from a successful live run (or a healed replay), offered to later tasks whose goal and data
match while it is fresh and has failed fewer than ``MAX_PATH_FAILURES`` times in a row, and counted on every
replay. Success and failure counters take the workflow id and ignore its repeats, so a retried activity
counts once.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, and_, delete, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from browserflow.contracts import Action, StepRecord, TaskRequest, without_userinfo
from browserflow.replay import entry_point
from browserflow.store.db import Database, aware, paths
from browserflow.store.models import SitePath
from browserflow.store.schema import SitePathRow
from browserflow.store.scrub import path_actions
from browserflow.store.signature import goal_signature, goal_template

__all__ = [
    "DEFAULT_PATH_TTL",
    "MAX_PATH_FAILURES",
    "RECENT_DURATIONS",
    "delete_path",
    "forget_links",
    "get_path",
    "list_paths",
    "lookup_task_path",
    "mark_path_failure",
    "mark_path_success",
    "save_path",
    "save_task_path",
]

DEFAULT_PATH_TTL = timedelta(days=7)
#: This many consecutive failed replays invalidate a cached path.
MAX_PATH_FAILURES = 3
#: How many recent durations of a path its median is taken over.
RECENT_DURATIONS = 20


def _where(site: str, signature: str) -> ColumnElement[bool]:
    return and_(paths.c.site == site, paths.c.goal_signature == signature)


def _with_duration(recent: list[Any] | None, duration_s: float) -> dict[str, Any]:
    durations = [*[float(x) for x in recent or []][-(RECENT_DURATIONS - 1) :], float(duration_s)]
    return {"recent_seconds": durations, "median_seconds": statistics.median(durations)}


def save_path(
    db: Database,
    site: str,
    signature: str,
    steps: Sequence[Action | StepRecord],
    data_keys: Iterable[str] = (),
    *,
    ttl: timedelta = DEFAULT_PATH_TTL,
    duration_s: float | None = None,
    template: str = "",
    workflow_id: str | None = None,
    now: datetime | None = None,
    start_url: str = "",
    links: Sequence[str] = (),
) -> SitePath:
    """Save (or replace) the path to ``signature`` on ``site``, valid for ``ttl`` from now.

    ``steps`` are the actions in order, or the task's step records (the actions of the ok steps are used).
    Data-bound values and page-local refs are dropped. ``template`` is the readable goal kept beside the
    signature: ``goal_template(goal, data)``, which has placeholders where the values were (never pass the
    raw goal). Saving resets the failure count; ``duration_s`` joins the path's recent durations (once per
    ``workflow_id``). ``start_url`` and ``links``: where the path was learned from and where its leading
    link-following steps led (a replay may deep-link there; see ``browserflow.replay``). See
    :func:`save_task_path` for the usual call.
    """
    at = aware(now)
    fields: dict[str, Any] = {
        "data_keys": sorted(set(data_keys)),
        "steps": [a.model_dump(mode="json") for a in path_actions(steps)],
        "start_url": start_url,
        "links": list(links),
        "updated_at": at,
        "expires_at": at + ttl,
    }
    base = db.insert(paths).values(site=site, goal_signature=signature, goal_template=template, created_at=at, **fields)
    with db.write("save_path") as conn:
        conn.execute(base.on_conflict_do_nothing(index_elements=["site", "goal_signature"]))
        row = conn.execute(select(paths).where(_where(site, signature)).with_for_update()).one()
        values: dict[str, Any] = {
            **fields,
            "goal_template": template or row.goal_template,
            "consecutive_failures": 0,
            "last_failure_by": None,
            "last_success_at": at,
            "last_success_by": workflow_id,
        }
        repeat = workflow_id is not None and row.last_success_by == workflow_id
        if duration_s is not None and not repeat:
            values.update(_with_duration(row.recent_seconds, duration_s))
        conn.execute(update(paths).where(_where(site, signature)).values(**values))
    found = get_path(db, site, signature)
    assert found is not None
    return found


def save_task_path(
    db: Database,
    request: TaskRequest,
    steps: Sequence[Action | StepRecord],
    *,
    duration_s: float | None = None,
    workflow_id: str | None = None,
    ttl: timedelta = DEFAULT_PATH_TTL,
    now: datetime | None = None,
    deep_links: bool = True,
) -> SitePath:
    """:func:`save_path` for ``request``, keyed by the signature that abstracts only the data keys the path
    binds (see ``browserflow.store.signature``). The deep links come from the step records (when
    ``deep_links`` and the request allows them). The path this request replayed, if keyed otherwise, is
    superseded (deleted)."""
    bound = sorted({a.data_key for a in path_actions(steps) if a.data_key and a.data_key in request.data})
    signature = goal_signature(request.goal, request.data, bound=bound)
    replaced = lookup_task_path(db, request, now)
    if replaced is not None and replaced.goal_signature != signature:
        delete_path(db, request.site, replaced.goal_signature)
    return save_path(
        db,
        request.site,
        signature,
        steps,
        bound,
        ttl=ttl,
        duration_s=duration_s,
        template=goal_template(request.goal, {k: request.data[k] for k in bound} or None),
        workflow_id=workflow_id,
        now=now,
        start_url=without_userinfo(request.start_url),
        links=entry_point([s for s in steps if isinstance(s, StepRecord)]) if deep_links else [],
    )


def lookup_task_path(db: Database, request: TaskRequest, now: datetime | None = None) -> SitePath | None:
    """The path to replay for ``request``: on its site, fresh, with fewer than ``MAX_PATH_FAILURES`` failures
    in a row, and whose signature matches the request's goal and data with the data keys that path binds
    abstracted (each path records its own)."""
    query = (
        select(SitePathRow)
        .where(
            SitePathRow.site == request.site,
            SitePathRow.expires_at > aware(now),
            SitePathRow.consecutive_failures < MAX_PATH_FAILURES,
        )
        .order_by(SitePathRow.updated_at.desc())
    )
    with db.read("lookup_task_path") as session:
        for row in session.scalars(query):
            path = SitePath.model_validate(row, from_attributes=True)
            if not set(path.data_keys) <= set(request.data):
                continue
            if goal_signature(request.goal, request.data, bound=path.data_keys) == path.goal_signature:
                return path
    return None


def list_paths(db: Database, site: str | None = None) -> list[SitePath]:
    """Every stored path (expired and invalidated included), by site, most recently updated first."""
    query = select(SitePathRow).order_by(SitePathRow.site, SitePathRow.updated_at.desc())
    if site is not None:
        query = query.where(SitePathRow.site == site)
    with db.read("list_paths") as session:
        return [SitePath.model_validate(row, from_attributes=True) for row in session.scalars(query)]


def get_path(db: Database, site: str, signature: str) -> SitePath | None:
    """The stored path whatever its state (expired or invalidated included)."""
    query = select(SitePathRow).where(SitePathRow.site == site, SitePathRow.goal_signature == signature)
    with db.read("get_path") as session:
        row = session.scalars(query).first()
        return SitePath.model_validate(row, from_attributes=True) if row else None


def mark_path_failure(
    db: Database, site: str, signature: str, *, workflow_id: str | None = None, now: datetime | None = None
) -> int | None:
    """Count a failed replay; returns the consecutive failures (``None``: no such path).

    At ``MAX_PATH_FAILURES`` the path stops being offered by :func:`lookup_task_path` until saved again.
    A repeated call for the same ``workflow_id`` counts once.
    """
    at = aware(now)
    where = _where(site, signature)
    if workflow_id is not None:
        where = and_(where, or_(paths.c.last_failure_by.is_(None), paths.c.last_failure_by != workflow_id))
    stmt = update(paths).where(where)
    stmt = stmt.values(
        consecutive_failures=paths.c.consecutive_failures + 1,
        last_failure_at=at,
        last_failure_by=workflow_id,
        updated_at=at,
    )
    with db.write("mark_path_failure") as conn:
        conn.execute(stmt)
        return _failures(conn, site, signature)


def _failures(conn: Connection, site: str, signature: str) -> int | None:
    return cast(int | None, conn.execute(select(paths.c.consecutive_failures).where(_where(site, signature))).scalar())


def mark_path_success(
    db: Database,
    site: str,
    signature: str,
    *,
    duration_s: float | None = None,
    workflow_id: str | None = None,
    ttl: timedelta = DEFAULT_PATH_TTL,
    now: datetime | None = None,
) -> SitePath | None:
    """Count a successful replay: uses + 1, failures reset, validity extended by ``ttl``.

    A repeated call for the same ``workflow_id`` counts once. ``None`` when there is no such path.
    """
    at = aware(now)
    where = _where(site, signature)
    with db.write("mark_path_success") as conn:
        row = conn.execute(select(paths).where(where).with_for_update()).first()
        if row is None:
            return None
        if workflow_id is None or row.last_success_by != workflow_id:
            values: dict[str, Any] = {
                "uses": paths.c.uses + 1,
                "consecutive_failures": 0,
                "last_failure_by": None,
                "last_success_at": at,
                "last_success_by": workflow_id,
                "updated_at": at,
                "expires_at": at + ttl,
            }
            if duration_s is not None:
                values.update(_with_duration(row.recent_seconds, duration_s))
            conn.execute(update(paths).where(where).values(**values))
    return get_path(db, site, signature)


def forget_links(db: Database, site: str, signature: str) -> None:
    """Stop deep-linking on this path (its entry URL no longer led where it used to); it replays in full."""
    with db.write("forget_links") as conn:
        conn.execute(update(paths).where(_where(site, signature)).values(links=[]))


def delete_path(db: Database, site: str, signature: str) -> bool:
    with db.write("delete_path") as conn:
        return bool(conn.execute(delete(paths).where(_where(site, signature))).rowcount)
