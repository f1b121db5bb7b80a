"""What the SDK checks before it sends anything: a validated ``TaskRequest`` (from a request, a Goal Engine
message or a dict), its salted digest for ``request_id`` idempotency, the payload of each review verb, and
the Temporal priority of a request. Plain functions over the contracts; no Temporal calls."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio.common import Priority

from browserflow.contracts import Approve, Instruct, Pause, ProvideInput, Reject, Resume, TakeOver, TaskRequest
from browserflow.errors import RequestInvalid
from client.goal_engine import GoalEngineTask

__all__ = [
    "DIGEST_MEMO",
    "MAX_REQUEST_BYTES",
    "REVIEW_PAYLOADS",
    "parse_request",
    "request_digest",
    "review_payload",
    "same_request",
    "temporal_priority",
]

# the largest request accepted, as compact JSON: well under Temporal's payload limits (a warning at 512 KiB,
# a refusal at 2 MiB), so a request is refused here, naming its largest field, and never half-way through a start
MAX_REQUEST_BYTES = 256 * 1024
DIGEST_MEMO = "request_digest"


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "request"
        message = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{field}: {message}")
    return "invalid task request: " + "; ".join(parts)


def parse_request(raw: TaskRequest | GoalEngineTask | Mapping[str, Any]) -> TaskRequest:
    """A validated ``TaskRequest`` from a request, a Goal Engine message or a dict of either shape.

    Raises ``RequestInvalid`` naming every bad field and why, and for a request over ``MAX_REQUEST_BYTES``.
    """
    try:
        if isinstance(raw, TaskRequest):
            req = raw
        elif isinstance(raw, GoalEngineTask):
            req = raw.to_request()
        elif isinstance(raw, Mapping) and "type" in raw:
            req = GoalEngineTask.model_validate(dict(raw)).to_request()
        elif isinstance(raw, Mapping):
            req = TaskRequest.model_validate(dict(raw))
        else:
            raise RequestInvalid(f"invalid task request: request: must be a JSON object, not {type(raw).__name__}")
    except ValidationError as exc:
        raise RequestInvalid(_explain(exc)) from None
    _check_size(req)
    return req


def _check_size(req: TaskRequest) -> None:
    size = len(req.model_dump_json().encode())
    if size <= MAX_REQUEST_BYTES:
        return
    sizes = {name: len(req.model_dump_json(include={name}).encode()) for name in type(req).model_fields}
    field = max(sizes, key=lambda name: sizes[name])
    raise RequestInvalid(
        f"invalid task request: {field}: the request is {size:,} bytes, over the limit of {MAX_REQUEST_BYTES:,}"
        f" bytes ({field} alone is {sizes[field]:,}); pass large inputs by reference (a URL or an env: name)"
    )


def request_digest(req: TaskRequest, salt: str | None = None) -> str:
    """``sha256:SALT:HEX``, a salted digest of the canonical request (every field after validation, keys
    sorted), kept in the workflow's memo so a repeated ``request_id`` can be checked against it. It reveals
    nothing of the request: the salt is random per task, so the same request gives unrelated digests."""
    salt = salt or secrets.token_hex(16)
    canonical = json.dumps(req.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()
    digest = hmac.new(bytes.fromhex(salt), canonical, hashlib.sha256).hexdigest()
    return f"sha256:{salt}:{digest}"


def same_request(req: TaskRequest, stored: object) -> bool:
    if not isinstance(stored, str) or stored.count(":") != 2:
        return False
    _, salt, _ = stored.split(":")
    try:
        return hmac.compare_digest(request_digest(req, salt), stored)
    except ValueError:  # not hex: not one of ours
        return False


REVIEW_PAYLOADS: dict[str, type[BaseModel]] = {
    "approve": Approve,
    "reject": Reject,
    "provide_input": ProvideInput,
    "instruct": Instruct,
    "take_over": TakeOver,
    "pause": Pause,
    "resume": Resume,
}


def review_payload(verb: str, **fields: Any) -> BaseModel:
    """The validated payload of a verb (approve, reject, provide_input, instruct, take_over, pause, resume);
    ``RequestInvalid`` naming each bad field otherwise. Checked before anything is sent."""
    try:
        return REVIEW_PAYLOADS[verb].model_validate(fields)
    except ValidationError as exc:
        raise RequestInvalid(_explain(exc).replace("invalid task request", f"invalid {verb}")) from None


def temporal_priority(priority: int) -> Priority:
    """Map the caller's 1 (lowest) .. 10 (highest) onto Temporal's priority keys 5 (lowest) .. 1 (highest)."""
    return Priority(priority_key=1 + round((10 - priority) * 4 / 9))
