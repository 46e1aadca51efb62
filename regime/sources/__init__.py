"""Where a change comes from: git, a diff file, a tree of files."""
