"""The site-path cache: save, lookup, TTL, invalidation after 3 failures, parametrised signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from browserflow.contracts import Action, StepRecord, TaskRequest
from browserflow.store import MAX_PATH_FAILURES, Store, goal_signature

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SITE = "swim.test"


def _request(name: str, goal_name: str | None = None) -> TaskRequest:
    return TaskRequest(
        goal=f"Register {goal_name or name} for the Tuesday evening swim class",
        start_url=f"http://{SITE}/",
        data={"student_name": name, "class_id": "Tuesday evening swim"},
    )


ACTIONS = [
    Action(kind="click", ref="e3", selector="a[href='/classes']", label="Classes"),
    Action(kind="fill", ref="e7", selector="#student", label="Student name", value="Eden", data_key="student_name"),
    Action(kind="select", selector="#class", label="Class", value="Tuesday evening swim", data_key="class_id"),
    Action(kind="click", selector="button[type=submit]", label="Register", irreversible=True),
]


def test_save_and_lookup(store: Store) -> None:
    eden = _request("Eden")
    saved = store.save_task_path(eden, ACTIONS, duration_s=20.0, workflow_id="wf-eden", now=T0)
    assert saved.site == SITE
    assert saved.data_keys == ["class_id", "student_name"]
    assert saved.goal_template == "register {student_name} for the {class_id} class"
    assert saved.expires_at == T0 + timedelta(days=7)
    assert saved.median_seconds == 20.0
    assert [a.kind for a in saved.steps] == ["click", "fill", "select", "click"]
    assert all(a.ref is None for a in saved.steps)  # page-local refs are meaningless on a later visit
    assert [a.value for a in saved.steps] == [None, None, None, None]
    assert saved.steps[3].irreversible is True

    # Noa's task, same kind of goal with other values: the same path, bound to Noa's data
    noa = _request("Noa")
    found = store.lookup_task_path(noa, now=T0 + timedelta(hours=1))
    assert found is not None and found.goal_signature == saved.goal_signature
    bound = found.bind(dict(noa.data))
    assert [a.value for a in bound] == [None, "Noa", "Tuesday evening swim", None]

    elsewhere = noa.model_copy(update={"start_url": "http://other.test/"})
    assert elsewhere.site == "other.test" and store.lookup_task_path(elsewhere, T0) is None
    assert store.lookup_task_path(noa.model_copy(update={"goal": "Cancel the class"}), T0) is None


def test_saving_again_replaces_never_duplicates(store: Store) -> None:
    eden = _request("Eden")
    store.save_task_path(eden, ACTIONS, now=T0)
    store.save_task_path(eden, ACTIONS, now=T0 + timedelta(days=1))  # the same path again: an upsert
    path = store.lookup_task_path(eden, now=T0 + timedelta(days=1))
    assert path is not None and len(path.steps) == len(ACTIONS)
    assert path.created_at == T0 and path.updated_at == T0 + timedelta(days=1)
    assert path.expires_at == T0 + timedelta(days=8)
    # a healed path binding other keys supersedes the one this request replayed: still one row
    store.save_task_path(eden, ACTIONS[:2], now=T0 + timedelta(days=2))
    path = store.lookup_task_path(eden, now=T0 + timedelta(days=2))
    assert path is not None and len(path.steps) == 2
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM site_paths WHERE site = :s"), {"s": eden.site}).scalar_one()
    assert rows == 1


def test_steps_records_give_the_actions_of_ok_steps(store: Store) -> None:
    records = [
        StepRecord(step=1, url="u1", decision="d", actions=[ACTIONS[0]]),
        StepRecord(step=2, url="u2", decision="d", actions=[ACTIONS[3]], ok=False),
        StepRecord(step=2, url="u2", decision="d", actions=ACTIONS[1:]),
    ]
    path = store.save_path(SITE, "sig", records, ["class_id", "student_name"], now=T0)
    assert [a.selector for a in path.steps] == [a.selector for a in ACTIONS]


def test_ttl_expiry(store: Store) -> None:
    eden = _request("Eden")
    store.save_task_path(eden, ACTIONS, ttl=timedelta(hours=2), now=T0)
    assert store.lookup_task_path(eden, now=T0 + timedelta(hours=1, minutes=59)) is not None
    assert store.lookup_task_path(eden, now=T0 + timedelta(hours=2)) is None
    assert store.get_path(SITE, goal_signature(eden.goal, eden.data)) is not None  # kept, just not offered


def test_three_consecutive_failures_invalidate(store: Store) -> None:
    eden = _request("Eden")
    sig = goal_signature(eden.goal, eden.data)
    store.save_task_path(eden, ACTIONS, now=T0)
    assert store.mark_path_failure(SITE, sig, workflow_id="wf-a", now=T0) == 1
    assert store.mark_path_failure(SITE, sig, workflow_id="wf-a", now=T0) == 1  # a retry counts once
    assert store.mark_path_failure(SITE, sig, workflow_id="wf-b", now=T0) == 2
    assert store.lookup_task_path(eden, T0) is not None
    assert store.mark_path_failure(SITE, sig, workflow_id="wf-c", now=T0) == MAX_PATH_FAILURES
    assert store.lookup_task_path(eden, T0) is None
    invalid = store.get_path(SITE, sig)
    assert invalid is not None and invalid.consecutive_failures == 3

    # learning the path again makes it valid again
    store.save_task_path(eden, ACTIONS, now=T0 + timedelta(minutes=5))
    assert store.lookup_task_path(eden, T0 + timedelta(minutes=5)) is not None
    assert store.mark_path_failure("nowhere.test", sig) is None


def test_success_resets_failures_and_extends(store: Store) -> None:
    eden = _request("Eden")
    sig = goal_signature(eden.goal, eden.data)
    store.save_task_path(eden, ACTIONS, duration_s=30.0, workflow_id="wf-learn", now=T0)
    store.mark_path_failure(SITE, sig, workflow_id="wf-a", now=T0)
    store.mark_path_failure(SITE, sig, workflow_id="wf-b", now=T0)

    later = T0 + timedelta(days=6)
    path = store.mark_path_success(SITE, sig, duration_s=10.0, workflow_id="wf-c", now=later)
    assert path is not None
    assert path.consecutive_failures == 0
    assert path.uses == 1
    assert path.last_success_at == later
    assert path.expires_at == later + timedelta(days=7)
    assert path.median_seconds == 20.0  # median of 30 and 10

    again = store.mark_path_success(SITE, sig, duration_s=10.0, workflow_id="wf-c", now=later)  # a retry
    assert again is not None and again.uses == 1 and again.median_seconds == 20.0
    third = store.mark_path_success(SITE, sig, duration_s=12.0, workflow_id="wf-d", now=later)
    assert third is not None and third.uses == 2 and third.median_seconds == 12.0  # median of 30, 10, 12

    # after a success the failure count starts over: two more failures do not invalidate
    store.mark_path_failure(SITE, sig, workflow_id="wf-a", now=later)
    store.mark_path_failure(SITE, sig, workflow_id="wf-b", now=later)
    assert store.lookup_task_path(eden, later) is not None
    assert store.mark_path_success("nowhere.test", sig) is None


def test_delete_path(store: Store) -> None:
    store.save_path(SITE, "sig", ACTIONS, ["class_id", "student_name"], now=T0)
    assert store.delete_path(SITE, "sig") is True
    assert store.delete_path(SITE, "sig") is False
    assert store.get_path(SITE, "sig") is None


@pytest.mark.parametrize("keep", [5, 25])
def test_median_over_recent_durations(store: Store, keep: int) -> None:
    store.save_path(SITE, "sig", ACTIONS, [], duration_s=1000.0, workflow_id="wf-0", now=T0)
    for i in range(keep):
        store.mark_path_success(SITE, "sig", duration_s=float(i + 1), workflow_id=f"wf-{i + 1}", now=T0)
    path = store.get_path(SITE, "sig")
    assert path is not None
    if keep == 5:  # 1000, 1..5 -> median of 6 values
        assert path.median_seconds == 3.5
    else:  # only the last 20 durations count: 6..25
        assert path.median_seconds == 15.5


def test_deep_links_are_learned_from_the_step_records_and_can_be_forgotten(store: Store) -> None:
    eden = _request("Eden")
    classes, form = f"http://{SITE}/classes", f"http://{SITE}/register?class=tue"
    records = [
        StepRecord(step=1, url=f"http://{SITE}/", decision="", actions=[ACTIONS[0]], url_after=classes, link=classes),
        StepRecord(step=2, url=classes, decision="", actions=[ACTIONS[0]], url_after=form, link=form),
        StepRecord(step=3, url=form, decision="", actions=ACTIONS[1:], url_after=f"http://{SITE}/done"),
    ]
    saved = store.save_task_path(eden, records, now=T0)
    assert (saved.start_url, saved.links) == (f"http://{SITE}/", [classes, form])

    store.forget_links(SITE, saved.goal_signature)
    forgotten = store.lookup_task_path(_request("Noa"), now=T0)
    assert forgotten is not None and forgotten.links == [] and len(forgotten.steps) == len(saved.steps)

    # a run whose deep link failed saves its path without any
    assert store.save_task_path(eden, records, now=T0, deep_links=False).links == []
    # plain actions (no records) carry no evidence of links
    assert store.save_task_path(eden, ACTIONS, now=T0).links == []
