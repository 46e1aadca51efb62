"""The ``regime`` command line. Exit status: 0 nothing blocks, 1 blocking
findings, 2 usage or policy-file error, 3 internal error (never a pass)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from regime import __version__

if TYPE_CHECKING:
    from regime.hooks.base import Options

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Help(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter (descriptions and examples as written), its width found
    without shutil: argparse makes a formatter at every add_argument to check the
    argument, and importing shutil for its terminal size (with bz2 and lzma) cost
    every hook run 3 ms."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size finds it ($COLUMNS first)."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"regime: error: {message}{_close_choice(message)}\n")
        raise SystemExit(EXIT_USAGE)


def _close_choice(message: str) -> str:
    """ "; did you mean X?" for argparse's "invalid choice: 'stagd' (choose from ...)"
    (a command, a --format): Python 3.11's argparse does not say it."""
    import re

    m = re.search(r"invalid choice: '(.*?)' \(choose from (.*)\)$", message)
    if m is None:
        return ""
    from regime.suggest import did_you_mean

    return did_you_mean(m.group(1), re.findall(r"'([^']*)'", m.group(2)))


COMMANDS = (
    "diff", "staged", "commit-msg", "check", "pre-commit", "svn-pre-commit",
    "git-pre-receive", "install", "uninstall", "inventory", "explain", "init", "fix",
)  # fmt: skip


