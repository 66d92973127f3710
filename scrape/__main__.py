"""`python -m scrape` runs the CLI."""

from .cli import main

raise SystemExit(main())
