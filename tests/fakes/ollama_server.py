"""A fake Ollama server: ``POST /api/chat`` (non-streaming and NDJSON streaming), ``GET /api/tags``,
``GET /api/version``, with the real response and error shapes."""

from __future__ import annotations

import collections
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tests.fakes import FakeHTTPServer, RecordedRequest, Response

__all__ = ["FakeOllama", "OllamaReply"]

VERSION = "0.6.5"


@dataclass
class OllamaReply:
    """One scripted answer to ``/api/chat``."""

    content: str | None = None  # the assistant message content, verbatim
    status: int = 200
    error: str = ""  # message of an error reply ({"error": ...})
    raw_body: bytes | None = None  # replaces the whole HTTP body (malformed responses)
    delay: float = 0.0
    hang: bool = False
    drop: bool = False
    prompt_eval_count: int = 120
    eval_count: int = 40
    model: str | None = None
    done_reason: str = "stop"

    @classmethod
    def answer(cls, answer: dict[str, Any], **kw: Any) -> OllamaReply:
        return cls(content=json.dumps(answer), **kw)

    @classmethod
    def text(cls, content: str, **kw: Any) -> OllamaReply:
        return cls(content=content, **kw)

    @classmethod
    def http(cls, status: int, error: str = "internal error", **kw: Any) -> OllamaReply:
        return cls(status=status, error=error, **kw)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class FakeOllama(FakeHTTPServer):
    def __init__(self, models: list[str] | None = None) -> None:
        super().__init__()
        self.models = list(models or ["qwen2.5:7b-instruct"])
        self._replies: collections.deque[OllamaReply] = collections.deque()
        self._script_lock = threading.Lock()

    def __enter__(self) -> FakeOllama:
        super().__enter__()
        return self

    def script(self, *replies: OllamaReply) -> FakeOllama:
        with self._script_lock:
            self._replies.extend(replies)
        return self

    @property
    def pending(self) -> int:
        return len(self._replies)

    @property
    def chats(self) -> list[RecordedRequest]:
        return self.requests_to("/api/chat")

    def respond(self, request: RecordedRequest) -> Response:
        path = request.path.split("?")[0]
        if request.method == "GET" and path == "/api/version":
            return Response.json(200, {"version": VERSION})
        if request.method == "GET" and path == "/api/tags":
            return Response.json(200, {"models": [self._model_entry(m) for m in self.models]})
        if request.method == "POST" and path == "/api/chat":
            return self._chat(request)
        return Response(status=404, body=b"404 page not found", headers={"content-type": "text/plain"})

    @staticmethod
    def _model_entry(name: str) -> dict[str, Any]:
        return {
            "name": name,
            "model": name,
            "modified_at": "2025-01-01T00:00:00Z",
            "size": 4683087332,
            "digest": "845dbda0ea48ed749caafd9e6037047aa19acfcfd82e704d7ca97d631a0b697e",
            "details": {
                "parent_model": "",
                "format": "gguf",
                "family": "qwen2",
                "families": ["qwen2"],
                "parameter_size": "7.6B",
                "quantization_level": "Q4_K_M",
            },
        }

    def _chat(self, request: RecordedRequest) -> Response:
        try:
            body = request.json()
        except ValueError:
            return Response.json(400, {"error": "invalid character in request body"})
        model = body.get("model") if isinstance(body, dict) else None
        if not model:
            return Response.json(400, {"error": "model is required"})
        if model not in self.models:
            return Response.json(404, {"error": f'model "{model}" not found, try pulling it first'})
        with self._script_lock:
            reply = self._replies.popleft() if self._replies else None
        if reply is None:
            return Response.json(500, {"error": "fake ollama: no scripted reply left"})
        timing: dict[str, Any] = {"delay": reply.delay, "hang": reply.hang, "drop": reply.drop}
        if reply.raw_body is not None:
            return Response(
                status=reply.status, body=reply.raw_body, headers={"content-type": "application/json"}, **timing
            )
        if reply.status != 200:
            return Response.json(reply.status, {"error": reply.error}, **timing)
        final = {
            "model": reply.model or model,
            "created_at": _now(),
            "message": {"role": "assistant", "content": reply.content or ""},
            "done_reason": reply.done_reason,
            "done": True,
            "total_duration": 1_234_567_890,
            "load_duration": 12_345_678,
            "prompt_eval_count": reply.prompt_eval_count,
            "prompt_eval_duration": 234_567_890,
            "eval_count": reply.eval_count,
            "eval_duration": 987_654_321,
        }
        if body.get("stream", True) is False:
            return Response.json(200, final, **timing)
        # streaming (the API's default): NDJSON, content first, then the final record with an empty message
        first = {"model": final["model"], "created_at": _now(), "message": final["message"], "done": False}
        last = {**final, "message": {"role": "assistant", "content": ""}}
        chunks = [json.dumps(first).encode() + b"\n", json.dumps(last).encode() + b"\n"]
        return Response(status=200, headers={"content-type": "application/x-ndjson"}, chunks=chunks, **timing)
