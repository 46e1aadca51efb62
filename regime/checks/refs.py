"""What a push does to its refs, apart from the commits they bring: REF001, a change
to a replace ref (refs/replace/), which makes git show another object in place of
the one named and so rewrites what history shows without a commit being reviewed."""

from __future__ import annotations

from regime.findings import Finding
from regime.policy.model import Policy

REPLACE_REFS = "refs/replace/"


def check_ref_update(old: str, new: str, ref: str, policy: Policy) -> Finding | None:
    """REF001 when the update of REF (git's OLD NEW REF line) creates, moves or deletes
    a replace ref, unless the policy turns REF001 off. Deleting one counts too: it
    changes what everyone's history shows as much as creating it does."""
    rule = policy.rule("REF001")
    if not ref.startswith(REPLACE_REFS) or not rule.active:
        return None
    replaced = ref[len(REPLACE_REFS) :]
    if new.strip("0") == "":
        what = f"deletes this replace ref, so git shows object {replaced} as it is again"
    else:
        verb = "creates" if old.strip("0") == "" else "moves"
        what = f"{verb} this replace ref, so git shows object {new} in place of {replaced}"
    return Finding(
        ref, 0, 0, "REF001",
        f"the push {what} to everyone who fetches it, rewriting what history shows "
        "without review; push without it (`git replace -d` removes one locally), or ask "
        "the server's admin to allow replace refs (REF001 off in the server policy)",
        rule.severity,
    )  # fmt: skip
