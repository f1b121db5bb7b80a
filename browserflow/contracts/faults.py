"""What went wrong and what was tried: the error carried in a payload and one attempt of the recovery table."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

__all__ = ["ErrorInfo", "RecoveryAttempt"]


class RecoveryAttempt(BaseModel):
    """One attempt of the recovery table (``browserflow/browser/recovery.py``): what failed, what was tried."""

    error_type: str
    strategy: str
    attempt: int
    outcome: Literal["recovered", "failed"]
    detail: str = ""


class ErrorInfo(BaseModel):
    type: str
    message: str
    retryable: bool = True
