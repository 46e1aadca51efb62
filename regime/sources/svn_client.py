"""Many files of a committed svn revision, read in a few processes.

svnlook has no batch read: one ``svnlook cat`` per file costs about 6 ms, a minute for
the 10,000 guest configs a check of the whole tree needs. The svn client reads many
files of a revision in one call: ``svn list --xml`` gives their sizes and ``svn cat``
their contents, concatenated in the order given, so the sizes cut them apart. Both read
the repository directly (``file://``), with keywords left unexpanded, so the bytes are
what ``svnlook cat`` prints. Whenever the answer does not add up, the caller falls back
to svnlook for those files: this is a shortcut, never an authority.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from urllib.parse import quote
from xml.etree import ElementTree

from regime.sources.process import ProducerError

BATCH = 500  # files per call: far below the argument length limit


def find_svn(svnlook: str) -> str | None:
    """The svn client installed with svnlook, or None."""
    path = os.path.join(os.path.dirname(svnlook), "svn")
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def read_files(
    svn: str,
    repos: str,
    revision: str,
    paths: Sequence[str],
    env: dict[str, str],
    limit: int | None = None,
    too_big: dict[str, int] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """(path, content) for each of ``paths`` at ``revision``, in order. Raises
    ProducerError when svn fails or its answer does not add up. A file larger than
    ``limit`` (the listing says so before anything is read) is not read: it is put
    in ``too_big`` with its size instead."""
    root = "file://" + quote(os.path.abspath(repos))
    try:
        # the only temporary file regime makes: an empty configuration for svn, so
        # no user's or machine's svn configuration changes what it prints
        config = tempfile.TemporaryDirectory(prefix="regime-svn-", ignore_cleanup_errors=True)
    except OSError as exc:  # no usable temporary folder (full, read-only, missing)
        raise ProducerError(f"no temporary folder for svn's configuration: {exc}") from exc
    with config as config_dir:
        base = [svn, "--non-interactive", "--config-dir", config_dir]
        for start in range(0, len(paths), BATCH):
            batch = paths[start : start + BATCH]
            # the peg revision also protects names that contain "@"
            urls = [f"{root}/{quote(p)}@{revision}" for p in batch]
            sizes = _sizes(_run([*base, "list", "--xml", *urls], env), len(batch))
            if limit is not None and max(sizes, default=0) > limit:
                keep = [i for i, size in enumerate(sizes) if size <= limit]
                for i, size in enumerate(sizes):
                    if size > limit and too_big is not None:
                        too_big[batch[i]] = size
                batch, urls = [batch[i] for i in keep], [urls[i] for i in keep]
                sizes = [sizes[i] for i in keep]
                if not batch:
                    continue
            data = _run([*base, "cat", "--ignore-keywords", *urls], env)
            if sum(sizes) != len(data):
                raise ProducerError(
                    f"svn cat gave {len(data)} bytes for files of {sum(sizes)} bytes"
                )
            offset = 0
            for path, size in zip(batch, sizes, strict=True):
                yield path, data[offset : offset + size]
                offset += size


def special_files(
    svn: str, repos: str, revision: str, env: dict[str, str], under: str = ""
) -> list[str]:
    """Every path with svn:special (a symbolic link) at ``revision`` under the folder
    ``under`` ("" the root), in one call (``svn propget -R --xml``). Raises
    ProducerError when svn fails or its answer does not add up."""
    from urllib.parse import unquote

    root = "file://" + quote(os.path.abspath(repos))
    try:
        config = tempfile.TemporaryDirectory(prefix="regime-svn-", ignore_cleanup_errors=True)
    except OSError as exc:
        raise ProducerError(f"no temporary folder for svn's configuration: {exc}") from exc
    with config as config_dir:
        argv = [svn, "--non-interactive", "--config-dir", config_dir, "propget", "-R", "--xml"]
        folder = f"{root}/{quote(under)}" if under else root
        xml = _run([*argv, "svn:special", f"{folder}@{revision}"], env)
    try:
        targets = ElementTree.fromstring(xml).findall("target")
    except ElementTree.ParseError as exc:
        raise ProducerError(f"svn propget --xml gave unreadable XML: {exc}") from exc
    prefix = unquote(root) + "/"
    paths = []
    for target in targets:
        url = unquote(target.get("path") or "")
        if not url.startswith(prefix):
            raise ProducerError(f"svn propget --xml named {url[:200]!r}, not in {prefix}")
        paths.append(url[len(prefix) :])
    return paths


def _run(argv: list[str], env: dict[str, str]) -> bytes:
    try:
        proc = subprocess.run(
            argv, env=env, capture_output=True, stdin=subprocess.DEVNULL, check=False
        )
    except OSError as exc:
        raise ProducerError(f"cannot run {argv[0]}: {exc.strerror}") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise ProducerError(f"svn {argv[4]} failed (exit status {proc.returncode}): {err}")
    return proc.stdout


def _sizes(xml: bytes, expected: int) -> list[int]:
    """The size of each file target of ``svn list --xml``, in order."""
    try:
        lists = ElementTree.fromstring(xml).findall("list")
    except ElementTree.ParseError as exc:
        raise ProducerError(f"svn list --xml gave unreadable XML: {exc}") from exc
    sizes = []
    for listing in lists:
        entries = listing.findall("entry")
        size = entries[0].findtext("size") if len(entries) == 1 else None
        if size is None or entries[0].get("kind") != "file" or not size.isdigit():
            raise ProducerError("svn list --xml: a target is not one file")
        sizes.append(int(size))
    if len(sizes) != expected:
        raise ProducerError(f"svn list --xml listed {len(sizes)} files of {expected}")
    return sizes
