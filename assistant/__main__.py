"""`python -m assistant` runs the same CLI as the `followup` command."""

from assistant.cli import main

raise SystemExit(main())
