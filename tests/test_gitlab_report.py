"""`--format gitlab`: a GitLab Code Quality report, and docs/ci.md's GitLab CI job run
as GitLab's runner runs it (its script lines in one POSIX shell, `dash`, with `set -e`)
in a real clone of a real remote."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import GitRepo, base_env, run_regime

CI_DOC = Path(__file__).resolve().parent.parent / "docs" / "ci.md"
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
GUEST = "name = 'web'\nmemory = 2048\nvif = ['mac=00:16:3e:00:00:10,ip=192.0.2.10']\n"


def assert_code_quality(doc: object) -> list[dict[str, Any]]:
    """What GitLab requires of a Code Quality report (docs.gitlab.com, "Code Quality
    report format"): a JSON array of objects, each with a description, a check_name, a
    fingerprint, a severity of info/minor/major/critical/blocker, location.path (a
    relative path) and location.lines.begin (a line number); fingerprints unique."""
    assert isinstance(doc, list)
    for issue in doc:
        assert isinstance(issue, dict)
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"]), issue
        assert issue["severity"] in SEVERITIES
        path = issue["location"]["path"]
        assert isinstance(path, str) and path and not path.startswith("/")
        begin = issue["location"]["lines"]["begin"]
        assert isinstance(begin, int) and not isinstance(begin, bool) and begin >= 1
    fingerprints = [issue["fingerprint"] for issue in doc]
    assert len(set(fingerprints)) == len(fingerprints), fingerprints
    return doc


def gitlab(repo: GitRepo, *args: str) -> list[dict[str, Any]]:
    res = repo.regime(*args, "--format", "gitlab")
    assert res.code in (0, 1), res.text
    assert not res.out.startswith("\ufeff")  # GitLab refuses a byte order mark
    return assert_code_quality(json.loads(res.out))


def test_the_report_has_what_gitlab_requires(repo: GitRepo) -> None:
    repo.write("etc/xen/web.cfg", GUEST)
    repo.commit("Add web")
    repo.write("etc/xen/web.cfg", GUEST.replace("2048", "2048 ") + "\ton_crash = 'restart'\n")
    repo.write("etc/xen/mail.cfg", GUEST.replace("web", "mail").replace("2.10", "2.11"))
    repo.commit("Add mail")
    repo.git("commit", "-q", "--allow-empty", "-m", "...")
    doc = gitlab(repo, "check", "--from", "HEAD~2")
    got = {(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in doc}
    assert got == {
        ("WS102", "etc/xen/web.cfg", 2),
        ("WS101", "etc/xen/web.cfg", 4),
        ("XEN101", "etc/xen/web.cfg", 3),  # mail has web's MAC
        ("LOG101", "<log message>", 1),
    }
    assert {i["severity"] for i in doc} == {"blocker"}
    [ws102] = [i for i in doc if i["check_name"] == "WS102"]
    assert ws102["description"].startswith("WS102: trailing whitespace (1 space)")
    assert "[commit " in ws102["description"]  # which commit added it


def test_a_warning_is_minor_and_the_check_passes(repo: GitRepo) -> None:
    repo.write(".regime.yaml", "rules:\n  WS101: {severity: warning}\n")
    repo.write("a.sh", "\techo hi\n")
    repo.add()
    res = repo.regime("staged", "--format", "gitlab")
    assert res.code == 0, res.text
    [issue] = assert_code_quality(json.loads(res.out))
    assert (issue["check_name"], issue["severity"]) == ("WS101", "minor")


def test_no_finding_is_an_empty_array(repo: GitRepo) -> None:
    repo.write("a.sh", "echo hi\n")
    repo.add()
    res = repo.regime("staged", "--format", "gitlab")
    assert (res.code, res.out) == (0, "[]\n"), res.text


def test_fingerprints_survive_unrelated_edits_and_tell_twins_apart(tmp_path: Path) -> None:
    """Lines added above move every finding down: the fingerprints stay. Two identical
    lines with a tab in one file are two issues (GitLab shows issues with the same
    fingerprint as one); the same line in another file is another issue."""
    tree = tmp_path / "tree"
    tree.mkdir()
    body = "\tx = 1\nok = 2\n\tx = 1\n"
    (tree / "a.sh").write_text(body)
    (tree / "b.sh").write_text(body)
    first = json.loads(run_regime("check", "--format", "gitlab", cwd=tree).out)
    assert_code_quality(first)
    assert len(first) == 4
    again = json.loads(run_regime("check", "--format", "gitlab", cwd=tree).out)
    assert again == first  # stable from run to run
    (tree / "a.sh").write_text("# a header\n# of three\n# lines\n" + body)
    moved = json.loads(run_regime("check", "--format", "gitlab", cwd=tree).out)
    assert [i["location"]["lines"]["begin"] for i in moved if i["location"]["path"] == "a.sh"] == [
        4,
        6,
    ]
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in first]
    (tree / "a.sh").write_text("\tx = 2\nok = 2\n\tx = 1\n")  # one line's text changed
    edited = json.loads(run_regime("check", "--format", "gitlab", cwd=tree).out)
    assert edited[0]["fingerprint"] not in {i["fingerprint"] for i in first}
    # the other tab of a.sh is now the only `\tx = 1` of its file: #0, as the first was
    assert edited[1]["fingerprint"] == first[0]["fingerprint"]
    assert [i["fingerprint"] for i in edited[2:]] == [i["fingerprint"] for i in first[2:]]


def test_a_line_number_in_the_message_is_not_part_of_the_fingerprint(repo: GitRepo) -> None:
    """XEN101 names the other guest's file and line: a line added there must not make
    this file's issue look new."""
    repo.write("etc/xen/web.cfg", GUEST)
    repo.write("etc/xen/db.cfg", GUEST.replace("'web'", "'db'").replace("2.10", "2.12"))
    repo.add()
    before = gitlab(repo, "staged")
    repo.write("etc/xen/db.cfg", "# the database\n" + GUEST.replace("'web'", "'db'"))
    repo.add()
    after = gitlab(repo, "staged")
    web = [i for i in before if i["location"]["path"] == "etc/xen/web.cfg"]
    web_after = [i for i in after if i["location"]["path"] == "etc/xen/web.cfg"]
    assert web and "etc/xen/db.cfg:3" in web[0]["description"]
    assert "etc/xen/db.cfg:4" in web_after[0]["description"]
    assert web[0]["fingerprint"] == web_after[0]["fingerprint"]


def test_an_undecodable_name_is_valid_utf8(repo: GitRepo) -> None:
    with open(bytes(repo.path) + b"/caf\xe9.sh", "wb") as fh:  # a Latin-1 name
        fh.write(b"\tx\n")
    repo.git("add", "-A")
    res = repo.regime("staged", "--format", "gitlab")
    assert res.code == 1, res.text
    [issue] = assert_code_quality(json.loads(res.out))
    assert issue["location"]["path"] == "caf\\xe9.sh"


# --------------------------------------------------------------------------- the CI job


def readme_gitlab_job() -> dict[str, Any]:
    """docs/ci.md's GitLab CI job, read as GitLab reads .gitlab-ci.yml."""
    text = CI_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"^GitLab CI.*?```yaml\n(.*?)```", text, re.M | re.S)
    assert len(blocks) == 1, "docs/ci.md has one GitLab CI snippet"
    jobs = yaml.safe_load(blocks[0])
    job: dict[str, Any] = jobs["regime"]
    return job


