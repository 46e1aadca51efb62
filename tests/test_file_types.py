"""File types by content (docs/file-types.md): a script whose name has no suffix
(``etc/init.d/myservice`` starting ``#!/bin/sh``) is checked as a shell script, at
every door, from what that door reads: the staged blob, the pushed blob, the svn
transaction's file, the file on disk; a diff on its own only by name and line 1."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import GitRepo, run_regime
from test_git_pre_receive import assert_accepted, assert_refused, make_server
from test_svn_door import Svn, hooked, svn  # noqa: F401  (the fixtures)

SERVICE = "etc/init.d/myservice"
SCRIPT = "#!/bin/sh\n# start and stop the service\n\techo starting\n"
TAB_LINE = "etc/init.d/myservice:3:1: WS101 a tab character in an added line: indent with spaces"


def test_staged_a_new_script_without_a_suffix_is_checked_by_its_shebang(repo: GitRepo) -> None:
    repo.write(SERVICE, SCRIPT)
    repo.write("etc/hosts", "127.0.0.1\tlocalhost\n")  # no shebang, no suffix: not a script
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert res.out.splitlines()[0] == TAB_LINE
    assert "etc/hosts" not in res.out
    assert res.out.splitlines()[-1].startswith(
        "regime: 1 error (WS101 x1) in 1 file checked, 1 skipped (not selected by any rule); "
        "the commit is blocked"
    )


def test_staged_a_modified_script_is_typed_from_the_index_blob(repo: GitRepo) -> None:
    """Line 1 is not in the diff: the shebang is read from the staged blob (not the
    work tree, which says something else), executable or not."""
    repo.write(SERVICE, SCRIPT.replace("\t", "    "))
    repo.commit("Add the service")
    repo.write(SERVICE, SCRIPT.replace("\t", "    ") + "\techo done\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert res.out.startswith("etc/init.d/myservice:4:1: WS101")
    # the work tree's file no longer looks like a script: the index decides
    repo.write(SERVICE, "not a script\n\tat all\n")
    again = repo.regime("staged")
    assert again.code == 1 and again.out.startswith("etc/init.d/myservice:4:1: WS101"), again.text


def test_a_large_script_is_typed_from_its_first_bytes(repo: GitRepo) -> None:
    """A blob over 64 KiB is not read whole for its shebang (a cat-file stopped early)."""
    body = "#!/usr/bin/env python3\n" + "x = 1\n" * 20000
    repo.write("bin/deploy", body)
    repo.commit("Add deploy")
    repo.write("bin/deploy", body + "if x:\n\tpass\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert res.out.startswith("bin/deploy:20003:1: WS101"), res.out


def test_the_name_decides_before_the_content(repo: GitRepo) -> None:
    """A name identify knows is never read: notes.txt is text whatever its first line,
    .bashrc is shell although it has no shebang."""
    repo.write("notes.txt", "#!/bin/sh\n\tnot checked\n")
    repo.write("home/ada/.bashrc", "alias ll='ls -l'\n\tindented\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert [line.split(" ")[0] for line in res.out.splitlines() if ": WS" in line] == [
        "home/ada/.bashrc:2:1:"
    ]


def test_a_symlink_or_a_binary_file_is_not_a_script(repo: GitRepo) -> None:
    os.makedirs(repo.path / "etc/init.d")
    os.symlink("#!/bin/sh\tx", repo.path / SERVICE)  # its "content" is where it points
    repo.write("bin/tool", b"#!/bin/sh\n\techo\n\0\x01binary payload\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    assert res.out == (
        "regime: no problems in 0 files checked, 2 skipped (1 a symbolic link, 1 binary).\n"
    )


def test_a_rename_to_a_script_name_is_checked_whole(repo: GitRepo) -> None:
    """git mv of a .txt (never checked) to a name without a suffix: its content is new
    to the rule, which the copy's type brings it under, so the whole file is checked."""
    repo.write("notes.txt", SCRIPT)
    repo.commit("Notes")
    (repo.path / "etc/init.d").mkdir(parents=True)
    repo.git("mv", "notes.txt", SERVICE)
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert res.out.startswith("etc/init.d/myservice:3:1: WS101 a tab character: indent"), res.out


