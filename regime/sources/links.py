"""Symbolic links among the infrastructure files of a tree, followed inside it.

xl, xm and iproute2 follow links: ``etc/xen/b.cfg -> ../xen-off/b.conf.txt`` is a
guest whose config is the target's content, and a reused MAC there is as real as in
a plain file. So a guest config, rt_tables file or table script that is a link is
read as its target, from the tree itself (git's objects, the svn transaction, the
folder checked), and reported under the link's name (the name the tools see).

A link is followed one path component at a time, as the kernel does (a link in the
middle of a path is followed too), but only inside the tree: an absolute target, a
``..`` above the tree's root, a target that is not a file of the tree (nothing, a
folder) and a loop (more than :data:`MAX_LINKS` links) cannot be followed, and are
reported by the checks (INF001) rather than skipped. Nothing outside the tree is
ever read, and a target is read as a file of the tree, never through the host's
filesystem.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regime.changeset import Tree

#: Links followed for one path before it counts as a loop (Linux's MAXSYMLINKS).
MAX_LINKS = 40

#: The content of an svn link (a file with svn:special) starts with this.
SVN_LINK_PREFIX = b"link "


def _cached(tree: Tree) -> Callable[[str], str | None]:
    targets: dict[str, str | None] = {}

    def target_of(path: str) -> str | None:
        if path not in targets:
            targets[path] = tree.link(path)
        return targets[path]

    return target_of


def leads_through(tree: Tree, touched: set[str], is_infra: Callable[[str], bool]) -> bool:
    """Whether a link among the tree's infrastructure files (one the tree knows
    without reading files) leads through a path of ``touched``: a change to a link's
    target changes the guest or table file the link is. True when the tree cannot
    tell which of its files are links."""
    found = tree.link_paths()
    if found is None:
        return True
    links = [p for p in found if is_infra(p)]
    if not links:
        return False
    is_file = set(tree.paths()).__contains__
    target_of = _cached(tree)
    for path in links:
        target = target_of(path)
        if target is not None:
            followed = follow(path, target, target_of, is_file)
            if not touched.isdisjoint(followed.through):
                return True
    return False


@dataclass(frozen=True, slots=True)
class Followed:
    """One link followed: ``path`` is the file of the tree it leads to, or None with
    the ``problem`` that stopped it. ``through`` is every path of the tree it went
    through after the link itself (further links, then the file or the missing
    place): a change to any of them changes what the link reads."""

    link: str
    target: str  # as the link holds it
    path: str | None
    through: tuple[str, ...]
    problem: str | None = None


def follow(
    link: str,
    target: str,
    target_of: Callable[[str], str | None],
    is_file: Callable[[str], bool],
) -> Followed:
    """Follow ``link`` (whose target is ``target``) inside the tree. ``target_of``
    says whether a path of the tree is a link (and to what); ``is_file`` whether it
    is a file."""
    resolved = link.split("/")[:-1]
    pending = list(reversed(target.split("/")))
    through: list[str] = []
    hops = 1
    if target.startswith("/"):
        return Followed(link, target, None, (), _absolute(target))
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return Followed(link, target, None, tuple(through), _ESCAPES)
            resolved.pop()
            continue
        here = "/".join([*resolved, part])
        next_target = target_of(here)
        if next_target is None:
            resolved.append(part)
            continue
        hops += 1
        through.append(here)
        if hops > MAX_LINKS:
            return Followed(link, target, None, tuple(through), _LOOP)
        if next_target.startswith("/"):
            return Followed(link, target, None, tuple(through), _absolute(next_target, here))
        pending.extend(reversed(next_target.split("/")))
    final = "/".join(resolved)
    if final:
        through.append(final)
    if not final or not is_file(final):
        shown = final or "the repository's root"
        problem = f"it leads to {shown}, which is not a file of the repository"
        return Followed(link, target, None, tuple(through), problem)
    return Followed(link, target, final, tuple(through))


_ESCAPES = "it climbs out of the repository (a `..` above its root)"
_LOOP = f"it is a loop of links (or a chain of more than {MAX_LINKS})"


def _absolute(target: str, via: str | None = None) -> str:
    where = f" (through the link {via})" if via else ""
    return (
        f"it is an absolute path{where}, so the host would read its own {target}, "
        "which is not in the repository"
    )


@dataclass(slots=True)
class Links:
    """The links among a tree's infrastructure files: those read as their target
    (``read``), those that name a file the checks read anyway (``aliases``: the same
    guest or table file, not a second one), and those that cannot be followed."""

    read: list[Followed] = field(default_factory=list)
    aliases: list[Followed] = field(default_factory=list)
    broken: list[Followed] = field(default_factory=list)

    def touched_through(self, touched: set[str]) -> set[str]:
        """The links whose content a change to ``touched`` changes."""
        return {f.link for f in self.read if not touched.isdisjoint(f.through)}


def read_links(
    tree: Tree,
    listed: Sequence[str],
    files: dict[str, bytes],
    is_infra: Callable[[str], bool],
    kind: Callable[[str], Hashable],
    limit: int | None,
    too_big: list[tuple[str, int]],
) -> Links:
    """Follow every link among the tree's infrastructure files. ``listed``: the
    infrastructure paths of ``tree.paths()``; ``files``: what was read of them,
    which this completes: a link is taken out (an svn link reads as ``link TARGET``)
    and, unless its target is an infrastructure file of the same ``kind`` read
    anyway, given its target's content under its own name."""
    candidates = [p for p in listed if p not in files or files[p].startswith(SVN_LINK_PREFIX)]
    if not tree.links_are_files:
        candidates += [p for p in tree.link_paths() or () if is_infra(p)]
    links = Links()
    if not candidates:
        return links
    is_file = set(tree.paths()).__contains__  # follow() never ends at a link
    target_of = _cached(tree)
    wanted: dict[str, list[Followed]] = {}
    for path in sorted(set(candidates)):
        target = target_of(path)
        if target is None:
            continue  # a file (over the size limit, or one that starts with "link ")
        files.pop(path, None)
        followed = follow(path, target, target_of, is_file)
        if followed.path is None:
            links.broken.append(followed)
        elif is_infra(followed.path) and kind(followed.path) == kind(path):
            links.aliases.append(followed)
        else:
            links.read.append(followed)
            wanted.setdefault(followed.path, []).append(followed)
    if wanted:
        for path, data in tree.read_many(list(wanted), limit, too_big):
            for followed in wanted[path]:
                files[followed.link] = data
    return links
