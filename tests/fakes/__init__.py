"""Local fake HTTP servers that speak the real wire protocols of the LLM providers.

They run a stdlib ``ThreadingHTTPServer`` on 127.0.0.1:<free port> in a thread, as context managers, and are
reached by the real client libraries. Replies are scripted (a queue); every request is recorded.

Waiting (slow or hanging replies) happens on the server side on a ``threading.Event``, which ``__exit__``
sets, so a test never sleeps and no handler outlives the fake by more than a moment.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeHTTPServer", "RecordedRequest", "Response", "all_tiers"]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] | None = None  # streamed (chunked) body instead of ``body``
    delay: float = 0.0  # wait this long (on the server's release event) before answering
    hang: bool = False  # wait until the fake is closed (or ``hang_limit``)
    drop: bool = False  # close the connection without answering

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None, **kw: Any) -> Response:
        hdrs = {"content-type": "application/json", **(headers or {})}
        return cls(status=status, body=json.dumps(payload).encode(), headers=hdrs, **kw)


class FakeHTTPServer:
    """Base of the fakes: subclasses implement ``respond(request) -> Response``."""

    hang_limit = 10.0

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.release = threading.Event()
        self.answered = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- to implement ----------------------------------------------------------------------------------------

    def respond(self, request: RecordedRequest) -> Response:
        raise NotImplementedError

    # -- lifecycle -------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "the fake is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeHTTPServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                request = RecordedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with fake._lock:
                    fake.requests.append(request)
                try:
                    response = fake.respond(request)
                except Exception as exc:  # a bug in a fake must show up as a clear 500, not a hang
                    response = Response.json(500, {"error": f"fake failed: {type(exc).__name__}: {exc}"})
                if response.hang:
                    fake.release.wait(fake.hang_limit)
                elif response.delay:
                    fake.release.wait(response.delay)
                try:
                    if response.drop:
                        self.close_connection = True
                        return
                    self.send_response(response.status)
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    if response.chunks is not None:
                        self.send_header("transfer-encoding", "chunked")
                        self.end_headers()
                        for chunk in response.chunks:
                            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.write(b"0\r\n\r\n")
                    else:
                        self.send_header("content-length", str(len(response.body)))
                        self.end_headers()
                        self.wfile.write(response.body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                finally:
                    fake.answered.set()

            do_GET = _serve
            do_POST = _serve
            do_HEAD = _serve
            do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- reading ---------------------------------------------------------------------------------------------

    def requests_to(self, path: str, method: str = "POST") -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path and r.method == method]


def all_tiers(ollama: Any, claude: Any, timeout_s: float = 5) -> Any:
    """LLM settings with every tier on, pointed at the two fakes (an Ollama and an Anthropic server)."""
    from pydantic import SecretStr

    from browserflow.llm import LLMSettings

    return LLMSettings(
        tiers=["rules", "ollama", "claude"],
        ollama_host=ollama.url,
        anthropic_api_key=SecretStr(claude.api_key),
        anthropic_base_url=claude.url,
        timeout_s=timeout_s,
    )
