"""Entrypoints, one module per door. A door builds change sets from where the
change comes from, hands them to the engine and reports; it never decides policy."""
