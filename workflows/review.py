"""People in the loop, the messages: the review verbs (each a signal, for the Web UI's "send signal", and an
update with a validator, for the SDK and CLI) and pause/resume, read into the task's ``TaskState`` by ``Inbox``
(the workflow's handlers in ``workflows/task.py`` only delegate here). Waiting for a person, with the browser
parked, is ``workflows/people.py``.

No message can wedge the workflow. Every handler takes one optional argument: the JSON of its pydantic model
(``Approve``, ``Reject``, ...), received undecoded (``*extra`` keeps the SDK from applying a type, so a
payload of the wrong shape or count never fails inside the SDK) and validated here. A missing, ``null``,
wrong-typed or extra-keyed payload, or more than one, is refused: a refused signal is logged and counted
(``refused_messages`` in the progress query) and changes nothing else; a refused update is rejected by its
validator with the reason (rejected updates leave no history, so they are logged, not counted).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from browserflow.contracts import (
        Approve,
        Instruct,
        Pause,
        ProvideInput,
        Reject,
        Resume,
        ReviewAck,
        ReviewResponse,
        TakeOver,
    )
    from workflows.state import TaskState

__all__ = ["Inbox", "parse_message"]

M = TypeVar("M", bound=BaseModel)


def _reasons(exc: ValidationError) -> str:
    """The validation errors by field, without the values sent (they may be secret)."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in err.get("loc", ())) or "payload"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts[:5]) + (f" (and {len(parts) - 5} more)" if len(parts) > 5 else "")


def parse_message(name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> M:
    """``arg`` (the decoded JSON of one message) as ``model``; a ``ValueError`` saying why it is refused."""
    if extra:
        raise ValueError(f"{name} refused: it takes one JSON object, {1 + len(extra)} inputs were sent")
    if arg is None:
        raise ValueError(f"{name} refused: it takes one JSON object (at least {{}}); no input or null was sent")
    if isinstance(arg, model):
        return arg
    if not isinstance(arg, dict):
        raise ValueError(f"{name} refused: it takes one JSON object, not {type(arg).__name__}")
    try:
        return model.model_validate(arg)
    except ValidationError as exc:
        raise ValueError(f"{name} refused: malformed payload: {_reasons(exc)}") from None


def _response(verb: str, msg: BaseModel) -> ReviewResponse:
    """The reviewer's answer a well-formed verb payload stands for."""
    if isinstance(msg, Reject):
        return ReviewResponse(verb="reject", reason=msg.reason)
    if isinstance(msg, ProvideInput):
        return ReviewResponse(verb="provide_input", values=dict(msg.values))
    if isinstance(msg, Instruct):
        return ReviewResponse(verb="instruct", action=msg.action)
    if isinstance(msg, TakeOver):
        return ReviewResponse(verb="take_over", result=dict(msg.result), reason=msg.note)
    assert isinstance(msg, Approve), verb
    return ReviewResponse(verb="approve", reason=msg.note)


def _instruct_problem(msg: BaseModel) -> str:
    if isinstance(msg, Instruct) and msg.action.kind != "navigate" and not (msg.action.selector or msg.action.ref):
        return "an instructed action needs a selector (or a ref from the review's snapshot)"
    return ""


class Inbox:
    """The review verbs and pause/resume as they reach the task: each sets ``state.response`` (the answer to the
    pending review), ``state.paused`` or counts a refusal (``state.refused``); nothing else changes."""

    def __init__(self, state: TaskState) -> None:
        self.state = state

    def signal_arg(self, name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> M | None:
        """The signal's payload as ``model``, or None when refused (logged and counted; nothing else changes)."""
        try:
            return parse_message(f"signal {name!r}", model, arg, extra)
        except ValueError as exc:
            self.state.refused += 1
            workflow.logger.warning("%s (%d refused messages so far)", exc, self.state.refused)
            return None

    def verb_signal(self, name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> None:
        msg = self.signal_arg(name, model, arg, extra)
        if msg is not None:  # (an instruct signal without a selector is taken as before: its step fails)
            self.answer(_response(name, msg))

    def verb_update(self, name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> ReviewAck:
        # the validator refused anything malformed; parsed again defensively (never raise after acceptance)
        try:
            msg = parse_message(f"update {name!r}", model, arg, extra)
        except ValueError as exc:
            return ReviewAck(accepted=False, detail=str(exc))
        return self.answer(_response(name, msg))

    def verb_check(self, name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> None:
        """For a validator: raises (the update is rejected) when the payload is refused or nothing is pending."""
        try:
            msg = parse_message(f"update {name!r}", model, arg, extra)
        except ValueError as exc:
            workflow.logger.warning("%s", exc)
            raise
        self._validate_pending()
        problem = _instruct_problem(msg)
        if problem:
            raise ValueError(problem)

    def answer(self, response: ReviewResponse) -> ReviewAck:
        state = self.state
        if state.review is None:
            workflow.logger.warning("review verb %r ignored: no review is pending", response.verb)
            return ReviewAck(accepted=False, detail="no review is pending for this task")
        if state.response is not None:
            return ReviewAck(accepted=False, detail=f"the review was already answered ({state.response.verb})")
        state.response = response
        return ReviewAck(accepted=True, detail=f"{response.verb} accepted for: {state.review.reason}")

    def _validate_pending(self) -> None:
        if self.state.review is None:
            raise ValueError("no review is pending for this task")
        if self.state.response is not None:
            raise ValueError(f"the review was already answered ({self.state.response.verb})")

    def pause(self, arg: Any, extra: tuple[Any, ...]) -> None:
        if (msg := self.signal_arg("pause", Pause, arg, extra)) is not None:
            self.state.paused = True
            self.state.pause_reason = msg.reason or "paused by request"

    def resume(self, arg: Any, extra: tuple[Any, ...]) -> None:
        if self.signal_arg("resume", Resume, arg, extra) is not None:
            self.state.paused = False
