"""vif specs, MAC addresses, ``ip=`` lists and ``rate=``, read the way xl reads them.

Why exactly xl's way: the mistakes that cost an outage are the ones xl accepts
quietly. xl splits a spec with ``strtok(spec, ",")`` (empty items vanish), drops
the leading SPACES (not tabs) of each item, and matches ``key=`` exactly and
case-sensitively (``parse_nic_config``). There is no quoting, so quotes become
part of a value; trailing spaces stay in it; a repeated key replaces the earlier
one; an unknown item only makes xl print "unrecognized argument" and the guest
starts without it. ``ip=10.0.0.1,10.0.0.2`` thus routes only 10.0.0.1 and leaves
``10.0.0.2`` as an unknown item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from regime.cnumber import C_SPACE, HEX_DIGITS, number_start

if TYPE_CHECKING:
    from netaddr import IPNetwork

__all__ = [
    "IGNORED_KEYS",
    "KNOWN_KEYS",
    "NAME_KEYS",
    "VALUE_KEYS",
    "XEN_OUI",
    "XL_FLAGS",
    "XL_KEYS",
    "XM_KEYS",
    "VifSpec",
    "format_mac",
    "has_xen_oui",
    "ip_ranges",
    "is_known_key",
    "is_locally_administered",
    "is_multicast",
    "is_zero",
    "mac_quirks",
    "padded_values",
    "parse_ips",
    "parse_mac",
    "parse_vif",
    "rate_problem",
]

#: Xen's OUI: MACs xl makes up are 00:16:3e:xx:xx:xx.
XEN_OUI = 0x00163E

#: Keys xl's ``parse_nic_config`` knows (``netdev`` is the deprecated name of
#: ``gatewaydev``; ``accel`` is accepted and ignored).
XL_KEYS = frozenset(
    {
        "type",
        "mac",
        "bridge",
        "gatewaydev",
        "netdev",
        "ip",
        "script",
        "backend",
        "vifname",
        "model",
        "rate",
        "devid",
        "mtu",
        "vlan",
        "forwarddev",
        "accel",
    }
)
#: xl's COLO (fault tolerance) keys, as listed in ``parse_nic_config``.
XL_COLO_KEYS = frozenset(
    {
        "colo_sock_mirror_id",
        "colo_sock_mirror_ip",
        "colo_sock_mirror_port",
        "colo_sock_compare_sec_in_id",
        "colo_sock_compare_sec_in_ip",
        "colo_sock_compare_sec_in_port",
        "colo_sock_redirector0_id",
        "colo_sock_redirector0_ip",
        "colo_sock_redirector0_port",
        "colo_sock_redirector1_id",
        "colo_sock_redirector1_ip",
        "colo_sock_redirector1_port",
        "colo_sock_redirector2_id",
        "colo_sock_redirector2_ip",
        "colo_sock_redirector2_port",
        "colo_sock_compare_pri_in_id",
        "colo_sock_compare_pri_in_ip",
        "colo_sock_compare_pri_in_port",
        "colo_sock_compare_notify_id",
        "colo_sock_compare_notify_ip",
        "colo_sock_compare_notify_port",
        "colo_filter_mirror_queue",
        "colo_filter_mirror_outdev",
        "colo_filter_redirector0_queue",
        "colo_filter_redirector0_indev",
        "colo_filter_redirector0_outdev",
        "colo_filter_redirector1_queue",
        "colo_filter_redirector1_indev",
        "colo_filter_redirector1_outdev",
        "colo_compare_pri_in",
        "colo_compare_sec_in",
        "colo_compare_out",
        "colo_compare_notify_dev",
        "colo_sock_sec_redirector0_id",
        "colo_sock_sec_redirector0_ip",
        "colo_sock_sec_redirector0_port",
        "colo_sock_sec_redirector1_id",
        "colo_sock_sec_redirector1_ip",
        "colo_sock_sec_redirector1_port",
        "colo_filter_sec_redirector0_queue",
        "colo_filter_sec_redirector0_indev",
        "colo_filter_sec_redirector0_outdev",
        "colo_filter_sec_redirector1_queue",
        "colo_filter_sec_redirector1_indev",
        "colo_filter_sec_redirector1_outdev",
        "colo_filter_sec_rewriter0_queue",
        "colo_checkpoint_host",
        "colo_checkpoint_port",
    }
)
#: Items that are a word alone, not ``key=value``.
XL_FLAGS = frozenset({"trusted", "untrusted"})
#: Keys xm's create.py accepted.
XM_KEYS = frozenset(
    {
        "backend",
        "bridge",
        "ip",
        "mac",
        "script",
        "type",
        "vifname",
        "rate",
        "model",
        "accel",
        "policy",
        "label",
    }
)
#: Keys accepted and then ignored (xl: "the accel parameter ... is not supported").
IGNORED_KEYS = frozenset({"accel"})
#: Every key this module takes as known: xl's and xm's.
KNOWN_KEYS = XL_KEYS | XL_COLO_KEYS | XM_KEYS

# libxlu_vif.c: "^[0-9]+[GMK]?[Bb]/s$", then after "@" "^[0-9]+[mu]?s?$" (the final s
# of the interval is optional: "@20m" is 20 ms, "@2" two seconds)
_RATE_RE = re.compile(r"([0-9]+)([GMK]?)([Bb])/s(?:@([0-9]+)([mu]?)s?)?")
_IP_SPLIT_RE = re.compile(r"[ \t\n]+")  # the hotplug scripts' shell word splitting
_IP_CHARS_RE = re.compile(r"[0-9A-Fa-f:./]+")
_CANONICAL_MAC_RE = re.compile(r"[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}")
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# A plain IPv4 address or network, the way nearly every ip= is written.
_PLAIN_IPV4_RE = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?:/(3[0-2]|[12]?[0-9]))?")
_UINT32_MAX = 2**32 - 1
_ULONG_MAX = 2**64 - 1


def is_known_key(key: str) -> bool:
    """Whether ``key=`` is a vif key xl or xm knows (exact, case-sensitive)."""
    return key in KNOWN_KEYS


@dataclass(slots=True)
class VifSpec:
    """One vif spec string as xl splits it.

    ``items`` maps each known key to its value (the last one wins, as in xl);
    ``pairs`` keeps every known ``key=value`` in order, repeats included.
    ``unknown`` holds the items xl would call "unrecognized argument" (after
    their leading spaces are dropped); ``quoted`` the keys whose value contains
    a quote character, which xl keeps literally; ``flags`` the bare ``trusted``
    / ``untrusted`` words; ``xm_only`` the keys only xm knew (``policy``,
    ``label``), which xl reports as unrecognized.
    """

    raw: str
    items: dict[str, str] = field(default_factory=dict)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    xm_only: list[str] = field(default_factory=list)
    # parsed_mac, once read (the XEN rules ask for it twice per vif, at 30,000 vifs)
    _parsed_mac: tuple[int | None, str | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def mac(self) -> str | None:
        """The ``mac=`` value as written (see :func:`parse_mac`)."""
        return self.items.get("mac")

    @property
    def parsed_mac(self) -> tuple[int | None, str | None]:
        """``mac=`` read as xl reads it, read once: :func:`parse_mac`'s (value, None)
        or (None, problem), and (None, None) when the spec has no ``mac=``."""
        parsed = self._parsed_mac
        if parsed is None:
            mac = self.items.get("mac")
            parsed = self._parsed_mac = (None, None) if mac is None else parse_mac(mac)
        return parsed

    @property
    def ips(self) -> list[str]:
        """The ``ip=`` value split into words as the hotplug scripts split it."""
        value = self.items.get("ip")
        return [word for word in _IP_SPLIT_RE.split(value) if word] if value else []

    @property
    def script(self) -> str | None:
        return self.items.get("script")

    @property
    def bridge(self) -> str | None:
        return self.items.get("bridge")

    @property
    def vifname(self) -> str | None:
        return self.items.get("vifname")

    @property
    def rate(self) -> str | None:
        return self.items.get("rate")

    @property
    def model(self) -> str | None:
        return self.items.get("model")

    @property
    def type(self) -> str | None:
        return self.items.get("type")

    @property
    def backend(self) -> str | None:
        return self.items.get("backend")

    @property
    def gatewaydev(self) -> str | None:
        """``gatewaydev=``, or its old name ``netdev=``: whichever comes last."""
        value = None
        for key, item in self.pairs:
            if key in ("gatewaydev", "netdev"):
                value = item
        return value

    @property
    def devid(self) -> str | None:
        return self.items.get("devid")

    @property
    def mtu(self) -> str | None:
        return self.items.get("mtu")

    @property
    def vlan(self) -> str | None:
        return self.items.get("vlan")

    @property
    def problems(self) -> list[str]:
        """Values xl rejects or misreads: a MAC it cannot read, then
        :attr:`value_problems`."""
        out: list[str] = []
        if self.mac is not None:
            _value, problem = self.parsed_mac
            if problem is not None:
                out.append(f"mac={self.mac}: {problem}")
        return out + self.value_problems

    @property
    def value_problems(self) -> list[str]:
        """The values other than the MAC that xl rejects or misreads: an invalid rate,
        devid or mtu (``xl create`` then stops), a type it does not know (xl says
        "Invalid parameter `type'" and the vif keeps the default type)."""
        out: list[str] = []
        if self.rate is not None:
            problem = rate_problem(self.rate)
            if problem is not None:
                out.append(f"rate={self.rate}: {problem}")
        if self.type is not None and self.type not in ("vif", "ioemu"):
            out.append(
                f"type={self.type}: xl knows only vif and ioemu, in lower case; it says "
                '"Invalid parameter `type\'" and the vif keeps the default type'
            )
        for key in ("devid", "mtu"):
            value = self.items.get(key)
            if value is not None:
                problem = _ulong_problem(value)
                if problem is not None:
                    out.append(f"{key}={value}: {problem}")
        return out


#: Keys whose value xl hands on as a name (of a bridge, a script, an interface, a
#: domain...): a space before or after it is kept, so the name is one that does not
#: exist. (``ip=`` is split into words by the hotplug scripts, ``mac=``, ``devid=`` and
#: ``mtu=`` are read as numbers, ``type=`` and ``rate=`` are checked on their own.)
NAME_KEYS = ("bridge", "script", "vifname", "backend", "gatewaydev", "netdev", "model",
             "vlan", "forwarddev")  # fmt: skip


_NAME_KEY_SET = frozenset(NAME_KEYS)
#: The keys :attr:`VifSpec.value_problems` looks at.
VALUE_KEYS = frozenset({"rate", "type", "devid", "mtu"})


def padded_values(spec: VifSpec) -> list[tuple[str, str]]:
    """The (key, value) of each name key whose value xl keeps with white space at
    its start or end, in the order of the spec: xl drops only the spaces before the
    KEY of an item."""
    return [
        (key, value)
        for key, value in spec.items.items()
        if key in _NAME_KEY_SET and value and (value[0].isspace() or value[-1].isspace())
    ]


def parse_vif(spec: str) -> VifSpec:
    """Split one vif spec string exactly as xl does (see the module docstring)."""
    result = VifSpec(spec)
    items, pairs = result.items, result.pairs
    quotes = "'" in spec or '"' in spec  # rare: look at each value only then
    text = spec.split("\0", 1)[0] if "\0" in spec else spec  # C strings end at a NUL
    for piece in text.split(","):
        if not piece:
            continue  # strtok: empty items vanish
        item = piece.lstrip(" ") if piece[0] == " " else piece
        key, sep, value = item.partition("=")
        xl = sep and key in XL_KEYS  # nearly every item: one of xl's own keys, tried first
        if not xl and (not sep or key not in KNOWN_KEYS):
            if item in XL_FLAGS:
                result.flags.append(item)
            else:
                result.unknown.append(item)
            continue
        items[key] = value
        pairs.append((key, value))
        if quotes and ("'" in value or '"' in value) and key not in result.quoted:
            result.quoted.append(key)
        if not xl and key not in result.xm_only:
            result.xm_only.append(key)
    return result


# --------------------------------------------------------------------------- MAC


def parse_mac(text: str) -> tuple[int | None, str | None]:
    """A MAC read as xl reads ``mac=``: (48-bit value, None) or (None, problem).

    xl calls ``strtoul(p, &end, 16)`` six times and skips exactly one character
    after each number, whatever it is. So ``00-16-3e-aa-bb-cc``, ``0:16:3e:1:2:3``
    and upper case are fine, ``00163eaabbcc`` is one number above 255 and
    rejected. Like strtoul, a number may have leading white space, a sign or
    ``0x``; text after the sixth number is ignored (see :func:`mac_quirks`).
    Fewer than six numbers is rejected: xl would read past the end of the string.
    """
    if len(text) == 17 and _CANONICAL_MAC_RE.fullmatch(text):
        return int(text.replace(text[2], ""), 16), None  # the common case, quickly
    return _parse_mac_as_strtoul(text)


def _parse_mac_as_strtoul(text: str) -> tuple[int | None, str | None]:
    """:func:`parse_mac` the long way, one strtoul at a time, as xl does it."""
    n = len(text)
    pos = 0
    value = 0
    for index in range(6):
        if pos > n:
            return None, f"only {index} of the 6 numbers"
        i, negative, _base = number_start(text, pos)  # strtoul(..., 16): only 0x counts
        start = i
        while i < n and text[i] in HEX_DIGITS:
            i += 1
        digits = text[start:i]
        if not digits:
            return None, f"number {index + 1} is missing or not hexadecimal"
        significant = digits.lstrip("0")
        if not significant:
            octet = 0
        elif len(significant) > 2:
            octet = 256  # too big; and no int() on a huge run of digits
        else:
            octet = int(significant, 16)
        if octet > 255 or (negative and octet != 0):
            written = text[pos:i].strip()
            if len(digits) >= 6 and not negative:
                return (
                    None,
                    f"{written!r} is not a number from 00 to ff (separate the bytes with :)",
                )
            return None, f"{written!r} is not a number from 00 to ff"
        value = (value << 8) | octet
        pos = i + 1
    return value, None


def mac_quirks(text: str) -> list[str]:
    """What in a MAC xl accepts is probably a typo: anything but six two-digit
    hex numbers separated by one kind of ``:`` or ``-``."""
    value, problem = parse_mac(text)
    if value is None or problem is not None:
        return []
    if re.fullmatch(r"[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}", text):
        return []
    quirks: list[str] = []
    core = re.match(r"(?:[0-9A-Fa-f]{1,2}[:-]){5}[0-9A-Fa-f]{1,2}", text)
    if core is None:
        return ["not written as six hex numbers separated by : or -"]
    rest = text[core.end() :]
    if rest:
        quirks.append(f"text after the address ({rest!r}), which xl ignores")
    if len({c for c in core.group() if c in ":-"}) > 1:
        quirks.append("mixes : and - separators")
    if any(len(part) == 1 for part in re.split(r"[:-]", core.group())):
        quirks.append("has one-digit numbers")
    return quirks


def format_mac(value: int) -> str:
    """``00:16:3e:aa:bb:cc``: lower case, colons, two digits each."""
    if not 0 <= value < 2**48:
        raise ValueError(f"not a 48-bit MAC: {value}")
    return ":".join(f"{(value >> shift) & 0xFF:02x}" for shift in range(40, -8, -8))


def is_multicast(value: int) -> bool:
    """Bit 0x01 of the first octet: the Linux bridge drops frames from such a source."""
    return bool((value >> 40) & 0x01)


def is_locally_administered(value: int) -> bool:
    """Bit 0x02 of the first octet: a hand-made MAC should have it (x2, x6, xA, xE)."""
    return bool((value >> 40) & 0x02)


def is_zero(value: int) -> bool:
    """An all-zero MAC: xl treats it as missing and makes a random one per boot."""
    return value == 0


def has_xen_oui(value: int) -> bool:
    """Whether the MAC is in Xen's 00:16:3e range."""
    return value >> 24 == XEN_OUI


