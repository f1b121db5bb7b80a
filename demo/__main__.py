"""``python -m demo [--port 8765]``: serve the demo site until SIGINT or SIGTERM.

The first line printed on stdout is the site's URL (with the chosen port when ``--port 0``).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from demo.site import DemoSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description="Serve the Riverside Swim School demo site.")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--seed", type=int, default=None, help="seed for confirmation numbers (default: random)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    site = DemoSite(port=args.port, seed=args.seed, verbose=args.verbose)
    try:
        url = site.start()
    except OSError as exc:
        print(f"cannot serve on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(url, flush=True)
    print("Riverside Swim School demo site is running; press Ctrl+C to stop.", file=sys.stderr, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        site.stop()
    print("demo site stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
