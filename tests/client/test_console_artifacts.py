"""The task page's files: only a review screenshot or a kept trace, directly in the task's own folder under the
configured artifacts directory, is ever served; anything else (another task's, a path, a symlink out) is 404."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from client.console import Access, make_app
from client.console.artifacts import Shot, task_artifacts
from client.sdk import BrowserTasks

TOKEN = "artifacts-token-1"
PNG = b"\x89PNG\r\n\x1a\nfake"
ZIP = b"PK\x03\x04fake"


async def unreachable() -> BrowserTasks:
    pytest.fail("serving a file reached the tasks provider")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "artifacts"
    task = root / "bf-1"
    task.mkdir(parents=True)
    (task / "step2-before_irreversible.png").write_bytes(PNG)
    (task / "step0-cannot_proceed.png").write_bytes(PNG)
    (task / "trace-abc123.zip").write_bytes(ZIP)
    (task / "notes.txt").write_text("not served")
    (root / "bf-2").mkdir()
    (root / "bf-2" / "trace-other.zip").write_bytes(ZIP)
    (tmp_path / "outside.png").write_bytes(PNG)
    os.symlink(tmp_path / "outside.png", task / "step9-link.png")
    return root


def test_the_task_folder_lists_its_screenshots_by_step_and_its_traces(root: Path) -> None:
    found = task_artifacts(root, "bf-1")
    assert found.shots == (
        Shot(0, "cannot_proceed", "step0-cannot_proceed.png"),
        Shot(2, "before_irreversible", "step2-before_irreversible.png"),
    )
    assert found.traces == ("trace-abc123.zip",)
    assert found.shots_of(2) == [found.shots[1]]
    assert task_artifacts(root, "bf-none").folder is None
    assert task_artifacts(root, "..").folder is None


@pytest.mark.parametrize(
    ("task_id", "name", "served"),
    [
        ("bf-1", "step2-before_irreversible.png", True),
        ("bf-1", "trace-abc123.zip", True),
        ("bf-1", "notes.txt", False),
        ("bf-1", "step9-link.png", False),  # a symlink out of the folder
        ("bf-1", "trace-other.zip", False),  # another task's trace
        ("bf-1", "../bf-2/trace-other.zip", False),
        ("bf-1", "..%2Fbf-2%2Ftrace-other.zip", False),
        ("bf-2", "trace-other.zip", True),
        ("..", "outside.png", False),
    ],
)
def test_only_a_listed_file_of_the_tasks_own_folder_is_served(
    root: Path, task_id: str, name: str, served: bool
) -> None:
    client = TestClient(make_app(unreachable, Access(TOKEN), artifacts=root), base_url="http://127.0.0.1")
    answer = client.get(f"/tasks/{task_id}/files/{name}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert (answer.status_code == 200) == served, answer.status_code
    if served and name.endswith(".zip"):
        assert answer.headers["content-type"] == "application/zip" and answer.content == ZIP
        assert "attachment" in answer.headers["content-disposition"]
    elif served:
        assert answer.headers["content-type"] == "image/png" and answer.content == PNG


def test_files_need_the_credential(root: Path) -> None:
    client = TestClient(make_app(unreachable, Access(TOKEN), artifacts=root), base_url="http://127.0.0.1")
    assert client.get("/tasks/bf-1/files/trace-abc123.zip").status_code == 401
