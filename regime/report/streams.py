"""Text streams that adapt regime's output to what a door's front end can show."""

from __future__ import annotations

import io
from typing import TextIO


class LinePrefixer(io.TextIOBase):
    """Starts every line with a fixed text (``GL-HOOK-ERR: `` for GitLab, which shows
    a refused push's lines only when they carry it)."""

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


class AsciiEscaper(io.TextIOBase):
    """Writes ASCII only: any other character as ``{U+00FC}``, as svn itself does.

    svn converts a hook's stderr from the locale of the svn server process, which a
    hook cannot see (it runs with an empty environment); in the C locale, common for
    svnserve and Apache, one non-ASCII byte makes svn drop the whole report. Its
    ``encoding`` says ascii, so reporters choose ASCII glyphs (``>`` for a tab).
    """

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self._inner = inner

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "ascii"

    def write(self, text: str) -> int:
        self._inner.write(ascii_escaped(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()


def ascii_escaped(text: str) -> str:
    """``text`` in ASCII, every other character written as svn writes it. The report
    escapes a shown line with it before placing the caret under it, as a character
    takes several columns then."""
    if text.isascii():
        return text
    return "".join(c if c.isascii() else _escape(c) for c in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"{{U+{code:04X}}}"
