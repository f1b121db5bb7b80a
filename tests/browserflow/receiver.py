"""A callback receiver for the tests: a real HTTP server on 127.0.0.1 (``http.server`` in a thread) that does
what a Goal Engine's endpoint should - verify the ``X-Browserflow-Signature`` of the raw body and keep each event
once, by its ``X-Browserflow-Event`` id - and can misbehave for its first requests: answer a status, drop the
connection unanswered (a receiver that is down), or keep the event and then answer 500 (a lost acknowledgement).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

__all__ = ["DROP", "LOST_ACK", "Answer", "Receiver", "Request", "receiving"]

DROP: Literal["drop"] = "drop"  # close the connection without an answer
LOST_ACK: Literal["lost_ack"] = "lost_ack"  # keep the event, then answer 500 as if the answer were lost
Answer = int | Literal["drop", "lost_ack"]


@dataclass(frozen=True)
class Request:
    """One request the receiver got."""

    event_id: str
    kind: str
    body: bytes
    signed: bool  # the signature header matched the body
    answered: int  # the HTTP status sent back (0: dropped)


class Receiver:
    """Verifies each request's HMAC with ``secret`` and keeps each event id once; ``answers`` go first."""

    def __init__(self, secret: str, answers: Iterable[Answer] = (), port: int = 0) -> None:
        self.secret = secret.encode()
        self.answers: deque[Answer] = deque(answers)
        self.requests: list[Request] = []
        self.events: dict[str, dict[str, Any]] = {}  # event id -> its message, kept once
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="callback-receiver", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/browserflow"

    def kinds(self) -> list[str]:
        with self.lock:
            return [r.kind for r in self.requests]

    def _valid(self, body: bytes, signature: str | None) -> bool:
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        return signature is not None and hmac.compare_digest(expected, signature)

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        body = http.rfile.read(int(http.headers.get("Content-Length") or 0))
        event = http.headers.get("X-Browserflow-Event") or ""
        kind = http.headers.get("X-Browserflow-Event-Type") or ""
        signed = self._valid(body, http.headers.get("X-Browserflow-Signature"))
        with self.lock:
            answer: Answer = self.answers.popleft() if self.answers else 200
            if answer == DROP:
                self.requests.append(Request(event, kind, body, signed, 0))
                http.close_connection = True
                http.connection.close()  # no status line: the sender sees a disconnect
                return
            if answer == LOST_ACK or (answer == 200 and signed):
                self.events.setdefault(event, json.loads(body))  # the same id again is a duplicate: kept once
            status = 500 if answer == LOST_ACK else (401 if answer == 200 and not signed else int(answer))
            self.requests.append(Request(event, kind, body, signed, status))
        http.send_response(status)
        http.send_header("Content-Length", "0")
        http.end_headers()

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def receiving(secret: str, answers: Iterable[Answer] = (), port: int = 0) -> Iterator[Receiver]:
    receiver = Receiver(secret, answers, port).start()
    try:
        yield receiver
    finally:
        receiver.stop()
