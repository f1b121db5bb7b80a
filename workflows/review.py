"""People in the loop: the review verbs (each a signal, for the Web UI's "send signal", and an update with a
validator, for the SDK and CLI), pause/resume, and waiting for a person with the browser parked."""

from __future__ import annotations

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

__all__ = ["ReviewMixin"]


class ReviewMixin:
    """Review state and handlers, mixed into the task workflow."""

    _review: ReviewRequest | None
    _response: ReviewResponse | None
    _paused: bool
    _pause_reason: str

    def _init_review(self) -> None:
        self._review = None
        self._response = None
        self._paused = False
        self._pause_reason = ""

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

    @workflow.signal(name="approve")
    def approve_signal(self, arg: Approve) -> None:
        self._answer(ReviewResponse(verb="approve", reason=arg.note))

    @workflow.update(name="approve")
    def approve(self, arg: Approve) -> ReviewAck:
        return self._answer(ReviewResponse(verb="approve", reason=arg.note))

    @approve.validator
    def _check_approve(self, arg: Approve) -> None:
        self._validate_pending()

    @workflow.signal(name="reject")
    def reject_signal(self, arg: Reject) -> None:
        self._answer(ReviewResponse(verb="reject", reason=arg.reason))

    @workflow.update(name="reject")
    def reject(self, arg: Reject) -> ReviewAck:
        return self._answer(ReviewResponse(verb="reject", reason=arg.reason))

    @reject.validator
    def _check_reject(self, arg: Reject) -> None:
        self._validate_pending()

    @workflow.signal(name="provide_input")
    def provide_input_signal(self, arg: ProvideInput) -> None:
        self._answer(ReviewResponse(verb="provide_input", values=dict(arg.values)))

    @workflow.update(name="provide_input")
    def provide_input(self, arg: ProvideInput) -> ReviewAck:
        return self._answer(ReviewResponse(verb="provide_input", values=dict(arg.values)))

    @provide_input.validator
    def _check_provide_input(self, arg: ProvideInput) -> None:
        self._validate_pending()

    @workflow.signal(name="instruct")
    def instruct_signal(self, arg: Instruct) -> None:
        self._answer(ReviewResponse(verb="instruct", action=arg.action))

    @workflow.update(name="instruct")
    def instruct(self, arg: Instruct) -> ReviewAck:
        return self._answer(ReviewResponse(verb="instruct", action=arg.action))

    @instruct.validator
    def _check_instruct(self, arg: Instruct) -> None:
        self._validate_pending()
        if arg.action.kind != "navigate" and not (arg.action.selector or arg.action.ref):
            raise ValueError("an instructed action needs a selector (or a ref from the review's snapshot)")

    @workflow.signal(name="take_over")
    def take_over_signal(self, arg: TakeOver) -> None:
        self._answer(ReviewResponse(verb="take_over", result=dict(arg.result), reason=arg.note))

    @workflow.update(name="take_over")
    def take_over(self, arg: TakeOver) -> ReviewAck:
        return self._answer(ReviewResponse(verb="take_over", result=dict(arg.result), reason=arg.note))

    @take_over.validator
    def _check_take_over(self, arg: TakeOver) -> None:
        self._validate_pending()

    @workflow.signal(name="pause")
    def pause(self, arg: Pause) -> None:
        self._paused = True
        self._pause_reason = arg.reason or "paused by request"

    @workflow.signal(name="resume")
    def resume(self, arg: Resume) -> None:
        self._paused = False
