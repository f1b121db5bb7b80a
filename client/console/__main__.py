"""``python -m client.console``: the review console (what ``browserflow console`` and ``make up`` run)."""

from client.console.cli import main

raise SystemExit(main())
