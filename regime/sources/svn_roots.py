"""The trees of a Subversion repository: trunk and each branch and tag.

An svn repository holds its lines of development side by side as folders
(``trunk``, ``branches/NAME``, ``tags/NAME``, also under a project folder:
``proj/trunk``). Each is a tree of its own: a branch copied from trunk holds the
same guests as trunk, which are not duplicates of each other, and the policy of a
change in a branch is the branch's ``.regime.yaml``. A path under none of them
belongs to the repository's top ("").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from regime.changeset import Tree

_LINES = frozenset(("branches", "tags"))


def svn_root(path: str) -> str:
    """The tree ``path`` belongs to: the folder up to the first ``trunk``, or the first
    ``branches/NAME`` or ``tags/NAME``, with a file below it; "" for the top."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part == "trunk":
            return "/".join(parts[: i + 1])
        if part in _LINES and i + 2 < len(parts):
            return "/".join(parts[: i + 2])
    return ""


def policy_file(root: str, name: str) -> str:
    """The path of a root's policy file (``name`` at the top of the root)."""
    return f"{root}/{name}" if root else name


class RootTree:
    """One root of a repository's tree: the paths of ``tree`` that belong to it, with
    their full names (a finding names the file as svn does)."""

    def __init__(self, tree: Tree, root: str) -> None:
        self._tree, self.root = tree, root
        self.links_are_files = tree.links_are_files

    def paths(self) -> list[str]:
        return [p for p in self._tree.paths() if svn_root(p) == self.root]

    def read_many(
        self,
        paths: Sequence[str],
        limit: int | None = None,
        too_big: list[tuple[str, int]] | None = None,
    ) -> Iterator[tuple[str, bytes]]:
        return self._tree.read_many(paths, limit, too_big)

    def link_paths(self) -> list[str] | None:
        """The links of this root only: a link leads nowhere outside its root (the
        root is what a host checks out), so a target in another one is not there."""
        links = self._tree.link_paths()
        return None if links is None else [p for p in links if svn_root(p) == self.root]

    def link(self, path: str) -> str | None:
        return self._tree.link(path) if svn_root(path) == self.root else None
