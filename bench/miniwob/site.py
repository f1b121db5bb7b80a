"""The MiniWoB++ pages served on 127.0.0.1, with a small harness that seeds and starts each episode and
reports its first reward back to the server.

The ``miniwob`` package's ``html/`` folder is served as it is, except task pages requested with
``?bf_seed=N&bf_episode=ID``: those are served with :data:`HARNESS_JS` injected before ``</body>``. Once the
page has loaded (after the page's own ``window.onload``), the harness calls ``Math.seedrandom(N)`` and
``core.startEpisodeReal()`` (what MiniWoB's own gym environment does), so the problem is the same for the same
seed, and wraps ``core.endEpisode`` so the episode's first reward (raw reward, time-scaled reward, reason) is
sent to ``POST /__bf/reward``. MiniWoB's behaviour is otherwise kept: the 10 s episode timer (reward -1,
"timed out"), the time-scaled reward, the sync cover shown once the episode ended.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

__all__ = ["HARNESS_JS", "MAX_SEED", "EpisodeReward", "MiniWobSite", "check_seed", "html_root"]

MAX_SEED = 10000
"""Seeds must be below this (seeds >= 10000 are held out and never used here)."""

HARNESS_JS = r"""
(function () {
  var params = new URLSearchParams(window.location.search);
  var seed = Number(params.get('bf_seed'));
  var episode = params.get('bf_episode') || '';
  var sent = false;
  window.__bf = {seed: seed, episode: episode, started: false, reward: null};
  function report(raw, reward, reason) {
    if (sent) return;
    sent = true;
    var body = JSON.stringify({episode: episode, seed: seed, raw_reward: raw, reward: reward,
                               reason: reason === undefined || reason === null ? null : String(reason)});
    window.__bf.reward = {raw_reward: raw, reward: reward, reason: reason};
    if (!(navigator.sendBeacon && navigator.sendBeacon('/__bf/reward', body))) {
      fetch('/__bf/reward', {method: 'POST', body: body, keepalive: true});
    }
  }
  function start() {
    var original = core.endEpisode;
    core.endEpisode = function (reward, timeProportional, reason) {
      var live = core.EP_TIMER !== null;  // MiniWoB counts only the first call of an episode
      var out = original.apply(this, arguments);
      if (live) report(WOB_RAW_REWARD_GLOBAL, WOB_REWARD_GLOBAL, WOB_REWARD_REASON);
      return out;
    };
    if (core.cover_div === null) core.startEpisode();  // the page's onload normally did this
    Math.seedrandom(seed);
    core.startEpisodeReal();
    window.__bf.started = true;
  }
  window.addEventListener('load', function () { setTimeout(start, 0); });
})();
"""

_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def html_root() -> Path:
    """The ``html/`` folder of the installed ``miniwob`` package."""
    return Path(str(resources.files("miniwob").joinpath("html")))


@dataclass(frozen=True)
class EpisodeReward:
    """The first reward the page gave in one episode."""

    episode: str
    seed: int
    raw_reward: float
    reward: float
    reason: str | None


class _Handler(SimpleHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path.startswith("/miniwob/") and parts.path.endswith(".html") and "bf_seed" in query:
            self._task_page(parts.path, query)
            return
        super().do_GET()

    def _task_page(self, path: str, query: dict[str, list[str]]) -> None:
        try:
            seed = int(query["bf_seed"][0])
        except ValueError:
            self.send_error(HTTPStatus.BAD_REQUEST, "bf_seed must be an integer")
            return
        if not 0 <= seed < MAX_SEED:
            self.send_error(HTTPStatus.BAD_REQUEST, f"bf_seed must be in 0..{MAX_SEED - 1}")
            return
        file = (self.server.root / path.lstrip("/")).resolve()
        if self.server.root not in file.parents or not file.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        html = file.read_text(encoding="utf-8")
        script = f"<script>{HARNESS_JS}</script>"
        ends = list(_BODY_END.finditer(html))
        match = ends[-1] if ends else None
        html = html[: match.start()] + script + html[match.start() :] if match else html + script
        body = html.encode("utf-8")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/__bf/reward":
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            payload = json.loads(self.rfile.read(length) or b"{}")
            reward = EpisodeReward(
                episode=str(payload["episode"]),
                seed=int(payload["seed"]),
                raw_reward=float(payload["raw_reward"]),
                reward=float(payload["reward"]),
                reason=None if payload.get("reason") is None else str(payload["reason"]),
            )
        except (ValueError, KeyError, TypeError):
            self.send_error(HTTPStatus.BAD_REQUEST, "bad reward payload")
            return
        self.server.record(reward)
        self.send_response(HTTPStatus.NO_CONTENT)
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, port: int) -> None:
        self.root = root.resolve()
        self.rewards: dict[str, EpisodeReward] = {}
        self.changed = threading.Condition()
        super().__init__(("127.0.0.1", port), lambda *a: _Handler(*a, directory=str(self.root)))

    def record(self, reward: EpisodeReward) -> None:
        with self.changed:
            self.rewards.setdefault(reward.episode, reward)  # the first reward of an episode counts
            self.changed.notify_all()


class MiniWobSite:
    """The MiniWoB++ pages on ``http://127.0.0.1:<port>/``, with the episode harness and reward intake."""

    def __init__(self, port: int = 0, root: Path | None = None) -> None:
        self._server = _Server(root or html_root(), port)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def task_url(self, task: str, seed: int, episode: str) -> str:
        """The page of ``task`` that starts the episode of ``seed``, reporting its reward as ``episode``."""
        check_seed(seed)
        return self.url(f"/miniwob/{task}.html?" + urlencode({"bf_seed": seed, "bf_episode": episode}))

    def start(self) -> MiniWobSite:
        self._thread = threading.Thread(target=self._server.serve_forever, name="miniwob-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> MiniWobSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reward(self, episode: str) -> EpisodeReward | None:
        """The episode's reward if the page reported one."""
        with self._server.changed:
            return self._server.rewards.get(episode)

    def wait_reward(self, episode: str, timeout: float) -> EpisodeReward | None:
        """Wait up to ``timeout`` seconds for the episode's reward; ``None`` when the page reported none."""
        with self._server.changed:
            self._server.changed.wait_for(lambda: episode in self._server.rewards, timeout=timeout)
            return self._server.rewards.get(episode)


def check_seed(seed: int) -> int:
    """``seed`` when it is a usable seed (0..9999); a ``ValueError`` naming the rule otherwise."""
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < MAX_SEED:
        raise ValueError(f"MiniWoB seed {seed!r} refused: seeds must be integers in 0..{MAX_SEED - 1}")
    return seed
