"""The socket device's sink: lines over TCP, a unix stream socket, or UDP datagrams.

Every socket operation is bounded by the device's `write_timeout`. A failed write drops the
connection, reconnects and sends again once before it raises. TCP cannot confirm delivery without
an application-level acknowledgement: bytes the kernel accepted just before the receiver died
are lost without an error; a receiver that closed cleanly is noticed before the next write.
"""

from __future__ import annotations

import re
import select
import socket
from collections.abc import Callable, Iterable, Mapping

from strongroom.audit.sinks.base import Sink, closed_error, split_lines, text_option
from strongroom.errors import InvalidParameter

SOCKET_TYPES = ("tcp", "udp", "unix")
DEFAULT_WRITE_TIMEOUT = 2.0
MAX_WRITE_TIMEOUT = 3600.0
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "\u00b5s": 1e-6,
    "\u03bcs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


class Connection:
    """One socket, connected on first use and dropped on any failure so the next use reconnects."""

    def __init__(self, connect: Callable[[], socket.socket], *, stream: bool) -> None:
        self._connect = connect
        self._stream = stream
        self._sock: socket.socket | None = None

    def ensure(self) -> socket.socket:
        sock = self._sock
        if sock is not None and self._stream and _peer_closed(sock):
            self.drop()
            sock = None
        if sock is None:
            sock = self._sock = self._connect()
        return sock

    def drop(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def send_stream(self, data: bytes) -> None:
        """All of `data`; after a failure, once more on a new connection (the receiver drops the
        partial line the old connection ended with)."""
        try:
            self.ensure().sendall(data)
            return
        except OSError:
            self.drop()
        try:
            self.ensure().sendall(data)
        except OSError:
            self.drop()
            raise

    def send_datagrams(self, datagrams: Iterable[bytes]) -> None:
        """Each datagram in order; after a failure, reconnect once and go on from the one that
        failed, so nothing already sent is sent twice."""
        retried = False
        for datagram in datagrams:
            while True:
                try:
                    self.ensure().send(datagram)
                    break
                except OSError:
                    self.drop()
                    if retried:
                        raise
                    retried = True


def _peer_closed(sock: socket.socket) -> bool:
    """Whether a stream's receiver has closed or reset it. Audit receivers send nothing, so a
    readable socket means end of stream (or stray bytes, which are discarded)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    if not poller.poll(0):
        return False
    try:
        return sock.recv(65536) == b""
    except OSError:
        return True


class ConnectedSink:
    """What the socket and syslog sinks share: a `Connection`, open/closed state, rotation."""

    _connection: Connection
    _closed: bool = True  # until open()

    def open(self) -> None:
        self._closed = False
        self._connection.ensure()

    def reopen(self) -> None:
        self._connection.drop()
        self.open()

    def close(self) -> None:
        self._closed = True
        self._connection.drop()

    def last_line(self) -> bytes | None:
        return None

    def _check_open(self) -> None:
        if self._closed:
            raise closed_error()


class SocketSink(ConnectedSink):
    """Sends each batch to `address` ("host:port" for tcp and udp, a path for unix); over udp,
    one datagram per line."""

    def __init__(
        self, address: str, socket_type: str = "tcp", timeout: float = DEFAULT_WRITE_TIMEOUT
    ) -> None:
        if socket_type not in SOCKET_TYPES:
            raise ValueError("socket_type must be tcp, udp or unix")
        self._target: str | tuple[str, int] = (
            address if socket_type == "unix" else split_host_port(address)
        )
        self.socket_type = socket_type
        self.timeout = timeout
        self._connection = Connection(self._connect, stream=socket_type != "udp")

    def write(self, data: bytes) -> None:
        self._check_open()
        if not data:
            return
        if self.socket_type == "udp":
            self._connection.send_datagrams(split_lines(data))
        else:
            self._connection.send_stream(data)

    def _connect(self) -> socket.socket:
        if isinstance(self._target, str):
            return connected_socket(socket.AF_UNIX, socket.SOCK_STREAM, self._target, self.timeout)
        if self.socket_type == "tcp":
            return socket.create_connection(self._target, timeout=self.timeout)
        host, port = self._target
        family, _, _, _, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
        return connected_socket(family, socket.SOCK_DGRAM, sockaddr, self.timeout)


def connected_socket(
    family: socket.AddressFamily,
    kind: socket.SocketKind,
    address: str | tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes],
    timeout: float,
) -> socket.socket:
    """A socket of `family` and `kind`, its timeout set, connected to `address`."""
    sock = socket.socket(family, kind)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return sock


def split_host_port(address: str) -> tuple[str, int]:
    """("host", port) from "host:port" or "[v6 address]:port"; `ValueError` otherwise."""
    host, colon, port_text = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not port_text.isascii() or not port_text.isdigit():
        raise ValueError("expected host:port")
    port = int(port_text)
    if not 0 < port < 65536:
        raise ValueError("port out of range")
    return host, port


def parse_timeout(text: str) -> float:
    """Seconds of a Go duration ("2s", "500ms", "1m30s") or a bare number of seconds; the value
    must be positive. `parse_duration` does not fit: it truncates to whole seconds."""
    if text.isascii() and text.isdigit():
        seconds = float(text)
    else:
        seconds, position = 0.0, 0
        while position < len(text) or position == 0:
            match = _DURATION_PART.match(text, position)
            if match is None:
                raise ValueError("invalid duration")
            seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
            position = match.end()
    if not 0 < seconds <= MAX_WRITE_TIMEOUT:
        raise ValueError("duration out of range")
    return seconds


def build_socket_sink(options: Mapping[str, str]) -> Sink:
    """The sink of a `socket` device; options `address`, `socket_type`, `write_timeout`."""
    socket_type = text_option(options, "socket_type", "tcp")
    if socket_type not in SOCKET_TYPES:
        raise InvalidParameter("socket_type: must be tcp, udp or unix")
    address = text_option(options, "address", "")
    if not address or "\x00" in address:
        raise InvalidParameter("address: required (host:port, or a socket path for unix)")
    try:
        timeout = parse_timeout(text_option(options, "write_timeout", "2s"))
    except ValueError:
        raise InvalidParameter(
            f"write_timeout: expected a duration such as 2s or 500ms, "
            f"above 0 and at most {MAX_WRITE_TIMEOUT:.0f}s"
        ) from None
    try:
        return SocketSink(address, socket_type, timeout)
    except ValueError:
        raise InvalidParameter(
            f"address: expected host:port for socket_type {socket_type}"
        ) from None
