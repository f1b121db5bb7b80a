"""A fake Anthropic Messages API: ``POST /v1/messages`` with the real response shape (a ``tool_use`` block,
``stop_reason``, ``usage`` with cache fields) and the real error shapes (429 ``rate_limit_error`` with
``retry-after``, 529 ``overloaded_error``, 401 ``authentication_error``...). Checks the API key (``x-api-key``,
or ``Authorization: Bearer`` which the SDK 2.x sends) and the ``anthropic-version`` header."""

from __future__ import annotations

import collections
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.fakes import FakeHTTPServer, RecordedRequest, Response

__all__ = ["AnthropicReply", "FakeAnthropic"]

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass
class AnthropicReply:
    """One scripted answer to ``/v1/messages``."""

    tool_input: dict[str, Any] | None = None
    tool_name: str = "choose_action"
    text: str | None = None  # a text block (alone: the model did not call the tool)
    status: int = 200
    error_type: str | None = None
    error_message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes | None = None
    delay: float = 0.0
    hang: bool = False
    drop: bool = False
    input_tokens: int = 1000
    output_tokens: int = 80
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    stop_reason: str | None = None
    model: str | None = None

    @classmethod
    def tool(cls, tool_input: dict[str, Any], **kw: Any) -> AnthropicReply:
        return cls(tool_input=tool_input, **kw)

    @classmethod
    def rate_limited(cls, retry_after: str = "1", **kw: Any) -> AnthropicReply:
        return cls(
            status=429,
            error_message="Number of request tokens has exceeded your per-minute rate limit",
            headers={"retry-after": retry_after},
            **kw,
        )

    @classmethod
    def overloaded(cls, **kw: Any) -> AnthropicReply:
        return cls(status=529, error_message="Overloaded", **kw)

    @classmethod
    def error(cls, status: int, message: str = "Internal server error", **kw: Any) -> AnthropicReply:
        return cls(status=status, error_message=message, **kw)


def _error(status: int, error_type: str, message: str, headers: dict[str, str] | None = None, **kw: Any) -> Response:
    request_id = "req_" + uuid.uuid4().hex[:24]
    payload = {"type": "error", "error": {"type": error_type, "message": message}, "request_id": request_id}
    return Response.json(status, payload, headers={"request-id": request_id, **(headers or {})}, **kw)


class FakeAnthropic(FakeHTTPServer):
    def __init__(self, api_key: str = "sk-ant-test-key") -> None:
        super().__init__()
        self.api_key = api_key
        self._replies: collections.deque[AnthropicReply] = collections.deque()
        self._script_lock = threading.Lock()

    def __enter__(self) -> FakeAnthropic:
        super().__enter__()
        return self

    def script(self, *replies: AnthropicReply) -> FakeAnthropic:
        with self._script_lock:
            self._replies.extend(replies)
        return self

    @property
    def pending(self) -> int:
        return len(self._replies)

    @property
    def messages(self) -> list[RecordedRequest]:
        return self.requests_to("/v1/messages")

    def respond(self, request: RecordedRequest) -> Response:
        if request.method != "POST" or request.path.split("?")[0] != "/v1/messages":
            return _error(404, "not_found_error", f"Not found: {request.method} {request.path}")
        key = request.headers.get("x-api-key")
        auth = request.headers.get("authorization", "")
        if key != self.api_key and auth != f"Bearer {self.api_key}":
            return _error(401, "authentication_error", "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return _error(400, "invalid_request_error", "anthropic-version: header is required")
        try:
            body = request.json()
        except ValueError:
            return _error(400, "invalid_request_error", "There was an error parsing the body of your request")
        if not isinstance(body, dict) or not body.get("model"):
            return _error(400, "invalid_request_error", "model: Field required")
        if not isinstance(body.get("max_tokens"), int):
            return _error(400, "invalid_request_error", "max_tokens: Field required")
        if not body.get("messages"):
            return _error(400, "invalid_request_error", "messages: Field required")

        with self._script_lock:
            reply = self._replies.popleft() if self._replies else None
        if reply is None:
            return _error(500, "api_error", "fake anthropic: no scripted reply left")
        timing: dict[str, Any] = {"delay": reply.delay, "hang": reply.hang, "drop": reply.drop}
        if reply.raw_body is not None:
            return Response(
                status=reply.status, body=reply.raw_body, headers={"content-type": "application/json"}, **timing
            )
        if reply.status != 200:
            error_type = reply.error_type or _ERROR_TYPES.get(reply.status, "api_error")
            return _error(reply.status, error_type, reply.error_message or error_type, reply.headers, **timing)

        content: list[dict[str, Any]] = []
        if reply.text is not None:
            content.append({"type": "text", "text": reply.text})
        if reply.tool_input is not None:
            content.append(
                {
                    "type": "tool_use",
                    "id": "toolu_" + uuid.uuid4().hex[:24],
                    "name": reply.tool_name,
                    "input": reply.tool_input,
                }
            )
        stop_reason = reply.stop_reason or ("tool_use" if reply.tool_input is not None else "end_turn")
        message = {
            "id": "msg_" + uuid.uuid4().hex[:24],
            "type": "message",
            "role": "assistant",
            "model": reply.model or body["model"],
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {
                "input_tokens": reply.input_tokens,
                "output_tokens": reply.output_tokens,
                "cache_creation_input_tokens": reply.cache_creation_input_tokens,
                "cache_read_input_tokens": reply.cache_read_input_tokens,
                "service_tier": "standard",
            },
        }
        return Response.json(
            200, message, headers={"request-id": "req_" + uuid.uuid4().hex[:24], **reply.headers}, **timing
        )