# --------------------------------------------------------------------------- IPs


def parse_ips(text: str) -> tuple[list[IPNetwork], list[str]]:
    """The networks of an ``ip=`` value, and the words that are not addresses.

    Words are split as the hotplug scripts' shell splits them; a bare address
    becomes a /32 (IPv4) or /128 (IPv6) network. Parsing is netaddr's (strict:
    ``10.1`` or ``010.0.0.1`` are not addresses); a network keeps the address as
    written (``10.0.0.1/24`` stays 10.0.0.1/24).
    """
    from netaddr import AddrFormatError, IPNetwork  # imported late: start-up time

    networks: list[IPNetwork] = []
    bad: list[str] = []
    for word in _IP_SPLIT_RE.split(text):
        if not word:
            continue
        if not _IP_CHARS_RE.fullmatch(word) or len(word) > 100:
            bad.append(word)
            continue
        try:
            networks.append(IPNetwork(word))
        except (AddrFormatError, ValueError, TypeError, IndexError):
            bad.append(word)
    return networks, bad


def ip_ranges(text: str) -> tuple[list[tuple[int, int, int]], list[str]]:
    """What :func:`parse_ips` says of an ``ip=`` value, as ``(version, first, last)``
    of each network (first and last address as integers), and the bad words.

    A plain IPv4 address or network is computed here; anything else goes to
    netaddr. Building a netaddr object for each of 30,000 vifs costs more than
    reading all their configs, and the duplicate check needs only the ranges.
    """
    ranges: list[tuple[int, int, int]] = []
    bad: list[str] = []
    # nearly every ip= is one word: no split then (it costs as much as the rest)
    split = " " in text or "\t" in text or "\n" in text
    for word in _IP_SPLIT_RE.split(text) if split else (text,):
        if not word:
            continue
        m = _PLAIN_IPV4_RE.fullmatch(word)
        if m is None:
            networks, wrong = parse_ips(word)
            ranges += ((n.version, n.first, n.last) for n in networks)
            bad += wrong
            continue
        a, b, c, d, prefix = m.groups()
        address = int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)
        if prefix is None:
            ranges.append((4, address, address))
            continue
        host_bits = 32 - int(prefix)
        first = address >> host_bits << host_bits
        ranges.append((4, first, first | ((1 << host_bits) - 1)))
    return ranges, bad