def build_parser(only: str | None = None) -> _Parser:
    """The command line; with ``only``, just that command's part (a hook runs on
    every commit: building every command's part cost it 10 ms of its start-up)."""
    from regime.report import FORMATS

    def wanted(name: str) -> bool:
        return only is None or name == only

    # --debug before the command or after it (the internal error message says to add
    # it): SUPPRESS, so a command's own default does not undo one given before it
    debug = _Parser(add_help=False)
    debug.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an internal error",
    )
    common = _Parser(add_help=False, parents=[debug])
    common.add_argument(
        "--config",
        metavar="PATH",
        help="policy file (default: .regime.yaml at the repository root)",
    )
    common.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default: text)"
    )
    common.add_argument(
        "--color", "--colour", choices=("auto", "always", "never"), default="auto",
        help="colour the text report: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces "
        "it), always or never (default: auto)",
    )  # fmt: skip
    # the checking commands of a work tree or CI; the server doors have none of these:
    # there the server policy alone decides (regime/policy/narrow.py)
    checking = _Parser(add_help=False, parents=[common])
    for flag, what in (("--select", "run only these rules"), ("--ignore", "do not run these")):
        checking.add_argument(
            flag, action="append", default=[], metavar="CODES",
            help=f"{what}: comma-separated codes or prefixes (WS101,XEN1); the policy stays "
            "the gate (a rule it turns off stays off)",
        )  # fmt: skip

    parser = _Parser(
        prog="regime",
        description="A commit-policy gate for configuration repositories.",
        epilog="Examples:\n"
        "  regime staged\n"
        "  regime check --from origin/main\n"
        "  regime explain WS101\n"
        "`regime COMMAND --help` describes a command.",
    )
    parser.add_argument("--version", action="version", version=f"regime {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    if wanted("diff"):
        p = sub.add_parser(
            "diff",
            parents=[checking],
            help="check a unified diff (git, svn or plain)",
            description="Check the lines a unified diff adds: git diff, git log -p, svn diff,\n"
            "svnlook diff, diff -ruN.",
            epilog="Examples:\n"
            "  git diff | regime diff -\n"
            "  svn diff > change.patch; regime diff change.patch\n"
            "  regime diff --format json change.patch",
        )
        p.add_argument(
            "source", nargs="?", default="-", metavar="FILE|-", help="the diff (default: stdin)"
        )

    if wanted("staged"):
        p = sub.add_parser(
            "staged",
            parents=[checking],
            help="check what a git commit would add",
            description="Check the staged change of a git work tree: the lines a commit would\n"
            "add, its Xen guests and routing tables.",
            epilog="Examples:\n"
            "  regime staged\n"
            "  regime staged etc/xen/web.cfg\n"
            "  regime staged --format sarif",
        )
        p.add_argument(
            "paths", nargs="*", metavar="FILE", help="only these staged files (default: all)"
        )

    if wanted("commit-msg"):
        p = sub.add_parser(
            "commit-msg",
            parents=[checking],
            help="check a git commit message file",
            description="Check a commit message file as git's commit-msg hook gets it (comment\n"
            "lines and the scissors line are not part of it).",
            epilog="Example:\n  regime commit-msg .git/COMMIT_EDITMSG",
        )
        p.add_argument(
            "msgfile", metavar="MSGFILE", help="the message file (git passes it to the hook)"
        )

    if wanted("check"):
        p = sub.add_parser(
            "check",
            parents=[checking],
            help="CI: check a range of commits, or whole files",
            description="CI: check every commit of a range on its own (its message and the lines\n"
            "it adds), or, without --from, whole files (every line counts).",
            epilog="Examples:\n"
            "  regime check --from origin/main --to HEAD\n"
            '  regime check --from "$CI_COMMIT_BEFORE_SHA" --format gitlab\n'
            "  regime check etc/xen\n"
            "  regime check --format sarif",
        )
        p.add_argument("--from", dest="base", metavar="REV", help="check every commit in REV..--to")
        p.add_argument("--to", dest="tip", metavar="REV", help="end of the range (default: HEAD)")
        p.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="without --from: files or folders to check whole",
        )

    if wanted("fix"):
        p = sub.add_parser(
            "fix",
            parents=[debug],
            help="fix the tabs and trailing whitespace the staged change adds (or of whole files)",
            description="Fix what WS101 and WS102 find in the lines the staged change adds, in\n"
            "the index and the work tree (old lines are never touched); with PATHs, every\n"
            "line of those files. Exit 1 when something was changed, as pre-commit fixers do.",
            epilog="Examples:\n"
            "  regime fix\n"
            "  regime fix etc/xen/web.cfg scripts\n"
            "  regime fix --config ops/regime.yaml",
        )
        p.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="fix every line of these files or folders, in the work tree "
            "(default: the lines the staged change adds, in the index and the work tree)",
        )
        p.add_argument("--config", metavar="PATH", help="policy file (default: .regime.yaml)")
        p.add_argument(
            "--pre-commit",
            dest="pre_commit",
            action="store_true",
            help="as the pre-commit framework's regime-fix hook: the files given, "
            "in the work tree only",
        )

    if wanted("pre-commit"):
        p = sub.add_parser(
            "pre-commit",
            parents=[checking],
            help="the door of the pre-commit framework",
            description="What the hooks of .pre-commit-hooks.yaml run (regime-whitespace, regime-\n"
            "infra); in CI, pre-commit's --from-ref/--to-ref are honoured.",
            epilog="Examples:\n"
            "  regime pre-commit etc/xen/web.cfg\n"
            "  regime pre-commit --only infra",
        )
        p.add_argument(
            "paths", nargs="*", metavar="FILE", help="the files pre-commit passes to the hook"
        )
        p.add_argument(
            "--only",
            choices=("lines", "infra"),
            default="lines",
            help="lines: tabs and trailing whitespace of the files given (regime-whitespace); "
            "infra: the Xen and rt_tables checks of the tree (regime-infra)",
        )

    if wanted("svn-pre-commit"):
        p = sub.add_parser(
            "svn-pre-commit",
            parents=[common],
            help="Subversion hooks/pre-commit: check a transaction",
            description="Check a Subversion transaction: what REPOS/hooks/pre-commit runs\n"
            "(`regime install svn` writes that hook).",
            epilog="Examples:\n"
            "  regime svn-pre-commit /srv/svn/config 41-1a\n"
            "  regime svn-pre-commit --revision /srv/svn/config 41",
        )
        p.add_argument("repos", metavar="REPOS", help="the repository's folder on the server")
        p.add_argument("txn", metavar="TXN", help="the transaction name svn gives the hook")
        p.add_argument("--svnlook", metavar="PATH", help="svnlook to use (default: found by path)")
        p.add_argument(
            "--revision", action="store_true", help="TXN is a committed revision (to try a policy)"
        )
        p.add_argument(
            "--output",
            choices=("ascii", "utf-8"),
            default="ascii",
            help="what the svn server can pass on to the committer (default: ascii, safe in any "
            "server locale; utf-8 when the svn server runs in a UTF-8 locale)",
        )

    if wanted("git-pre-receive"):
        p = sub.add_parser(
            "git-pre-receive",
            parents=[common],
            help="git hooks/pre-receive: check a push (stdin)",
            description="Check a git push: the `OLD NEW REF` lines git gives hooks/pre-receive on\n"
            "stdin (`regime install git-server` writes that hook).",
            epilog="Examples:\n"
            "  regime git-pre-receive < refs.txt\n"
            "  regime git-pre-receive --prefix 'GL-HOOK-ERR: '",
        )
        p.add_argument(
            "--prefix", metavar="TEXT", help="start every line with TEXT (e.g. 'GL-HOOK-ERR: ')"
        )

    for verb in ("install", "uninstall"):
        if not wanted(verb):
            continue
        p = sub.add_parser(
            verb,
            parents=[debug],
            help=f"{verb} regime's hooks in a repository",
            description=f"{verb.capitalize()} regime's hook scripts: KIND is svn, git-server\n"
            f"or git (`regime {verb} KIND --help` for each).",
            epilog="Examples:\n"
            f"  regime {verb} git\n"
            f"  regime {verb} svn /srv/svn/config\n"
            f"  regime {verb} git-server /srv/git/config.git",
        )
        kinds = p.add_subparsers(
            dest="kind",
            metavar="KIND",
            required=True,
            parser_class=_Parser,
            help="svn, git-server or git",
        )
        k = kinds.add_parser(
            "svn",
            parents=[debug],
            help="REPOS/hooks/pre-commit of a Subversion repository",
            description=f"{verb.capitalize()} REPOS/hooks/pre-commit of a Subversion repository.",
            epilog=f"Example:\n  regime {verb} svn /srv/svn/config",
        )
        k.add_argument("repo", metavar="REPOS", help="the repository's folder on the server")
        if verb == "install":
            k.add_argument("--svnlook", metavar="PATH", help="svnlook for the hook to use")
            k.add_argument(
                "--utf8-output",
                action="store_true",
                help="report in UTF-8 (arrows, non-ASCII names): only when the svn server "
                "process runs in a UTF-8 locale, else svn drops the whole report",
            )
        k = kinds.add_parser(
            "git-server",
            parents=[debug],
            help="hooks/pre-receive of a (bare) git repository",
            description=f"{verb.capitalize()} hooks/pre-receive of a (bare) git repository.",
            epilog=f"Example:\n  regime {verb} git-server /srv/git/config.git"
            + (
                "\n  git -C legacy rev-list --all > legacy.txt\n"
                "  regime install git-server /srv/git/config.git --accept-commits legacy.txt"
                if verb == "install"
                else ""
            ),
        )
        k.add_argument("repo", metavar="REPO", help="the repository (its git folder)")
        if verb == "install":
            k.add_argument("--prefix", metavar="TEXT", help="prefix for every line (GitLab)")
            k.add_argument(
                "--accept-existing",
                action="store_true",
                help="record every commit the repository's refs reach now as accepted: "
                "the hook never checks them, also when they are pushed again",
            )
            k.add_argument(
                "--accept-commits",
                action="append",
                default=[],
                metavar="FILE",
                help="record the commit ids of FILE (one a line, `git rev-list --all` of "
                "the legacy repository; - for stdin) as accepted, before its history is pushed",
            )
        k = kinds.add_parser(
            "git",
            parents=[debug],
            help="pre-commit and commit-msg hooks of a clone",
            description=f"{verb.capitalize()} the pre-commit and commit-msg hooks of a clone.",
            epilog=f"Examples:\n  regime {verb} git\n  regime {verb} git ~/src/config",
        )
        k.add_argument(
            "repo",
            nargs="?",
            default=".",
            metavar="REPO",
            help="the clone's work tree (default: the current folder)",
        )
        if verb == "install":
            for k in kinds.choices.values():
                k.add_argument("--force", action="store_true", help="replace a foreign hook")
                if k.prog.split()[-1] != "git":
                    k.add_argument(
                        "--policy", metavar="FILE", help="the server policy the hook enforces"
                    )

    if wanted("inventory"):
        p = sub.add_parser(
            "inventory",
            parents=[debug],
            help="every Xen guest and vif of a tree (before picking a MAC)",
            description="Every guest and vif of the Xen configs of a tree (file and line, name,\n"
            "MAC, IPs, script, bridge, vifname); or the addresses and MACs still\n"
            "free.",
            epilog="Examples:\n"
            "  regime inventory\n"
            "  regime inventory --format json etc/xen\n"
            "  regime inventory --free 192.0.2.0/24\n"
            "  regime inventory --free-mac\n"
            "  regime inventory --free-mac 3 --format json",
        )
        p.add_argument(
            "path",
            nargs="?",
            default=".",
            metavar="PATH",
            help="the tree (default: the current folder; in git, its work tree's top)",
        )
        p.add_argument(
            "--format",
            choices=("table", "json", "csv"),
            default="table",
            help="table (default), json (numbers as numbers, ips as a list) or csv",
        )
        p.add_argument("--config", metavar="PATH", help="policy file (default: .regime.yaml)")
        wanted_free = p.add_mutually_exclusive_group()
        wanted_free.add_argument(
            "--free",
            metavar="CIDR",
            help="list, as ranges, the host addresses of CIDR no vif's ip= uses",
        )
        wanted_free.add_argument(
            "--free-mac",
            nargs="?",
            type=int,
            const=1,
            metavar="N",
            help="propose N (default 1) MACs in Xen's 00:16:3e range no vif uses; the same "
            "tree always gets the same answer",
        )

    if wanted("explain"):
        p = sub.add_parser(
            "explain",
            parents=[debug],
            help="what a rule means and how to fix it",
            description="The page of a rule: what it checks, why, and how to fix a finding;\n"
            "without CODE, the list of rules.",
            epilog="Examples:\n  regime explain\n  regime explain XEN101",
        )
        p.add_argument(
            "code", nargs="?", metavar="CODE", help="a rule code, e.g. WS101 (default: list all)"
        )

    if wanted("init"):
        p = sub.add_parser(
            "init",
            parents=[debug],
            help="write a commented default .regime.yaml",
            description="Write the default policy, every setting commented, to edit and commit\n"
            "with the repository.",
            epilog="Examples:\n  regime init\n  regime init --force policy/.regime.yaml",
        )
        p.add_argument(
            "path",
            nargs="?",
            metavar="PATH",
            help="where to write it (default: .regime.yaml at the top of the git work tree, "
            "outside git in the current folder)",
        )
        p.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    from regime.hooks.base import Options, UsageError

    if args.command == "explain":
        from regime.explain import explain

        return explain(args.code, sys.stdout)
    if args.command == "init":
        from regime.explain import write_default_policy

        return write_default_policy(args.path, args.force)
    if args.command in ("install", "uninstall"):
        return _install(args)
    if args.command == "fix":
        from regime.hooks import fix

        return fix.run(args.paths, Options(args.config, "text", False), pre_commit=args.pre_commit)
    if args.command == "inventory":
        from regime import inventory

        return inventory.run(
            args.path,
            args.format,
            Options(args.config, "text", False),
            free=args.free,
            free_mac=args.free_mac,
        )
    opts = _options(args)
    from regime import deadline
    from regime.policy.defaults import DEFAULT_MAX_SECONDS

    # a hard deadline from the start, the default one until a door knows its policy
    deadline.arm(DEFAULT_MAX_SECONDS)
    if args.command == "svn-pre-commit":
        from regime.hooks import svn_pre_commit

        return svn_pre_commit.run(
            args.repos, args.txn, opts, svnlook=args.svnlook, revision=args.revision
        )
    if args.command == "git-pre-receive":
        from regime.hooks import git_pre_receive

        return git_pre_receive.run(opts, args.prefix)
    if args.command == "diff":
        from regime.hooks import diff_input

        return diff_input.run(args.source, opts)
    if args.command == "staged":
        from regime.hooks import staged

        return staged.run(args.paths, opts)
    if args.command == "commit-msg":
        from regime.hooks import commit_msg

        return commit_msg.run(args.msgfile, opts)
    if args.command == "pre-commit":
        from regime.hooks import precommit_framework

        if args.only == "infra":
            return precommit_framework.run_infra(opts)
        return precommit_framework.run(args.paths, opts)
    if args.command == "check":
        from regime.hooks import ci

        if args.base is not None:
            if args.paths:
                raise UsageError("give either --from/--to or PATHs, not both")
            return ci.run_range(args.base, args.tip or "HEAD", opts)
        if args.tip is not None:
            raise UsageError("--to needs --from")
        return ci.run_tree(args.paths, opts)
    raise UsageError("no command given (try `regime --help`)")


