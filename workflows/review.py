"""People in the loop: the review verbs (each a signal, for the Web UI's "send signal", and an update with a
validator, for the SDK and CLI), pause/resume, and waiting for a person with the browser parked.

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
        ReviewRequest,
        ReviewResponse,
        TakeOver,
    )

__all__ = ["ReviewMixin", "parse_message"]

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


class ReviewMixin:
    """Review state and handlers, mixed into the task workflow."""

    _review: ReviewRequest | None
    _response: ReviewResponse | None
    _paused: bool
    _pause_reason: str
    _refused: int

    def _init_review(self) -> None:
        self._review = None
        self._response = None
        self._paused = False
        self._pause_reason = ""
        self._refused = 0

    # -- messages ----------------------------------------------------------------------------------------

    def _signal_arg(self, name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> M | None:
        """The signal's payload as ``model``, or None when refused (logged and counted; nothing else changes)."""
        try:
            return parse_message(f"signal {name!r}", model, arg, extra)
        except ValueError as exc:
            self._refused += 1
            workflow.logger.warning("%s (%d refused messages so far)", exc, self._refused)
            return None

    def _update_arg(self, name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> M:
        """For a validator: the update's payload as ``model``; raises (the update is rejected) when refused."""
        try:
            return parse_message(f"update {name!r}", model, arg, extra)
        except ValueError as exc:
            workflow.logger.warning("%s", exc)
            raise

    def _verb_signal(self, name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> None:
        msg = self._signal_arg(name, model, arg, extra)
        if msg is not None:  # (an instruct signal without a selector is taken as before: its step fails)
            self._answer(_response(name, msg))

    def _verb_update(self, name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> ReviewAck:
        # the validator refused anything malformed; parsed again defensively (never raise after acceptance)
        try:
            msg = parse_message(f"update {name!r}", model, arg, extra)
        except ValueError as exc:
            return ReviewAck(accepted=False, detail=str(exc))
        return self._answer(_response(name, msg))

    def _verb_check(self, name: str, model: type[M], arg: Any, extra: tuple[Any, ...]) -> None:
        msg = self._update_arg(name, model, arg, extra)
        self._validate_pending()
        problem = _instruct_problem(msg)
        if problem:
            raise ValueError(problem)

    # -- the verbs -------------------------------------------------------------------------------------------

    def _answer(self, response: ReviewResponse) -> ReviewAck:
        if self._review is None:
            workflow.logger.warning("review verb %r ignored: no review is pending", response.verb)
            return ReviewAck(accepted=False, detail="no review is pending for this task")
        if self._response is not None:
            return ReviewAck(accepted=False, detail=f"the review was already answered ({self._response.verb})")
        self._response = response
        return ReviewAck(accepted=True, detail=f"{response.verb} accepted for: {self._review.reason}")

    def _validate_pending(self) -> None:
        if self._review is None:
            raise ValueError("no review is pending for this task")
        if self._response is not None:
            raise ValueError(f"the review was already answered ({self._response.verb})")

    # Each verb: the signal answers when the payload is well-formed; the update's validator refuses a malformed
    # payload (or no pending review) before the handler runs.

    @workflow.signal(name="approve")
    def approve_signal(self, arg: Any = None, *extra: Any) -> None:
        self._verb_signal("approve", Approve, arg, extra)

    @workflow.update(name="approve")
    def approve(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._verb_update("approve", Approve, arg, extra)

    @approve.validator
    def _check_approve(self, arg: Any = None, *extra: Any) -> None:
        self._verb_check("approve", Approve, arg, extra)

    @workflow.signal(name="reject")
    def reject_signal(self, arg: Any = None, *extra: Any) -> None:
        self._verb_signal("reject", Reject, arg, extra)

    @workflow.update(name="reject")
    def reject(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._verb_update("reject", Reject, arg, extra)

    @reject.validator
    def _check_reject(self, arg: Any = None, *extra: Any) -> None:
        self._verb_check("reject", Reject, arg, extra)

    @workflow.signal(name="provide_input")
    def provide_input_signal(self, arg: Any = None, *extra: Any) -> None:
        self._verb_signal("provide_input", ProvideInput, arg, extra)

    @workflow.update(name="provide_input")
    def provide_input(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._verb_update("provide_input", ProvideInput, arg, extra)

    @provide_input.validator
    def _check_provide_input(self, arg: Any = None, *extra: Any) -> None:
        self._verb_check("provide_input", ProvideInput, arg, extra)

    @workflow.signal(name="instruct")
    def instruct_signal(self, arg: Any = None, *extra: Any) -> None:
        self._verb_signal("instruct", Instruct, arg, extra)

    @workflow.update(name="instruct")
    def instruct(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._verb_update("instruct", Instruct, arg, extra)

    @instruct.validator
    def _check_instruct(self, arg: Any = None, *extra: Any) -> None:
        self._verb_check("instruct", Instruct, arg, extra)

    @workflow.signal(name="take_over")
    def take_over_signal(self, arg: Any = None, *extra: Any) -> None:
        self._verb_signal("take_over", TakeOver, arg, extra)

    @workflow.update(name="take_over")
    def take_over(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._verb_update("take_over", TakeOver, arg, extra)

    @take_over.validator
    def _check_take_over(self, arg: Any = None, *extra: Any) -> None:
        self._verb_check("take_over", TakeOver, arg, extra)

    @workflow.signal(name="pause")
    def pause(self, arg: Any = None, *extra: Any) -> None:
        if (msg := self._signal_arg("pause", Pause, arg, extra)) is not None:
            self._paused = True
            self._pause_reason = msg.reason or "paused by request"

    @workflow.signal(name="resume")
    def resume(self, arg: Any = None, *extra: Any) -> None:
        if self._signal_arg("resume", Resume, arg, extra) is not None:
            self._paused = False
