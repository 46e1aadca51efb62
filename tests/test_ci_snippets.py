"""docs/ci.md's GitHub Actions job, its step's `run:` script taken from the document and
run as the runner runs it (`bash -e`, and `dash -e`: the script is POSIX sh) in a clone
made as actions/checkout makes it: a fresh repository that fetches only the ref of the
event from the remote, with the event's values in the step's `env:` as GitHub fills
them in. Cases: a push, a new branch, a force push whose old tip is in no clone, a pull
request (its merge ref). The GitLab job has its own tests (test_gitlab_report.py),
whose remote-and-developer helper `Ci` this reuses."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import base_env
from test_gitlab_report import GUEST, Ci

CI_DOC = Path(__file__).resolve().parent.parent / "docs" / "ci.md"
SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"],  # GitHub's `bash -e {0}`
    "dash": ["dash", "-e", "-c"],
}
ZEROS = "0" * 40
ANNOTATION = re.compile(r"^::error file=([^,]+),line=(\d+)(?:,col=\d+)?[^:]*::(\w+)", re.M)


def github_job() -> dict[str, Any]:
    text = CI_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"^GitHub Actions.*?```yaml\n(.*?)```", text, re.M | re.S)
    assert len(blocks) == 1, "docs/ci.md has one GitHub Actions job"
    workflow = yaml.safe_load(blocks[0])
    job: dict[str, Any] = workflow["jobs"]["regime"]
    return job


def check_step() -> dict[str, Any]:
    [step] = [s for s in github_job()["steps"] if s.get("name") == "check the new commits"]
    return step


def test_the_job_fetches_history_and_keeps_expressions_out_of_the_script() -> None:
    job = github_job()
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    step = check_step()
    assert "${{" not in step["run"]  # a branch name or PR title cannot inject shell
    assert "--format github" in step["run"]


class GitHub(Ci):
    """The remote and developer of `Ci`, and the runner's side of GitHub."""

    def run_step(self, shell: str, ref: str, event: str, **values: str) -> tuple[int, str]:
        """actions/checkout of REF (only that ref fetched, with all its history), then the
        step's script with its env filled from VALUES (github.* expressions)."""
        build = self.tmp / f"runner-{shell}-{ref.replace('/', '-')}-{len(list(self.tmp.iterdir()))}"
        git = ["git", "-C", str(build)]
        env = base_env()
        subprocess.run(["git", "init", "-q", str(build)], check=True, env=env)
        subprocess.run([*git, "remote", "add", "origin", str(self.remote)], check=True, env=env)
        if ref.startswith("refs/heads/"):  # as checkout names them
            local = "refs/remotes/origin/" + ref.removeprefix("refs/heads/")
        else:
            local = "refs/remotes/" + ref.removeprefix("refs/")
        subprocess.run([*git, "fetch", "-q", "origin", f"+{ref}:{local}"], check=True, env=env)
        subprocess.run([*git, "checkout", "-q", "--detach", local], check=True, env=env)
        sha = (
            subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, check=True, env=env)
            .stdout.decode()
            .strip()
        )
        expressions = {
            "github.event_name": event,
            "github.event.repository.default_branch": "main",
            "github.event.before": "",
            "github.event.pull_request.base.sha": "",
            **values,
        }
        step = check_step()
        step_env = {}
        for name, value in step["env"].items():
            m = re.fullmatch(r"\$\{\{ ([\w.]+) \}\}", value)
            assert m is not None, value
            step_env[name] = expressions[m.group(1)]
        env = base_env(
            {
                **step_env,
                "GITHUB_SHA": sha,
                "GITHUB_EVENT_NAME": event,
                "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            }
        )
        proc = subprocess.run(
            [*SHELLS[shell], step["run"]],
            cwd=build, env=env, capture_output=True, check=False, timeout=120,
        )  # fmt: skip
        return proc.returncode, (proc.stdout + proc.stderr).decode()


def annotations(log: str) -> list[tuple[str, int, str]]:
    return [(m.group(1), int(m.group(2)), m.group(3)) for m in ANNOTATION.finditer(log)]


@pytest.fixture
def gh(tmp_path: Path) -> GitHub:
    g = GitHub(tmp_path)
    g.dev.write("etc/xen/web.cfg", GUEST)
    g.dev.write("old.sh", "\tlegacy\n")  # on main already, accepted then
    g.dev.commit("Add web and a legacy script")
    g.dev.git("push", "-q", "origin", "main")
    return g


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_a_push_checks_the_commits_it_brings(gh: GitHub, shell: str) -> None:
    before = gh.dev.head()
    gh.dev.write("etc/xen/web.cfg", GUEST + "\ton_crash = 'restart'\n")
    gh.dev.commit("Restart web on a crash")
    gh.dev.git("push", "-q", "origin", "main")
    status, log = gh.run_step(shell, "refs/heads/main", "push", **{"github.event.before": before})
    assert status == 1, log
    assert annotations(log) == [("etc/xen/web.cfg", 4, "WS101")], log

    before = gh.dev.head()
    gh.dev.write("etc/xen/web.cfg", GUEST + "on_crash = 'restart'\n")
    gh.dev.commit("Restart web on a crash, with spaces")
    gh.dev.git("push", "-q", "origin", "main")
    status, log = gh.run_step(shell, "refs/heads/main", "push", **{"github.event.before": before})
    assert status == 0, log
    assert annotations(log) == []


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_a_new_branch_is_compared_with_the_default_branch(gh: GitHub, shell: str) -> None:
    """before is all zeros and the clone has only the branch: the default branch is
    fetched, and only what the branch adds to it is checked (not old.sh's tab)."""
    gh.dev.git("checkout", "-q", "-b", "topic")
    gh.dev.write("new.sh", "echo ok \n")
    gh.dev.commit("New script")
    gh.dev.git("push", "-q", "origin", "topic")
    status, log = gh.run_step(shell, "refs/heads/topic", "push", **{"github.event.before": ZEROS})
    assert status == 1, log
    assert annotations(log) == [("new.sh", 1, "WS102")], log


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_a_force_push_whose_old_tip_is_gone(gh: GitHub, shell: str) -> None:
    gone = gh.force_push_dropping_the_old_tip()
    status, log = gh.run_step(shell, "refs/heads/topic", "push", **{"github.event.before": gone})
    assert status == 1, log
    assert "unknown revision" not in log and "bad revision" not in log, log
    assert annotations(log) == [("b.sh", 1, "WS102")], log


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_a_pull_request_checks_its_commits_against_the_base(gh: GitHub, shell: str) -> None:
    """GitHub checks out refs/pull/N/merge (the PR merged into its base); base.sha is
    the base branch's tip."""
    base = gh.dev.head()
    gh.dev.git("checkout", "-q", "-b", "feature")
    gh.dev.write("a.sh", "echo a\n")
    gh.dev.commit("Add a")
    gh.dev.write("b.sh", "\techo b\n")
    gh.dev.commit("Add b")
    gh.dev.git("checkout", "-q", "main")
    gh.dev.write("c.sh", "echo c\n")
    gh.dev.commit("Meanwhile on main")  # the base moved on: a real merge
    gh.dev.git("push", "-q", "origin", "main")
    base = gh.dev.head()
    gh.dev.git("checkout", "-q", "--detach", "main")
    gh.dev.git("merge", "-q", "--no-edit", "feature")
    gh.dev.git("push", "-q", "origin", "HEAD:refs/pull/7/merge")
    status, log = gh.run_step(
        shell, "refs/pull/7/merge", "pull_request", **{"github.event.pull_request.base.sha": base}
    )
    assert status == 1, log
    assert annotations(log) == [("b.sh", 1, "WS101")], log