def test_the_readme_job_uploads_the_report_even_when_it_fails() -> None:
    job = readme_gitlab_job()
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert job["variables"]["GIT_DEPTH"] == 0  # the range needs history
    script = "\n".join(job["script"])
    assert "--format gitlab > gl-code-quality-report.json" in script
    assert "${BASE//" not in script  # bash only: dash says "Bad substitution"


class Ci:
    """A GitLab project as the runner sees it: a remote, and the job's clone of it
    (remote `origin`, only the pipeline's branch fetched, as GitLab's default refspecs)."""

    def __init__(self, tmp_path: Path) -> None:
        self.remote = tmp_path / "project.git"
        subprocess.run(
            ["git", "init", "-q", "--bare", "-b", "main", str(self.remote)],
            check=True,
            env=base_env(),
        )
        self.dev = GitRepo(tmp_path / "dev")
        self.dev.git("remote", "add", "origin", str(self.remote))
        self.tmp = tmp_path

    def force_push_dropping_the_old_tip(self) -> str:
        """Push branch topic (a clean a.sh), then force-push it rewritten with a b.sh
        holding a trailing space, and prune the remote: the old tip, returned, is in
        no clone of it any more (what "before" names after a force push)."""
        self.dev.git("checkout", "-q", "-b", "topic")
        self.dev.write("a.sh", "echo a\n")
        self.dev.commit("Add a")
        self.dev.git("push", "-q", "origin", "topic")
        gone = self.dev.head()
        self.dev.git("commit", "-q", "--amend", "-m", "Add a script")
        self.dev.write("b.sh", "echo b \n")
        self.dev.commit("Add b")
        self.dev.git("push", "-q", "-f", "origin", "topic")
        subprocess.run(
            ["git", "gc", "-q", "--prune=now"], cwd=self.remote, env=base_env(), check=True
        )
        return gone

    def job(self, branch: str, **variables: str) -> tuple[int, str, Path]:
        """Run the documented job's script for the tip of ``branch`` in a fresh clone:
        (exit status, job log, the clone)."""
        build = self.tmp / f"build-{branch}"
        subprocess.run(
            ["git", "clone", "-q", "--single-branch", "-b", branch, str(self.remote), str(build)],
            check=True,
            env=base_env(),
        )
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=build, env=base_env(), capture_output=True
        ).stdout.decode()
        env = base_env(
            {
                "CI_COMMIT_SHA": head.strip(),
                "CI_DEFAULT_BRANCH": "main",
                "CI_COMMIT_BEFORE_SHA": "0" * 40,
                **variables,
                "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            }
        )
        lines = readme_gitlab_job()["script"]
        assert lines[0].startswith("pip install ")  # regime is installed here already
        script = "set -e\n" + "\n".join(lines[1:]) + "\n"
        proc = subprocess.run(
            ["dash", "-c", script],
            cwd=build,
            env=env,
            capture_output=True,
            check=False,
            timeout=120,
        )
        return proc.returncode, (proc.stdout + proc.stderr).decode(), build


@pytest.fixture
def ci(tmp_path: Path) -> Ci:
    c = Ci(tmp_path)
    c.dev.write("etc/xen/web.cfg", GUEST)
    c.dev.commit("Add web")
    c.dev.git("push", "-q", "origin", "main")
    return c


def report_of(build: Path) -> list[dict[str, Any]]:
    data = (build / "gl-code-quality-report.json").read_bytes()
    return assert_code_quality(json.loads(data.decode("utf-8")))


def test_the_job_fails_on_a_push_with_a_tab_and_writes_the_report(ci: Ci) -> None:
    before = ci.dev.head()
    ci.dev.write("etc/xen/web.cfg", GUEST + "\ton_crash = 'restart'\n")
    ci.dev.commit("Restart web on a crash")
    ci.dev.git("push", "-q", "origin", "main")
    status, log, build = ci.job("main", CI_COMMIT_BEFORE_SHA=before)
    assert status == 1, log
    assert "etc/xen/web.cfg:4:1: WS101" in log  # readable in the job log
    [issue] = report_of(build)
    assert (issue["check_name"], issue["location"]["path"]) == ("WS101", "etc/xen/web.cfg")
    assert issue["location"]["lines"]["begin"] == 4


def test_the_job_passes_a_clean_push_with_an_empty_report(ci: Ci) -> None:
    before = ci.dev.head()
    ci.dev.write("etc/xen/web.cfg", GUEST + "on_crash = 'restart'\n")
    ci.dev.commit("Restart web on a crash")
    ci.dev.git("push", "-q", "origin", "main")
    status, log, build = ci.job("main", CI_COMMIT_BEFORE_SHA=before)
    assert status == 0, log
    assert report_of(build) == []


def test_a_new_branch_is_compared_with_the_default_branch(ci: Ci) -> None:
    """A branch's first pipeline has CI_COMMIT_BEFORE_SHA all zeros, and the clone has
    only that branch: the job fetches the default branch and checks what the branch
    adds to it (the bad commit), not the default branch's own history."""
    ci.dev.write("old.sh", "\tlegacy\n")  # on main already, accepted then
    ci.dev.commit("Legacy script")
    ci.dev.git("push", "-q", "origin", "main")
    ci.dev.git("checkout", "-q", "-b", "topic")
    ci.dev.write("new.sh", "echo ok \n")
    ci.dev.commit("New script")
    ci.dev.git("push", "-q", "origin", "topic")
    status, log, build = ci.job("topic")
    assert status == 1, log
    assert [(i["check_name"], i["location"]["path"]) for i in report_of(build)] == [
        ("WS102", "new.sh")
    ]


def test_a_merge_request_pipeline_uses_the_diff_base(ci: Ci) -> None:
    base = ci.dev.head()
    ci.dev.git("checkout", "-q", "-b", "feature")
    ci.dev.write("a.sh", "echo a\n")
    ci.dev.commit("Add a")
    ci.dev.write("b.sh", "\techo b\n")
    ci.dev.commit("Add b")
    ci.dev.git("push", "-q", "origin", "feature")
    status, log, build = ci.job(
        "feature", CI_MERGE_REQUEST_DIFF_BASE_SHA=base, CI_COMMIT_BEFORE_SHA="0" * 40
    )
    assert status == 1, log
    assert [(i["check_name"], i["location"]["path"]) for i in report_of(build)] == [
        ("WS101", "b.sh")
    ]


def test_a_force_push_is_compared_with_the_default_branch(ci: Ci) -> None:
    """After a force push the "before" commit is not in the job's clone: the job does
    not fail on an unknown revision, it checks what the branch adds to main."""
    gone = ci.force_push_dropping_the_old_tip()
    status, log, build = ci.job("topic", CI_COMMIT_BEFORE_SHA=gone)
    missing = subprocess.run(["git", "cat-file", "-e", gone], cwd=build, env=base_env())
    assert missing.returncode != 0  # the old tip is not in the job's clone
    assert status == 1, log
    assert "unknown revision" not in log and "b.sh:1:7: WS102" in log
    assert [(i["check_name"], i["location"]["path"]) for i in report_of(build)] == [
        ("WS102", "b.sh")
    ]
