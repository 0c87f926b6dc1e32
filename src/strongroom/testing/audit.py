"""The audit sink conformance suite, real receivers (sockets, a pipe), and a failing sink.

Use the suite by subclassing::

    class TestTcpSink(SinkConformance):
        def make_sink(self, tmp_path: Path) -> Sink:
            self.receiver = StreamReceiver.tcp()
            return SocketSink(self.receiver.address)

        def received(self) -> bytes:
            return self.receiver.received()

        def stop_receiver(self) -> None:
            self.receiver.stop()

`received()` returns every byte that reached the destination so far, as the lines the sink was
given (a syslog receiver strips the syslog header and puts the newline back). The suite waits
for deliveries that travel asynchronously (sockets) before it compares.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from strongroom.audit.sinks import MemorySink, Sink

DELIVERY_SECONDS = 5.0  # how long the suite waits for bytes in flight
_POLL_SECONDS = 0.05  # how often receiver threads look for the stop flag


def numbered_lines(count: int, tag: str = "line", width: int = 60) -> list[bytes]:
    """Distinct JSON-ish lines, so a lost, doubled or reordered line shows in a comparison."""
    return [
        f'{{"{tag}":{index},"pad":"{"x" * (index % width)}"}}\n'.encode() for index in range(count)
    ]


def assert_same_bytes(got: bytes, expected: bytes) -> None:
    """Compare without pytest rendering a diff of megabytes."""
    if got == expected:
        return
    mismatch = next(
        (index for index, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
        min(len(got), len(expected)),
    )
    window = slice(max(0, mismatch - 40), mismatch + 40)
    raise AssertionError(
        f"got {len(got)} bytes, expected {len(expected)}; first difference at offset "
        f"{mismatch}: expected {expected[window]!r}, got {got[window]!r}"
    )


class SinkConformance:
    """Tests every `Sink` passes. Subclasses implement `make_sink` and `received`."""

    # Why this transport cannot carry a 1 MiB line (a datagram limit), or None when it can.
    large_line_skip: ClassVar[str | None] = None

    def make_sink(self, tmp_path: Path) -> Sink:
        """An unopened sink whose destination `received` reads; subclasses implement it."""
        raise NotImplementedError

    def received(self) -> bytes:
        """Every byte delivered so far, in order."""
        raise NotImplementedError

    def stop_receiver(self) -> None:
        """Release what `make_sink` started (listeners, threads, descriptors)."""

    @pytest.fixture
    def sink(self, tmp_path: Path) -> Iterator[Sink]:
        sink = self.make_sink(tmp_path)
        try:
            sink.open()
            yield sink
        finally:
            sink.close()
            self.stop_receiver()

    def expect(self, expected: bytes) -> None:
        """Wait (bounded) until `expected` has been delivered, then compare exactly."""
        deadline = time.monotonic() + DELIVERY_SECONDS
        got = self.received()
        while len(got) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.005)
            got = self.received()
        time.sleep(0.01)  # anything extra (a doubled line) would have arrived by now
        assert_same_bytes(self.received(), expected)

    def test_write_before_open_is_refused(self, tmp_path: Path) -> None:
        sink = self.make_sink(tmp_path)
        try:
            with pytest.raises(OSError):  # noqa: PT011 - any OSError: the device fails closed
                sink.write(b'{"early":1}\n')
            sink.open()
            sink.write(b'{"n":1}\n')
            self.expect(b'{"n":1}\n')
        finally:
            sink.close()
            self.stop_receiver()

    def test_batches_arrive_complete_and_in_order(self, sink: Sink) -> None:
        lines = numbered_lines(300)
        sizes = [1, 3, 2, 5, 1, 8]
        position, batch = 0, 0
        while position < len(lines):
            size = sizes[batch % len(sizes)]
            sink.write(b"".join(lines[position : position + size]))
            position, batch = position + size, batch + 1
        self.expect(b"".join(lines))

    def test_bytes_other_than_newline_pass_unchanged(self, sink: Sink) -> None:
        # Only "\n" ends a line: a carriage return or a form feed inside a line is data.
        lines = [b'{"a":"x\ry"}\n', b'{"b":"\x0c\t\xc3\xa9\xe2\x82\xac"}\n', b"{}\n"]
        sink.write(b"".join(lines[:2]))
        sink.write(lines[2])
        self.expect(b"".join(lines))

    def test_empty_write_sends_nothing(self, sink: Sink) -> None:
        sink.write(b"")
        sink.write(b'{"only":1}\n')
        self.expect(b'{"only":1}\n')

    def test_close_is_idempotent_and_final(self, sink: Sink) -> None:
        sink.write(b'{"before":"close"}\n')
        sink.close()
        sink.close()
        with pytest.raises(OSError):  # noqa: PT011 - any OSError: the device fails closed
            sink.write(b'{"after":"close"}\n')
        self.expect(b'{"before":"close"}\n')

    def test_open_after_close_writes_again(self, sink: Sink) -> None:
        sink.write(b'{"n":1}\n')
        sink.close()
        sink.open()
        sink.write(b'{"n":2}\n')
        self.expect(b'{"n":1}\n{"n":2}\n')

    def test_reopen_keeps_working(self, sink: Sink) -> None:
        lines = numbered_lines(9, tag="reopen")
        for index in range(0, 9, 3):
            sink.write(b"".join(lines[index : index + 3]))
            sink.reopen()
        sink.reopen()
        sink.write(b'{"last":true}\n')
        self.expect(b"".join(lines) + b'{"last":true}\n')

    def test_large_line_arrives_intact(self, sink: Sink) -> None:
        if self.large_line_skip:
            pytest.skip(self.large_line_skip)
        big = b'{"big":"' + os.urandom(512 * 1024).hex().encode() + b'"}\n'
        assert len(big) > 1024 * 1024
        sink.write(b'{"n":1}\n')
        sink.write(big)
        sink.write(b'{"n":2}\n' + big + b'{"n":3}\n')
        self.expect(b'{"n":1}\n' + big + b'{"n":2}\n' + big + b'{"n":3}\n')

    def test_last_line_is_none_or_the_last_line(self, sink: Sink) -> None:
        sink.write(b'{"n":1}\n{"n":2}\n')
        sink.write(b'{"n":3}\n')
        self.expect(b'{"n":1}\n{"n":2}\n{"n":3}\n')
        assert sink.last_line() in (None, b'{"n":3}\n')


# --- receivers -------------------------------------------------------------------------------


def short_socket_dir() -> Path:
    """A fresh directory with a short path: a unix socket path must fit in 108 bytes."""
    return Path(tempfile.mkdtemp(prefix="sr-audit-", dir="/tmp"))


class StreamReceiver:
    """A real listening stream socket (tcp on 127.0.0.1, or unix) that accepts any number of
    connections and keeps what each sent, in the order they were accepted."""

    def __init__(self, family: socket.AddressFamily, bind_to: str | tuple[str, int]) -> None:
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.bind(bind_to)
        self._listener.listen(16)
        self._listener.settimeout(_POLL_SECONDS)
        name = self._listener.getsockname()
        self.address: str = name if isinstance(name, str) else f"{name[0]}:{name[1]}"
        self._lock = threading.Lock()
        self._buffers: list[bytearray] = []
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept_loop, daemon=True)]
        self._threads[0].start()

    @classmethod
    def tcp(cls) -> StreamReceiver:
        return cls(socket.AF_INET, ("127.0.0.1", 0))

    @classmethod
    def unix(cls, path: Path) -> StreamReceiver:
        return cls(socket.AF_UNIX, str(path))

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return len(self._buffers)

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._open)

    def received(self) -> bytes:
        with self._lock:
            return b"".join(self._buffers)

    def per_connection(self) -> list[bytes]:
        with self._lock:
            return [bytes(buffer) for buffer in self._buffers]

    def disconnect_all(self) -> None:
        """Close every accepted connection from the receiving side (a receiver restarting)."""
        with self._lock:
            for conn in self._open:
                _shutdown(conn)

    def stop(self) -> None:
        self._stop.set()
        self.disconnect_all()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            buffer = bytearray()
            with self._lock:
                self._buffers.append(buffer)
                self._open.append(conn)
            thread = threading.Thread(target=self._read_loop, args=(conn, buffer), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _read_loop(self, conn: socket.socket, buffer: bytearray) -> None:
        conn.settimeout(_POLL_SECONDS)
        try:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(1 << 20)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    buffer += chunk
        finally:
            with self._lock:
                self._open.remove(conn)
            conn.close()


class PipeReceiver:
    """A pipe whose read end a thread drains: stands in for a process's standard output."""

    def __init__(self) -> None:
        self._read_fd, self.write_fd = os.pipe()
        self._lock = threading.Lock()
        self._data = bytearray()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def received(self) -> bytes:
        with self._lock:
            return bytes(self._data)

    def stop(self) -> None:
        """Close the write end (the reader then sees end of file) and the read end."""
        os.close(self.write_fd)
        self._thread.join(timeout=5)
        os.close(self._read_fd)

    def _loop(self) -> None:
        while chunk := os.read(self._read_fd, 1 << 20):
            with self._lock:
                self._data += chunk


