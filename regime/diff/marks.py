"""The lines that mark a unified diff's structure, as bytes patterns, in one place for
every reader of it (the splitter, the scanner, the added content's hunk index): a
hunk header, svn's file header and its rules, and svn's lone CR."""

from __future__ import annotations

import re

# @@ -OLD[,COUNT] +NEW[,COUNT] @@: the groups are old start, old count, new start, new
# count (a count left out is 1)
HUNK_HEADER = rb"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@"
# an svn file header's first word (svnlook and the svn client); its next line is SVN_RULE
SVN_HEADER = rb"(?:Index|Modified|Added|Deleted|Copied|Replaced): "
SVN_RULE = b"=" * 67
SVN_PROP_RULE = b"_" * 67  # after "Property changes on: PATH"
# A CR that ends a line of svn's diff by itself (libsvn_diff ends lines at LF, CRLF
# and a lone CR; git and GNU diff at LF only).
LONE_CR = re.compile(rb"\r(?!\n)")
NO_LIMIT = 1 << 62  # a size limit that is none
