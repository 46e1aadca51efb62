"""The rules. One module per concern; each check is a pure function of the
change set (and the policy) that yields findings. Checks never run git or svn."""
