"""The in-memory sink and the failure-injecting sink that tests of audit devices build on."""

from __future__ import annotations

import errno
import threading

import pytest

from strongroom.audit.sinks import MemorySink
from strongroom.testing.audit import FailingSink, wait_until


def test_memory_sink_keeps_bytes_and_lines() -> None:
    sink = MemorySink(b'{"old":1}\n')
    sink.open()
    sink.write(b'{"n":1}\n{"n":2}\n{"torn"')
    assert sink.data == b'{"old":1}\n{"n":1}\n{"n":2}\n{"torn"'
    assert sink.lines() == [b'{"old":1}\n', b'{"n":1}\n', b'{"n":2}\n']
    assert sink.last_line() == b'{"n":2}\n'
    sink.reopen()
    assert (sink.opens, sink.reopens, sink.is_open) == (2, 1, True)


@pytest.mark.parametrize(
    ("initial", "expected"),
    [(b"", None), (b"torn", None), (b"a\n", b"a\n"), (b"a\nb\n", b"b\n"), (b"a\n\n", b"\n")],
)
def test_memory_sink_last_line_is_like_a_file(initial: bytes, expected: bytes | None) -> None:
    assert MemorySink(initial).last_line() == expected


def test_memory_sink_refuses_writes_unless_open() -> None:
    sink = MemorySink()
    with pytest.raises(OSError) as caught:  # noqa: PT011 - the errno is checked below
        sink.write(b"{}\n")
    assert caught.value.errno == errno.EBADF
    assert sink.data == b""


def test_failing_sink_fails_a_number_of_writes_then_passes() -> None:
    sink = FailingSink()
    sink.open()
    sink.fail(2)
    for _ in range(2):
        with pytest.raises(OSError) as caught:  # noqa: PT011 - the errno is checked below
            sink.write(b'{"lost":1}\n')
        assert caught.value.errno == errno.ENOSPC
    sink.write(b'{"n":1}\n')
    assert isinstance(sink.inner, MemorySink)
    assert sink.inner.data == b'{"n":1}\n'
    assert (sink.write_attempts, sink.failed_writes) == (3, 2)


def test_failing_sink_fails_until_healed_including_opens() -> None:
    sink = FailingSink()
    sink.open()
    sink.fail(opens=True, error=errno.ENOENT)
    for _ in range(5):
        with pytest.raises(FileNotFoundError):
            sink.write(b"{}\n")
    with pytest.raises(FileNotFoundError):
        sink.reopen()
    with pytest.raises(FileNotFoundError):
        sink.open()
    sink.heal()
    sink.reopen()
    sink.write(b'{"back":1}\n')
    assert sink.last_line() == b'{"back":1}\n'
    sink.close()
    sink.close()


def test_failing_sink_stalls_writes_until_released() -> None:
    sink = FailingSink()
    sink.open()
    sink.stall()
    writer = threading.Thread(target=sink.write, args=(b'{"n":1}\n',))
    writer.start()
    assert not wait_until(lambda: sink.inner.last_line() is not None, seconds=0.1)
    sink.release()
    writer.join(timeout=5)
    assert sink.inner.last_line() == b'{"n":1}\n'
