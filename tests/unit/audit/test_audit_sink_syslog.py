"""The syslog sink against a real unix datagram socket standing in for /dev/log."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from strongroom.audit.sinks import SyslogSink, build_sink
from strongroom.testing.audit import DatagramReceiver, short_socket_dir, wait_until


@pytest.fixture
def log_dir() -> Iterator[Path]:
    directory = short_socket_dir()
    yield directory
    shutil.rmtree(directory)


@pytest.fixture
def dev_log(log_dir: Path) -> Iterator[DatagramReceiver]:
    receiver = DatagramReceiver.unix(log_dir / "log")
    yield receiver
    receiver.stop()


def test_each_line_is_one_rfc3164_datagram(dev_log: DatagramReceiver) -> None:
    sink = SyslogSink("local3", "vault-audit", address=dev_log.address)
    sink.open()
    sink.write(b'{"n":1}\n{"n":2}\n')
    sink.close()
    header = b"<158>vault-audit[%d]: " % os.getpid()  # LOCAL3 (19) * 8 + INFO (6)
    assert wait_until(lambda: len(dev_log.datagrams()) == 2)
    assert dev_log.datagrams() == [header + b'{"n":1}', header + b'{"n":2}']


@pytest.mark.parametrize(
    ("facility", "priority"),
    [("AUTH", 38), ("kern", 6), ("AuthPriv", 86), ("LOCAL0", 134), ("local7", 190), ("FTP", 94)],
)
def test_priority_is_facility_times_eight_plus_info(facility: str, priority: int) -> None:
    assert SyslogSink(facility).priority == priority


def test_defaults_through_build_sink() -> None:
    sink = build_sink("syslog", {})
    assert isinstance(sink, SyslogSink)
    assert (sink.priority, sink.tag, sink.address) == (38, "strongroom", "/dev/log")


def test_missing_socket_fails_open(log_dir: Path) -> None:
    with pytest.raises(FileNotFoundError):
        SyslogSink(address=str(log_dir / "absent")).open()


def test_a_restarted_daemon_is_reconnected(log_dir: Path) -> None:
    path = log_dir / "log"
    first = DatagramReceiver.unix(path)
    sink = SyslogSink(address=str(path))
    sink.open()
    sink.write(b'{"n":1}\n')
    assert wait_until(lambda: len(first.datagrams()) == 1)
    first.stop()
    path.unlink()
    second = DatagramReceiver.unix(path)
    try:
        sink.write(b'{"n":2}\n{"n":3}\n')
        assert wait_until(lambda: len(second.datagrams()) == 2)
        assert [d.split(b": ", 1)[1] for d in second.datagrams()] == [b'{"n":2}', b'{"n":3}']
    finally:
        sink.close()
        second.stop()


def test_a_daemon_gone_for_good_fails_the_write(log_dir: Path) -> None:
    path = log_dir / "log"
    receiver = DatagramReceiver.unix(path)
    sink = SyslogSink(address=str(path))
    sink.open()
    receiver.stop()
    path.unlink()
    with pytest.raises(FileNotFoundError):
        sink.write(b'{"n":1}\n')
    sink.close()


def test_a_line_too_big_for_one_datagram_fails(dev_log: DatagramReceiver) -> None:
    sink = SyslogSink(address=dev_log.address)
    sink.open()
    with pytest.raises(OSError) as caught:  # noqa: PT011 - the errno is checked below
        sink.write(b'{"big":"' + b"x" * (4 << 20) + b'"}\n')
    assert caught.value.errno == errno.EMSGSIZE
    sink.write(b'{"small":1}\n')
    sink.close()
    assert wait_until(lambda: len(dev_log.datagrams()) == 1)
    assert dev_log.datagrams()[0].endswith(b']: {"small":1}')


@pytest.mark.parametrize("tag", ["", "has space", "a:b", "x[1]", "tab\t", "é", "t" * 65])
def test_constructor_refuses_a_bad_tag(tag: str) -> None:
    with pytest.raises(ValueError, match="tag"):
        SyslogSink(tag=tag)
