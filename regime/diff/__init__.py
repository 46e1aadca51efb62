"""Reading unified diffs (git, combined, svnlook, plain) as a stream of changed files."""
