"""``browserflow paths``: operators see the site-path cache (deep links, uses, state) and forget a path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from browserflow.contracts import Action, StepRecord, TaskRequest
from browserflow.store import MAX_PATH_FAILURES, Store, migrate
from client.cli import main

SITE = "pool.test"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate.upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BROWSERFLOW_DATA_DIR", str(tmp_path))
    opened = Store.from_url(url)
    yield opened
    opened.close()


def request(goal: str) -> TaskRequest:
    return TaskRequest(goal=goal, start_url=f"http://{SITE}/", data={"student_name": "Eden"})


def records() -> list[StepRecord]:
    form = f"http://{SITE}/register"
    link = Action(kind="click", selector="text=Register", label="Register")
    fill = Action(kind="fill", selector="#name", label="Name", value="Eden", data_key="student_name")
    return [
        StepRecord(step=1, url=f"http://{SITE}/", decision="", actions=[link], url_after=form, link=form),
        StepRecord(step=2, url=form, decision="", actions=[fill], url_after=f"http://{SITE}/done"),
    ]


def test_paths_lists_each_path_with_its_deep_link_and_state(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = store.save_task_path(request("Register Eden for swimming"), records())
    broken = store.save_task_path(request("Register Eden for diving"), records()[1:])
    for _ in range(MAX_PATH_FAILURES):
        store.mark_path_failure(SITE, broken.goal_signature)
    old = store.save_task_path(
        request("Register Eden for sailing"), records(), now=datetime.now(UTC) - timedelta(days=30)
    )

    assert main(["paths", "--site", SITE]) == 0
    out = capsys.readouterr().out
    assert f"{SITE}  {fresh.goal_signature}  ok" in out
    assert f"deep link to http://{SITE}/register" in out
    assert "register {student_name} for swimming" in out
    assert f"{broken.goal_signature}  invalidated" in out
    assert f"{old.goal_signature}  expired" in out
    assert main(["paths", "--site", "elsewhere.test"]) == 0
    assert "no cached paths on elsewhere.test" in capsys.readouterr().out


def test_forget_deletes_one_path_and_refuses_what_is_not_there(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = store.save_task_path(request("Register Eden for swimming"), records())
    assert main(["paths", "--site", SITE, "--forget", saved.goal_signature]) == 0
    assert "forgot the cached path" in capsys.readouterr().out
    assert store.get_path(SITE, saved.goal_signature) is None

    assert main(["paths", "--site", SITE, "--forget", saved.goal_signature]) == 2
    assert f"no cached path {saved.goal_signature} on {SITE}" in capsys.readouterr().err
    assert main(["paths", "--forget", saved.goal_signature]) == 2
    assert "--forget needs --site" in capsys.readouterr().err
