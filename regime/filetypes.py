"""What a changed file is, for the rules whose policy names file types (``types:``).

The types are identify's tags, the library pre-commit uses for its ``types:``, and
they are found the way identify finds them: by the file's name first (``.sh``,
``Makefile``, ``.bashrc``), and only when the name says nothing (``etc/init.d/myservice``)
by the interpreter of its shebang (``#!/bin/sh``: shell, ``#!/usr/bin/env python3``:
python). Unlike identify, the shebang counts whether or not the file is executable: a
configuration repository (svn without svn:executable, files a deployment tool installs
0755) often does not carry the mode, and a script is a script.

The first bytes come from the change itself when it shows its first line (an added
line 1), else from the door's content reader (``ChangeSet.contents``: the staged
blob, the pushed blob, the svn transaction's file); a whole file (tree mode) is
already in memory. Nothing is read twice, and never more than the shebang's bytes
where the source can stop (svnlook, a large git blob). A diff on its own (``regime
diff``) has no reader: there only the name and an added line 1 count. A symbolic
link or a binary file is never a script.
"""

from __future__ import annotations

import io

from regime.changeset import ChangedFile, Contents, FileStatus

# Linux reads at most 255 bytes of a shebang line (BINPRM_BUF_SIZE 256 since 5.1):
# an interpreter beyond them is not the one the kernel runs.
SHEBANG_BYTES = 256

_NONE: frozenset[str] = frozenset()
_BINARY = frozenset({"binary"})


class FileType:
    """One changed file's type tags, found when a rule first asks for them."""

    __slots__ = ("_changed", "_content_tags", "_contents", "_tags")

    def __init__(self, changed: ChangedFile, contents: Contents | None) -> None:
        self._changed = changed
        self._contents = contents
        self._tags: frozenset[str] | None = None
        self._content_tags: frozenset[str] | None = None

    @classmethod
    def of(cls, changed: ChangedFile, contents: Contents | None) -> FileType:
        """The type of ``changed``: the one made last when it is of the same file (a
        door that asked before handing the file on, as svn's plain copies do), so a
        file is never read twice for it."""
        last = _last[0]
        if last is not None and last._changed is changed:
            return last
        made = _last[0] = cls(changed, contents)
        return made

    def tags(self) -> frozenset[str]:
        if self._tags is None:
            self._tags = self._find()
        return self._tags

    @property
    def found(self) -> frozenset[str] | None:
        """The tags if some rule has asked for them already (None: not looked at)."""
        return self._tags

    def named(self, path: str) -> _Named:
        """The type the same bytes have under ``path`` (a rename's or copy's old name:
        its own name decides first, then this file's shebang)."""
        return _Named(self, path)

    def _find(self, path: str | None = None) -> frozenset[str]:
        """identify's way: the name first; the shebang only when it says nothing."""
        changed = self._changed
        if changed.link:
            return frozenset({"symlink"})
        if changed.status is FileStatus.DELETED:
            return _NONE
        from identify import identify

        named = identify.tags_from_filename(changed.path if path is None else path)
        if named:
            return frozenset(named)
        return self._by_content()

    def _by_content(self) -> frozenset[str]:
        """The tags of the shebang (or binary), read once."""
        if self._content_tags is None:
            self._content_tags = self._shebang_tags()
        return self._content_tags

    def _shebang_tags(self) -> frozenset[str]:
        from identify import identify

        head = self._head()
        if head is None:
            return _NONE
        if b"\0" in head:
            return _BINARY
        shebang = identify.parse_shebang(io.BytesIO(head))
        if not shebang:
            return _NONE
        return frozenset(identify.tags_from_interpreter(shebang[0]))

    def _head(self) -> bytes | None:
        """The file's first bytes: from the change when it shows line 1 (a whole
        file, a new one, a hunk from line 1), else from the door's reader (None: no
        reader, or not a file there)."""
        changed = self._changed
        if not changed.binary:
            first = first_line(changed)
            if first is not None:
                return first
        if self._contents is None:
            return None
        return self._contents.head(changed, SHEBANG_BYTES)


class _Named:
    """A file's bytes under another name, as a rule asks its type (``tags``)."""

    __slots__ = ("_of", "_path")

    def __init__(self, of: FileType, path: str) -> None:
        self._of = of
        self._path = path

    def tags(self) -> frozenset[str]:
        return self._of._find(self._path)

    def named(self, path: str) -> _Named:
        return self._of.named(path)


def first_line(changed: ChangedFile) -> bytes | None:
    """The file's first bytes as far as a shebang needs them when the change shows
    them: its line 1 when that starts ``#!`` (an added line, or a context line of a
    hunk from the top); nothing (``b""``) when line 1 is shown and is not a shebang, or
    the change shows the file whole (a whole file, a new one); None when the change
    does not say. Read from the added content's own index, not by a screen over all
    of it."""
    first = changed.added.line_one()
    if first is not None:
        return first[:SHEBANG_BYTES] if first.startswith(b"#!") else b""
    shown_whole = changed.status in (FileStatus.WHOLE, FileStatus.ADDED)
    if shown_whole and changed.too_big is None and changed.problem is None:
        return b""
    return None


_last: list[FileType | None] = [None]
