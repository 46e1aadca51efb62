"""What a diff does not show, read whole from the repository's objects.

Two ways round the line rules are closed here, at every door alike (the door puts a
reader of the file's content in the change set, ``ChangeSet.contents``):

- A rename or copy from a path under other rules (``git mv notes.txt evil.c``, out of
  an excluded folder, from a Makefile, ``svn cp``): the content is new to each line
  rule that applies to the new path and not to the old one, so such a rule sees every
  line of the file; the other rules see only what the diff adds (copying legacy code
  between paths under the same rules is still no new violation).
- A text file the committer declared binary (``-diff``, ``binary``, svn:mime-type):
  the producer printed no diff, so the added lines are computed from both sides
  (regime/diff/textdiff.py). Binary is decided by content, git's rule; a file that is
  binary indeed is passed over as before.

Checks stay pure: this module only decides what each rule is shown.
"""

from __future__ import annotations

from regime.changeset import Added, ChangedFile, Contents, FileStatus
from regime.checks.rules import RULES
from regime.diff.textdiff import added_lines, is_binary
from regime.limits import would_check
from regime.policy.model import Policy, TypedFile
from regime.sources.process import ProducerError

# (a view of the file, the line rules it is shown to; None: every one)
View = tuple[ChangedFile, frozenset[str] | None]


def new_rules(
    changed: ChangedFile, policy: Policy, typed: TypedFile | None = None
) -> frozenset[str]:
    """The active line rules that apply to a renamed or copied file's path (or, with
    ``typed``, its type) and did not apply to the path it came from. A file moved or
    copied as it is has the same bytes under its old name, so its old name is typed
    by them too (``svn cp trunk tags/v1`` or ``git mv`` of ``etc/init.d/a`` brings no
    script under a rule); one the change also edits is judged at its old name by the
    name alone (its old bytes are not read), so a script renamed from ``deploy`` to
    ``deploy.sh`` with an edit is shown whole."""
    old = changed.old_path
    if old is None or old == changed.path or changed.link:
        return frozenset()
    old_typed = typed.named(old) if typed is not None and not changed.added else None
    lines, _infra = policy.active_rules()
    return frozenset(
        rule.code
        for rule in lines
        if rule.applies_to(changed.path, typed) and not rule.applies_to(old, old_typed)
    )


def needs_content(changed: ChangedFile, policy: Policy, typed: TypedFile | None = None) -> bool:
    """Whether the diff alone cannot say what the rules are to see of this file."""
    if changed.link or changed.status is FileStatus.DELETED:
        return False
    if changed.binary:
        return would_check(changed.path, policy, typed)
    return bool(new_rules(changed, policy, typed))


def views(
    changed: ChangedFile, contents: Contents, policy: Policy, typed: TypedFile | None = None
) -> list[View]:
    """What each line rule is shown of a file ``needs_content`` names: nothing when it
    is binary by content, the lines computed from both sides when it is text the
    producer called binary, the whole file for the rules it comes under by a rename or
    copy. Raises TooBig (from the reader) when the file is over limits.max_file_size."""
    limit = policy.limits.max_file_size
    fresh = new_rules(changed, policy, typed)
    data = contents.after(changed, limit)
    if data is None and not changed.binary:
        return [(changed, None)]  # no file there: a submodule's commit, which has no lines
    if data is None:  # the producer called a file binary that its own objects do not hold
        raise ProducerError(f"{changed.path}: the change shows this file, but it cannot be read")
    if is_binary(data):
        return [] if changed.binary else [(changed, None)]
    diffed = changed
    if changed.binary:
        olds = [] if changed.status is FileStatus.ADDED else contents.before(changed, limit)
        diffed = ChangedFile(
            path=changed.path, status=changed.status, added=Added.of_lines(added_lines(data, olds)),
            old_path=changed.old_path,
        )  # fmt: skip
    if not fresh:
        return [(diffed, None)]
    whole = ChangedFile(
        path=changed.path, status=FileStatus.WHOLE, old_path=changed.old_path,
        added=Added.whole(data),
    )  # fmt: skip
    others = frozenset(c for c, r in RULES.items() if r.scope == "lines") - fresh
    return [(whole, fresh), (diffed, others)]
