"""What a push brings, from a fixed number of git processes however many refs it
updates (a mirror push or a release script can send thousands; one process per ref,
each walking every existing ref, made 1,000 refs at one commit take 30 s).

Per ``OLD NEW REF`` line, in git's order: NEW peeled to a commit (one ``cat-file
--batch-check`` for all refs), the commits new to the server (one ``rev-list`` of all
tips ``--not --all``, with parents, walked here for each tip), and the policy of
each tip that brings a new commit (its ``.regime.yaml``: one ``--batch-check`` and
one ``cat-file --batch`` of the distinct files, each read and judged once). Refs
that point at one tip share it: its commits, its policy and its tree are one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from regime.findings import Finding
from regime.policy.load import MAX_POLICY_BYTES, POLICY_FILE
from regime.policy.model import Policy
from regime.policy.server import Effective, effective_policy, too_big_policy
from regime.sources import git
from regime.sources.trees import cat_blobs


@dataclass(slots=True)
class Tip:
    """A commit some refs of the push will point at, and which brings new commits."""

    commit: str
    ref: str  # the first ref (in git's order) that points at it
    refs: int  # how many refs of the push point at it
    policy: Policy


@dataclass(slots=True)
class PushPlan:
    tips: dict[str, Tip] = field(default_factory=dict)  # in the order of their first ref
    tip_of: dict[str, str] = field(default_factory=dict)  # ref -> its tip, for those in tips
    # every new commit once: for each tip in order, those no earlier tip brought,
    # oldest first; with the first ref that brings it and the tip whose policy judges it
    order: list[str] = field(default_factory=list)
    ref_of: dict[str, str] = field(default_factory=dict)
    tip_for: dict[str, str] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)  # new commits only
    findings: list[Finding] = field(default_factory=list)  # POL001 of the policies read

    def policy_of(self, sha: str) -> Policy:
        return self.tips[self.tip_for[sha]].policy

    def brought(self, tip: str) -> Iterator[str]:
        """The new commits reachable from tip (all it brings to the server)."""
        seen = {tip}
        stack = [tip]
        while stack:
            sha = stack.pop()
            yield sha
            for parent in self.parents[sha]:
                if parent in self.parents and parent not in seen:
                    seen.add(parent)
                    stack.append(parent)


def plan_push(
    updates: Sequence[tuple[str, str, str]],
    server: Policy,
    accepted: frozenset[str] = frozenset(),
) -> PushPlan:
    """ACCEPTED: commits the admin recorded as accepted (server_state.py), which are
    not new to the server's judgement even when no ref reaches them: a legacy history
    pushed into a guarded repository. They are left out of the graph as old commits
    are, so the walks stop at them and a commit on top of them is still checked."""
    plan = PushPlan()
    news = list(dict.fromkeys(new for _old, new, _ref in updates if new.strip("0")))
    peeled = git.object_info([f"{new}^{{commit}}" for new in news])
    commit_of = {new: info.oid for new, info in zip(news, peeled, strict=True) if info}
    graph = git.new_commits(list(dict.fromkeys(commit_of.values())))
    plan.parents = {sha: parents for sha, parents in graph if sha not in accepted}
    first: dict[str, tuple[str, int]] = {}  # tip -> (first ref, count)
    for _old, new, ref in updates:
        tip = commit_of.get(new)
        if tip is None or tip not in plan.parents:
            continue  # a deletion, a tag of a tree or blob, or nothing new: no commit to check
        plan.tip_of[ref] = tip
        name, count = first.get(tip, (ref, 0))
        first[tip] = (name, count + 1)
    policies = _policies(list(first.items()), server, plan.findings)
    for tip, (ref, count) in first.items():
        plan.tips[tip] = Tip(tip, ref, count, policies[tip])
    _assign(plan)
    return plan


def _assign(plan: PushPlan) -> None:
    """Each new commit to the first tip (in ref order) that brings it: a walk from each
    tip that stops at commits already given out (their parents were given out with
    them), so every commit is visited once in all."""
    rank = {sha: i for i, sha in enumerate(plan.parents)}  # parents before children
    for tip, info in plan.tips.items():
        if tip in plan.tip_for:
            continue
        mine = [tip]
        plan.tip_for[tip] = tip
        stack = [tip]
        while stack:
            for parent in plan.parents[stack.pop()]:
                if parent in plan.parents and parent not in plan.tip_for:
                    plan.tip_for[parent] = tip
                    mine.append(parent)
                    stack.append(parent)
        mine.sort(key=rank.__getitem__)
        plan.order += mine
        for sha in mine:
            plan.ref_of[sha] = info.ref


def _policies(
    tips: list[tuple[str, tuple[str, int]]], server: Policy, findings: list[Finding]
) -> dict[str, Policy]:
    """The policy in force for each tip: the server's, tightened by the tip's
    ``.regime.yaml``. Each distinct file is judged once (a POL001 names the first ref
    that carries it), so a thousand refs with one policy cost one parse."""
    infos = git.object_info([f"{tip}:{POLICY_FILE}" for tip, _ in tips])
    blobs = {i.oid: i.size for i in infos if i is not None and i.kind == "blob"}
    shown: dict[str, str] = {}  # the blob -> the name its findings are shown under: the first ref's
    for (_tip, (ref, _)), info in zip(tips, infos, strict=True):
        if info is not None and info.oid in blobs:
            shown.setdefault(info.oid, f"{ref}:{POLICY_FILE}")
    effective: dict[str | None, Effective] = {None: Effective(server)}
    small = [(oid, oid) for oid, size in blobs.items() if size <= MAX_POLICY_BYTES]
    for oid, data in cat_blobs(small, None, MAX_POLICY_BYTES, []) if small else ():
        effective[oid] = effective_policy(server, data, shown_as=shown[oid])
    for oid in blobs.keys() - effective.keys():
        effective[oid] = too_big_policy(server, shown[oid])
    for oid in shown:
        findings.extend(effective[oid].findings)
    out = {}
    for (tip, _), info in zip(tips, infos, strict=True):
        key = info.oid if info is not None and info.oid in blobs else None
        out[tip] = effective[key].policy
    return out
