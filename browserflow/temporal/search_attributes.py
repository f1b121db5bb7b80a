"""Typed search attributes operators filter on in the Web UI (``TaskStatus = 'needs_review'``)."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

__all__ = ["ALL", "TASK_SITE", "TASK_STATUS", "cli_flags"]

TASK_STATUS = SearchAttributeKey.for_keyword("TaskStatus")
TASK_SITE = SearchAttributeKey.for_keyword("TaskSite")
ALL = (TASK_STATUS, TASK_SITE)


def cli_flags() -> list[str]:
    """``temporal server start-dev`` flags registering every attribute."""
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}=Keyword"]
    return flags
