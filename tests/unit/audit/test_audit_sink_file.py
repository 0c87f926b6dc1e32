"""The file sink against a real filesystem: modes, refusals, rotation, recovery, all-or-nothing
batches and reading back the last line."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strongroom.audit.sinks import DiscardSink, FileSink, StdoutSink, build_sink
from strongroom.audit.sinks import file as file_module
from strongroom.audit.sinks.file import last_complete_line
from strongroom.testing.audit import PipeReceiver


def opened(path: Path, **options: str) -> FileSink:
    sink = build_sink("file", {"file_path": str(path), **options})
    assert isinstance(sink, FileSink)
    sink.open()
    return sink


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- modes -----------------------------------------------------------------------------------


def test_new_file_is_private_by_default(tmp_path: Path) -> None:
    sink = opened(tmp_path / "audit.log")
    sink.close()
    assert mode_of(tmp_path / "audit.log") == 0o600


@pytest.mark.parametrize(
    ("requested", "expected"),
    [("0640", 0o640), ("644", 0o644), ("0755", 0o644), ("0777", 0o666), ("0100", 0o000)],
)
def test_mode_is_applied_without_executable_bits(
    tmp_path: Path, requested: str, expected: int
) -> None:
    sink = opened(tmp_path / "audit.log", mode=requested)
    sink.write(b"{}\n")
    sink.close()
    assert mode_of(tmp_path / "audit.log") == expected


def test_mode_is_applied_to_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    path.write_bytes(b"old\n")
    path.chmod(0o666)
    opened(path).close()
    assert mode_of(path) == 0o600
    assert path.read_bytes() == b"old\n"  # appended to, never truncated


def test_mode_0000_keeps_an_existing_mode(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    path.write_bytes(b"")
    path.chmod(0o640)
    sink = opened(path, mode="0000")
    sink.write(b"{}\n")
    sink.reopen()
    sink.close()
    assert mode_of(path) == 0o640


def test_mode_0000_still_strips_executable_bits(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    path.write_bytes(b"")
    path.chmod(0o750)
    opened(path, mode="0000").close()
    assert mode_of(path) == 0o640


def test_mode_0000_creates_a_missing_file_private(tmp_path: Path) -> None:
    opened(tmp_path / "audit.log", mode="0000").close()
    assert mode_of(tmp_path / "audit.log") & 0o177 == 0


# --- refusals --------------------------------------------------------------------------------


def test_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"keep\n")
    target.chmod(0o644)
    (tmp_path / "audit.log").symlink_to(target)
    with pytest.raises(OSError) as caught:  # noqa: PT011 - the errno is checked below
        opened(tmp_path / "audit.log")
    assert caught.value.errno == errno.ELOOP
    assert target.read_bytes() == b"keep\n"
    assert mode_of(target) == 0o644


def test_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(IsADirectoryError):
        opened(tmp_path / "dir")


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError) as no_reader:  # noqa: PT011 - the errno is checked below
        opened(fifo)
    assert no_reader.value.errno == errno.ENXIO
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(OSError) as with_reader:  # noqa: PT011 - the errno is checked below
            opened(fifo)
        assert with_reader.value.errno == errno.EINVAL
    finally:
        os.close(reader)


def test_device_file_is_refused() -> None:
    with pytest.raises(OSError) as caught:  # noqa: PT011 - the errno is checked below
        FileSink("/dev/null").open()
    assert caught.value.errno == errno.EINVAL


def test_write_before_open_is_refused(tmp_path: Path) -> None:
    sink = FileSink(str(tmp_path / "audit.log"))
    with pytest.raises(OSError) as caught:  # noqa: PT011 - the errno is checked below
        sink.write(b"{}\n")
    assert caught.value.errno == errno.EBADF
    assert not (tmp_path / "audit.log").exists()


def test_constructor_refuses_a_relative_path() -> None:
    with pytest.raises(ValueError, match="absolute"):
        FileSink("audit.log")


# --- rotation and recovery -------------------------------------------------------------------


def test_reopen_after_rotation_writes_a_new_file(tmp_path: Path) -> None:
    path, rotated = tmp_path / "audit.log", tmp_path / "audit.log.1"
    sink = opened(path, mode="0640")
    sink.write(b'{"n":1}\n')
    path.rename(rotated)
    sink.write(b'{"n":2}\n')  # before SIGHUP: still the renamed file
    sink.reopen()
    sink.write(b'{"n":3}\n')
    sink.close()
    assert rotated.read_bytes() == b'{"n":1}\n{"n":2}\n'
    assert path.read_bytes() == b'{"n":3}\n'
    assert mode_of(path) == 0o640


def test_deleted_file_is_recreated_not_written_into_the_void(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    sink = opened(path)
    sink.write(b'{"n":1}\n')
    path.unlink()
    sink.write(b'{"n":2}\n')
    sink.close()
    assert path.read_bytes() == b'{"n":2}\n'
    assert mode_of(path) == 0o600


def test_removed_directory_fails_until_it_returns(tmp_path: Path) -> None:
    directory = tmp_path / "logs"
    directory.mkdir()
    path = directory / "audit.log"
    sink = opened(path)
    sink.write(b'{"n":1}\n')
    shutil.rmtree(directory)
    with pytest.raises(FileNotFoundError):
        sink.write(b'{"n":2}\n')
    with pytest.raises(FileNotFoundError):
        sink.reopen()
    with pytest.raises(FileNotFoundError):
        sink.write(b'{"n":2}\n')
    directory.mkdir()
    sink.write(b'{"n":2}\n')  # recovered: the device retries the same batch
    sink.close()
    assert path.read_bytes() == b'{"n":2}\n'


FULL_DISK_SCRIPT = """
import errno, json, os, resource, signal, sys
from strongroom.audit.sinks import build_sink
path, limit = sys.argv[1], int(sys.argv[2])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death past the size limit
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sink = build_sink("file", {"file_path": path, "fsync": "true"})
sink.open()
sink.write(b'{"fits":true}\\n')
try:
    sink.write(b'{"too":"' + b"x" * 10000 + b'"}\\n' + b'{"second":"line"}\\n')
    outcome = {"raised": None}
