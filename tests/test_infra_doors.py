"""The infrastructure checks end to end, through every door: a commit that reuses
another guest's MAC is refused naming both files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import GitRepo, base_env, run_regime

WEB = """# web server
name = "web"
memory = 1024
vif = [ 'mac=00:16:3e:00:00:10, ip=192.0.2.10, script=vif-route' ]
"""
DB = """name = "db"
vif = [ 'mac=00:16:3e:00:00:20,bridge=xenbr0' ]
"""
RT_TABLES = """#
# reserved values
#
255\tlocal
254\tmain
253\tdefault
0\tunspec
16\tuplink
"""
INTERFACES = """auto eth0
iface eth0 inet static
    address 192.0.2.1/24
    up ip route add default via 192.0.2.254 table uplink
"""


def seed(repo: GitRepo) -> None:
    repo.write("etc/xen/web.cfg", WEB)
    repo.write("etc/xen/db.cfg", DB)
    repo.write("etc/iproute2/rt_tables", RT_TABLES)
    repo.write("etc/network/interfaces", INTERFACES)
    repo.commit("Host configuration")


def codes(out: str) -> list[str]:
    return [f["code"] for f in json.loads(out)["findings"]]


def test_staged_reuse_of_a_mac_names_both_files(repo: GitRepo) -> None:
    seed(repo)
    repo.write("etc/xen/mail.cfg", "name = 'mail'\nvif = ['mac=00:16:3E:00:00:20,ip=192.0.2.30']\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 1, res.text
    assert (
        "etc/xen/mail.cfg:2:8: XEN101 MAC 00:16:3e:00:00:20 (vif 0 of guest 'mail') is also "
        "used by vif 0 of guest 'db' at etc/xen/db.cfg:2"
    ) in res.out


def test_a_change_that_touches_no_config_skips_the_infra_checks(repo: GitRepo) -> None:
    seed(repo)
    # a broken config committed before: not this change's business
    repo.write("etc/xen/broken.cfg", "name = web\n")
    repo.commit("legacy")
    repo.write("README.md", "notes\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text


def test_preexisting_problem_is_reported_but_does_not_block(repo: GitRepo) -> None:
    seed(repo)
    repo.write("etc/xen/old1.cfg", "name = 'old1'\nvif = ['mac=00:16:3e:00:01:01']\n")
    repo.write("etc/xen/old2.cfg", "name = 'old2'\nvif = ['mac=00:16:3e:00:01:01']\n")
    repo.commit("legacy duplicate")
    repo.write("etc/xen/new.cfg", "name = 'new'\nvif = ['mac=00:16:3e:00:02:01']\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    assert "XEN101 (warning)" in res.out and "pre-existing" in res.out
    repo.write(".regime.yaml", "preexisting: block\n")
    repo.add()
    assert repo.regime("staged").code == 1


def test_routed_vif_without_ip_and_default_script_policy(repo: GitRepo) -> None:
    seed(repo)
    repo.write(
        "etc/xen/r.cfg",
        "name = 'r'\nvif = ['mac=00:16:3e:00:03:01,script=/etc/xen/scripts/vif-route']\n",
    )
    repo.add()
    res = repo.regime("staged", "--format", "json")
    assert codes(res.out) == ["XEN103"]
    repo.write("etc/xen/r.cfg", "name = 'r'\nvif = ['mac=00:16:3e:00:03:01']\n")
    repo.add()
    assert codes(repo.regime("staged", "--format", "json").out) == []
    repo.write(".regime.yaml", "xen:\n  default_script: vif-route\n")
    repo.add()
    res = repo.regime("staged", "--format", "json")
    found = {(f["path"], f["code"], f["severity"]) for f in json.loads(res.out)["findings"]}
    # r.cfg is in the change and blocks; db.cfg (no script, no ip) is now routed too, but
    # the change does not touch it: reported as pre-existing, not blocking
    assert found == {
        ("etc/xen/r.cfg", "XEN103", "error"),
        ("etc/xen/db.cfg", "XEN103", "warning"),
    }
    assert res.code == 1


def test_rt_tables_and_scripts(repo: GitRepo) -> None:
    seed(repo)
    repo.write(
        "etc/network/interfaces",
        INTERFACES + "    up ip rule add from 192.0.2.10 lookup backup\n",
    )
    repo.write("etc/iproute2/rt_tables.d/extra.conf", "16 other\n17 uplink\n")
    repo.add()
    res = repo.regime("staged", "--format", "json")
    assert sorted(codes(res.out)) == ["RT101", "RT102", "RT105"]


def test_ci_tree_mode_reports_everything(tmp_path: Path) -> None:
    root = tmp_path / "etc"
    (root / "xen").mkdir(parents=True)
    (root / "xen/a.cfg").write_text("name = 'a'\nvif = ['mac=00:16:3e:00:00:01,ip=10.0.0.0/24']\n")
    (root / "xen/b.cfg").write_text("name = 'b'\nvif = ['mac=00:16:3e:00:00:02,ip=10.0.0.5']\n")
    res = run_regime("check", str(tmp_path), "--format", "json", cwd=tmp_path)
    assert res.code == 1, res.text
    assert codes(res.out) == ["XEN102"]


def test_inventory(repo: GitRepo) -> None:
    seed(repo)
    res = repo.regime("inventory")
    assert res.code == 0, res.text
    assert "00:16:3e:00:00:10" in res.out and "192.0.2.10" in res.out
    assert res.out.rstrip().endswith("2 guests, 2 vifs")
    doc = json.loads(repo.regime("inventory", "--format", "json").out)
    assert {v["guest"] for v in doc["vifs"]} == {"web", "db"}
    csv_out = repo.regime("inventory", "--format", "csv").out.splitlines()
    assert csv_out[0] == "config,line,guest,vif,mac,ips,script,bridge,vifname"


def test_push_reusing_a_mac_is_refused_naming_both_files(tmp_path: Path) -> None:
    bare = tmp_path / "srv.git"
    subprocess.run(
        ["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True, env=base_env()
    )
    assert run_regime("install", "git-server", str(bare), cwd=tmp_path).code == 0
    repo = GitRepo(tmp_path / "wc")
    repo.git("remote", "add", "origin", str(bare))
    seed(repo)
    repo.git("push", "-q", "origin", "main")
    repo.write("etc/xen/mail.cfg", "name = 'mail'\nvif = ['mac=00:16:3e:00:00:10,ip=192.0.2.31']\n")
    repo.commit("Add mail")
    proc = subprocess.run(
        ["git", "push", "origin", "main"],
        cwd=repo.path,
        env=base_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "etc/xen/mail.cfg:2:8: XEN101" in proc.stderr
    assert "etc/xen/web.cfg:4" in proc.stderr


@pytest.mark.parametrize("copy", [False, True])
def test_svn_commit_reusing_a_mac_is_refused(tmp_path: Path, copy: bool) -> None:
    env = base_env()

    def sh(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)

    repos = tmp_path / "repo"
    wc = tmp_path / "wc"
    assert sh("svnadmin", "create", str(repos)).returncode == 0
    assert sh("svn", "checkout", "-q", repos.as_uri(), str(wc)).returncode == 0
    (wc / "xen").mkdir()
    (wc / "xen/web.cfg").write_text(WEB)
    assert sh("svn", "add", "-q", "xen", cwd=wc).returncode == 0
    assert sh("svn", "commit", "-q", "-m", "web", cwd=wc).returncode == 0
    assert run_regime("install", "svn", str(repos), cwd=tmp_path).code == 0
    if copy:  # a plain copy shows no diff, but brings the same MAC
        assert sh("svn", "cp", "-q", "xen/web.cfg", "xen/web2.cfg", cwd=wc).returncode == 0
    else:
        (wc / "xen/mail.cfg").write_text("name = 'mail'\nvif = ['mac=00:16:3e:00:00:10']\n")
        assert sh("svn", "add", "-q", "xen/mail.cfg", cwd=wc).returncode == 0
    proc = sh("svn", "commit", "-m", "Add a guest", cwd=wc)
    assert proc.returncode != 0, proc.stderr
    assert "XEN101" in proc.stderr and "xen/web.cfg:4" in proc.stderr
