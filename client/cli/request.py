"""Everything a Temporal command sends, read and validated before any connection (``RequestInvalid``: exit 2,
naming each bad field)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from browserflow.errors import RequestInvalid

__all__ = ["load_request", "pairs", "prepare"]

_MAX_FILE_BYTES = 4 * 256 * 1024  # the raw file, before parsing: 4x the request limit (JSON escapes, spacing)


def _read(path: str) -> str:
    if path == "-":
        text = sys.stdin.read(_MAX_FILE_BYTES + 1)
    else:
        file = Path(path)
        if file.is_dir():
            raise RequestInvalid(f"{path} is a directory, not a request file")
        try:
            with file.open("rb") as fh:
                data = fh.read(_MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise RequestInvalid(f"cannot read the request {path}: {exc.strerror or exc}") from None
        try:
            text = data.decode()
        except UnicodeDecodeError:
            raise RequestInvalid(f"{path} is not UTF-8 text") from None
    if len(text) > _MAX_FILE_BYTES:
        raise RequestInvalid(f"{path} is over {_MAX_FILE_BYTES:,} bytes: a request is at most 262,144 bytes of JSON")
    return text


def load_request(path: str, overrides: Sequence[str]) -> dict[str, Any]:
    """The request file at ``path`` (``-``: stdin) as a JSON object, with ``FIELD=VALUE`` overrides applied."""
    text = _read(path)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestInvalid(f"{path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise RequestInvalid(f"{path} is nested too deeply to be a task request") from None
    if not isinstance(raw, dict):
        raise RequestInvalid(f"{path} must hold a JSON object")
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise RequestInvalid(f"--set takes FIELD=VALUE, got {item!r}")
        raw[key] = value
    return raw


def pairs(items: Sequence[str], field: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise RequestInvalid(f"{field}: expected FIELD=VALUE, got {item!r}")
        found[key] = value
    return found


def _check_task_id(task_id: str) -> None:
    if not task_id.strip() or len(task_id) > 1000 or any(not c.isprintable() or c.isspace() for c in task_id):
        raise RequestInvalid(f"task id: {task_id!r} is not a task id (printable, no spaces, 1-1000 characters)")


def _instruction(args: argparse.Namespace) -> dict[str, Any]:
    if len(args.action) > 3:
        raise RequestInvalid("invalid instruct: action: give KIND SELECTOR [VALUE] (quote a selector with spaces)")
    kind, *rest = args.action
    if kind == "navigate":
        if len(rest) != 1:
            raise RequestInvalid("invalid instruct: action.value: navigate takes one URL")
        return {"kind": "navigate", "value": rest[0]}
    if not rest:
        raise RequestInvalid(f"invalid instruct: action.selector: {kind} needs a SELECTOR")
    return {"kind": kind, "selector": rest[0], "label": rest[0], "value": rest[1] if rest[1:] else None}


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """What the command ``args`` sends: ``{"request": TaskRequest}``, ``{"payload": ...}`` or nothing."""
    from client.sdk import parse_request, review_payload

    if getattr(args, "task_id", None) is not None:
        _check_task_id(args.task_id)
    command = args.command
    if command in {"run", "submit"}:
        return {"request": parse_request(load_request(args.request, args.set))}
    if command == "approve":
        return {"payload": review_payload("approve", note=args.note or "")}
    if command == "reject":
        return {"payload": review_payload("reject", reason=(args.reason or "").strip())}
    if command == "input":
        return {"payload": review_payload("provide_input", values=pairs(args.values, "values"))}
    if command == "take-over":
        return {"payload": review_payload("take_over", result=pairs(args.values, "result"), note=args.note or "")}
    if command == "instruct":
        return {"payload": review_payload("instruct", action=_instruction(args))}
    if command == "pause":
        return {"payload": review_payload("pause", reason=args.reason or "")}
    if command == "resume":
        return {"payload": review_payload("resume")}
    if command == "list" and args.status:
        from browserflow.contracts import TaskStatus

        if args.status not in {s.value for s in TaskStatus}:
            known = ", ".join(s.value for s in TaskStatus)
            raise RequestInvalid(f"--status: {args.status!r} is not a task status ({known})")
    return {}