def test_a_script_moved_or_copied_as_it_is_brings_no_old_line_under_a_rule(
    repo: GitRepo,
) -> None:
    """git mv of a script without a suffix (its old tabs committed before types
    counted) to another such name: the same bytes were a script under the old name
    too, so no rule is new to them and nothing of the old lines is reported."""
    (repo.path / "etc/init.d").mkdir(parents=True)
    repo.write(SERVICE, SCRIPT)
    repo.commit("Legacy service")
    repo.git("mv", SERVICE, "etc/init.d/renamed")
    res = repo.regime("staged")
    assert res.code == 0, res.text
    # the same move with an edit: the old bytes are not read, the old name alone
    # says nothing, so the rule is new to the file and every line of it is checked
    repo.write("etc/init.d/renamed", SCRIPT + "echo done\n")
    repo.git("add", "etc/init.d/renamed")
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert res.out.startswith("etc/init.d/renamed:3:1: WS101"), res.out


def test_check_reads_the_file_on_disk(repo: GitRepo, tmp_path: Path) -> None:
    repo.write(SERVICE, SCRIPT)
    repo.write("README", "\tnot a script\n")
    repo.commit("Add")
    res = repo.regime("check")
    assert res.code == 1, res.text
    assert res.out.splitlines()[0] == (
        "etc/init.d/myservice:3:1: WS101 a tab character: indent with spaces"
    )
    assert "1 file checked, 1 skipped (not selected by any rule)" in res.out
    plain = tmp_path / "plain"  # a folder outside git
    (plain / "init.d").mkdir(parents=True)
    (plain / "init.d/myservice").write_text(SCRIPT)
    res = run_regime("check", str(plain), cwd=tmp_path)
    assert res.code == 1 and "init.d/myservice:3:1: WS101" in res.out, res.text


def test_diff_alone_knows_only_the_name_and_an_added_line_1(repo: GitRepo) -> None:
    repo.write(SERVICE, SCRIPT)
    repo.add()
    new = repo.git("diff", "--cached")
    res = repo.regime("diff", stdin=new.encode())
    assert res.code == 1 and res.out.startswith(TAB_LINE), res.text  # line 1 is in the diff
    repo.commit("Add")
    repo.write(SERVICE, SCRIPT + "\techo again\n")
    changed = repo.git("diff", "-U0")
    res = repo.regime("diff", stdin=changed.encode())
    assert res.code == 0, res.text  # no reader: the shebang is not in this diff
    assert (
        res.out == "regime: no problems in 0 files checked, 1 skipped (not selected by any rule).\n"
    )
    # with git's own context the diff shows line 1, the shebang, as a context line
    res = repo.regime("diff", stdin=repo.git("diff").encode())
    assert res.code == 1 and res.out.startswith(f"{SERVICE}:4:1: WS101"), res.text


def test_the_policy_names_the_types(repo: GitRepo) -> None:
    repo.write("bin/r", "#!/usr/bin/env ruby\n\tputs 1\n")
    repo.write(SERVICE, SCRIPT)
    repo.add()
    repo.write(".regime.yaml", "rules:\n  WS101:\n    types: [ruby]\n")
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert [x.split(":")[0] for x in res.out.splitlines() if ": WS101" in x] == ["bin/r"]
    repo.write(".regime.yaml", "rules:\n  WS101:\n    extend_types: [ruby]\n")
    res = repo.regime("staged")
    assert [x.split(":")[0] for x in res.out.splitlines() if ": WS101" in x] == [
        "bin/r", SERVICE,
    ]  # fmt: skip
    repo.write(".regime.yaml", "rules:\n  WS101:\n    types: []\n  WS102:\n    types: []\n")
    assert repo.regime("staged").code == 0
    # an exclude pattern wins over the type
    repo.write(".regime.yaml", "rules:\n  WS101:\n    extend_exclude: ['etc/init.d/*']\n")
    assert repo.regime("staged").code == 0


def test_an_unknown_type_is_an_error_at_its_line(repo: GitRepo) -> None:
    repo.write(".regime.yaml", "rules:\n  WS101:\n    types:\n      - shell\n      - shel\n")
    res = repo.regime("staged")
    assert res.code == 2, res.text
    assert "/.regime.yaml:5:9: rules.WS101.types: 'shel' is not a file type identify" in res.err
    assert "did you mean one of: " in res.err and "shell" in res.err


