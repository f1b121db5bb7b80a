"""The files a task left under the artifacts directory (``<data dir>/artifacts/<task id>/``) that the task page
shows: the masked screenshots taken at its reviews (``step<N>-<reason>.png``, written by
``activities/review.py``) and the Playwright traces the pool kept (``trace-<session>.zip``, already scrubbed of
the task's secrets, ``browserflow/browser/pool.py``). Only a file of one of those two name shapes, directly in
the task's own folder under the configured directory, is ever served: never a path given by a request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Artifacts", "Shot", "task_artifacts"]

_SHOT = re.compile(r"^step(\d{1,6})-([A-Za-z0-9_.-]{1,80})\.png$")
_TRACE = re.compile(r"^trace-[A-Za-z0-9_-]{1,80}\.zip$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Shot:
    step: int
    reason: str
    name: str


@dataclass(frozen=True)
class Artifacts:
    """What ``root`` holds for one task: screenshots by step, trace names, and the one way to open a file."""

    root: Path
    folder: Path | None
    shots: tuple[Shot, ...] = ()
    traces: tuple[str, ...] = ()

    def path(self, name: str) -> Path | None:
        """The file ``name`` of this task's folder, if it is a screenshot or trace listed there."""
        if self.folder is None or not (_SHOT.match(name) or _TRACE.match(name)):
            return None
        if name not in self.traces and name not in {shot.name for shot in self.shots}:
            return None
        found = (self.folder / name).resolve()
        if found.parent != self.folder.resolve() or not found.is_file():
            return None
        return found

    def shots_of(self, step: int) -> list[Shot]:
        """The screenshots taken after ``step`` steps (a review's: ``ReviewRequest.step``), i.e. of the page
        step ``step + 1`` of the step log acts on."""
        return [shot for shot in self.shots if shot.step == step]


def _folder(root: Path, task_id: str) -> Path | None:
    """The task's folder, named as the worker names it (unsafe characters replaced), inside ``root``."""
    if not task_id or len(task_id) > 200:
        return None
    for name in (_UNSAFE.sub("_", task_id), "".join(c if c.isalnum() or c in "-_." else "_" for c in task_id)):
        if name in {".", ".."}:
            continue
        folder = root / name
        try:
            if folder.is_dir() and folder.resolve().parent == root.resolve():
                return folder
        except OSError:
            continue
    return None


def task_artifacts(root: Path, task_id: str) -> Artifacts:
    """The screenshots (by step, then name) and traces (newest first) kept for ``task_id`` under ``root``."""
    folder = _folder(root, task_id)
    if folder is None:
        return Artifacts(root, None)
    shots: list[Shot] = []
    traces: list[tuple[float, str]] = []
    for entry in folder.iterdir():
        if not entry.is_file() or entry.is_symlink():
            continue
        matched = _SHOT.match(entry.name)
        if matched:
            shots.append(Shot(int(matched.group(1)), matched.group(2), entry.name))
        elif _TRACE.match(entry.name):
            traces.append((entry.stat().st_mtime, entry.name))
    shots.sort(key=lambda shot: (shot.step, shot.name))
    return Artifacts(root, folder, tuple(shots), tuple(name for _, name in sorted(traces, reverse=True)))