# --------------------------------------------------------------------------- rate


def rate_problem(rate: str) -> str | None:
    """Why xl would refuse ``rate=`` (and the guest not start), or None.

    The form is ``^[0-9]+[GMK]?[Bb]/s(@[0-9]+[mu]?s)?$`` (so ``10kB/s`` with a
    lower-case k is invalid). xl also rejects a zero rate, one above 2^32-1 and
    an interval that overflows 2^32-1 microseconds, and reads a number with a
    leading 0 as octal (``010MB/s`` is 8 MB/s), which this reports as well.
    """
    m = _RATE_RE.fullmatch(rate)
    if m is None:
        return (
            "not of the form NUMBER[GMK]{B|b}/s[@NUMBER[m|u][s]], e.g. 10MB/s@20ms: "
            "xl create stops (invalid rate)"
        )
    amount, unit, bits, interval, scale = m.groups()
    if len(amount) > 1 and amount.startswith("0"):
        return "a leading 0 makes xl read the number as octal"
    if _digits(amount) == 0:
        return "a zero rate, which xl rejects"
    if _digits(amount) > _UINT32_MAX:
        return "above 4294967295, which xl rejects as an overflow"
    if interval is not None:
        if len(interval) > 1 and interval.startswith("0"):
            return "a leading 0 makes xl read the interval as octal"
        usecs = _digits(interval) * {"": 1_000_000, "m": 1_000, "u": 1}[scale]
        if usecs == 0:
            return "a zero interval, which xl rejects"
        if usecs > _UINT32_MAX:
            return "an interval above 4294967295 microseconds, which xl rejects"
    else:
        usecs = 50_000  # xl's default interval, 50ms
    per_second = _digits(amount) * {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}[unit]
    if bits == "b":
        per_second //= 8
    if per_second > (2**64 - 1) // usecs:
        return "rate times interval overflows 64 bits, which xl rejects"
    return None


def _digits(text: str) -> int:
    """A decimal number, capped (Python refuses to convert huge digit strings)."""
    significant = text.lstrip("0")
    if not significant:
        return 0
    return int(significant) if len(significant) <= 30 else 10**30


def _ulong_problem(text: str) -> str | None:
    """What xl's ``parse_ulong`` (strtoul, base 10) makes of devid= or mtu=."""
    i = 0
    n = len(text)
    while i < n and text[i] in C_SPACE:
        i += 1
    negative = i < n and text[i] == "-"
    if i < n and text[i] in "+-":
        i += 1
    start = i
    while i < n and "0" <= text[i] <= "9":
        i += 1
    if i == start:
        return "not a number (xl stops: failed to convert)"
    number = _digits(text[start:i])
    if number >= _ULONG_MAX or (negative and number == 1):
        return "out of range (xl stops: failed to convert)"
    if negative and number != 0:
        return "negative, which xl wraps around to a huge number"
    if i != n:
        return f"xl ignores the text after the number ({text[i:]!r})"
    return None
