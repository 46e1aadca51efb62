"""Commits whose messages lack a final newline, pushed for real.

``git commit-tree`` (and any tool that writes commits itself) can make a message
that does not end in a newline. regime reads each commit's message and diff from
one ``git diff-tree --stdin`` stream, where such a message runs straight into the
NUL that ends its record; read carelessly, the record swallows the commit's diff and
the next commit, and a bad line would pass unseen.
"""

from __future__ import annotations

from pathlib import Path

from test_git_pre_receive import REJECTED, make_server, remote


def test_commits_without_final_newline_are_each_checked(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    repo = srv.clone
    head = repo.git("rev-parse", "HEAD").strip()
    for i, text in enumerate(["clean = 1\n", "bad = 2 \n", "clean = 3\n"]):
        repo.write(f"svc{i}.conf", text)
        repo.git("add", f"svc{i}.conf")
        tree = repo.git("write-tree").strip()
        head = repo.git("commit-tree", tree, "-p", head, stdin=f"Add svc{i}".encode()).strip()
    assert not repo.git("cat-file", "commit", head).endswith("\n")
    repo.git("update-ref", "refs/heads/main", head)
    res = srv.push("origin", "main")
    assert res.code != 0 and REJECTED in res.err, res.text
    lines = remote(res)
    assert any(line.startswith("svc1.conf:1:8: WS102 ") for line in lines), lines
    assert any(line.startswith("*** commit ") and line.endswith(": Add svc1") for line in lines)
    assert srv.ref("refs/heads/main") != head
