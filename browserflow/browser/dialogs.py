"""JavaScript dialogs (``alert``, ``confirm``, ``prompt``, ``beforeunload``) on a task's page, answered on
purpose instead of Playwright's silent dismissal (which made a link guarded by ``confirm()`` do nothing).

- ``alert``: accepted (there is nothing to decide); its text is kept for the step log.
- ``confirm`` / ``prompt``: accepted only when the action that raised it is marked irreversible — an
  action the plan's write gate let through and that the review policy saw (``before_irreversible``
  reviews exactly those). Otherwise the dialog is dismissed and the step fails with ``DialogRefused``,
  whose message quotes the dialog's text; the next decision sees the page as it stayed.
- ``beforeunload``: accepted (the engine already decided to leave the page).
- A dialog with no action running (raised on load or by a timer) is treated like a not-approved one.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from playwright.async_api import Dialog, Page
from playwright.async_api import Error as PlaywrightError

from browserflow.contracts import Action
from browserflow.errors import DialogRefused

__all__ = ["DialogWatch", "watch"]

_TEXT_MAX = 200


@dataclass
class DialogWatch:
    """One page's dialog policy: the action running now, and the dialogs refused since the last check."""

    acting: Action | None = None
    refused: list[str] = field(default_factory=list)  # "confirm 'Delete this item?'" ...
    seen: list[str] = field(default_factory=list)  # every dialog, answered how (for the step log / debugging)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def answer(self, dialog: Dialog) -> None:
        text = " ".join(dialog.message.split())[:_TEXT_MAX]
        action = self.acting
        accept = dialog.type in {"alert", "beforeunload"} or (action is not None and action.irreversible)
        what = f"{dialog.type} {text!r}"
        self.seen.append(f"{what}: {'accepted' if accept else 'dismissed'}")
        if not accept:
            target = f" after {action.kind} '{action.label or action.selector}'" if action is not None else ""
            self.refused.append(f"{what}{target}")
        with contextlib.suppress(PlaywrightError):
            if accept:
                await dialog.accept()
            else:
                await dialog.dismiss()

    def raise_refused(self) -> None:
        """Raise ``DialogRefused`` for the first dialog dismissed since the last call (and forget them)."""
        if not self.refused:
            return
        first, self.refused = self.refused[0], []
        raise DialogRefused(
            f"the page asked {first}; dismissed, because only an action approved as irreversible may confirm"
        )


def watch(page: Page) -> DialogWatch:
    """Answer every dialog of ``page`` by the policy above."""
    dialogs = DialogWatch()

    def on_dialog(dialog: Dialog) -> None:
        task = asyncio.ensure_future(dialogs.answer(dialog))
        dialogs._tasks.add(task)
        task.add_done_callback(dialogs._tasks.discard)

    page.on("dialog", on_dialog)
    return dialogs
