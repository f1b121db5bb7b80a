"""The CLI's exit statuses (see the package docstring) and how a refusal is printed."""

from __future__ import annotations

import sys

__all__ = ["EXIT", "fail"]

EXIT = {
    "ok": 0,
    "goal_not_reached": 1,
    "bad_input": 2,
    "refused": 3,
    "not_found": 4,
    "unavailable": 5,
    "internal": 70,
    "interrupted": 130,
}


def fail(code: str, message: str) -> int:
    print(f"browserflow: {message}", file=sys.stderr)
    return EXIT[code]
