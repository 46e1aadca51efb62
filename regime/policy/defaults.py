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

DEFAULT_INCLUDE = CLASSIC_SOURCE + CONFIG_TEXT + MAKEFILES + MARKDOWN

# Per-rule default excludes: make needs tabs; Markdown uses trailing spaces.
DEFAULT_EXCLUDE = {
    "WS101": MAKEFILES,
    "WS102": MARKDOWN,
}

DEFAULT_SUBJECT_LENGTH = 72
