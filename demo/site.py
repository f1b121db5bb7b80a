""":class:`DemoSite`: runs the demo site's HTTP server (``demo.server``) on 127.0.0.1 in a background thread
and keeps the site's state (registrations, sessions, fault switches) behind one lock.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections import Counter
from dataclasses import dataclass
from types import TracebackType

from demo import pages
from demo.faults import Faults
from demo.school import CLASSES_BY_ID, Registration, confirmation_number
from demo.server import DemoServer

__all__ = ["HOST", "DemoSite"]

HOST = "127.0.0.1"


@dataclass
class _Session:
    username: str
    uses: int = 0


class DemoSite:
    """The Riverside Swim School demo site. ``start()`` serves it in a background thread; usable as a context
    manager. After ``stop()``, ``start()`` serves again on the same port (so the URL stays valid)."""

    def __init__(
        self,
        port: int = 0,
        *,
        username: str = "eden",
        password: str = "s3cret-pool",
        seed: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.host = HOST
        self.port = port
        self.username = username
        self.password = password
        self.seed = secrets.randbelow(1_000_000) if seed is None else seed
        self.verbose = verbose
        self.faults = Faults()
        self._lock = threading.Lock()
        self._registrations: list[Registration] = []
        self._by_confirmation: dict[str, Registration] = {}
        self._counter = 0  # never reset, so confirmation numbers stay unique for the life of the site
        self._sessions: dict[str, _Session] = {}
        self._flows_completed = 0
        self._server: DemoServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.registered = threading.Event()  # set whenever a registration is recorded (tests wait on it)
        self.hold_confirmation: threading.Event | None = None  # set: the reply to a recorded POST waits for it

    # --------------------------------------------------------------------------------------------------
    # lifecycle

    def start(self) -> str:
        """Start serving (idempotent); returns the base URL, e.g. ``http://127.0.0.1:8765``."""
        if self._server is not None:
            return self.base_url
        self._stopping.clear()
        server = DemoServer((self.host, self.port), self)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"demo-site-{self.port}", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and join the server thread (idempotent)."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes responses held back by the slow fault
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> DemoSite:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of a path on this site."""
        if self.port == 0:
            raise RuntimeError("the site has no port yet: call start() first")
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # --------------------------------------------------------------------------------------------------
    # state

    @property
    def registrations(self) -> list[Registration]:
        with self._lock:
            return list(self._registrations)

    def registration_count(self) -> int:
        with self._lock:
            return len(self._registrations)

    def flows_completed(self) -> int:
        """How many generated ``/gen`` flows were submitted through their last step."""
        with self._lock:
            return self._flows_completed

    def reset(self) -> None:
        """Forget registrations, sessions, completed flows; switch every fault off and zero its counter."""
        with self._lock:
            self._registrations.clear()
            self._by_confirmation.clear()
            self._sessions.clear()
            self._flows_completed = 0
        self.faults.clear()
        self.registered.clear()
        if self.hold_confirmation is not None:
            self.hold_confirmation.set()  # release anything still held
        self.hold_confirmation = None

    def _register(self, form: dict[str, str]) -> Registration:
        swim_class = CLASSES_BY_ID[form["class_id"]]
        with self._lock:
            self._counter += 1
            reg = Registration(
                confirmation=confirmation_number(self.seed, self._counter),
                student_name=form["student_name"].strip(),
                email=form["email"].strip(),
                class_id=swim_class.class_id,
                class_name=swim_class.name,
                level=form["level"],
                date_of_birth=form.get("date_of_birth", "").strip(),
                newsletter=bool(form.get("newsletter")),
            )
            self._registrations.append(reg)
            self._by_confirmation[reg.confirmation] = reg
        self.registered.set()
        return reg

    def _find(self, confirmation: str) -> Registration | None:
        with self._lock:
            return self._by_confirmation.get(confirmation)

    def _spaces(self) -> dict[str, int]:
        with self._lock:
            counts = Counter(r.class_id for r in self._registrations)
        return pages.spaces_left(counts)

    def _login(self, username: str, password: str) -> str | None:
        ok_user = hmac.compare_digest(username.encode(), self.username.encode())
        ok_pass = hmac.compare_digest(password.encode(), self.password.encode())
        if not (ok_user and ok_pass):
            return None
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[token] = _Session(username)
        return token

    def _logout(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    def _authenticate(self, token: str | None) -> tuple[str | None, bool]:
        """(username or None, whether the session just expired). Counts one authenticated request."""
        if not token:
            return None, False
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None, False
            session.uses += 1
            limit = self.faults.session_expires_after
            if not limit or session.uses <= limit:
                return session.username, False
            del self._sessions[token]
        self.faults.record("session_expired")
        return None, True

    def _complete_flow(self) -> None:
        with self._lock:
            self._flows_completed += 1
