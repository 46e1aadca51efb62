"""SARIF 2.1.0 for code-scanning uploads."""

from __future__ import annotations

import json
from typing import Any, TextIO

from regime import __version__
from regime.checks.rules import RULES
from regime.engine import Outcome


def render_sarif(outcome: Outcome, out: TextIO) -> None:
    used = sorted({f.code for f in outcome.findings} | set(RULES))
    index = {code: i for i, code in enumerate(used)}
    rules = [
        {
            "id": code,
            "name": RULES[code].name,
            "shortDescription": {"text": RULES[code].summary},
            "fullDescription": {"text": RULES[code].explain},
            "defaultConfiguration": {"level": _level(RULES[code].default.value)},
        }
        for code in used
    ]
    results: list[dict[str, Any]] = []
    for f in outcome.findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error" if f.blocking else "warning",
            "message": {"text": f.message if f.context is None else f"{f.context}: {f.message}"},
        }
        if not f.path.startswith("<"):
            region: dict[str, int] = {"startLine": max(f.line, 1)}
            if f.col:
                region["startColumn"] = f.col
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path)},
                        "region": region,
                    }
                }
            ]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "regime",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _level(severity: str) -> str:
    return {"error": "error", "warning": "warning"}.get(severity, "none")


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.encode("utf-8", "surrogateescape"), safe="/")
