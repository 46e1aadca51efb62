"""One repository, many hosts: routing tables compared within a host, guests across
the repository unless ``xen.groups`` splits them.

Before: the rt_tables of every host were merged, so two hosts that were each
consistent got RT101/RT102 against each other, and a script passed RT105 on a table
only ANOTHER host defines.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import GitRepo, run_regime
from test_git_pre_receive import assert_accepted, assert_refused, make_server

from regime.checks.hosts import etc_host, hosts_of

HOST_A = {
    "hosts/a/etc/iproute2/rt_tables": "255\tlocal\n254\tmain\n100\tuplink\n",
    "hosts/a/etc/network/interfaces": "iface eth0 inet dhcp\n  up ip route add default via 10.0.0.1 table uplink\n",
}
HOST_B = {
    # table 100 has another name here: each host is consistent on its own
    "hosts/b/etc/iproute2/rt_tables": "255\tlocal\n254\tmain\n100\tbackup\n",
    "hosts/b/etc/iproute2/rt_tables.d/vpn.conf": "200\tvpn\n",
    "hosts/b/etc/network/interfaces": "iface eth0 inet dhcp\n  up ip rule add from 10.1.0.5 lookup vpn\n",
}


def findings(out: str) -> list[tuple[str, int, str]]:
    return sorted((f["path"], f["line"], f["code"]) for f in json.loads(out)["findings"])


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_hosts_are_the_folders_whose_etc_holds_the_files() -> None:
    assert etc_host("hosts/a/etc/iproute2/rt_tables") == "hosts/a"
    assert etc_host("etc/iproute2/rt_tables") == ""
    assert etc_host("iproute2/rt_tables") is None  # an /etc of its own (etckeeper)
    assert etc_host("srv/etc/x/etc/network/interfaces") == "srv/etc/x"
    assert hosts_of(
        ["hosts/a/etc/iproute2/rt_tables", "hosts/a/usr/local/sbin/routes.sh", "bin/up.sh",
         "iproute2/rt_tables"]
    ) == {
        "hosts/a/etc/iproute2/rt_tables": "hosts/a",
        "hosts/a/usr/local/sbin/routes.sh": "hosts/a",
        "bin/up.sh": "",
        "iproute2/rt_tables": "",
    }  # fmt: skip


def test_two_consistent_hosts_pass(tmp_path: Path) -> None:
    write(tmp_path / "tree", {**HOST_A, **HOST_B})
    res = run_regime("check", "tree", "--format", "json", cwd=tmp_path)
    assert res.code == 0, res.text
    assert findings(res.out) == []


def test_a_table_only_another_host_defines_is_rt105(tmp_path: Path) -> None:
    files = {**HOST_A, **HOST_B}
    files["hosts/a/etc/network/if-up.d/vpn"] = (
        "#!/bin/sh\nip route add 10.9.0.0/16 dev tun0 table vpn\n"
    )
    write(tmp_path / "tree", files)
    res = run_regime("check", "tree", cwd=tmp_path)
    assert res.code == 1, res.text
    assert "hosts/a/etc/network/if-up.d/vpn:2:41: " in res.out, res.text
    assert "RT105 table 'vpn' is not defined in any rt_tables file of host " in res.out
    assert "hosts/a/etc/iproute2/rt_tables or an rt_tables.d/*.conf file" in res.out, res.text
    assert res.out.count(": RT105 ") == 1, res.text


def test_a_conflict_within_one_host_is_still_found(tmp_path: Path) -> None:
    files = {**HOST_A, **HOST_B}
    files["hosts/b/etc/iproute2/rt_tables.d/dup.conf"] = "100\tother\n"
    write(tmp_path / "tree", files)
    res = run_regime("check", "tree", "--format", "json", cwd=tmp_path)
    assert res.code == 1, res.text
    assert [f for f in findings(res.out) if f[2] == "RT101"] == [
        ("hosts/b/etc/iproute2/rt_tables.d/dup.conf", 1, "RT101")
    ]


def test_a_script_under_no_etc_belongs_to_its_host(tmp_path: Path) -> None:
    files = {**HOST_A, **HOST_B}
    files["hosts/b/usr/local/sbin/routes.sh"] = "ip route add default via 10.1.0.1 table uplink\n"
    files["bin/top.sh"] = "ip route add default via 10.2.0.1 table uplink\n"
    write(tmp_path / "tree", files)
    res = run_regime("check", "tree", "--format", "json", cwd=tmp_path)
    # host b has no table uplink; the repository's own host has no rt_tables at all
    assert [f[:2] for f in findings(res.out) if f[2] == "RT105"] == [
        ("bin/top.sh", 1),
        ("hosts/b/usr/local/sbin/routes.sh", 1),
    ]


def test_staged_and_a_real_push_judge_each_host_alone(tmp_path: Path, repo: GitRepo) -> None:
    for name, text in {**HOST_A, **HOST_B}.items():
        repo.write(name, text)
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    (tmp_path / "server").mkdir()
    srv = make_server(tmp_path / "server")
    for name, text in {**HOST_A, **HOST_B}.items():
        srv.clone.write(name, text)
    srv.clone.commit("Two hosts with their own tables")
    assert_accepted(srv.push("origin", "main"))
    srv.clone.write(
        "hosts/a/etc/network/if-up.d/vpn", "ip route add 10.9.0.0/16 dev tun0 table vpn\n"
    )
    srv.clone.commit("Route the VPN on host a")
    lines = assert_refused(srv.push("origin", "main"))
    assert any("hosts/a/etc/network/if-up.d/vpn:1:" in x and "RT105" in x for x in lines), lines


GUESTS = {
    "dc1/etc/xen/web.cfg": "name = 'web'\nvif = [ 'mac=00:16:3e:00:00:01,ip=10.0.0.5' ]\n",
    "dc2/etc/xen/web.cfg": "name = 'web'\nvif = [ 'mac=00:16:3e:00:00:01,ip=10.0.0.5' ]\n",
}


def test_guests_are_compared_across_the_repository_by_default(tmp_path: Path) -> None:
    write(tmp_path / "tree", GUESTS)
    res = run_regime("check", "tree", "--format", "json", cwd=tmp_path)
    assert res.code == 1
    assert {f[2] for f in findings(res.out)} == {"XEN101", "XEN102", "XEN112"}


def test_xen_groups_split_the_comparison(tmp_path: Path) -> None:
    write(tmp_path / "tree", GUESTS)
    policy = tmp_path / "policy.yaml"
    policy.write_text("xen:\n  groups: ['dc1/**', 'dc2/**']\n")
    res = run_regime("check", "tree", "--config", str(policy), "--format", "json", cwd=tmp_path)
    assert res.code == 0, res.text
    # within a group the duplicates are still found
    write(
        tmp_path / "tree",
        {"dc1/etc/xen/db.cfg": GUESTS["dc1/etc/xen/web.cfg"].replace("web", "db")},
    )
    res = run_regime("check", "tree", "--config", str(policy), "--format", "json", cwd=tmp_path)
    assert res.code == 1
    found = findings(res.out)
    assert [f[2] for f in found] == ["XEN101", "XEN102"], res.out
    assert all(f[0].startswith("dc1/etc/xen/") for f in found), res.out


def test_a_repository_cannot_split_the_servers_groups(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    srv.clone.write(".regime.yaml", "xen:\n  groups: ['dc1/**', 'dc2/**']\n")
    for name, text in GUESTS.items():
        srv.clone.write(name, text)
    srv.clone.commit("Two data centres")
    lines = assert_refused(srv.push("origin", "main"))
    assert any("XEN101" in x for x in lines), lines