def _options(args: argparse.Namespace) -> Options:
    """The options every checking door takes: --select and --ignore as rule codes (an
    unknown one is a usage error naming it), --color decided for the stream the
    report goes to (stderr on a server door)."""
    from regime.hooks.base import Options, UsageError

    select = ignore = frozenset[str]()
    if getattr(args, "select", None) or getattr(args, "ignore", None):
        from regime.policy.narrow import CodeError, expand

        try:
            select = expand(args.select, "--select")
            ignore = expand(args.ignore, "--ignore")
        except CodeError as exc:
            raise UsageError(str(exc)) from None
    server = args.command in ("svn-pre-commit", "git-pre-receive")
    colour = False
    if args.format == "text":
        from regime.report.colour import use_colour

        colour = use_colour(args.color, sys.stderr if server else sys.stdout)
    return Options(
        config=args.config, format=args.format, debug=args.debug,
        select=select if getattr(args, "select", None) else None, ignore=ignore, color=colour,
    )  # fmt: skip


def _install(args: argparse.Namespace) -> int:
    from regime import install

    policy = getattr(args, "policy", None)
    if policy is not None:
        from regime.policy.server import load_server_policy

        policy = os.path.abspath(policy)
        from regime.hooks.base import policy_path

        load_server_policy(policy_path(policy))  # refuse to install a hook with a broken policy
    if args.kind == "svn":
        if args.command == "install":
            import shutil

            from regime.sources.svn import find_svnlook

            svnlook = find_svnlook(args.svnlook or shutil.which("svnlook"))
        else:
            svnlook = "svnlook"
        files = install.svn_hooks(
            args.repo, policy, os.path.abspath(svnlook), getattr(args, "utf8_output", False)
        )
    elif args.kind == "git-server":
        files = install.git_server_hooks(args.repo, policy, getattr(args, "prefix", None))
        accept = getattr(args, "accept_commits", [])
        if getattr(args, "accept_existing", False) or accept:
            # before the hook: a list that cannot be read leaves the repository as it was
            install.accept_commits(args.repo, args.accept_existing, accept)
    else:
        files = install.git_client_hooks(args.repo)
    if args.command == "install":
        return install.install(files, args.force)
    return install.uninstall(files)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_word(words))
    args, extra = parser.parse_known_args(words)
    if args.command is None:
        parser.print_usage(sys.stderr)
        sys.stderr.write("regime: error: no command given; `regime --help` lists them\n")
        return EXIT_USAGE
    if extra:  # named by the command's own usage, not regime's
        _innermost(parser, args).error(f"unrecognized arguments: {' '.join(extra)}")
    _stdout_open()
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if getattr(args, "prefix", None) and args.command == "git-pre-receive":
        from regime.report.streams import LinePrefixer

        sys.stderr = LinePrefixer(sys.stderr, args.prefix)  # every line, errors included
    if args.command == "svn-pre-commit" and args.output == "ascii":
        from regime.report.streams import AsciiEscaper

        sys.stderr = AsciiEscaper(sys.stderr)  # errors included
    debug = bool(getattr(args, "debug", False)) or os.environ.get("REGIME_DEBUG") == "1"
    try:
        return _dispatch(args)
    except BrokenPipeError:
        _deadline_answers()
        output_closed()
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        sys.stderr.write("regime: interrupted; nothing was accepted\n")
        return EXIT_INTERNAL
    except Exception as exc:
        _deadline_answers()
        return _failure(exc, debug)


