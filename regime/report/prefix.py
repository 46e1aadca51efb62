"""A text stream that starts every line with a fixed text (``GL-HOOK-ERR: `` for
GitLab, which shows a refused push's lines only when they carry it)."""

from __future__ import annotations

import io
from typing import TextIO


class LinePrefixer(io.TextIOBase):
    def __init__(self, inner: TextIO, prefix: str) -> None:
        super().__init__()
        self._inner = inner
        self._prefix = prefix
        self._at_line_start = True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._inner.encoding

    def write(self, text: str) -> int:
        """Prefix every line, empty ones too; lines end at "\\n" only."""
        out = []
        for index, piece in enumerate(text.split("\n")):
            if index:  # a "\n" ended the previous piece
                if self._at_line_start:
                    out.append(self._prefix)
                out.append("\n")
                self._at_line_start = True
            if piece:
                if self._at_line_start:
                    out.append(self._prefix)
                out.append(piece)
                self._at_line_start = False
        self._inner.write("".join(out))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()
