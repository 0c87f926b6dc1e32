"""The socket sink against real listening sockets on 127.0.0.1: reconnects, bounded waits."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from strongroom.audit.sinks import SocketSink, build_sink
from strongroom.audit.sinks.socket import parse_timeout, split_host_port
from strongroom.testing.audit import StreamReceiver, short_socket_dir, wait_until


@pytest.fixture
def receiver() -> Iterator[StreamReceiver]:
    receiver = StreamReceiver.tcp()
    yield receiver
    receiver.stop()


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_receiver_closing_mid_stream_means_a_reconnect(receiver: StreamReceiver) -> None:
    sink = SocketSink(receiver.address, "tcp", timeout=2.0)
    sink.open()
    sink.write(b'{"n":1}\n{"n":2}\n')
    assert wait_until(lambda: receiver.received() == b'{"n":1}\n{"n":2}\n')
    receiver.disconnect_all()  # a collector restarting
    assert wait_until(lambda: receiver.open_connections == 0)
    sink.write(b'{"n":3}\n')
    sink.write(b'{"n":4}\n')
    assert wait_until(lambda: receiver.received().endswith(b'{"n":4}\n'))
    sink.close()
    assert receiver.per_connection() == [b'{"n":1}\n{"n":2}\n', b'{"n":3}\n{"n":4}\n']


def test_receiver_gone_for_good_raises(receiver: StreamReceiver) -> None:
    sink = SocketSink(receiver.address, "tcp", timeout=2.0)
    sink.open()
    sink.write(b'{"n":1}\n')
    assert wait_until(lambda: receiver.received() == b'{"n":1}\n')
    receiver.stop()
    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        sink.write(b'{"n":2}\n')
    assert time.monotonic() - started < 2.0
    sink.close()


def test_no_listener_fails_open_and_write_at_once() -> None:
    sink = SocketSink(f"127.0.0.1:{unused_port()}", "tcp", timeout=2.0)
    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        sink.open()
    with pytest.raises(ConnectionRefusedError):
        sink.write(b'{"n":1}\n')
    assert time.monotonic() - started < 2.0


def test_unix_socket_missing_fails_open(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        SocketSink(str(tmp_path / "absent.sock"), "unix").open()


def test_a_receiver_that_stops_reading_is_bounded_by_the_write_timeout() -> None:
    # A listener that never accepts: the kernel completes connections into the backlog, then
    # the send buffers fill and every send waits for the timeout.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        host, port = silent.getsockname()
        sink = SocketSink(f"{host}:{port}", "tcp", timeout=0.2)
        sink.open()
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            sink.write(b"x" * (64 << 20) + b"\n")
        elapsed = time.monotonic() - started
        sink.close()
    assert 0.35 < elapsed < 2.0  # the first attempt and the one retry each waited 0.2s


def test_bytes_sent_by_the_receiver_are_discarded_not_mistaken_for_a_close() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        host, port = listener.getsockname()
        sink = SocketSink(f"{host}:{port}", "tcp", timeout=2.0)
        sink.open()
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"hello from the collector")
            sink.write(b'{"n":1}\n')  # must stay on this connection
            time.sleep(0.05)  # the chatter has surely arrived before the second write
            sink.write(b'{"n":2}\n')
            conn.settimeout(2.0)
            got = b""
            while len(got) < 16:
                got += conn.recv(100)
        listener.settimeout(0.05)
        with pytest.raises(TimeoutError):
            listener.accept()  # no second connection was made
        sink.close()
    assert got == b'{"n":1}\n{"n":2}\n'


def test_reopen_makes_a_new_connection(receiver: StreamReceiver) -> None:
    sink = SocketSink(receiver.address)
    sink.open()
    sink.write(b'{"n":1}\n')
    sink.reopen()
    sink.write(b'{"n":2}\n')
    sink.close()
    assert wait_until(lambda: receiver.per_connection() == [b'{"n":1}\n', b'{"n":2}\n'])


def test_unix_stream_sink_reconnects_after_the_receiver_restarts() -> None:
    directory = short_socket_dir()
    path = directory / "audit.sock"
    try:
        first = StreamReceiver.unix(path)
        sink = SocketSink(str(path), "unix", timeout=2.0)
        sink.open()
        sink.write(b'{"n":1}\n')
        assert wait_until(lambda: first.received() == b'{"n":1}\n')
        first.stop()
        path.unlink()
        second = StreamReceiver.unix(path)
        try:
            sink.write(b'{"n":2}\n')
            assert wait_until(lambda: second.received() == b'{"n":2}\n')
        finally:
            sink.close()
            second.stop()
    finally:
        for leftover in directory.iterdir():
            leftover.unlink()
        directory.rmdir()


def test_udp_sends_one_datagram_per_line() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(2.0)
        host, port = server.getsockname()
        sink = build_sink("socket", {"address": f"{host}:{port}", "socket_type": "udp"})
        sink.open()
        sink.write(b'{"n":1}\n{"n":2}\n{"n":3}\n')
        got = [server.recv(1000) for _ in range(3)]
        sink.close()
    assert got == [b'{"n":1}\n', b'{"n":2}\n', b'{"n":3}\n']


def test_a_write_blocked_in_one_thread_does_not_hold_the_interpreter() -> None:
    """Sinks block in system calls (which release the GIL), so a slow sink never stalls
    the thread running the event loop."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        host, port = silent.getsockname()
        sink = SocketSink(f"{host}:{port}", "tcp", timeout=0.3)
        sink.open()
        errors: list[BaseException] = []

        def write() -> None:
            try:
                sink.write(b"x" * (64 << 20))
            except OSError as error:
                errors.append(error)

        writer = threading.Thread(target=write)
        writer.start()
        ticks = 0
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            ticks += 1
            time.sleep(0.001)
        writer.join()
        sink.close()
    assert ticks > 20  # a held GIL would allow one or two
    assert len(errors) == 1
    assert isinstance(errors[0], TimeoutError)


# --- option parsing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2s", 2.0),
        ("500ms", 0.5),
        ("2", 2.0),
        ("1m30s", 90.0),
        ("1.5s", 1.5),
        ("250000us", 0.25),
        ("1h", 3600.0),
    ],
)
def test_parse_timeout(text: str, seconds: float) -> None:
    assert parse_timeout(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "0", "0s", "-1s", "2 s", "s", "1.2.3s", "2x", "1h1s", "1e3s"])
def test_parse_timeout_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_timeout(text)


@pytest.mark.parametrize(
    ("address", "expected"),
    [("127.0.0.1:9090", ("127.0.0.1", 9090)), ("[::1]:514", ("::1", 514)), ("h:1", ("h", 1))],
)
def test_split_host_port(address: str, expected: tuple[str, int]) -> None:
    assert split_host_port(address) == expected


@pytest.mark.parametrize(
    "address", ["nohost", ":80", "h:", "h:0", "h:65536", "h:-1", "h:\uff18\uff10"]
)
def test_split_host_port_refuses(address: str) -> None:
    with pytest.raises(ValueError, match=r"host:port|range"):
        split_host_port(address)
