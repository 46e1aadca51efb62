"""`regime inventory` as data (`--format json`), and help picking an address
(`--free CIDR`) or a MAC (`--free-mac`), on real trees of guest configs in real git
work trees and plain folders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import GitRepo, run_regime

# Three guests of two hosts; web routes a /28 whole, mail has two addresses, an IPv6
# one among them; db has no vif; old has a word in ip= that is no address.
TREE = {
    "hosts/a/etc/xen/web.cfg": (
        "name = 'web'\n"
        "vif = [ 'mac=00:16:3e:00:00:10,ip=192.0.2.16/28,script=vif-route',\n"
        "        'mac=00:16:3e:00:00:11,bridge=xenbr1' ]\n"
    ),
    "hosts/b/etc/xen/mail.cfg": (
        "name = 'mail'\nvif = ['mac=00:16:3E:00:00:20,ip=192.0.2.5 2001:db8::25']\n"
    ),
    "hosts/b/etc/xen/db.cfg": "name = 'db'\nmemory = 4096\n",
    "hosts/b/etc/xen/old.cfg": "name = 'old'\nvif = ['mac=00:16:3e:00:00:30,ip=192.0.2.300']\n",
}


def write_tree(root: Path, files: dict[str, str] = TREE) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree")


def inventory(where: Path, *args: str) -> object:
    res = run_regime("inventory", *args, "--format", "json", cwd=where)
    assert res.code == 0, res.text
    return json.loads(res.out)


def test_json_has_numbers_as_numbers_and_ips_as_a_list(tree: Path) -> None:
    doc = inventory(tree)
    assert isinstance(doc, dict)
    by_place = {(v["config"], v["vif"]): v for v in doc["vifs"]}
    web0 = by_place[("hosts/a/etc/xen/web.cfg", 0)]
    assert web0["line"] == 2 and web0["ips"] == ["192.0.2.16/28"]
    assert by_place[("hosts/a/etc/xen/web.cfg", 1)]["ips"] == []
    assert by_place[("hosts/b/etc/xen/mail.cfg", 0)]["ips"] == ["192.0.2.5", "2001:db8::25"]
    assert by_place[("hosts/b/etc/xen/mail.cfg", 0)]["mac"] == "00:16:3e:00:00:20"  # as xl reads
    db = by_place[("hosts/b/etc/xen/db.cfg", None)]  # a guest without vifs: no vif number
    assert (db["guest"], db["line"], db["ips"]) == ("db", 1, [])
    for v in doc["vifs"]:
        assert isinstance(v["line"], int) and v["line"] >= 1
        assert v["vif"] is None or isinstance(v["vif"], int)


def test_table_and_csv_still_show_ips_as_ip_writes_them(tree: Path) -> None:
    res = run_regime("inventory", "--format", "csv", cwd=tree)
    assert "hosts/b/etc/xen/mail.cfg,2,mail,0,00:16:3e:00:00:20,192.0.2.5 2001:db8::25,," in res.out
    assert "hosts/b/etc/xen/db.cfg,1,db,,,,,," in res.out
    table = run_regime("inventory", cwd=tree)
    assert table.out.rstrip().endswith("4 guests, 4 vifs")


def test_free_addresses_are_ranges_around_what_the_vifs_use(tree: Path) -> None:
    """web's /28 (192.0.2.16-31) counts whole, mail's .5 is one address; the network
    and broadcast addresses of a /24 are not host addresses."""
    res = run_regime("inventory", "--free", "192.0.2.0/24", cwd=tree)
    assert res.code == 0, res.text
    assert res.out.splitlines() == [
        "192.0.2.1-192.0.2.4  (4)",
        "192.0.2.6-192.0.2.15  (10)",
        "192.0.2.32-192.0.2.254  (223)",
        "237 of 254 host addresses of 192.0.2.0/24 are free (17 used by 2 vifs)",
    ]
    # a word of ip= that is no address uses nothing, and says so
    assert "hosts/b/etc/xen/old.cfg:2: ip= word '192.0.2.300' of guest 'old'" in res.err
    doc = inventory(tree, "--free", "192.0.2.0/27")
    assert isinstance(doc, dict)
    assert (doc["network"], doc["hosts"], doc["free"]) == ("192.0.2.0/27", 30, 14)
    assert doc["ranges"][0] == {"first": "192.0.2.1", "last": "192.0.2.4", "count": 4}
    assert [(u["first"], u["last"], u["guest"], u["line"]) for u in doc["used_by"]] == [
        ("192.0.2.5", "192.0.2.5", "mail", 2),
        ("192.0.2.16", "192.0.2.31", "web", 2),
    ]


def test_a_small_network(tree: Path) -> None:
    """/31 and /32 have no network or broadcast address (RFC 3021); a network all in
    use has nothing free."""
    assert run_regime("inventory", "--free", "198.51.100.0/31", cwd=tree).out.splitlines()[0] == (
        "198.51.100.0-198.51.100.1  (2)"
    )
    assert run_regime("inventory", "--free", "192.0.2.5", cwd=tree).out.splitlines() == [
        "0 of 1 host addresses of 192.0.2.5/32 are free (1 used by 1 vif)"
    ]
    doc = inventory(tree, "--free", "192.0.2.16/29")
    assert isinstance(doc, dict)
    assert (doc["free"], doc["ranges"]) == (0, [])


def test_a_big_network_is_a_few_lines_not_millions(tree: Path) -> None:
    res = run_regime("inventory", "--free", "192.0.0.0/8", cwd=tree)
    assert res.code == 0, res.text
    assert res.out.splitlines() == [
        "192.0.0.1-192.0.2.4  (516)",
        "192.0.2.6-192.0.2.15  (10)",
        "192.0.2.32-192.255.255.254  (16776671)",
        "16777197 of 16777214 host addresses of 192.0.0.0/8 are free (17 used by 2 vifs)",
    ]


def test_ipv6(tree: Path) -> None:
    """The all-zero host part is the Subnet-Router anycast address: not a host."""
    res = run_regime("inventory", "--free", "2001:db8::/64", cwd=tree)
    assert res.code == 0, res.text
    assert res.out.splitlines() == [
        "2001:db8::1-2001:db8::24  (36)",
        "2001:db8::26-2001:db8::ffff:ffff:ffff:ffff  (18446744073709551578)",
        "18446744073709551614 of 18446744073709551615 host addresses of 2001:db8::/64 are free "
        "(1 used by 1 vif)",
    ]


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("192.0.2.0/33", "--free '192.0.2.0/33' is not an IPv4 or IPv6 network"),
        ("10.0.0.300/8", "--free '10.0.0.300/8' is not an IPv4 or IPv6 network"),
        ("web", "--free 'web' is not an IPv4 or IPv6 network: give one such as 192.0.2.0/24"),
        ("010.0.0.0/8", "--free '010.0.0.0/8' is not an IPv4 or IPv6 network"),
        ("192.0.2.7/24", "--free '192.0.2.7/24' has host bits set: the network is 192.0.2.0/24"),
    ],
)
def test_a_bad_network_is_a_usage_error(tree: Path, cidr: str, message: str) -> None:
    res = run_regime("inventory", "--free", cidr, cwd=tree)
    assert res.code == 2, res.text
    assert res.out == ""
    assert f"regime: error: {message}" in res.err


def test_free_mac_is_in_xens_range_unused_and_the_same_for_the_same_tree(tmp_path: Path) -> None:
    one = write_tree(tmp_path / "one")
    two = write_tree(tmp_path / "two")
    res = run_regime("inventory", "--free-mac", cwd=one)
    assert res.code == 0, res.text
    [mac] = res.out.splitlines()
    assert re.fullmatch(r"00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}", mac)
    assert mac not in {"00:16:3e:00:00:10", "00:16:3e:00:00:11", "00:16:3e:00:00:20"}
    assert run_regime("inventory", "--free-mac", cwd=one).out == res.out  # run to run
    assert run_regime("inventory", "--free-mac", cwd=two).out == res.out  # a copy of the tree
    doc = inventory(one, "--free-mac", "5")
    assert isinstance(doc, dict)
    macs = doc["macs"]
    assert macs[0] == mac and len(set(macs)) == 5
    # another tree (a guest more): another answer, still not one in use
    (two / "hosts/a/etc/xen/dns.cfg").write_text(f"name = 'dns'\nvif = ['mac={mac}']\n")
    other = run_regime("inventory", "--free-mac", "5", cwd=two).out.splitlines()
    assert mac not in other and len(set(other)) == 5


def test_the_proposed_mac_passes_the_checks(tmp_path: Path) -> None:
    """What --free-mac proposes, used in a new guest, is accepted by the commit (no
    XEN101 duplicate, no multicast or other MAC finding)."""
    repo = GitRepo(tmp_path / "repo")
    write_tree(repo.path, {k: v for k, v in TREE.items() if "old" not in k})
    repo.commit("Guests")
    [mac] = repo.regime("inventory", "--free-mac").out.splitlines()
    repo.write("hosts/a/etc/xen/dns.cfg", f"name = 'dns'\nvif = ['mac={mac},ip=192.0.2.6']\n")
    repo.add()
    res = repo.regime("staged")
    assert res.code == 0, res.text
    [free] = repo.regime("inventory", "--free", "192.0.2.0/29").out.splitlines()[:1]
    assert free == "192.0.2.1-192.0.2.4  (4)"  # .5 mail, .6 the new guest (staged counts)


@pytest.mark.parametrize("count", ["0", "1001", "-1"])
def test_free_mac_count_out_of_range(tree: Path, count: str) -> None:
    res = run_regime("inventory", "--free-mac", count, cwd=tree)
    assert res.code == 2, res.text
    assert "--free-mac" in res.err


def test_free_and_free_mac_together_is_a_usage_error(tree: Path) -> None:
    res = run_regime("inventory", "--free", "192.0.2.0/24", "--free-mac", cwd=tree)
    assert res.code == 2
    assert "not allowed with argument" in res.err


def test_a_config_left_out_is_said_with_the_answer(tree: Path) -> None:
    """A guest over the size limit may use addresses and MACs: the answer says it
    does not know them."""
    (tree / ".regime.yaml").write_text("limits:\n  max_file_size: 200\n")
    (tree / "hosts/a/etc/xen/big.cfg").write_text(
        "name = 'big'\nvif = ['mac=00:16:3e:00:00:40,ip=192.0.2.1']\n" + "# pad\n" * 50
    )
    for args in (("--free", "192.0.2.0/29"), ("--free-mac",)):
        res = run_regime("inventory", *args, cwd=tree)
        assert res.code == 0, res.text
        assert "regime: not in the inventory: hosts/a/etc/xen/big.cfg:0:0: LIM001" in res.err
        assert "the answer does not know what the configs above use" in res.err
    plain = run_regime("inventory", cwd=tree)
    assert "not in the inventory: hosts/a/etc/xen/big.cfg" in plain.err
    assert "the answer does not know" not in plain.err


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_on_the_examples_tree(tmp_path: Path) -> None:
    """examples/config-repo with the mail guest done right (examples/change-infra)."""
    import shutil

    repo = GitRepo(tmp_path / "config")
    shutil.copytree(EXAMPLES / "config-repo", repo.path, dirs_exist_ok=True)
    shutil.copy(EXAMPLES / "change-infra/mail-fixed.cfg", repo.path / "etc/xen/mail.cfg")
    repo.commit("The example hosts")
    assert repo.regime("check").code == 0  # the tree is clean to begin with
    doc = json.loads(repo.regime("inventory", "--format", "json").out)
    assert [(v["guest"], v["vif"], v["ips"]) for v in doc["vifs"]] == [
        ("mail", 0, []),
        ("mail", 1, ["192.0.2.25", "10.0.0.25"]),
        ("web", 0, []),
    ]
    free = repo.regime("inventory", "--free", "192.0.2.0/24").out.splitlines()
    assert free[:2] == ["192.0.2.1-192.0.2.24  (24)", "192.0.2.26-192.0.2.254  (229)"]
    [mac] = repo.regime("inventory", "--free-mac").out.splitlines()
    repo.write("etc/xen/dns.cfg", f"name = 'dns'\nvif = ['mac={mac},bridge=xenbr0']\n")
    repo.add()
    assert repo.regime("staged").code == 0


def test_free_is_what_brute_force_says_on_a_tree_of_300_guests(tmp_path: Path) -> None:
    """Random guests (seeded) with addresses and small networks, some overlapping, some
    outside the network asked about, some IPv6: the ranges are exactly the host
    addresses of the network that no vif's ip= covers, as ipaddress counts them."""
    import ipaddress
    import random

    rnd = random.Random(17)
    tree = tmp_path / "tree"
    covered: set[int] = set()
    network = ipaddress.ip_network("10.20.0.0/22")
    for n in range(300):
        words = []
        for _ in range(rnd.randint(0, 3)):
            base = ipaddress.ip_address("10.19.255.0") + rnd.randrange(1400)
            prefix = rnd.choice([32, 32, 32, 30, 29, 28])
            net = ipaddress.ip_network(f"{base}/{prefix}", strict=False)
            words.append(str(net) if prefix != 32 else str(base))
            covered |= set(range(int(net.network_address), int(net.broadcast_address) + 1))
        if rnd.random() < 0.1:
            words.append(f"2001:db8::{n:x}")
        spec = f"mac=00:16:3e:01:{n >> 8:02x}:{n & 255:02x}" + (
            f",ip={' '.join(words)}" if words else ""
        )
        host = f"hosts/h{n % 7}/etc/xen/g{n}.cfg"
        write_tree(tree, {host: f"name = 'g{n}'\nvif = ['{spec}']\n"})
    doc = inventory(tree, "--free", str(network))
    assert isinstance(doc, dict)
    got: set[int] = set()
    for r in doc["ranges"]:
        first, last = int(ipaddress.ip_address(r["first"])), int(ipaddress.ip_address(r["last"]))
        assert r["count"] == last - first + 1
        got |= set(range(first, last + 1))
    expected = {int(a) for a in network.hosts()} - covered
    assert got == expected
    assert doc["free"] == len(expected) and doc["hosts"] == 1022
    # runs are maximal: no two touch
    firsts = [int(ipaddress.ip_address(r["first"])) for r in doc["ranges"]]
    lasts = [int(ipaddress.ip_address(r["last"])) for r in doc["ranges"]]
    assert all(lasts[i] + 1 < firsts[i + 1] for i in range(len(firsts) - 1))
    macs = inventory(tree, "--free-mac", "20")
    assert isinstance(macs, dict)
    used = {f"00:16:3e:01:{n >> 8:02x}:{n & 255:02x}" for n in range(300)}
    assert not used & set(macs["macs"]) and len(set(macs["macs"])) == 20
