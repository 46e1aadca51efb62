"""The rule catalogue of the infrastructure checks: Xen guest configs and iproute2."""

from __future__ import annotations

from regime.findings import Severity

INFRA_RULES: list[tuple[str, str, Severity, str, str]] = [
    ("XEN001", "xl-parse-error", Severity.ERROR,
     "the guest config does not parse: xl would refuse it",
     """
xl reads guest configs with its own small grammar (not Python): `key = value`
lines, strings in quotes, whole numbers, lists in [ ]. This file breaks it, so
`xl create` would refuse the guest. regime names the line and column and what it
found there, as xl does; when the file looks like Python (an old xm config), it
says so.

Fix: write it in xl syntax, or set `xen: {grammar: xm}` in .regime.yaml if this
host still runs xm (regime then reads it as Python, statically, never running it).
"""),
    ("XEN002", "not-checkable", Severity.WARNING,
     "the guest config cannot be checked statically",
     """
An xm config (Python) computes a value (a call, an expression, an import): regime
never runs a config, so it cannot know the value and does not guess. The MAC and
IP checks do not see this guest's network.

Fix: write the value as a literal (`vif = ['mac=00:16:3e:00:00:01,ip=10.0.0.5']`).
A computed `vif` or `name` is XEN003, an error.
"""),
    ("XEN003", "needed-value-computed", Severity.ERROR,
     "a value a rule needs is computed: cannot be checked statically",
     """
An xm config (Python) computes a setting the XEN rules read: `vif` (its MACs,
addresses, vifnames and scripts) or `name`, or runs a statement that may set
any name (`exec`, `globals()`, `from m import *`). regime never runs a config, so
it cannot compare this guest's MACs, addresses or name with the other guests': a
reused MAC written as `vif = make_vifs()` would pass unseen. That blocks; other
computed values (`memory = 256 * 2`) are XEN002, a warning.

Fix: write `vif` and `name` as literals:
    name = 'web'
    vif = ['mac=00:16:3e:00:00:01,ip=10.0.0.5']
"""),
    ("XEN101", "duplicate-mac", Severity.ERROR,
     "a MAC address is used by two vifs",
     """
Two vifs, in the same guest or in two guests, have the same MAC address (MACs
are compared as xl reads them: 0:16:3e:1:2:3, 00-16-3E-01-02-03 and
00:16:3e:01:02:03 are one address). Two guests with one MAC on a bridge steal
each other's traffic. Both places are named.

Fix: give one of them a new address (`regime inventory` lists the ones in use).
"""),
    ("XEN102", "duplicate-ip", Severity.ERROR,
     "an IP address is used by two vifs",
     """
Two vifs claim the same address, or overlapping ones (10.0.0.5 inside 10.0.0.0/24).
With vif-route the second guest's `ip route add` fails and it does not start;
with vif-bridge the anti-spoofing rules let both send as the address.

Fix: give one of them another address (`regime inventory` lists the ones in use).
"""),
    ("XEN103", "routed-vif-without-ip", Severity.ERROR,
     "a routed vif (vif-route) has no ip=",
     """
vif-route adds one route per address in `ip=`. With no `ip=` it adds none, reports
success, and the guest is silently unreachable; its anti-spoofing rule then lets
any source through. A vif is routed when its script is vif-route (by name or
path), or when it has no script and the host's default script is routed
(`xen: {default_script: vif-route}` in the policy).

Fix: add `ip=ADDRESS` (several as `ip=10.0.0.1 10.0.0.2`, space-separated).
"""),
    ("XEN104", "too-many-vifs", Severity.ERROR,
     "a guest has more vifs than allowed",
     """
Xen 3.0 hosts give a guest three vifs (netfront "can't alloc rx grant refs" on the
fourth), Xen 3.1 and later eight (qemu-dm's limit for HVM). The limit is a policy
setting, `xen: {max_vifs: 8}`.
"""),
    ("XEN105", "bad-mac", Severity.ERROR,
     "a MAC address is malformed, multicast or all zeros",
     """
xl reads a MAC as six hex numbers (each at most ff) separated by one character.
A malformed one stops the guest; all zeros makes xl pick a random address on every
boot; a multicast one (bit 0x01 of the first octet) is dropped by the Linux bridge.
A hand-made MAC should use Xen's prefix 00:16:3e or be locally administered (the
second hex digit of the first octet 2, 6, A or E).
"""),
    ("XEN106", "vif-not-a-list", Severity.ERROR,
     "vif is a string, not a list: the guest gets no network",
     """
`vif = "mac=..."` is a string; xl expects a list and only warns, and the guest starts
with no network interface at all. Fix: `vif = [ 'mac=...' ]`.
"""),
    ("XEN107", "quote-in-vif", Severity.ERROR,
     "a quote inside a vif value is kept literally",
     """
There is no quoting inside a vif spec: in `'bridge="xenbr0"'` the quotes are part
of the value, so the bridge is literally named "xenbr0" with quotes. Fix: drop them.
"""),
    ("XEN108", "unknown-vif-key", Severity.ERROR,
     "an item of a vif spec is not a known key=value",
     """
xl ignores an unknown item with a message and starts the guest without it. The
classic mistake is a second address after a comma, `ip=10.0.0.1,10.0.0.2`, which
makes `10.0.0.2` an unknown key and routes only the first address: several
addresses are space-separated, `ip=10.0.0.1 10.0.0.2`. Keys are case-sensitive and
take no spaces around `=`.
"""),
    ("XEN109", "vif-without-mac", Severity.WARNING,
     "a vif has no mac=: a random MAC on every boot",
     """
Without `mac=` xl makes a random 00:16:3e:xx:xx:xx address on every boot: three
random bytes collide often enough across many guests, and the guest may see a new
NIC each boot and rename eth0 to eth1. Fix: give every vif a fixed MAC.
"""),
    ("XEN110", "vifname-too-long", Severity.ERROR,
     "a vifname is longer than 15 characters",
     """
Linux truncates interface names to 15 characters silently, so two long names can
become one, and firewall rules written for the long name never match.
"""),
    ("XEN111", "duplicate-vifname", Severity.ERROR,
     "the same vifname is used twice",
     """
Two vifs with one vifname cannot both exist on the host: the second guest's vif
fails to come up. Both places are named.
"""),
    ("XEN112", "duplicate-guest-name", Severity.ERROR,
     "the same guest name is used twice",
     """
Two configs with one `name` cannot run at once on a host (xl refuses the second),
and tools that address guests by name act on the wrong one. Both places are named.
"""),
    ("XEN113", "bad-vif-value", Severity.ERROR,
     "a vif value xl rejects: rate, devid, mtu or type",
     """
xl checks a few vif values itself. A `rate=` that is not NUMBER[GMK]{B|b}/s with an
optional @INTERVAL (`10mb/s`, `10kB/s`: the unit letters are case-sensitive), a
`devid=` or `mtu=` that is not a number: `xl create` stops with an error and the
guest does not start. A `type=` other than `vif` or `ioemu` (lower case): xl says
"Invalid parameter `type'" and the vif keeps the default type. A number with text
after it (`mtu=1500x`) or a leading 0 in a rate (octal to xl) is read otherwise than
written, and reported too.

Fix: `rate=10MB/s@20ms`, `mtu=1500`, `devid=0`, `type=vif`.
"""),
    ("XEN114", "space-in-vif-name", Severity.ERROR,
     "a vif name value with a space at its start or end, which xl keeps",
     """
xl drops the spaces before the key of each item of a vif spec, never those around a
value: `'mac=00:16:3e:00:00:01,bridge=xenbr0 '` asks for a bridge named "xenbr0 "
(with the space), `script=vif-route ` for a hotplug script of that name. Neither
exists, so the vif does not come up. This is checked for bridge, script, vifname,
backend, gatewaydev/netdev, model, vlan and forwarddev.

Fix: remove the space (a space after a comma, before the next key, is harmless).
"""),
    ("XEN115", "escape-xl-drops", Severity.ERROR,
     "an octal escape in a string, which xl drops from the value",
     """
xl's parser accepts an octal escape of three digits or more (`\\101`) and then
leaves it out of the string, without a word: `name = "A\\101B"` is the guest "AB",
not "AAB". (With fewer, `"\\1"` or `"\\12"`, xl refuses the file: XEN001.) regime
names the escape and the value xl makes of the string.

Fix: write the character itself; xl knows the escapes \\' \\" \\\\ \\a \\b \\f \\n
\\r \\t \\v.
"""),
    ("RT001", "rt-tables-misread", Severity.ERROR,
     "an rt_tables line iproute2 would misread or call corrupt",
     """
iproute2 reads rt_tables with sscanf: `1e3 x` silently means id 1 named `e3`, and
a line like `100` or `abc 1` makes it report the database corrupted and ignore the
rest of that file. A name that is a number shadows that number, and `all` or
`cache` shadow keywords of `ip route show`.
"""),
    ("RT002", "rt-tables-extra-words", Severity.ERROR,
     "an rt_tables line with words after the name, which iproute2 drops",
     """
iproute2 reads `ID NAME` and never looks past the name: `100 foo bar` is table 100
named `foo`, and `bar` is dropped without a word. A table has one name (there are
no aliases), and only `#` starts a comment, so the line does not say what iproute2
loads: a script that uses `bar` fails at boot ("table value is invalid").

Fix: `100 foo # bar` if the rest is a comment, or one name per line and id.
"""),
    ("RT101", "rt-id-two-names", Severity.ERROR,
     "one routing table id has two names",
     """
Which name wins depends on hash buckets and load order. Give each id one name.
"""),
    ("RT102", "rt-name-two-ids", Severity.ERROR,
     "one routing table name has two ids",
     """
The same name defined twice, in rt_tables or across rt_tables.d/*.conf (loaded in
directory order): which id `table NAME` means is not deterministic.
"""),
    ("RT103", "rt-reserved-id", Severity.ERROR,
     "a reserved routing table id is given another name",
     """
Ids 0 (unspec), 253 (default), 254 (main) and 255 (local) belong to the kernel's
tables; naming one otherwise makes `table NAME` silently mean the main or local
table.
"""),
    ("RT104", "rt-id-out-of-range", Severity.ERROR,
     "a routing table id is out of range",
     """
Valid ids go up to 2^32-1 in the kernel, but iproute2 keeps them in a C int and
drops ids of 2^31 and above silently (BusyBox ip accepts only 0-1023).
"""),
    ("RT105", "rt-table-undefined", Severity.ERROR,
     "a script uses a routing table that no rt_tables file defines",
     """
`ip route ... table NAME` or `ip rule ... lookup NAME` with a name that is in no
rt_tables file fails at run time ("table value is invalid"), typically at boot.
Fix: define the table in rt_tables (or rt_tables.d/NAME.conf), or fix the name.
"""),
    ("INF001", "link-not-followed", Severity.ERROR,
     "an infrastructure file is a link that cannot be followed inside the repository",
     """
A guest config, an rt_tables file or a script that uses tables is a symbolic link
(a git link, an svn link with svn:special, a link on disk). xl, xm and iproute2
follow links, so regime reads such a file as its target, from the repository
itself (never from the server's own files), and reports it under the link's name.
This link cannot be followed inside the repository: its target is an absolute
path or climbs out of the repository with `..` (the host would read whatever it
has there, which nobody reviewed), it points to nothing (a deleted or misspelled
file, a folder), or it is a loop (or a chain of more than 40 links). The finding
names the link and its target.

Fix: point the link at a file in the repository with a relative path
(`ln -sf ../xen-off/b.conf etc/xen/b.cfg`), or replace it with the file itself.
A link whose target is itself read by these checks (`etc/xen/auto/web.cfg ->
../web.cfg`, xendomains' way of starting guests at boot) is the same guest, not a
second one; a change to a target counts as a change to every link to it.
"""),
]  # fmt: skip
