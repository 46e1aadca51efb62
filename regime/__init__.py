"""regime: a commit-policy gate for configuration and infrastructure repositories.

The data flows one way:
    where the change comes from (regime.sources, regime.diff)
      -> a change set (regime.changeset)
      -> checks (regime.checks)
      -> findings (regime.findings)
      -> report (regime.report)
Entrypoints, one per door, live in regime.hooks.
"""

__version__ = "0.2.0"