def test_json_counts_checked_and_skipped(repo: GitRepo) -> None:
    repo.write(SERVICE, SCRIPT)
    repo.write("etc/hosts", "127.0.0.1 localhost\n")
    repo.add()
    doc = json.loads(repo.regime("staged", "--format", "json").out)
    assert doc["summary"]["files"] == 2
    assert doc["summary"]["checked"] == 1
    assert doc["summary"]["skipped"] == {"not selected by any rule": 1}


def test_a_push_of_a_script_without_a_suffix_is_refused(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write(SERVICE, SCRIPT.replace("\t", "    "))
    srv.clone.commit("Add the service")
    assert_accepted(srv.push("origin", "main"))
    srv.clone.write(SERVICE, SCRIPT.replace("\t", "    ") + "\techo stopped\n")
    srv.clone.commit("Say when it stops")
    lines = assert_refused(srv.push("origin", "main"))
    assert lines[0] == (
        "*** Push blocked by regime: etc/init.d/myservice: a tab character in an added line"
    )
    assert (
        "etc/init.d/myservice:4:1: WS101 a tab character in an added line: indent with spaces"
        in lines
    )


def test_an_svn_commit_of_a_script_without_a_suffix_is_blocked(hooked: Svn) -> None:  # noqa: F811
    hooked.write("trunk/" + SERVICE, SCRIPT.replace("\t", "    "))
    hooked.accept("Add the service")
    hooked.write("trunk/" + SERVICE, SCRIPT.replace("\t", "    ") + "\techo stopped\n")
    c = hooked.block("Say when it stops")
    assert c.findings == ["trunk/etc/init.d/myservice:4:1: WS101"], c.hook
    # an svn copy of a .txt with the same content to a name without suffix: the copy's
    # type brings it under WS101, which sees every line of it
    hooked.svn("revert", "-q", "-R", ".")
    hooked.write("trunk/notes.txt", SCRIPT)
    hooked.accept("Notes, tabs allowed")
    hooked.svn("cp", "-q", "trunk/notes.txt", "trunk/etc/init.d/other")
    c = hooked.block("Copy the notes as a service")
    assert c.findings == ["trunk/etc/init.d/other:3:1: WS101"], c.hook


def test_pre_commit_hook_door_checks_a_script_it_is_given(repo: GitRepo) -> None:
    """``regime pre-commit FILE`` (the framework's door, types: [text] in the manifest
    lets an extension-less script through)."""
    repo.write(SERVICE, SCRIPT)
    repo.add()
    res = repo.regime("pre-commit", SERVICE)
    assert res.code == 1 and res.out.startswith(TAB_LINE), res.text


def test_identify_is_imported_only_when_a_name_needs_it(repo: GitRepo) -> None:
    """Start-up stays small: a change of files every pattern decides never imports it."""
    repo.write("a.c", "int a;\n")
    repo.add()
    code = (
        "import sys, regime.cli\n"
        "rc = regime.cli.main(['staged'])\n"
        "assert 'identify' not in sys.modules, 'identify imported'\n"
        "sys.exit(rc)\n"
    )
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=repo.path, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout


def test_a_script_declared_binary_is_still_read_as_a_script(repo: GitRepo) -> None:
    """.gitattributes ``-diff`` makes git print no lines: the shebang (and then the
    lines) come from the blob, so the attribute is no way round the type."""
    repo.write(".gitattributes", "etc/init.d/* -diff\n")
    repo.commit("Attributes")
    repo.write(SERVICE, SCRIPT)
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert res.out.startswith("etc/init.d/myservice:3:1: WS101"), res.out


def test_a_new_script_over_the_size_limit_is_reported(repo: GitRepo) -> None:
    """Too big to read, but its first bytes say it is a script: LIM001, not a pass."""
    repo.write(".regime.yaml", "limits:\n  max_file_size: 1 kB\n")
    repo.commit("Policy")
    repo.write(SERVICE, SCRIPT + "echo padding\n" * 200)
    repo.write("etc/motd", "welcome\n" * 200)  # as big, no shebang: nothing to check
    repo.add()
    res = repo.regime("staged", "--format", "json")
    assert res.code == 1, res.text
    doc = json.loads(res.out)
    assert [(f["path"], f["code"]) for f in doc["findings"]] == [(SERVICE, "LIM001")]
    assert doc["summary"]["skipped"] == {"not selected by any rule": 1, "over the size limit": 1}
