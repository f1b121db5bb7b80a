"""``python -m client.cli``: the ``browserflow`` program."""

from client.cli.main import main

raise SystemExit(main())
