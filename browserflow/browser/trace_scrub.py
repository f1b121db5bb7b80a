"""Scrubbing a Playwright trace of a session's secrets before it is kept.

A trace zip holds NDJSON event files (``trace.trace``, ``trace.network``, ...) and ``resources/`` (DOM
snapshots, request and response bodies, screencast frames). Every text entry has every spelling of every
secret the session typed (``browserflow.secrets.spellings``: clear, JSON-escaped, URL-encoded, HTML-escaped)
replaced by ``***``. Images (screencast frames, ``BROWSERFLOW_TRACE_DETAIL=full``) cannot be searched, so a
trace of a session that typed a secret keeps none; any other binary entry holding a secret is dropped. The
result is then read back and checked; a trace that still holds a secret is deleted, never kept.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Collection
from pathlib import Path

from browserflow import secrets

__all__ = ["holds_secret", "scrub_trace"]

_IMAGE = (".jpeg", ".jpg", ".png", ".webp", ".gif")


def _forms(values: Collection[str]) -> list[str]:
    return sorted({f for v in values if v for f in secrets.spellings(v)}, key=len, reverse=True)


def holds_secret(path: Path, values: Collection[str]) -> bool:
    """Does any entry of the zip at ``path`` contain any spelling of any of ``values``?"""
    forms = [f.encode() for f in _forms(values)]
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            if any(f in data for f in forms):
                return True
    return False


def _drop_frames(text: str) -> tuple[str, set[str]]:
    """NDJSON ``text`` without its screencast-frame events, and the resources those named."""
    kept: list[str] = []
    frames: set[str] = set()
    for line in text.splitlines(keepends=True):
        if '"screencast-frame"' in line:
            try:
                event = json.loads(line)
            except ValueError:
                event = {}
            if isinstance(event, dict) and event.get("type") == "screencast-frame":
                frames.add(str(event.get("sha1", "")))
                continue
        kept.append(line)
    return "".join(kept), frames


def scrub_trace(source: Path, target: Path, values: Collection[str]) -> bool:
    """Write ``source`` to ``target`` scrubbed of ``values``; ``source`` is removed. False (and nothing at
    ``target``) when the scrubbed trace could not be proven clean."""
    forms = _forms(values)
    raw_forms = [f.encode() for f in forms]
    partial = target.with_name(target.name + ".scrubbing")
    try:
        with zipfile.ZipFile(source) as zin, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if forms and info.filename.lower().endswith(_IMAGE):
                    continue  # a picture of the page cannot be searched for a typed secret
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    if any(f in data for f in raw_forms):
                        continue
                    zout.writestr(info, data)
                    continue
                if forms:
                    text, _frames = _drop_frames(text)
                    for form in forms:
                        text = text.replace(form, secrets.MASK)
                zout.writestr(info, text.encode("utf-8"))
        if forms and holds_secret(partial, values):
            partial.unlink(missing_ok=True)
            return False
        os.replace(partial, target)
        return True
    finally:
        partial.unlink(missing_ok=True)
        if source != target:
            source.unlink(missing_ok=True)
