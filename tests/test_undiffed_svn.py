"""What ``svnlook diff`` does not show, through a real svn commit and the installed
hooks/pre-commit (issue 14, items 2 and 4).

- ``svn mv`` / ``svn cp`` of a file (or a folder) from a path under other rules: the
  content is new to the rules of the new path, every line counts for them; a copy
  between paths under the same rules is still judged by what it changes.
- ``svn:mime-type application/octet-stream`` on a text file ("(Binary files
  differ)"): binary is decided by the content; the lines the change adds are
  computed from both sides. A real binary file still passes.
"""

from __future__ import annotations

from test_svn_door import Svn, hooked, svn  # noqa: F401  (the fixtures)

# ruff: noqa: F811

LEGACY = "ok;\nint\tx;\nok too;\n"  # a tab on line 2


def test_svn_mv_from_txt_to_c_is_blocked(svn: Svn) -> None:
    svn.write("trunk/notes.txt", LEGACY)
    svn.accept("Notes")
    svn.install()
    svn.svn("mv", "-q", "trunk/notes.txt", "trunk/evil.c")
    c = svn.block()
    assert c.findings == ["trunk/evil.c:2:4: WS101"], c.hook


def test_svn_cp_from_a_makefile_and_from_an_excluded_folder_is_blocked(svn: Svn) -> None:
    svn.write("trunk/Makefile", "all:\n\techo hi\n")
    svn.write("legacy/old.c", LEGACY)
    svn.accept("Legacy")
    excluded = "rules:\n  WS101:\n    extend_exclude: ['legacy/**']\n"
    svn.install("--policy", svn.server_policy(excluded))
    svn.svn("cp", "-q", "trunk/Makefile", "trunk/build.sh")
    svn.svn("cp", "-q", "legacy", "src")  # a folder: its files come under WS101
    c = svn.block()
    assert sorted(c.findings) == ["src/old.c:2:4: WS101", "trunk/build.sh:2:1: WS101"], c.hook


def test_svn_cp_with_an_edit_under_new_rules_sees_the_whole_file(svn: Svn) -> None:
    svn.write("trunk/notes.txt", LEGACY)
    svn.accept("Notes")
    svn.install()
    svn.svn("cp", "-q", "trunk/notes.txt", "trunk/evil.c")
    svn.write("trunk/evil.c", LEGACY + "clean;\n")
    c = svn.block()
    assert c.findings == ["trunk/evil.c:2:4: WS101"], c.hook


def test_svn_cp_under_the_same_rules_is_judged_by_its_diff(svn: Svn) -> None:
    svn.write("trunk/old.c", LEGACY)
    svn.accept("Legacy")
    svn.install()
    svn.svn("cp", "-q", "trunk/old.c", "trunk/new.c")
    svn.svn("mv", "-q", "trunk/old.c", "trunk/moved.c")
    svn.accept("Copy and move legacy code")


def test_text_declared_binary_by_mime_type_is_checked(hooked: Svn) -> None:
    hooked.write("trunk/a.c", "ok;\n" * 30)
    hooked.write("trunk/real.c", b"\x00\x01\tbinary\t \n")
    hooked.svn("add", "-q", "trunk/a.c", "trunk/real.c")
    for name in ("trunk/a.c", "trunk/real.c"):
        hooked.svn("propset", "-q", "svn:mime-type", "application/octet-stream", name)
    hooked.accept("Add a.c and a real binary")
    # a modified file: only the line the change adds
    hooked.write("trunk/a.c", "ok;\n" * 15 + "\tbad;\n" + "ok;\n" * 15)
    # an added file: every line
    hooked.write("trunk/b.c", "ok;\nnew; \n")
    hooked.svn("add", "-q", "trunk/b.c")
    hooked.svn("propset", "-q", "svn:mime-type", "application/octet-stream", "trunk/b.c")
    c = hooked.block()
    assert c.findings == ["trunk/a.c:16:1: WS101", "trunk/b.c:2:5: WS102"], c.hook
    hooked.write("trunk/a.c", "ok;\n" * 31)
    hooked.write("trunk/b.c", "ok;\n")
    hooked.write("trunk/real.c", b"\x00\x02\tstill binary\t \n")
    hooked.accept("Clean")


GUEST = 'name = "{}"\nvif = [ "mac=00:16:3e:00:00:01" ]\n'


def test_svn_cp_of_a_folder_into_the_guest_configs_touches_its_files(svn: Svn) -> None:
    """`svnlook changed` names only the copied folder: its files are touched all the
    same, so a guest config it brings with a MAC another guest uses blocks."""
    svn.write("etc/xen/a.cfg", GUEST.format("a"))
    svn.write("off/b.cfg", GUEST.format("b"))
    svn.accept("Guests")
    svn.install()
    svn.svn("cp", "-q", "off", "etc/xen/more")
    c = svn.block()
    assert "etc/xen/more/b.cfg:2:9: XEN101" in c.findings, c.hook
    svn.svn("revert", "-q", "-R", ".")
    svn.svn("mv", "-q", "off/b.cfg", "etc/xen/b.cfg")
    c = svn.block()
    assert "etc/xen/b.cfg:2:9: XEN101" in c.findings, c.hook


def test_svn_cp_of_a_symlink_under_new_rules_has_no_lines(svn: Svn) -> None:
    """A symlink (svn:special) is "link TARGET" to svnlook cat: never lines, as git's
    door never reads one; a file copied beside it still is checked."""
    (svn.wc / "trunk/link.txt").symlink_to("a\tb ")
    svn.write("trunk/notes.txt", LEGACY)
    svn.accept("A link")
    svn.install()
    svn.svn("cp", "-q", "trunk/link.txt", "trunk/link.c")
    svn.accept("Copy the link")
    svn.svn("cp", "-q", "trunk/notes.txt", "trunk/evil.c")
    c = svn.block()
    assert c.findings == ["trunk/evil.c:2:4: WS101"], c.hook
