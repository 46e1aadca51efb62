"""The policy: which rules apply, how severe they are, and to which files."""
