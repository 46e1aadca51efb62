"""Run a producer (git, svnlook) and stream its standard output block by block.

Its stderr is drained by a thread so a chatty producer can never dead-lock us,
and its exit status is checked when the stream ends: a producer that fails or
is killed mid-stream raises, so a half-read change can never look clean.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Generic, TypeVar

T = TypeVar("T")

_STDERR_KEEP = 64 * 1024
_BLOCK = 1024 * 1024


class ProducerError(Exception):
    """The program that produces the change failed; the change was not checked."""


class TooBig(Exception):
    """A file larger than the policy's limits.max_file_size: it was not read. ``head``
    is its start (up to 8000 bytes, for telling binary from text) when known."""

    def __init__(self, size: int, head: bytes = b"") -> None:
        super().__init__(f"{size} bytes")
        self.size = size
        self.head = head


class Stream:
    """``with Stream(argv) as s: for block in s: ...``"""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        stdin: int | None = subprocess.DEVNULL,
        ok_codes: tuple[int, ...] = (0,),
    ) -> None:
        self.argv = list(argv)
        self.ok_codes = ok_codes
        try:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=1024 * 1024,
            )
        except OSError as exc:
            raise ProducerError(f"cannot run {self.argv[0]}: {exc.strerror}") from exc
        _widen_pipe(self.proc.stdout)
        self._err = bytearray()
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for chunk in iter(lambda: self.proc.stderr.read(65536), b""):  # type: ignore[union-attr]
            if len(self._err) < _STDERR_KEEP:
                self._err += chunk[: _STDERR_KEEP - len(self._err)]

    def __enter__(self) -> Stream:
        return self

    def __iter__(self) -> Iterator[bytes]:
        """The output as it arrives, in blocks of up to a MB cut anywhere (not lines):
        what the diff splitter reads fastest, while the producer goes on writing."""
        assert self.proc.stdout is not None
        return read_blocks(self.proc.stdout)

    def finish(self) -> None:
        """Wait for the producer and raise if it did not succeed."""
        assert self.proc.stdout is not None
        # read what is left so the producer is never blocked on a full pipe
        for _ in iter(lambda: self.proc.stdout.read(65536), b""):  # type: ignore[union-attr]
            pass
        code = self.proc.wait()
        self._drain.join()
        if code not in self.ok_codes:
            err = self._err.decode("utf-8", "replace").strip()
            how = f"exit status {code}" if code >= 0 else f"killed by signal {-code}"
            raise ProducerError(
                f"`{' '.join(self.argv[:4])} ...` failed ({how})" + (f": {err}" if err else "")
            )

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self.proc.kill()
            self.proc.wait()
            self._drain.join()
        else:
            self.finish()


class Background(Generic[T]):
    """A short producer call (one svnlook answer) run in a thread while the caller
    goes on; ``result`` waits for it and raises what it raised."""

    def __init__(self, call: Callable[[], T]) -> None:
        self._call = call
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # raised again by result
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def _widen_pipe(pipe: IO[bytes] | None) -> None:
    """Let the producer write up to a MB ahead of us (Linux's default pipe holds
    64 KB): while regime is busy with a file, or its other thread holds the
    interpreter, git goes on writing instead of waiting. Best effort: the size is
    capped by /proc/sys/fs/pipe-max-size, and other systems have no such call."""
    if pipe is None:
        return
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _BLOCK)
    except (ImportError, OSError):
        pass


def read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of a pipe or file (the one more says it holds more
    than the limit), a block at a time: ``read(n)`` makes room for n bytes before it
    reads, 64 MB for each small file under the default limit."""
    read = getattr(stream, "read1", stream.read)
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        block = read(min(65536, limit + 1 - size))
        if not block:
            break
        parts.append(block)
        size += len(block)
    return b"".join(parts)


def read_blocks(stream: IO[bytes], size: int = _BLOCK) -> Iterator[bytes]:
    """Whatever a file or pipe has ready, up to ``size`` bytes at a time, to its end."""
    read = getattr(stream, "read1", stream.read)
    while block := read(size):
        yield block


def run_text(
    argv: Sequence[str], *, cwd: str | None = None, ok_codes: tuple[int, ...] = (0,)
) -> str:
    """Run a short command and return its output (for small answers only)."""
    with Stream(argv, cwd=cwd, ok_codes=ok_codes) as stream:
        data = b"".join(stream)
    return data.decode("utf-8", "surrogateescape")


def kill_producers() -> None:
    """Kill every process regime started that still runs, and theirs (a stand-in
    script's ``sleep``, git's own helpers): what the hard deadline does before it
    answers, so no producer outlives the run. Found through /proc (Linux), which
    also sees those started by ``subprocess.run``; elsewhere, nothing is done."""
    import os
    import signal

    parents: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            parents.setdefault(int(fields[1]), []).append(int(name))
    todo = list(parents.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, []))
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