except OSError as error:
    outcome = {"raised": error.errno}
outcome["size_after_failure"] = os.path.getsize(path)
sink.write(b'{"small":1}\\n')  # a later batch that fits still goes through
sink.close()
print(json.dumps(outcome))
"""


def test_failed_write_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """A write that stops part-way (here at RLIMIT_FSIZE: one short write, then EFBIG) is cut
    back to the file's size before the batch, and raises."""
    path = tmp_path / "audit.log"
    path.write_bytes(b'{"old":1}\n')
    limit = 4096
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK_SCRIPT, str(path), str(limit)],
        capture_output=True,
        check=True,
        timeout=30,
    )
    outcome = json.loads(result.stdout)
    assert outcome == {"raised": errno.EFBIG, "size_after_failure": 24}
    assert path.read_bytes() == b'{"old":1}\n{"fits":true}\n{"small":1}\n'


# --- last_line -------------------------------------------------------------------------------


def sink_with(tmp_path: Path, content: bytes) -> FileSink:
    path = tmp_path / "audit.log"
    path.write_bytes(content)
    return FileSink(str(path))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", None),
        (b"no newline yet", None),
        (b"\n", b"\n"),
        (b'{"n":1}\n', b'{"n":1}\n'),
        (b'{"n":1}\n{"n":2}\n{"n":3}\n', b'{"n":3}\n'),
        (b'{"n":1}\n{"n":2}\n{"partial', b'{"n":2}\n'),
        (b'{"n":1}\n\n', b"\n"),
    ],
    ids=["empty", "partial-only", "blank", "one", "many", "partial-last", "blank-last"],
)
def test_last_line(tmp_path: Path, content: bytes, expected: bytes | None) -> None:
    assert sink_with(tmp_path, content).last_line() == expected


def test_last_line_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert FileSink(str(tmp_path / "absent.log")).last_line() is None


def test_last_line_of_a_big_file(tmp_path: Path) -> None:
    lines = [b'{"n":%d,"pad":"%s"}\n' % (n, b"y" * (n % 5000)) for n in range(2000)]
    big_last = b'{"last":"' + b"z" * (3 * 1024 * 1024) + b'"}\n'
    sink = sink_with(tmp_path, b"".join(lines) + big_last + b'{"torn":')
    assert sink.last_line() == big_last


