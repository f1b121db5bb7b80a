"""``browserflow``: the command line for callers, reviewers and operators.

browserflow run REQUEST.json [--json]     start a task and wait; exit 0 only when the goal was reached
browserflow submit REQUEST.json           start a task, print its id
browserflow status ID [--json] | steps ID [--json] | cancel ID
                                          (status and watch show the current intent and the plan;
                                           steps shows each action with where its value came from)
browserflow list [--status S] [--site S]
browserflow worker [--max-sessions N]     run a worker (browser pool + Temporal workers)
browserflow server                        run the embedded Temporal dev server (Web UI on :8233)
browserflow up | down | demo              the local stack (what `make up/down/demo` call)
browserflow codec-server [--port N] [--new-key ID]   decode encrypted payloads for the Web UI
browserflow console [--port N] [--token T]          the review console in the browser (client/console)
browserflow paths [--site S] [--forget SIGNATURE]   the site-path cache; forget one path

Exit statuses (every command): 0 done (``run``/``watch``: the goal was reached); 1 the task ended without
reaching its goal (``trace``: none recorded); 2 bad input - the request, a verb's arguments or the
configuration, checked before any connection; 3 refused - no review pending, already answered, or the task has
already ended; 4 no task with that id; 5 Temporal unreachable, or the task did not answer (no worker); 130
interrupted. Each Temporal command owns its runtime and shuts it down before exiting (``client/session.py``).

The settings are read from the environment once, in ``main``, and passed down (flags override them; the CLI
never writes ``os.environ``). Modules: ``parser`` (arguments), ``request`` (input checked before any
connection), ``remote`` (Temporal commands), ``local`` (store, traces, worker, stack), ``exits``; what a
task shows on the terminal is ``client/progress.py``, shared with the demo.
"""

from __future__ import annotations

from client.cli.exits import EXIT
from client.cli.main import main
from client.cli.parser import build_parser
from client.progress import follow as _follow
from client.progress import print_progress as _print_progress
from client.progress import print_steps as _print_steps
from client.progress import web_ui_link

__all__ = ["EXIT", "build_parser", "main", "web_ui_link"]

_REEXPORTED = (_follow, _print_progress, _print_steps)  # the names tests and scripts import from ``client.cli``
