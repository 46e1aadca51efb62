"""Xen guest configs and iproute2 files judged as xl and ip read them, through the doors:
`regime check DIR`, `regime staged` and a real `git push` into a bare repository with
the hook installed.

What xl and ip do was read from their sources (Xen's tools/xl/xl_parse.c
parse_nic_config, libxlu_vif.c, libxlu_cfg.c and its flex lexer, which was also built
and run on each input here; iproute2's lib/rt_names.c and lib/utils.c do_batch):

- `rate=10mb/s`, `mtu=abc`, `devid=x` make `xl create` stop; `type=IOEMU` is refused
  with a message and the vif keeps its default type (XEN113). `bridge=xenbr0 ` and
  `script=vif-route ` keep their space and name nothing (XEN114).
- `"A\\101B"` is accepted and read as "AB" (XEN115, not XEN001); a lone last byte with no
  newline is accepted; a refusal's hint reaches the report (XEN001).
- `100 foo bar` is table 100 named foo, bar dropped (RT002); `ip -batch -` runs the lines
  of its here-document (RT105).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import GitRepo, base_env, run_regime
from test_git_pre_receive import assert_accepted, assert_refused, make_server

RT_TABLES = "255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n100\tuplink\n"


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def check_dir(root: Path, files: dict[str, str | bytes], *fmt: str) -> tuple[int, str]:
    write(root, files)
    res = run_regime("check", ".", *fmt, cwd=root)
    assert res.code in (0, 1), res.text
    return res.code, res.out


def finding_lines(out: str) -> list[str]:
    """The `PATH:LINE:COL: CODE message` lines of a text report."""
    return [line for line in out.splitlines() if line[:1] not in (" ", "") and ": " in line][:-1]


# ---------------------------------------------------------------------------
# item 8: vif values


BAD_VALUES = """name = "web"
vif = [ 'mac=00:16:3e:00:00:01,rate=10mb/s,mtu=abc,devid=x,type=IOEMU' ]
"""
W = "etc/xen/web.cfg:2:9:"


def test_vif_values_xl_rejects_are_xen113(tmp_path: Path) -> None:
    code, out = check_dir(tmp_path, {"etc/xen/web.cfg": BAD_VALUES})
    assert code == 1, out
    assert finding_lines(out) == [
        f"{W} XEN113 vif 0 of guest 'web': rate=10mb/s: not of the form "
        "NUMBER[GMK]{B|b}/s[@NUMBER[m|u][s]], e.g. 10MB/s@20ms: xl create stops (invalid rate)",
        f"{W} XEN113 vif 0 of guest 'web': type=IOEMU: xl knows only vif and ioemu, in lower "
        'case; it says "Invalid parameter `type\'" and the vif keeps the default type',
        f"{W} XEN113 vif 0 of guest 'web': devid=x: not a number (xl stops: failed to convert)",
        f"{W} XEN113 vif 0 of guest 'web': mtu=abc: not a number (xl stops: failed to convert)",
    ]


def test_values_with_a_space_xl_keeps_are_xen114_and_a_space_after_a_comma_is_not(
    tmp_path: Path,
) -> None:
    cfg = (
        'name = "mail"\n'
        "vif = [ 'mac=00:16:3e:00:00:02, bridge=xenbr0 ,script=vif-route ,ip=10.0.0.2',\n"
        "        'mac=00:16:3e:00:00:03, bridge=xenbr1, ip=10.0.0.3' ]\n"
    )
    code, out = check_dir(tmp_path, {"etc/xen/mail.cfg": cfg})
    assert code == 1, out
    assert finding_lines(out) == [
        "etc/xen/mail.cfg:2:9: XEN114 vif 0 of guest 'mail': bridge='xenbr0 ' has white space "
        "at its end, which xl keeps: it names a bridge 'xenbr0 ' that does not exist; remove "
        "the space",
        "etc/xen/mail.cfg:2:9: XEN114 vif 0 of guest 'mail': script='vif-route ' has white "
        "space at its end, which xl keeps: it names a hotplug script 'vif-route ' that does not "
        "exist; remove the space",
    ]


def test_a_push_with_vif_values_xl_rejects_is_refused(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write("etc/xen/web.cfg", BAD_VALUES)
    srv.clone.write("etc/xen/db.cfg", "name = 'db'\nvif = ['mac=00:16:3e:00:00:09,bridge=br0 ']\n")
    srv.clone.commit("Add guests")
    lines = assert_refused(srv.push("origin", "main"))
    assert sum(line.startswith(f"{W} XEN113 ") for line in lines) == 4, lines
    assert (
        "etc/xen/db.cfg:2:8: XEN114 vif 0 of guest 'db': bridge='br0 ' has white space at its "
        "end, which xl keeps: it names a bridge 'br0 ' that does not exist; remove the space"
    ) in lines
    srv.clone.write("etc/xen/web.cfg", BAD_VALUES.replace("rate=10mb/s,mtu=abc,devid=x,type=IOEMU",
                                                          "rate=10MB/s@20ms,mtu=1500,type=vif"))  # fmt: skip
    srv.clone.write("etc/xen/db.cfg", "name = 'db'\nvif = ['mac=00:16:3e:00:00:09,bridge=br0']\n")
    srv.clone.commit("Fix the vifs")
    assert_accepted(srv.push("origin", "main"))


# ---------------------------------------------------------------------------
# item 9: XEN001 is exactly "xl refuses this file"


def test_an_octal_escape_xl_drops_is_xen115_not_xen001(repo: GitRepo) -> None:
    repo.write("etc/xen/a.cfg", "name = \"A\\101B\"\nvif = [ 'mac=00:16:3e:00:00:05' ]\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert finding_lines(res.out) == [
        'etc/xen/a.cfg:1:10: XEN115 xl drops the octal escape \\101 from the string "A\\101B" '
        "without a word and reads it as 'AB'; write the character itself"
    ]


def test_the_hint_of_xen001_is_in_every_report(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"etc/xen/web.cfg": 'name = "web"\nmemory = 512M\n'}
    hint = "xl numbers have no unit or suffix and hex digits are lower case"
    code, out = check_dir(tmp_path, files)
    assert code == 1
    assert finding_lines(out) == [
        "etc/xen/web.cfg:2:13: XEN001 xl refuses this file: config parsing error near `M': "
        f"lexical error; {hint}: write a plain number (memory is in MiB)"
    ]
    _, out = check_dir(tmp_path, files, "--format", "json")
    [finding] = json.loads(out)["findings"]
    assert (finding["code"], finding["line"], finding["col"]) == ("XEN001", 2, 13)
    assert hint in finding["message"]
    _, out = check_dir(tmp_path, files, "--format", "sarif")
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["ruleId"] == "XEN001" and hint in result["message"]["text"]


@pytest.mark.parametrize(
    ("last", "refused"),
    [
        (b"\r", False),  # a lone CR with no newline: xl accepts the file
        (b"\n#", False),  # a lone # at the very end
        (b"\n@", False),
        (b"\n# end", True),  # a comment with no newline
        (b"\n\xef\xbb\xbf", True),  # three bytes: not a stray one
    ],
)
def test_a_stray_last_byte_agrees_with_xl(tmp_path: Path, last: bytes, refused: bool) -> None:
    cfg = b"name = 'web'\nvif = [ 'mac=00:16:3e:00:00:01' ]" + last
    code, out = check_dir(tmp_path, {"etc/xen/web.cfg": cfg})
    # (the CR is still trailing whitespace to WS102: that is another rule's business)
    assert ("XEN001" in out) is refused, out
    assert code == 1 if refused else "XEN" not in out


# ---------------------------------------------------------------------------
# item 10: rt_tables and ip -batch


def test_rt_tables_words_after_the_name_are_rt002(repo: GitRepo) -> None:
    repo.write("etc/iproute2/rt_tables", RT_TABLES + "200 foo bar\n201 dmz # a comment\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert finding_lines(res.out) == [
        "etc/iproute2/rt_tables:6:9: RT002 iproute2 loads table 200 named 'foo' and ignores "
        "'bar' after the name without a word: a table name is one word, and only '#' starts a "
        "comment. Write `200 foo # bar` if it is a comment; if you meant another name, that "
        "name is not defined."
    ]


BATCH = "#!/bin/sh\nip {options} - <<{delimiter}\n{body}{end}\necho done\n"
BODY = (
    "{tab}route add 10.0.0.0/24 dev eth0 table uplink\n"
    "{tab}route add default via 10.0.0.1 table foo\n"
    "{tab}rule add from 10.0.0.5 lookup bar\n"
)


@pytest.mark.parametrize(
    ("options", "delimiter", "tab"),
    [("-batch", "EOF", ""), ("-batch", "-EOF", "\t"), ("-batch", "'EOF'", ""),
     ("-force -batch", '"EOF"', ""), ("-b", "-'EOF'", "\t")],
)  # fmt: skip
def test_rt105_reads_the_here_document_of_ip_batch(
    tmp_path: Path, options: str, delimiter: str, tab: str
) -> None:
    script = BATCH.format(
        options=options, delimiter=delimiter, body=BODY.format(tab=tab), end=tab + "EOF"
    )
    files: dict[str, str | bytes] = {"etc/iproute2/rt_tables": RT_TABLES, "bin/routes.sh": script}
    code, out = check_dir(tmp_path, files)
    assert code == 1, out
    col = 38 + len(tab)
    found = [line for line in finding_lines(out) if " WS101 " not in line]  # <<- is for tabs
    assert [line.split(" RT105 ")[0] for line in found] == [
        f"bin/routes.sh:4:{col}:",
        f"bin/routes.sh:5:{col - 7}:",
    ]
    assert "table 'foo' is not defined in any rt_tables file" in out
    assert "table 'bar' is not defined" in out and "`ip rule` stops here" in out


def test_a_push_of_an_ip_batch_script_with_an_undefined_table_is_refused(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write("etc/iproute2/rt_tables", RT_TABLES)
    script = BATCH.format(options="-batch", delimiter="EOF", body=BODY.format(tab=""), end="EOF")
    srv.clone.write("etc/network/if-up.d/routes", script)
    srv.clone.commit("Routes for the uplink")
    lines = assert_refused(srv.push("origin", "main"))
    found = [line for line in lines if " RT105 " in line]
    assert [line.split(" RT105 ")[0] for line in found] == [
        "etc/network/if-up.d/routes:4:38:",
        "etc/network/if-up.d/routes:5:31:",
    ], lines
    srv.clone.write("etc/iproute2/rt_tables.d/more.conf", "101 foo\n102 bar\n")
    srv.clone.commit("Define foo and bar")
    assert_accepted(srv.push("origin", "main"))


def test_an_svn_commit_of_the_same_is_refused(tmp_path: Path) -> None:
    """The svn door sees the same: a real `svn commit` through the installed hook."""
    env = base_env()

    def sh(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)

    repos, wc = tmp_path / "repo", tmp_path / "wc"
    assert sh("svnadmin", "create", str(repos)).returncode == 0
    assert run_regime("install", "svn", str(repos), cwd=tmp_path).code == 0
    assert sh("svn", "checkout", "-q", repos.as_uri(), str(wc)).returncode == 0
    script = BATCH.format(options="-batch", delimiter="EOF", body=BODY.format(tab=""), end="EOF")
    write(wc, {"etc/iproute2/rt_tables": RT_TABLES + "200 foo bar\n", "bin/routes.sh": script,
               "etc/xen/web.cfg": BAD_VALUES})  # fmt: skip
    assert sh("svn", "add", "-q", "etc", "bin", cwd=wc).returncode == 0
    proc = sh("svn", "commit", "-m", "Routes and a guest", cwd=wc)
    assert proc.returncode != 0, proc.stderr
    for place in ("etc/iproute2/rt_tables:6:9: RT002 ", "bin/routes.sh:5:31: RT105 ",
                  "etc/xen/web.cfg:2:9: XEN113 "):  # fmt: skip
        assert place in proc.stderr, proc.stderr
    assert "bin/routes.sh:4:38: RT105 table 'foo'" not in proc.stderr  # foo is defined here
