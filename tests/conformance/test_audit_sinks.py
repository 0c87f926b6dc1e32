"""Every audit sink passes the sink conformance suite, against real files and real sockets."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from strongroom.audit.sinks import FileSink, MemorySink, Sink, SocketSink, StdoutSink, SyslogSink
from strongroom.testing.audit import (
    DatagramReceiver,
    FailingSink,
    PipeReceiver,
    SinkConformance,
    StreamReceiver,
    short_socket_dir,
)

SYSLOG_HEADER = re.compile(rb"<38>strongroom\[(\d+)\]: ")  # AUTH (4) * 8 + INFO (6)


class TestFileSink(SinkConformance):
    def make_sink(self, tmp_path: Path) -> Sink:
        self.path = tmp_path / "audit.log"
        return FileSink(str(self.path))

    def received(self) -> bytes:
        return self.path.read_bytes() if self.path.exists() else b""


class TestFileSinkWithFsync(TestFileSink):
    def make_sink(self, tmp_path: Path) -> Sink:
        self.path = tmp_path / "audit.log"
        return FileSink(str(self.path), fsync=True)


class TestStdoutSink(SinkConformance):
    """The sink writes to a descriptor it is given: 1 in production (tested in a subprocess by
    the unit tests), the write end of a drained pipe here."""

    def make_sink(self, tmp_path: Path) -> Sink:
        self.pipe = PipeReceiver()
        return StdoutSink(self.pipe.write_fd)

    def received(self) -> bytes:
        return self.pipe.received()

    def stop_receiver(self) -> None:
        self.pipe.stop()  # closes the write end: this would fail had the sink closed it


class TestTcpSocketSink(SinkConformance):
    def make_sink(self, tmp_path: Path) -> Sink:
        self.receiver = StreamReceiver.tcp()
        return SocketSink(self.receiver.address, "tcp", timeout=2.0)

    def received(self) -> bytes:
        return self.receiver.received()

    def stop_receiver(self) -> None:
        self.receiver.stop()


class TestUnixSocketSink(SinkConformance):
    def make_sink(self, tmp_path: Path) -> Sink:
        self.directory = short_socket_dir()
        self.receiver = StreamReceiver.unix(self.directory / "audit.sock")
        return SocketSink(self.receiver.address, "unix", timeout=2.0)

    def received(self) -> bytes:
        return self.receiver.received()

    def stop_receiver(self) -> None:
        self.receiver.stop()
        shutil.rmtree(self.directory)


class TestUdpSocketSink(SinkConformance):
    large_line_skip = "a udp datagram holds at most 65,507 bytes"

    def make_sink(self, tmp_path: Path) -> Sink:
        self.receiver = DatagramReceiver.udp()
        return SocketSink(self.receiver.address, "udp", timeout=2.0)

    def received(self) -> bytes:
        datagrams = self.receiver.datagrams()
        assert all(datagram.count(b"\n") == 1 for datagram in datagrams)  # one line each
        return b"".join(datagrams)

    def stop_receiver(self) -> None:
        self.receiver.stop()


class TestSyslogSink(SinkConformance):
    large_line_skip = "a unix datagram is limited by the socket buffer (about 200 KiB)"

    def make_sink(self, tmp_path: Path) -> Sink:
        self.directory = short_socket_dir()
        self.receiver = DatagramReceiver.unix(self.directory / "log")
        return SyslogSink(address=self.receiver.address)

    def received(self) -> bytes:
        lines = []
        for datagram in self.receiver.datagrams():
            header = SYSLOG_HEADER.match(datagram)
            assert header is not None, datagram[:80]
            assert int(header.group(1)) == os.getpid()
            assert b"\n" not in datagram
            lines.append(datagram[header.end() :] + b"\n")
        return b"".join(lines)

    def stop_receiver(self) -> None:
        self.receiver.stop()
        shutil.rmtree(self.directory)


class TestMemorySink(SinkConformance):
    def make_sink(self, tmp_path: Path) -> Sink:
        self.memory = MemorySink()
        return self.memory

    def received(self) -> bytes:
        return self.memory.data


class TestHealthyFailingSink(SinkConformance):
    """The failure injector passes everything through until told to fail."""

    def make_sink(self, tmp_path: Path) -> Sink:
        self.memory = MemorySink()
        return FailingSink(self.memory)

    def received(self) -> bytes:
        return self.memory.data
