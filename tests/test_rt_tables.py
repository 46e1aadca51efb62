"""rt_tables read as iproute2 reads it, and the routing tables scripts use (RT001-RT105).

The expectations come from iproute2's lib/rt_names.c (fgets + sscanf "0x%x %s" / "%d %s",
hash keyed on id & 255), ip.c/iproute.c/iprule.c argument matching, and the checked notes
in /work/shared/notes/xen-and-iproute2.md. Where this machine has glibc, the sscanf and
strtoul emulations are also compared with the real functions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regime.findings import Problem
from regime.iproute2.rt_tables import (
    BUILTIN_TABLES,
    TableEntry,
    check_tables,
    read_rt_tables,
    table_number,
)
from regime.iproute2.table_use import TableUse, find_table_uses, undefined_tables

RT = "etc/iproute2/rt_tables"
DROPIN = "etc/iproute2/rt_tables.d"

DEBIAN_RT_TABLES = """\
#
# reserved values
#
255\tlocal
254\tmain
253\tdefault
0\tunspec
#
# local
#
#1\tinr.ruhep
"""


def read(text: str) -> tuple[list[TableEntry], list[Problem]]:
    return read_rt_tables(text, RT)


def pairs(entries: list[TableEntry]) -> list[tuple[int, str]]:
    return [(e.id, e.name) for e in entries]


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, problems
    return found[0]


def uses(text: str, path: str = "boot.sh") -> list[tuple[str, str]]:
    return [(u.name, u.command) for u in find_table_uses(text, path)]


def names(text: str) -> list[str]:
    return [u.name for u in find_table_uses(text, "boot.sh")]


# ---------------------------------------------------------------------------
# read_rt_tables: lines iproute2 reads as intended


def test_stock_debian_rt_tables_is_clean() -> None:
    entries, problems = read(DEBIAN_RT_TABLES)
    assert pairs(entries) == [(255, "local"), (254, "main"), (253, "default"), (0, "unspec")]
    assert problems == []
    defined, problems = check_tables([(RT, DEBIAN_RT_TABLES)])
    assert problems == []
    assert set(defined) == {"local", "main", "default", "unspec"}


def test_entries_with_positions_and_ignored_trailing_text() -> None:
    text = "# tables\n\n  100\tuplink  # the ISP\n\t200 backup spare words\n"
    entries, problems = read(text)
    # a comment after the name is fine; other words are dropped by iproute2: RT002
    assert [(p.code, p.line, p.col) for p in problems] == [("RT002", 4, 13)]
    assert problems[0].message.startswith(
        "iproute2 loads table 200 named 'backup' and ignores 'spare words' after the name"
    )
    assert "`200 backup # spare words`" in problems[0].message
    assert entries == [
        TableEntry(100, "uplink", RT, 3, 3, 7),
        TableEntry(200, "backup", RT, 4, 2, 6),
    ]


def test_hex_ids_with_lowercase_prefix() -> None:
    entries, problems = read("0x10 sixteen\n0xff fifty\n")
    assert pairs(entries) == [(16, "sixteen"), (255, "fifty")]
    assert problems == []


def test_crlf_entries_and_comments_read_fine() -> None:
    entries, problems = read("# comment\r\n100 uplink\r\n")
    assert pairs(entries) == [(100, "uplink")]
    assert problems == []


def test_last_line_without_newline() -> None:
    assert pairs(read("100 uplink")[0]) == [(100, "uplink")]


def test_empty_and_comment_only_files() -> None:
    assert read("") == ([], [])
    assert read("# only\n   \n\t# indented comment\n") == ([], [])


def test_utf8_name_is_kept() -> None:
    entries, problems = read("100 ünïcode\n")
    assert pairs(entries) == [(100, "ünïcode")]
    assert problems == []


# ---------------------------------------------------------------------------
# read_rt_tables: silent misreads


def test_1e3_is_id_1_named_e3() -> None:
    entries, problems = read("1e3 x\n")
    assert pairs(entries) == [(1, "e3")]
    problem = only(problems, "RT001")
    assert (problem.line, problem.col) == (1, 1)
    assert "table id 1 named 'e3'" in problem.message
    assert "'x'" in problem.message  # what is ignored
    assert "Write the id as decimal digits or 0x hex" in problem.message


def test_12abc_is_id_12_named_abc() -> None:
    entries, problems = read("12abc n\n")
    assert pairs(entries) == [(12, "abc")]
    assert "table id 12 named 'abc'" in only(problems, "RT001").message


def test_uppercase_0x_is_decimal_zero() -> None:
    entries, problems = read("0X10 n\n")
    assert pairs(entries) == [(0, "X10")]
    assert "lowercase '0x'" in only(problems, "RT001").message


def test_0x_then_space_reads_the_next_number_as_hex() -> None:
    entries, problems = read("0x 10 n\n")
    assert pairs(entries) == [(16, "n")]
    assert "table id 16 named 'n'" in only(problems, "RT001").message


def test_comment_in_place_of_name_names_the_table_hash() -> None:
    entries, problems = read("100 # spare\n")
    assert pairs(entries) == [(100, "#")]
    problem = only(problems, "RT001")
    assert "no name" in problem.message
    assert problem.col == 5


def test_hash_glued_to_name_is_part_of_it() -> None:
    entries, problems = read("100 uplink#isp\n")
    assert pairs(entries) == [(100, "uplink#isp")]
    assert "`100 uplink # ...`" in only(problems, "RT001").message


def test_numeric_name_shadows_that_number() -> None:
    entries, problems = read("100 200\n")
    assert pairs(entries) == [(100, "200")]
    message = only(problems, "RT001").message
    assert "`table 200` means table 100" in message
    # the same number as the id changes nothing
    assert read("100 100\n")[1] == []
    # C-style numbers shadow too: 0x10 is 16
    assert "not table 16" in only(read("100 0x10\n")[1], "RT001").message


@pytest.mark.parametrize(("name", "meaning"), [("all", "every table"), ("cache", "routing cache")])
def test_all_and_cache_shadow_ip_route_show_keywords(name: str, meaning: str) -> None:
    entries, problems = read(f"200 {name}\n")
    assert pairs(entries) == [(200, name)]
    message = only(problems, "RT001").message
    assert f"ip route show table {name}" in message
    assert meaning in message


def test_leading_zero_id_differs_from_a_c_number_after_table() -> None:
    entries, problems = read("010 x\n")
    assert pairs(entries) == [(10, "x")]
    assert "octal 8" in only(problems, "RT001").message
    assert read("007 x\n")[1] == []  # 7 either way
    assert "invalid octal" in only(read("08 x\n")[1], "RT001").message


# ---------------------------------------------------------------------------
# read_rt_tables: corrupted lines hide the rest of the file


def test_id_without_name_hides_the_rest_of_the_file() -> None:
    text = "100 uplink\n101\n102 backup\n# comment\n103 vpn\n"
    entries, problems = read(text)
    assert pairs(entries) == [(100, "uplink")]
    problem = only(problems, "RT001")
    assert (problem.line, problem.col) == (2, 1)
    assert "id but no name" in problem.message
    assert "ignores the rest of this file" in problem.message
    assert "2 table entries" in problem.message
    assert "'backup' (line 3)" in problem.message and "'vpn' (line 5)" in problem.message
    assert problem.related == ((RT, 3), (RT, 5))


def test_name_before_id_is_corrupt_and_suggests_the_order() -> None:
    entries, problems = read("abc 1\n2 two\n")
    assert entries == []
    problem = only(problems, "RT001")
    assert "write `1 abc`" in problem.message
    assert "1 table entry below it ('two' (line 2)) is not loaded" in problem.message


def test_corrupt_last_line_hides_nothing_yet() -> None:
    problem = only(read("100 uplink\nbroken\n")[1], "RT001")
    assert "no table entry follows it yet" in problem.message
    assert problem.related == ()


def test_crlf_blank_line_is_corrupt() -> None:
    entries, problems = read("100 uplink\r\n\r\n101 backup\r\n")
    assert pairs(entries) == [(100, "uplink")]
    problem = only(problems, "RT001")
    assert problem.line == 2
    assert "CRLF" in problem.message


def test_comment_after_vertical_tab_is_not_a_comment() -> None:
    problem = only(read("\v# note\n100 uplink\n")[1], "RT001")
    assert "does not start a comment" in problem.message


def test_semicolon_comment_is_corrupt() -> None:
    assert "only '#' starts a comment" in only(read("; note\n")[1], "RT001").message


def test_corrupt_message_names_the_database() -> None:
    message = only(read("bogus\n")[1], "RT001").message
    assert f'"Database {RT} is corrupted at bogus"' in message


def test_long_comment_line_breaks_into_a_corrupt_piece() -> None:
    long_comment = "# " + "x" * 520 + "\n"
    entries, problems = read("100 uplink\n" + long_comment + "101 backup\n")
    assert pairs(entries) == [(100, "uplink")]
    problem = only(problems, "RT001")
    assert problem.line == 2
    assert problem.col == 512  # the second fgets piece starts after 511 bytes
    assert "longer than 511 bytes" in problem.message
    assert problem.related == ((RT, 3),)


def test_line_of_exactly_511_bytes_with_newline_is_fine() -> None:
    line = "100 " + "n" * 507  # 511 bytes, then the newline is read alone
    entries, problems = read(line + "\n101 b\n")
    assert pairs(entries) == [(100, "n" * 507), (101, "b")]
    assert problems == []


def test_long_line_tail_read_as_an_entry_is_reported() -> None:
    line = "100 a" + " " * 506 + "7 ghost"  # the tail after 511 bytes is "7 ghost"
    entries, problems = read(line + "\n")
    assert pairs(entries) == [(100, "a"), (7, "ghost")]
    assert "table id 7 named 'ghost'" in only(problems, "RT001").message


def test_nul_byte_ends_the_c_string() -> None:
    entries, problems = read("\x00100 hidden\n100 up\x00link\n")
    assert pairs(entries) == [(100, "up")]
    assert problems == []


# ---------------------------------------------------------------------------
# read_rt_tables: ids out of range (RT104)


def test_largest_int_id_is_kept() -> None:
    entries, problems = read("2147483647 top\n")
    assert pairs(entries) == [(2147483647, "top")]
    assert problems == []


@pytest.mark.parametrize("written", ["2147483648", "4294967295", "0x80000000", "0xffffffff"])
def test_ids_from_2_31_are_dropped_silently(written: str) -> None:
    entries, problems = read(f"{written} big\n")
    assert entries == []
    problem = only(problems, "RT104")
    assert "C int" in problem.message and "'big' stays undefined" in problem.message


def test_id_above_2_32_wraps_with_64_bit_glibc() -> None:
    entries, problems = read("4294967296 zero\n4294967550 wrap\n")
    assert pairs(entries) == [(0, "zero"), (254, "wrap")]
    assert codes(problems) == ["RT104", "RT104"]
    assert "above 4294967295" in problems[0].message
    assert "wraps to id 254" in problems[1].message
    _, checked = check_tables([(RT, "4294967550 wrap\n")])
    assert "RT103" in codes(checked)  # it really is table 254, main


def test_huge_id_saturates_and_is_dropped() -> None:
    entries, problems = read("99999999999999999999999 huge\n")
    assert entries == []
    assert "line is skipped" in only(problems, "RT104").message


def test_negative_id_is_dropped() -> None:
    entries, problems = read("-5 neg\n")
    assert entries == []
    assert "negative" in only(problems, "RT104").message


# ---------------------------------------------------------------------------
# check_tables


def test_duplicate_id_two_names() -> None:
    defined, problems = check_tables([(RT, "100 uplink\n100 backup\n")])
    problem = only(problems, "RT101")
    assert (problem.line, problem.col) == (2, 1)
    assert "'backup' here and 'uplink'" in problem.message
    assert problem.related == ((RT, 1),)
    assert set(defined) == {"uplink", "backup"}


def test_exact_repeat_is_harmless() -> None:
    _, problems = check_tables([(RT, "100 uplink\n"), (f"{DROPIN}/isp.conf", "100 uplink\n")])
    assert problems == []


def test_duplicate_name_across_rt_tables_and_dropin() -> None:
    files = [(f"{DROPIN}/x.conf", "200 uplink\n"), (RT, "100 uplink\n")]
    defined, problems = check_tables(files)
    problem = only(problems, "RT102")
    assert (problem.path, problem.line, problem.col) == (f"{DROPIN}/x.conf", 1, 5)
    assert "200 here and 100 at etc/iproute2/rt_tables:1" in problem.message
    assert "resolves `table uplink` to id 100" in problem.message
    assert problem.related == ((RT, 1),)
    assert defined["uplink"].id == 100


def test_same_bucket_later_file_wins() -> None:
    # 300 & 255 == 44: same hash bucket, and the drop-in is loaded after rt_tables.
    files = [(RT, "300 isp\n"), (f"{DROPIN}/isp.conf", "44 isp\n")]
    defined, problems = check_tables(files)
    assert "resolves `table isp` to id 44" in only(problems, "RT102").message
    assert defined["isp"].id == 44


def test_two_dropins_in_one_bucket_are_non_deterministic() -> None:
    files = [(f"{DROPIN}/a.conf", "456 shared\n"), (f"{DROPIN}/b.conf", "200 shared\n")]
    _, problems = check_tables(files)
    assert "order is not fixed" in only(problems, "RT102").message


@pytest.mark.parametrize("tid", [0, 253, 254, 255])
def test_reserved_id_given_another_name(tid: int) -> None:
    _, problems = check_tables([(RT, DEBIAN_RT_TABLES + f"{tid} mine\n")])
    problem = only(problems, "RT103")
    assert problem.line == 12
    assert f"reserved for {BUILTIN_TABLES_BY_ID[tid]!r}" in problem.message


BUILTIN_TABLES_BY_ID = {tid: name for name, tid in BUILTIN_TABLES.items()}


def test_compat_table_252_is_flagged() -> None:
    _, problems = check_tables([(RT, "252 mine\n")])
    assert "RT_TABLE_COMPAT" in only(problems, "RT103").message


def test_reserved_name_with_another_id_takes_over_main() -> None:
    defined, problems = check_tables([(RT, DEBIAN_RT_TABLES + "100 main\n")])
    message = only(problems, "RT102").message
    assert "belongs to table 254" in message
    assert "`table main` no longer means table 254" in message
    assert defined["main"].id == 100


def test_non_conf_dropin_is_ignored() -> None:
    files = [(RT, DEBIAN_RT_TABLES), (f"{DROPIN}/vpn", "150 vpn\n")]
    defined, problems = check_tables(files)
    problem = only(problems, "RT001")
    assert (problem.path, problem.line) == (f"{DROPIN}/vpn", 0)
    assert "Rename it to 'vpn.conf'" in problem.message
    assert "vpn" not in defined


@pytest.mark.parametrize("name", [".vpn.conf", ".conf", "vpn.conf.bak"])
def test_hidden_and_backup_dropins_are_ignored(name: str) -> None:
    defined, problems = check_tables([(f"{DROPIN}/{name}", "150 vpn\n")])
    assert "vpn" not in defined
    assert codes(problems) == ["RT001"]


def test_ignored_dropin_without_entries_is_not_reported() -> None:
    assert check_tables([(f"{DROPIN}/README", "# notes\n")]) == ({}, [])


def test_corrupt_line_in_one_file_does_not_stop_the_next() -> None:
    files = [(RT, "100\n101 hidden\n"), (f"{DROPIN}/isp.conf", "102 isp\n")]
    defined, problems = check_tables(files)
    assert set(defined) == {"isp"}
    assert codes(problems) == ["RT001"]


def test_check_tables_problem_order_is_stable() -> None:
    files = [(RT, "254 mine\n100 a\n100 b\n")]
    _, problems = check_tables(files)
    assert [(p.line, p.code) for p in problems] == [(1, "RT103"), (3, "RT101")]


# ---------------------------------------------------------------------------
# table_number


def test_table_number_reads_like_strtoul_base_0() -> None:
    assert table_number("100") == 100
    assert table_number("0x10") == 16
    assert table_number("010") == 8
    assert table_number("4294967295") == 4294967295
    assert table_number("4294967296") is None
    assert table_number("-1") is None
    assert table_number("08") is None
    assert table_number("uplink") is None
    assert table_number("") is None


# ---------------------------------------------------------------------------
# find_table_uses


def test_interfaces_up_line() -> None:
    text = (
        "auto eth1\n"
        "iface eth1 inet static\n"
        "    address 192.0.2.10/24\n"
        "    up ip route add default via 192.0.2.1 table uplink\n"
        "    post-down ip rule del from 192.0.2.10 lookup uplink || true\n"
    )
    found = find_table_uses(text, "etc/network/interfaces")
    assert found == [
        TableUse(
            "uplink",
            "etc/network/interfaces",
            4,
            49,
            "    up ip route add default via 192.0.2.1 table uplink",
            "route",
        ),
        TableUse(
            "uplink",
            "etc/network/interfaces",
            5,
            50,
            "    post-down ip rule del from 192.0.2.10 lookup uplink || true",
            "rule",
        ),
    ]


def test_continuation_lines() -> None:
    text = "ip route add default \\\n    via 10.0.0.1 \\\n    table cont\n"
    [use] = find_table_uses(text, "boot.sh")
    assert (use.name, use.line, use.col, use.text) == ("cont", 3, 11, "    table cont")


def test_ip_rule_lookup() -> None:
    [use] = find_table_uses("ip rule add from 10.0.0.5 lookup eth1-201\n", "boot.sh")
    assert (use.name, use.command, use.col) == ("eth1-201", "rule", 34)


@pytest.mark.parametrize(
    "command",
    [
        "ip route add default via 1.1.1.1 table isp",
        "ip r a default via 1.1.1.1 t isp",
        "ip ro add default via 1.1.1.1 tab isp",
        "ip rou replace default via 1.1.1.1 tabl isp",
        "ip -4 route add default via 1.1.1.1 table isp",
        "ip -6 r add default via fe80::1 dev eth0 table isp",
        "ip -f inet6 route add ::/0 via fe80::1 dev eth0 table isp",
        "ip -family inet route add default via 1.1.1.1 table isp",
        "ip -n blue route add default via 1.1.1.1 table isp",
        "ip -netns blue ro add default via 1.1.1.1 table isp",
        "ip --4 route add default via 1.1.1.1 table isp",
        "ip -s -d -color=never route show table isp",
        "ip route flush table isp",
        "ip route show table isp",
        "ip route add table isp default via 1.1.1.1",
        "ip ru add from 10.0.0.1 ta isp",
        "ip rule add from 10.0.0.1 table isp",
        "ip rule add fwmark 1 lookup isp",
        "ip rule show lookup isp",
        "ip rule show look isp",
        "ip mroute show table isp",
        "ip mrule add iif eth0 lookup isp",
        "/sbin/ip route add default via 1.1.1.1 table isp",
        "sudo ip route add default via 1.1.1.1 table isp",
        "sudo -u root -E ip route add default via 1.1.1.1 table isp",
        "env LC_ALL=C ip route add default via 1.1.1.1 table isp",
        "LANG=C ip route add default via 1.1.1.1 table isp",
        "busybox ip route add default via 1.1.1.1 table isp",
        "timeout 5 ip route add default via 1.1.1.1 table isp",
        "exec ip route add default via 1.1.1.1 table isp",
        "if ip route add default via 1.1.1.1 table isp; then :; fi",
        "ip route add default via 1.1.1.1 table 'isp'",
        'ip route add default via 1.1.1.1 table "isp"',
        "ip route add default via 1.1.1.1 table i\\sp",
        "ip route add 10.0.0.0/8 dev t table isp",
        "ip route add 10.0.0.0/8 dev eth0 mtu lock 1400 table isp",
        "ip route add 10.0.0.0/8 via inet 10.0.0.1 table isp",
        "ip route add 10.0.0.0/8 proto static metric 10 table isp 2>/dev/null",
        "ip netns exec blue ip route add default via 1.1.1.1 table isp",
        "ExecStart=-/sbin/ip route add default via 1.1.1.1 table isp",
        "ExecStart=/bin/sh -c 'ip route add default via 1.1.1.1 table isp'",
        "x=$(ip route show table isp)",
        "x=`ip route show table isp`",
    ],
)
def test_table_uses_found(command: str) -> None:
    assert names(command + "\n") == ["isp"]


@pytest.mark.parametrize(
    "command",
    [
        "ip rule add fwmark 1 t isp",  # t is tun_id for ip rule
        "ip rule add fwmark 1 look isp",  # ip rule add wants lookup in full
        "ip route show table all",
        "ip route flush table cache",
        "ip route add default via 1.1.1.1 table 100",
        "ip route add default via 1.1.1.1 table 0x64",
        "ip route add default via 1.1.1.1 table main",
        "ip rule add from 10.0.0.1 lookup local",
        "ip route add default via 1.1.1.1 table default",
        "ip route add default via 1.1.1.1 table unspec",
        "# ip route add default via 1.1.1.1 table isp",
        "echo ip route add default via 1.1.1.1 table isp",
        "command -v ip route table isp",
        "ip -batch routes.txt table isp",
        "ip address add 10.0.0.1/24 dev eth0",
        "ip route add default via 1.1.1.1",
        "ip route add default via 1.1.1.1 table",
        "ip route bogus table isp",
        "ip link add vrf-blue type bridge",
        "route add default gw 1.1.1.1",
    ],
)
def test_not_table_uses(command: str) -> None:
    assert names(command + "\n") == []


def test_table_all_is_a_name_outside_show_and_flush() -> None:
    assert names("ip route add default via 1.1.1.1 table all\n") == ["all"]


def test_vrf_link_table() -> None:
    assert uses("ip link add vrf-blue type vrf table blue\n") == [("blue", "vrf")]


def test_several_commands_on_one_line() -> None:
    text = (
        "ip route add default via 1.1.1.1 table a; ip rule add from 1.1.1.2 lookup b && "
        "ip route add 10.0.0.0/8 dev eth0 table c || ip route show table d | grep x & "
        "(ip route flush table e)\n"
    )
    assert names(text) == ["a", "b", "c", "d", "e"]


def test_comments_and_hash_inside_words() -> None:
    text = "ip route add 10/8 dev eth0 table a # table b\nip route add 1/8 table c#d\n"
    assert names(text) == ["a", "c#d"]


def test_heredoc_body_is_skipped() -> None:
    text = (
        "cat > /tmp/x <<'END'\n"
        "ip route add default table inside\n"
        "END\n"
        "cat <<-END2\n"
        "\tip route add default table inside2\n"
        "\tEND2\n"
        "ip route add default via 1.1.1.1 table after\n"
    )
    assert names(text) == ["after"]


# ip -batch - reading a here-document: each line is an ip command, as the shell hands the
# body over (expanded unless the delimiter is quoted, tabs dropped by <<-) and as ip's
# getcmdline/makeargs split it (# cuts anywhere, quotes make one word, no escapes).
# (script, [(table, line, col, dynamic)])
# fmt: off
BATCH_CASES = [
    ("ip -batch - <<EOF\nroute add default via 10.0.0.1 table foo\nrule add from 10.0.0.5 lookup bar\nEOF\n",
     [("foo", 2, 38, False), ("bar", 3, 31, False)]),
    ("ip -batch - <<-EOF\n\troute add default via 10.0.0.1 table foo\n\trule add from 10.0.0.5 lookup bar\n\tEOF\n",
     [("foo", 2, 39, False), ("bar", 3, 32, False)]),
    # a quoted delimiter: the body is literal, so ip gets "$foo" itself
    ("ip -force -batch - <<'EOF'\nroute add x table $foo\nrule add from 10.0.0.5 lookup bar # c\nEOF\n",
     [("$foo", 2, 19, False), ("bar", 3, 31, False)]),
    # unquoted: $foo is expanded (unknown); ip splits "q"x into two words
    ('ip -batch - <<EOF\nroute add x table $foo\nrule add from 10.0.0.5 lookup "q"x\nEOF\n',
     [("", 2, 19, True), ("q", 3, 31, False)]),
    # ip cuts at the first # anywhere; the shell joins a backslash-newline first
    ("ip -b - <<EOF\nroute add x table a#b\nroute add x \\\ntable cont\nEOF\nip route add y table after\n",
     [("a", 2, 19, False), ("cont", 4, 7, False), ("after", 6, 22, False)]),
    # in a literal body ip joins a line ending in a backslash itself
    ("ip -b - <<\\EOF\nroute add x \\\ntable lit\nEOF\n", [("lit", 3, 7, False)]),
    # a quote makes one word with its spaces; an unclosed one ends ip: no later line runs
    ("ip -batch - <<EOF\nroute add x table 'sp ace'\nroute add x table \"open\nroute add y table never\nEOF\n",
     [("sp ace", 2, 19, False)]),
    # the last redirection of stdin wins; 3<< is not stdin; a batch file is not read
    ("ip -batch - < file <<EOF\nroute add x table last\nEOF\n", [("last", 2, 19, False)]),
    ("ip -batch - <<EOF < file\nroute add x table no\nEOF\n", []),
    ("ip -batch - 3<<EOF\nroute add x table no\nEOF\n", []),
    ("ip -batch /etc/ip.batch <<EOF\nroute add x table no\nEOF\n", []),
    ("ip -batch /dev/stdin <<EOF\nroute add x table yes\nEOF\n", [("yes", 2, 19, False)]),
    # wrappers and netns exec pass stdin on; a command after ; on the same line is not ip's
    ("sudo ip netns exec ns ip -batch - <<EOF; echo ok\nroute add x table yes\nEOF\n",
     [("yes", 2, 19, False)]),
    # cat of a here-document piped into ip -batch - (cat with a file, ||, a filter: not)
    ("cat <<EOF | ip -batch -\nroute add x table piped\nEOF\n", [("piped", 2, 19, False)]),
    ("cat - <<'E' |\nr a x t q\nE\nsudo ip -force -b /dev/stdin\n", [("q", 2, 9, False)]),
    ("cat file <<EOF | ip -batch -\nroute add x table no\nEOF\n", []),
    ("cat <<EOF || ip -batch -\nroute add x table no\nEOF\n", []),
    ("cat <<EOF | grep x | ip -batch -\nroute add x table no\nEOF\n", []),
    # numbers and built-in names need no definition; a batch line has no "ip" in front
    ("ip -batch - <<EOF\nroute add x table 100\nrule add lookup main\nip route add x table no\nEOF\n", []),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), BATCH_CASES)
def test_ip_batch_reads_its_here_document(
    text: str, expected: list[tuple[str, int, int, bool]]
) -> None:
    found = find_table_uses(text, "boot.sh")
    assert [(u.name, u.line, u.col, u.dynamic) for u in found] == expected


def test_shell_variables_are_dynamic() -> None:
    text = (
        "ip route add 192.168.0.0/24 dev $iface table $table\n"
        'ip route add default via 192.168.0.1 table "${table}"\n'
        "ip rule add from $ip table $(cat /run/table)\n"
        "ip rule add from $ip table tbl_$n\n"
    )
    found = find_table_uses(text, "boot.sh")
    assert [u.dynamic for u in found] == [True, True, True, True]
    assert undefined_tables(found, {}) == []


def test_uses_are_in_text_order_with_substitutions() -> None:
    text = "echo $(ip route show table inner) && ip route show table outer\n"
    assert names(text) == ["inner", "outer"]


# ---------------------------------------------------------------------------
# undefined_tables (RT105)


def test_undefined_table_message() -> None:
    found = find_table_uses("ip route add default via 1.1.1.1 table uplink\n", "boot.sh")
    [problem] = undefined_tables(found, {})
    assert (problem.code, problem.path, problem.line, problem.col) == ("RT105", "boot.sh", 1, 40)
    assert "'uplink'" in problem.message
    assert "not defined in any rt_tables file" in problem.message
    assert '"table value is invalid"' in problem.message
    assert "`100 uplink`" in problem.message


def test_undefined_rule_table_uses_rule_error_and_suggests_a_close_name() -> None:
    defined, _ = check_tables([(RT, "201 eth1-201\n")])
    found = find_table_uses("ip rule add from 10.0.0.5 lookup eth1_201\n", "boot.sh")
    [problem] = undefined_tables(found, defined)
    assert '"invalid table ID"' in problem.message
    assert "Did you mean 'eth1-201'?" in problem.message
    assert problem.related == ((RT, 1),)
    assert "`100 eth1_201`" in problem.message


def test_number_too_large_for_a_table_is_undefined() -> None:
    found = find_table_uses("ip route add default via 1.1.1.1 table 4294967296\n", "boot.sh")
    [problem] = undefined_tables(found, {})
    assert "not a valid table number" in problem.message


def test_defined_and_builtin_names_are_not_reported() -> None:
    defined, _ = check_tables([(RT, DEBIAN_RT_TABLES + "100 uplink\n")])
    handmade = [
        TableUse("uplink", "s", 1, 1, "x"),
        TableUse("main", "s", 2, 1, "x"),
        TableUse("200", "s", 3, 1, "x"),
        TableUse("$t", "s", 4, 1, "x", dynamic=True),
    ]
    assert undefined_tables(handmade, defined) == []


def test_table_hidden_by_corrupt_line_is_undefined() -> None:
    defined, problems = check_tables([(RT, "100\n101 uplink\n")])
    assert "uplink" not in defined
    assert only(problems, "RT001").related == ((RT, 2),)
    found = find_table_uses("up ip route add default via 1.1.1.1 table uplink\n", "interfaces")
    assert codes(undefined_tables(found, defined)) == ["RT105"]


def test_worked_example_routed_xen_guest() -> None:
    """The webserv domU of the notes: one table per interface, a boot script that uses
    them through $table, and literal names in ip rule lines."""
    rt_tables = DEBIAN_RT_TABLES + "16      eth0-200\n17      eth1-201\n18      eth2-202\n"
    script = (
        "#!/bin/sh\n"
        "for n in 0 1 2; do\n"
        "  iface=eth$n; ip=192.168.0.20$n; table=$iface-20$n\n"
        "  ip route add 192.168.0.0/24 dev $iface table $table\n"
        "  ip route add default via 192.168.0.1 table $table\n"
        "  ip rule add from $ip table $table\n"
        "done\n"
        "ip rule add from 192.168.0.201 table eth1-201\n"
        "ip route add default via 192.168.0.1 dev eth2 table eth2-202\n"
        "ip rule add from 192.168.0.203 lookup eth3-203\n"
    )
    defined, problems = check_tables([(RT, rt_tables)])
    assert problems == []
    assert {n: e.id for n, e in defined.items() if e.id not in (0, 253, 254, 255)} == {
        "eth0-200": 16,
        "eth1-201": 17,
        "eth2-202": 18,
    }
    found = find_table_uses(script, "etc/rc.local")
    assert [(u.name, u.dynamic) for u in found] == [
        ("", True),
        ("", True),
        ("", True),
        ("eth1-201", False),
        ("eth2-202", False),
        ("eth3-203", False),
    ]
    [problem] = undefined_tables(found, defined)
    assert (problem.line, problem.col) == (10, 39)
    assert "'eth3-203'" in problem.message


# ---------------------------------------------------------------------------
# properties


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_read_rt_tables_never_raises(text: str) -> None:
    entries, problems = read_rt_tables(text, RT)
    assert all(0 <= e.id <= 2**31 - 1 for e in entries)
    assert all(p.code in {"RT001", "RT104"} for p in problems)


RT_ALPHABET = "0123456789xXabcdefg+- \t\v\r\n#\x00"


@settings(max_examples=300)
@given(st.lists(st.tuples(st.text(RT_ALPHABET, max_size=20), st.booleans()), max_size=4))
def test_check_tables_never_raises(files: list[tuple[str, bool]]) -> None:
    named = [
        (f"{DROPIN}/f{i}.conf" if dropin else f"{RT}{i}", text)
        for i, (text, dropin) in enumerate(files)
    ]
    defined, problems = check_tables(named)
    assert all(name == entry.name for name, entry in defined.items())
    assert all(p.code.startswith("RT") for p in problems)


SHELL_ALPHABET = string.ascii_letters[:8] + "ip route rule table lookup $(){}`'\"\\;&|<>#\n\t -=/"


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.text(SHELL_ALPHABET)))
def test_find_table_uses_never_raises(text: str) -> None:
    found = find_table_uses(text, "x.sh")
    lines = text.split("\n")
    for use in found:
        assert 1 <= use.line <= len(lines)
        assert use.col >= 1
    undefined_tables(found, {})


def test_deep_nesting_does_not_overflow_the_stack() -> None:
    text = "$(" * 5000 + "ip route show table deep" + ")" * 5000 + "\n"
    find_table_uses(text, "x.sh")
    find_table_uses("ip netns exec a " * 2000 + "ip route show table deep\n", "x.sh")


@settings(max_examples=200)
@given(
    st.integers(min_value=1, max_value=2**31 - 1),
    st.from_regex(r"[a-z][a-z0-9_.-]{0,14}", fullmatch=True).filter(
        lambda n: n not in {"all", "cache"}
    ),
    st.sampled_from([" ", "\t", "  \t"]),
)
def test_well_formed_line_round_trips(tid: int, name: str, gap: str) -> None:
    entries, problems = read_rt_tables(f"{tid}{gap}{name}\n", RT)
    assert pairs(entries) == [(tid, name)]
    assert problems == []


# ---------------------------------------------------------------------------
# The emulations against the real C library, where it is glibc


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name or "libc.so.6" not in name or ctypes.sizeof(ctypes.c_long) != 8:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
    except (OSError, AttributeError):
        return None
    return libc


LIBC = _glibc()
needs_glibc = pytest.mark.skipif(LIBC is None, reason="needs 64-bit glibc")


def _real_sscanf(line: str) -> tuple[int, str] | None:
    assert LIBC is not None
    data = line.encode("latin-1")
    for fmt in (b"0x%x %s\n", b"0x%x %s #", b"%d %s\n", b"%d %s #"):
        value = ctypes.c_int(0)
        name = ctypes.create_string_buffer(1024)
        if LIBC.sscanf(data, fmt, ctypes.byref(value), name) == 2:
            return value.value, name.value.decode("latin-1")
    return None


@needs_glibc
@settings(max_examples=1000)
@given(st.text("0123456789xXabcdefg+- \t\v\r", min_size=1, max_size=24))
def test_line_reading_matches_glibc_sscanf(line: str) -> None:
    entries, problems = read_rt_tables(line + "\n", RT)
    real = _real_sscanf(line.lstrip(" \t"))
    if line.lstrip(" \t") == "" or line.lstrip(" \t").startswith("#"):
        assert entries == [] and problems == []
    elif real is None:
        assert entries == [] and any("corrupted" in p.message for p in problems)
    elif real[0] < 0:
        assert entries == []
    else:
        assert pairs(entries) == [real]


@needs_glibc
@settings(max_examples=500)
@given(st.text("0123456789xXabcdef+- ", min_size=1, max_size=24))
def test_table_number_matches_glibc_strtoul(arg: str) -> None:
    assert LIBC is not None
    LIBC.strtoul.restype = ctypes.c_ulong
    LIBC.strtoul.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]
    buf = ctypes.create_string_buffer(arg.encode())
    end = ctypes.c_char_p()
    value = LIBC.strtoul(buf, ctypes.byref(end), 0)
    start = ctypes.cast(buf, ctypes.c_void_p).value
    stop = ctypes.cast(end, ctypes.c_void_p).value
    assert start is not None and stop is not None
    full = stop != start and stop - start == len(arg)
    expected = value if full and value <= 0xFFFF_FFFF else None
    assert table_number(arg) == expected
