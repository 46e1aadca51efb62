"""regime as a package a user installs: the sdist and wheel a release builds
(`python -m build`) carry the distribution name, version, licence and entry point, and
the README's install lines work as written, into a fresh virtualenv, giving a
`regime` that runs. The build and install use pip's ordinary index (setuptools for
the isolated build, the dependencies for the install)."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import base_env

ROOT = Path(__file__).resolve().parent.parent
NAME, DIST, VERSION = "regime-gate", "regime_gate", "0.2.0"


def run(*argv: str | Path, cwd: Path | None = None) -> str:
    env = base_env()
    env.pop("PYTHONPATH", None)  # the fresh venvs see only what was installed into them
    proc = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        capture_output=True,
        env=env,
        check=False,
        timeout=600,
    )
    out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    assert proc.returncode == 0, f"{argv}: exit {proc.returncode}\n{out}"
    return out


def source_copy(dest: Path) -> Path:
    """The project's files as a clone has them (tracked and new, not ignored: no .venv,
    no build output), so the test builds what a release would, edits included."""
    listing = run("git", "ls-files", "-z", "-co", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listing.split("\0")):
        src = ROOT / name
        if src.is_file() and not src.is_symlink():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(src.read_bytes())
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(the source copy, the sdist, the wheel)."""
    tmp = tmp_path_factory.mktemp("package")
    src = source_copy(tmp / "src")
    run(sys.executable, "-m", "build", "--outdir", tmp / "dist", src)
    sdist = tmp / "dist" / f"{DIST}-{VERSION}.tar.gz"
    wheel = tmp / "dist" / f"{DIST}-{VERSION}-py3-none-any.whl"
    assert sdist.is_file() and wheel.is_file(), sorted((tmp / "dist").iterdir())
    return src, sdist, wheel


def fresh_venv(path: Path) -> Path:
    run(sys.executable, "-m", "venv", path)
    return path / "bin"


def test_the_version_is_one_everywhere() -> None:
    import tomllib

    import regime

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert (project["name"], project["version"], regime.__version__) == (NAME, VERSION, VERSION)
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n") and "the regime authors" in licence
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(VERSION)}$", changelog, re.M), "CHANGELOG has 0.2.0"


def test_the_wheel_and_sdist_carry_name_version_licence_and_entry_point(
    built: tuple[Path, Path, Path],
) -> None:
    _src, sdist, wheel = built
    with zipfile.ZipFile(wheel) as zf:
        info = f"{DIST}-{VERSION}.dist-info"
        metadata = zf.read(f"{info}/METADATA").decode()
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
        licence = zf.read(f"{info}/licenses/LICENSE").decode()
        names = zf.namelist()
    assert f"\nName: {NAME}\n" in metadata and f"\nVersion: {VERSION}\n" in metadata
    assert "\nLicense-Expression: MIT\n" in metadata
    for dep in ("unidiff", "pyyaml", "netaddr", "google-re2"):
        assert re.search(rf"^Requires-Dist: {dep}\b", metadata, re.M), dep
    assert re.search(r"^regime = regime\.cli:main$", entry_points, re.M), entry_points
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "regime/policy/default.regime.yaml" in names and "regime/py.typed" in names
    assert not any(n.startswith(("tests/", "bench/")) for n in names), names
    with tarfile.open(sdist) as tf:
        members = tf.getnames()
        pkg_info = tf.extractfile(f"{DIST}-{VERSION}/PKG-INFO")
        assert pkg_info is not None
        head = pkg_info.read().decode()
    assert f"{DIST}-{VERSION}/LICENSE" in members
    assert f"\nName: {NAME}\n" in head and f"\nVersion: {VERSION}\n" in head


def test_the_wheel_installs_a_working_regime(
    built: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _src, _sdist, wheel = built
    bindir = fresh_venv(tmp_path / "venv")
    run(bindir / "pip", "install", "-q", wheel, cwd=tmp_path)
    assert run(bindir / "regime", "--version", cwd=tmp_path).strip() == f"regime {VERSION}"
    where = run(bindir / "python", "-c", "import regime; print(regime.__file__)", cwd=tmp_path)
    where = where.strip()
    assert where.startswith(str(tmp_path / "venv")), where  # not this checkout
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "a.sh").write_text("echo ok\n\techo tab\n")
    proc = subprocess.run(
        [bindir / "regime", "check", "."],
        cwd=tmp_path / "tree",
        capture_output=True,
        env=base_env(),
    )
    assert proc.returncode == 1, proc
    assert proc.stdout.decode().startswith("a.sh:2:1: WS101 a tab character")


def readme_install_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    return [ln.strip() for ln in section.splitlines() if ln.startswith("    ")]


def test_the_readme_install_lines_work_as_written(
    built: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """Both lines of the README: a clone's folder, and the git URL at tag v0.2.0 (the
    tag the maintainer makes; here made in a git repository of the source copy, served
    at the URL through git's url.<base>.insteadOf)."""
    src, _sdist, _wheel = built
    lines = readme_install_lines()
    by_path, by_url, version = lines
    assert by_path.split("#")[0].split() == ["pip", "install", "./regime"]
    url = re.fullmatch(r'pip install "regime-gate @ git\+(\S+)@v0\.2\.0"', by_url)
    assert url is not None, by_url
    assert version.split("#")[0].strip() == "regime --version"
    assert version.split("#")[1].strip() == f"regime {VERSION}"

    # a clone of the repository named ./regime, as the first line expects
    work = tmp_path / "work"
    work.mkdir()
    (work / "regime").symlink_to(src, target_is_directory=True)
    bindir = fresh_venv(tmp_path / "one")
    run(bindir / "pip", *by_path.split("#")[0].split()[1:], "-q", cwd=work)
    assert run(bindir / "regime", "--version", cwd=tmp_path).strip() == f"regime {VERSION}"

    # the git URL at the tag
    repo = source_copy(tmp_path / "tagged")
    run("git", "init", "-q", "-b", "main", repo)
    run("git", "add", "-A", cwd=repo)
    run("git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "-m", "0.2.0", cwd=repo)
    run("git", "tag", "v0.2.0", cwd=repo)
    config = tmp_path / "gitconfig"
    config.write_text(f'[url "file://{repo}"]\n\tinsteadOf = {url.group(1)}\n')
    bindir = fresh_venv(tmp_path / "two")
    proc = subprocess.run(
        [bindir / "pip", "install", "-q", by_url.split('"')[1]],
        capture_output=True,
        cwd=tmp_path,
        env=base_env({"GIT_CONFIG_GLOBAL": str(config)}),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert run(bindir / "regime", "--version").strip() == f"regime {VERSION}"
