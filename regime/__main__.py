"""Allow ``python -m regime``."""

from regime.cli import main

raise SystemExit(main())