def _deadline_answers() -> None:
    """An error because the deadline stopped the producers: the watchdog answers."""
    deadline = sys.modules.get("regime.deadline")
    if deadline is not None:
        deadline.hold_if_expiring()


def _command_word(words: Sequence[str]) -> str | None:
    """The command, when it comes first or after the options regime takes before it:
    only its part of the parser is built."""
    for word in words:
        if word != "--debug":
            return word if word in COMMANDS else None
    return None


def _innermost(parser: argparse.ArgumentParser, args: argparse.Namespace) -> _Parser:
    """The parser of the command (and of its KIND, for install and uninstall)."""
    found = parser
    for dest in ("command", "kind"):
        for action in found._actions:
            if isinstance(action, argparse._SubParsersAction) and action.dest == dest:
                name = getattr(args, dest, None)
                if isinstance(name, str) and name in action.choices:
                    found = action.choices[name]
    assert isinstance(found, _Parser)
    return found


def _stdout_open() -> None:
    """Started with stdout closed (``>&-``): the report goes nowhere, and that is said;
    the exit status still carries the verdict. Something is opened on file descriptor
    1 so no pipe regime makes later can take its place."""
    if sys.stdout is not None:
        return
    sys.stderr.write("regime: standard output is closed: the report is not shown\n")
    fd = os.open(os.devnull, os.O_WRONLY)
    if fd != 1:
        os.dup2(fd, 1)
        os.close(fd)
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 (the process's own stdout)


def output_closed() -> None:
    """stdout was closed while the report was written (``regime check | head -0``):
    said plainly, once; what is left is written to /dev/null, so Python's own flush at
    exit does not fail with a traceback."""
    try:
        sys.stderr.write("regime: standard output was closed before the report was written out\n")
        sys.stderr.flush()
    except OSError:
        pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _failure(exc: Exception, debug: bool) -> int:
    from regime.hooks.base import UsageError
    from regime.policy.load import PolicyError
    from regime.sources.git import NotARepository
    from regime.sources.process import ProducerError

    if isinstance(exc, PolicyError):
        sys.stderr.write(f"{exc}\nregime: the policy file is wrong; nothing was checked.\n")
        return EXIT_USAGE
    if isinstance(exc, UsageError | NotARepository):
        sys.stderr.write(f"regime: error: {exc}\n")
        return EXIT_USAGE
    if debug:
        import traceback  # only here: it costs every start 5 ms

        traceback.print_exc()
    if isinstance(exc, ProducerError):
        what = f"could not read the change: {exc}"
    else:
        what = f"{type(exc).__name__}: {exc}"
    sys.stderr.write(
        f"regime: internal error: {what}\n"
        "regime: the change was NOT checked, so it is blocked. "
        "Run again with --debug (or REGIME_DEBUG=1) for details.\n"
    )
    return EXIT_INTERNAL