class DatagramReceiver:
    """A real datagram socket (udp on 127.0.0.1, or unix) keeping every datagram it receives."""

    def __init__(self, family: socket.AddressFamily, bind_to: str | tuple[str, int]) -> None:
        self._sock = socket.socket(family, socket.SOCK_DGRAM)
        # Room for a burst, so a loopback udp test does not lose datagrams to a slow thread.
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self._sock.bind(bind_to)
        self._sock.settimeout(_POLL_SECONDS)
        name = self._sock.getsockname()
        self.address: str = name if isinstance(name, str) else f"{name[0]}:{name[1]}"
        self._lock = threading.Lock()
        self._datagrams: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    @classmethod
    def udp(cls) -> DatagramReceiver:
        return cls(socket.AF_INET, ("127.0.0.1", 0))

    @classmethod
    def unix(cls, path: Path) -> DatagramReceiver:
        return cls(socket.AF_UNIX, str(path))

    def datagrams(self) -> list[bytes]:
        with self._lock:
            return list(self._datagrams)

    def received(self) -> bytes:
        return b"".join(self.datagrams())

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                datagram = self._sock.recv(1 << 17)
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._datagrams.append(datagram)


def _shutdown(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)


def wait_until(condition: Callable[[], bool], seconds: float = DELIVERY_SECONDS) -> bool:
    """Poll `condition` until it is true or `seconds` pass; its last answer."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return condition()
        time.sleep(0.005)
    return True


# --- failure injection -----------------------------------------------------------------------


class FailingSink:
    """Wraps a sink (a `MemorySink` by default) and fails, or stalls, when a test says so:
    a full disk, a removed directory or a hung receiver, without needing one."""

    def __init__(self, inner: Sink | None = None) -> None:
        self.inner: Sink = inner if inner is not None else MemorySink()
        self._lock = threading.Lock()
        self._failing_writes: int | None = 0  # None: every write until heal()
        self._failing_opens = False
        self._error = errno.ENOSPC
        self._flowing = threading.Event()
        self._flowing.set()
        self.write_attempts = 0
        self.failed_writes = 0

    def fail(
        self, writes: int | None = None, *, opens: bool = False, error: int = errno.ENOSPC
    ) -> None:
        """Fail the next `writes` writes (all of them until `heal()` when None); with `opens`,
        fail open and reopen too. Failures raise `OSError(error)`."""
        with self._lock:
            self._failing_writes, self._failing_opens, self._error = writes, opens, error

    def heal(self) -> None:
        with self._lock:
            self._failing_writes, self._failing_opens = 0, False

    def stall(self) -> None:
        """Make writes block (a hung disk or receiver) until `release()`."""
        self._flowing.clear()

    def release(self) -> None:
        self._flowing.set()

    def open(self) -> None:
        self._maybe_fail_open()
        self.inner.open()

    def write(self, data: bytes) -> None:
        self._flowing.wait()
        with self._lock:
            self.write_attempts += 1
            left = self._failing_writes
            if left is None or left > 0:
                self.failed_writes += 1
                self._failing_writes = None if left is None else left - 1
                raise OSError(self._error, os.strerror(self._error))
        self.inner.write(data)

    def reopen(self) -> None:
        self._maybe_fail_open()
        self.inner.reopen()

    def close(self) -> None:
        self.inner.close()

    def last_line(self) -> bytes | None:
        return self.inner.last_line()

    def _maybe_fail_open(self) -> None:
        with self._lock:
            if self._failing_opens:
                raise OSError(self._error, os.strerror(self._error))
