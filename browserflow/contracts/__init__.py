"""The pydantic models that cross every boundary: caller -> workflow -> activities -> store.

One model in and one model out for every workflow, activity, signal, query and update. These models are
imported by workflow code (through ``imports_passed_through``), so every module of this package must stay
free of I/O and import-time side effects.

The package's modules, each named for what it holds (import from the package; the layout may move):

- ``urls``: the site of a URL, a URL without credentials, http(s) checks, ``allowed_domains`` hosts
- ``status``: ``TaskStatus`` and the terminal statuses
- ``requests``: ``TaskRequest``, ``SuccessIndicator`` and the strict ``Count`` / ``Number`` caller numbers
- ``faults``: ``ErrorInfo`` and ``RecoveryAttempt``
- ``pages``: ``Element``, ``Option``, ``PageSnapshot``
- ``actions``: ``Action``, ``Decision``, ``DecisionAttempt``, ``ActionOutcome``, ``GoalCheck``
- ``review``: the review request, the reviewer's verbs and their acknowledgement
- ``progress``: the step log, ``TaskProgress`` and ``TaskResult``
- ``activities``: the activity inputs and outputs (sessions, navigation, acting, goals, decisions, parking)
- ``store``: the store's payloads (task start and finish, the cached path)
- ``callbacks``: the events POSTed to a ``callback_url`` (the Goal Engine's result message, the review message)
"""

from __future__ import annotations

from browserflow.contracts.actions import (
    Action,
    ActionKind,
    ActionOutcome,
    Decision,
    DecisionAttempt,
    GoalCheck,
)
from browserflow.contracts.actions import AttemptOutcome as AttemptOutcome
from browserflow.contracts.activities import (
    ActInput,
    CheckGoalInput,
    Checkpoint,
    CloseSessionInput,
    CloseSessionResult,
    CompilePlanInput,
    DecideInput,
    EscalateInput,
    ExtractInput,
    NavigateInput,
    OpenSessionInput,
    ParkInput,
    ParkResult,
    ScreenshotInput,
    ScreenshotResult,
    SessionRef,
)
from browserflow.contracts.callbacks import (
    CallbackDelivery,
    CallbackInput,
    CallbackKind,
    GoalEngineResult,
    ReviewMessage,
    event_id,
    result_event,
    review_event,
)
from browserflow.contracts.faults import ErrorInfo, RecoveryAttempt
from browserflow.contracts.pages import Element, Option, PageSnapshot
from browserflow.contracts.progress import StepLog, StepRecord, TaskProgress, TaskResult
from browserflow.contracts.requests import Count, Number, ReviewPolicy, SuccessIndicator, TaskRequest
from browserflow.contracts.review import (
    Approve,
    Instruct,
    Pause,
    ProvideInput,
    Reject,
    Resume,
    ReviewAck,
    ReviewElement,
    ReviewRequest,
    ReviewResponse,
    ReviewVerb,
    TakeOver,
)
from browserflow.contracts.status import TERMINAL_STATUSES, TaskStatus
from browserflow.contracts.store import (
    CachedPath,
    StoreAck,
    TaskFinishInput,
    TaskStartInput,
    TaskStartResult,
    TaskStatusInput,
)
from browserflow.contracts.urls import allowed_host, check_http_url, site_of, without_userinfo

__all__ = [
    "TERMINAL_STATUSES",
    "ActInput",
    "Action",
    "ActionKind",
    "ActionOutcome",
    "Approve",
    "CachedPath",
    "CallbackDelivery",
    "CallbackInput",
    "CallbackKind",
    "CheckGoalInput",
    "Checkpoint",
    "CloseSessionInput",
    "CloseSessionResult",
    "CompilePlanInput",
    "Count",
    "DecideInput",
    "Decision",
    "DecisionAttempt",
    "Element",
    "ErrorInfo",
    "EscalateInput",
    "ExtractInput",
    "GoalCheck",
    "GoalEngineResult",
    "Instruct",
    "NavigateInput",
    "Number",
    "OpenSessionInput",
    "Option",
    "PageSnapshot",
    "ParkInput",
    "ParkResult",
    "Pause",
    "ProvideInput",
    "RecoveryAttempt",
    "Reject",
    "Resume",
    "ReviewAck",
    "ReviewElement",
    "ReviewMessage",
    "ReviewPolicy",
    "ReviewRequest",
    "ReviewResponse",
    "ReviewVerb",
    "ScreenshotInput",
    "ScreenshotResult",
    "SessionRef",
    "StepLog",
    "StepRecord",
    "StoreAck",
    "SuccessIndicator",
    "TakeOver",
    "TaskFinishInput",
    "TaskProgress",
    "TaskRequest",
    "TaskResult",
    "TaskStartInput",
    "TaskStartResult",
    "TaskStatus",
    "TaskStatusInput",
    "allowed_host",
    "check_http_url",
    "event_id",
    "result_event",
    "review_event",
    "site_of",
    "without_userinfo",
]
