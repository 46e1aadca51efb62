"""Built-in defaults: the files a configuration repository keeps as text."""

from __future__ import annotations

# The classic hook's list (case-sensitive: .C and .H are C++).
CLASSIC_SOURCE = (".c", ".h", ".cc", ".C", ".cpp", ".hh", ".H", ".hpp", ".java")

# The text files of a configuration repository.
CONFIG_TEXT = (
    ".sh", ".bash", ".ksh", ".zsh",  # shell
    ".py",  # Python
    ".pl", ".pm",  # Perl
    ".cfg", ".conf", ".sxp",  # Xen and daemon configs
    ".yaml", ".yml", ".json", ".ini",
    "**/iproute2/rt_tables", "**/network/interfaces",
)  # fmt: skip

MAKEFILES = ("Makefile", "makefile", "GNUmakefile", "*.mk")
MARKDOWN = (".md", ".markdown")
# iproute2's own rt_tables separates id and name with a tab; so do most copies of it.
RT_TABLES_FILES = ("**/iproute2/rt_tables", "**/iproute2/rt_tables.d/*.conf")

DEFAULT_INCLUDE = CLASSIC_SOURCE + CONFIG_TEXT + MAKEFILES + MARKDOWN

# The same scripts by type (identify's tags), for a file whose name says nothing:
# ``etc/init.d/myservice`` starting ``#!/bin/sh`` is a shell script as much as a
# ``.sh`` file is (regime/filetypes.py; names identify knows, ``.bashrc``, count too).
DEFAULT_TYPES = ("shell", "python", "perl")

# Per-rule default excludes: make needs tabs, rt_tables uses them by convention;
# Markdown uses trailing spaces.
DEFAULT_EXCLUDE = {
    "WS101": MAKEFILES + RT_TABLES_FILES,
    "WS102": MARKDOWN,
}

DEFAULT_SUBJECT_LENGTH = 72

# Infrastructure files (issue: Xen guest configs and iproute2 routing tables).
DEFAULT_XEN_CONFIGS = ("**/xen/**/*.cfg",)
DEFAULT_RT_TABLES = RT_TABLES_FILES
DEFAULT_TABLE_SCRIPTS = (
    "*.sh",
    "**/network/interfaces",
    "**/network/interfaces.d/*",
    "**/network/if-*.d/*",
    "**/rc.local",
)

# Limits (the ``limits:`` section; docs/policy.md "Limits" says why these values). A text file
# of a configuration repository is kilobytes; 64 MiB is far above any real one and
# still checked in a few seconds and well under a GB of memory.
DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024
# Far above any ordinary change (a push of 10,000 commits: 5 s), short enough that the
# committer still waits for the answer.
DEFAULT_MAX_SECONDS = 300.0