def test_last_line_after_writing_through_the_sink(tmp_path: Path) -> None:
    sink = opened(tmp_path / "audit.log")
    assert sink.last_line() is None
    sink.write(b'{"n":1}\n{"n":2}\n')
    assert sink.last_line() == b'{"n":2}\n'
    sink.close()


def test_last_line_longer_than_the_cap_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_module, "MAX_LINE", 100)
    sink = sink_with(tmp_path, b"a\n" + b"x" * 200 + b"\n")
    with pytest.raises(OSError) as caught:  # noqa: PT011 - the errno is checked below
        sink.last_line()
    assert caught.value.errno == errno.EFBIG
    assert sink_with(tmp_path, b"a\n" + b"x" * 50 + b"\n").last_line() == b"x" * 50 + b"\n"


def test_last_line_of_a_directory_raises(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(OSError):  # noqa: PT011 - EINVAL or EISDIR, depending on the platform
        FileSink(str(tmp_path / "dir")).last_line()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"") + b"\n"), max_size=8),
    tail=st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"")),
    chunk=st.integers(min_value=1, max_value=9),
)
def test_last_line_matches_a_naive_split(
    monkeypatch: pytest.MonkeyPatch, lines: list[bytes], tail: bytes, chunk: int
) -> None:
    """Backwards reading in tiny chunks finds what splitting the whole file finds."""
    monkeypatch.setattr(file_module, "SCAN_CHUNK", chunk)
    content = b"".join(lines) + tail
    with tempfile.TemporaryFile() as handle:
        handle.write(content)
        handle.flush()
        found = last_complete_line(handle.fileno(), len(content))
    assert found == (lines[-1] if lines else None)


# --- stdout and discard ----------------------------------------------------------------------

STDOUT_SCRIPT = """
import os
from strongroom.audit.sinks import build_sink
sink = build_sink("file", {"file_path": "stdout", "mode": "0600"})
sink.open()
sink.write(b'{"n":1}\\n{"n":2}\\n')
sink.reopen()
sink.write(b'{"n":3}\\n')
sink.close()
sink.close()
os.write(1, b"fd 1 still open\\n")
"""


def test_stdout_sink_writes_to_fd_1_and_leaves_it_open() -> None:
    result = subprocess.run(
        [sys.executable, "-c", STDOUT_SCRIPT], capture_output=True, check=True, timeout=30
    )
    assert result.stdout == b'{"n":1}\n{"n":2}\n{"n":3}\nfd 1 still open\n'
    assert isinstance(build_sink("file", {"path": "stdout"}), StdoutSink)


def test_stdout_sink_fails_to_open_without_a_standard_output() -> None:
    script = (
        "import os, sys\n"
        "from strongroom.audit.sinks import StdoutSink\n"
        "os.close(1)\n"
        "try:\n"
        "    StdoutSink().open()\n"
        "except OSError as error:\n"
        "    sys.stderr.write(str(error.errno))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, timeout=30
    )
    assert result.stderr == str(errno.EBADF).encode()


def test_stdout_sink_waits_for_a_full_non_blocking_pipe_to_drain() -> None:
    pipe = PipeReceiver()
    os.set_blocking(pipe.write_fd, False)  # as some supervisors leave a shared stdout
    sink = StdoutSink(pipe.write_fd)
    sink.open()
    big = b"x" * (4 << 20) + b"\n"  # far beyond a pipe's 64 KiB: EAGAIN many times
    sink.write(big)
    sink.close()
    pipe.stop()
    assert pipe.received() == big


def test_stdout_sink_gives_up_on_a_pipe_nobody_reads() -> None:
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        sink = StdoutSink(write_fd, timeout=0.1)
        sink.open()
        with pytest.raises(TimeoutError):
            sink.write(b"x" * (1 << 20) + b"\n")
    finally:
        os.close(write_fd)
        os.close(read_fd)


def test_discard_sink_drops_everything() -> None:
    sink = build_sink("file", {"file_path": "discard"})
    assert isinstance(sink, DiscardSink)
    sink.open()
    sink.write(b'{"n":1}\n')
    sink.reopen()
    sink.close()
    sink.close()
    assert sink.last_line() is None
    assert not (Path.cwd() / "discard").exists()
