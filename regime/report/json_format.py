"""The JSON report: every finding with its fields, and the counts."""

from __future__ import annotations

import json
from typing import TextIO

from regime.engine import Outcome


def render_json(outcome: Outcome, out: TextIO) -> None:
    doc = {
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "col": f.col,
                "code": f.code,
                "severity": f.severity.value,
                "message": f.message,
                "source": f.source,
                "context": f.context,
            }
            for f in outcome.findings
        ],
        "summary": {
            "errors": outcome.blocking,
            "warnings": len(outcome.findings) - outcome.blocking,
            "files": outcome.files,
            "checked": outcome.checked,
            "skipped": dict(outcome.skipped),
            "commits": outcome.commits,
            "blocked": outcome.blocking > 0,
        },
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")
