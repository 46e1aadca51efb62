"""svn's own reading of a file, through real ``svn commit``s and the installed hook.

- A lone CR (a CR not followed by LF) ends a line of svn's diff as LF and CRLF do, so
  ``svnlook diff`` shows ``a\\rb\\n`` as two lines, its hunk counts count them so, and
  its line numbers count every lone CR above. regime reads it so and judges the file's
  own lines, as the git door does: a CR inside a line is nothing, one ending the file
  is trailing whitespace, and a finding names the line of the file (git's number).
- A symlink (``svn:special``) is stored as a file ``link TARGET``; its diff shows that
  "line", which is not text: it is skipped as the git door skips mode 120000. A file
  that only looks like one (no svn:special) is checked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import GitRepo, regime_staged_findings
from test_svn_door import Svn


@pytest.fixture
def hooked(tmp_path: Path) -> Svn:
    s = Svn(tmp_path)
    (s.wc / "trunk").mkdir()
    s.accept("Create the layout")
    s.install()
    return s


def staged(tmp_path: Path, files: dict[str, bytes]) -> tuple[int, set[tuple[str, int, str]]]:
    """What ``regime staged`` says of the same files, added to a fresh git repository."""
    repo = GitRepo(tmp_path / "git")
    for name, data in files.items():
        repo.write(name, data)
    repo.add()
    return regime_staged_findings(repo)


def test_a_lone_cr_inside_a_line_commits(hooked: Svn) -> None:
    hooked.write("trunk/a.c", b'char *s = "a\rb";\nint x;\n')
    hooked.accept("A CR inside a line")
    hooked.write("trunk/a.c", b'char *s = "a\rb";\nint x;\nchar *t = "c\rd\re";\n')
    hooked.accept("Another")
    hooked.write("trunk/b.c", b"a\rb\rc\nd\r\n")
    hooked.accept("A new file of them")


def test_a_lone_cr_ending_a_file_is_trailing_whitespace_as_in_git(
    hooked: Svn, tmp_path: Path
) -> None:
    """``o\\r`` last in a file: svnlook prints ``+o\\r`` and then its empty line after
    the file, which look like a CRLF line end; it is trailing whitespace."""
    hooked.write("trunk/end.c", b"int a;\nint b;\r")
    c = hooked.block()
    assert c.findings == ["trunk/end.c:2:7: WS102"]
    assert "trailing whitespace (1 carriage return): remove it" in c.hook
    assert staged(tmp_path, {"trunk/end.c": b"int a;\nint b;\r"}) == (
        1,
        {("trunk/end.c", 2, "WS102")},
    )


def test_findings_name_the_files_line_below_lone_crs_the_diff_does_not_show(
    hooked: Svn, tmp_path: Path
) -> None:
    """svn numbers the diff in its own lines: with two lone CRs at the top of the file,
    outside what the diff shows, it says line 14 for the file's line 12. The door
    reads the file (svnlook cat) and names line 12, as git does; a line holding a
    lone CR near the change is judged whole."""
    top = b"a\rb\rc\n" + b"".join(b"line %d\n" % n for n in range(2, 12))
    hooked.write("trunk/m.c", top + b"end\n")
    hooked.accept("The base")
    after = top + b"x\ry \nen\td\n"
    hooked.write("trunk/m.c", after)
    c = hooked.block()
    assert c.findings == ["trunk/m.c:12:4: WS102", "trunk/m.c:13:3: WS101"]
    assert staged(tmp_path, {"trunk/m.c": after}) == (
        1,
        {("trunk/m.c", 12, "WS102"), ("trunk/m.c", 13, "WS101")},
    )


def test_a_symlink_is_not_checked_as_text(hooked: Svn) -> None:
    """Targets holding a tab, a trailing space, a ">": the link commits, as in git."""
    os.symlink("tar>get ", hooked.wc / "trunk" / "link.conf")
    os.symlink("dir\twith tab", hooked.wc / "trunk" / "tabbed.c")
    hooked.accept("Links")
    assert hooked.svn("propget", "svn:special", "trunk/link.conf").strip() == "*"
    os.remove(hooked.wc / "trunk" / "link.conf")
    os.symlink("other target\t", hooked.wc / "trunk" / "link.conf")
    hooked.accept("A link moved to another target")


def test_a_file_that_only_looks_like_a_symlink_is_checked(hooked: Svn) -> None:
    hooked.write("trunk/fake.c", b"link x ")
    c = hooked.block()
    assert c.findings == ["trunk/fake.c:1:7: WS102"]
    os.symlink("tar>get ", hooked.wc / "trunk" / "link.conf")
    hooked.write("trunk/fake.c", b"link x\t")
    c = hooked.block()
    assert c.findings == ["trunk/fake.c:1:7: WS101", "trunk/fake.c:1:7: WS102"]


def test_a_line_going_on_past_what_the_diff_shows_is_judged_whole(
    tmp_path: Path,
) -> None:
    """The first of svn's lines changed, the next three as context, all ending in a
    lone CR: the diff shows ``X\\rp\\rq\\rr\\r`` of the file's line, which looks like a
    trailing CR, and not the rest of it (``s``, or a tab further on, which git, showing
    the whole line, flags). The door reads the file and judges the line whole."""
    svn = Svn(tmp_path / "svn")
    (svn.wc / "trunk").mkdir()
    svn.write("trunk/u.c", b"x\rp\rq\rr\rs\n")
    svn.write("trunk/t.c", b"x\rp\rq\rr\rs\tend\n")
    svn.accept("The base, before the hook")
    svn.install()
    svn.write("trunk/u.c", b"X\rp\rq\rr\rs\n")
    svn.accept("No trailing CR: the line goes on")
    svn.write("trunk/t.c", b"X\rp\rq\rr\rs\tend\n")
    c = svn.block()
    assert c.findings == ["trunk/t.c:1:10: WS101"]
    assert staged(tmp_path, {"trunk/t.c": b"X\rp\rq\rr\rs\tend\n"}) == (
        1,
        {("trunk/t.c", 1, "WS101")},
    )
