"""build_sink: the right sink for each device type, and a 400 naming the option for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from strongroom.audit.sinks import (
    DEVICE_TYPES,
    DiscardSink,
    FileSink,
    Sink,
    SocketSink,
    StdoutSink,
    SyslogSink,
    build_sink,
)
from strongroom.errors import InvalidParameter

SECRET = "s3cr3t-do-not-echo"


def test_device_types() -> None:
    assert DEVICE_TYPES == ("file", "socket", "syslog")


@pytest.mark.parametrize(
    ("device_type", "options", "expected"),
    [
        ("file", {"file_path": "/var/log/strongroom/audit.log"}, FileSink),
        ("file", {"path": "/var/log/strongroom/audit.log"}, FileSink),
        ("file", {"file_path": "stdout"}, StdoutSink),
        ("file", {"file_path": "discard"}, DiscardSink),
        ("socket", {"address": "127.0.0.1:9090"}, SocketSink),
        ("socket", {"address": "/run/audit.sock", "socket_type": "unix"}, SocketSink),
        ("syslog", {}, SyslogSink),
    ],
)
def test_builds_the_sink_of_each_type(
    device_type: str, options: dict[str, str], expected: type
) -> None:
    sink = build_sink(device_type, options)
    assert type(sink) is expected
    assert isinstance(sink, Sink)


def test_build_does_not_open(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "audit.log"
    sink = build_sink("file", {"file_path": str(target)})
    assert not target.parent.exists()
    with pytest.raises(FileNotFoundError):
        sink.open()


def test_options_are_read() -> None:
    sink = build_sink("file", {"file_path": "/a.log", "mode": "0640", "fsync": "true"})
    assert isinstance(sink, FileSink)
    assert (sink.path, sink.mode, sink.fsync) == ("/a.log", 0o640, True)
    sink = build_sink("file", {"file_path": "/a.log", "path": "/b.log", "mode": "0", "fsync": "0"})
    assert isinstance(sink, FileSink)
    assert (sink.path, sink.mode, sink.fsync) == ("/a.log", None, False)
    sock = build_sink(
        "socket", {"address": "[::1]:9", "socket_type": "udp", "write_timeout": "1500ms"}
    )
    assert isinstance(sock, SocketSink)
    assert (sock.socket_type, sock.timeout) == ("udp", 1.5)
    default = build_sink("socket", {"address": "h:1", "socket_type": "", "write_timeout": ""})
    assert isinstance(default, SocketSink)
    assert (default.socket_type, default.timeout) == ("tcp", 2.0)


def test_device_options_are_left_alone() -> None:
    """The map also carries the device's own options; the sink ignores what it does not know."""
    options = {"file_path": "/a.log", "log_raw": "true", "hmac_accessor": "false", "x": "y"}
    assert isinstance(build_sink("file", options), FileSink)


@pytest.mark.parametrize(
    ("device_type", "options", "named"),
    [
        ("bogus", {}, "type"),
        ("", {}, "type"),
        ("FILE", {"file_path": "/a.log"}, "type"),
        ("file", {}, "file_path"),
        ("file", {"file_path": ""}, "file_path"),
        ("file", {"file_path": "relative/audit.log"}, "file_path"),
        ("file", {"file_path": "./audit.log"}, "file_path"),
        ("file", {"file_path": "/a\x00b"}, "file_path"),
        ("file", {"file_path": "/a.log", "mode": SECRET}, "mode"),
        ("file", {"file_path": "/a.log", "mode": "0800"}, "mode"),
        ("file", {"file_path": "/a.log", "mode": "1777"}, "mode"),
        ("file", {"file_path": "/a.log", "mode": "4755"}, "mode"),
        ("file", {"file_path": "/a.log", "mode": "-600"}, "mode"),
        ("file", {"file_path": "/a.log", "mode": "0o600"}, "mode"),
        ("file", {"file_path": "/a.log", "mode": " 600"}, "mode"),
        ("file", {"file_path": "/a.log", "fsync": SECRET}, "fsync"),
        ("file", {"file_path": "stdout", "mode": "9"}, "mode"),
        ("socket", {}, "address"),
        ("socket", {"address": SECRET}, "address"),
        ("socket", {"address": "127.0.0.1"}, "address"),
        ("socket", {"address": "127.0.0.1:99999"}, "address"),
        ("socket", {"address": "127.0.0.1:9", "socket_type": SECRET}, "socket_type"),
        ("socket", {"address": "127.0.0.1:9", "socket_type": "TCP"}, "socket_type"),
        ("socket", {"address": "127.0.0.1:9", "write_timeout": SECRET}, "write_timeout"),
        ("socket", {"address": "127.0.0.1:9", "write_timeout": "0s"}, "write_timeout"),
        ("socket", {"address": "127.0.0.1:9", "write_timeout": "2h"}, "write_timeout"),
        ("syslog", {"facility": SECRET}, "facility"),
        ("syslog", {"facility": "LOCAL8"}, "facility"),
        ("syslog", {"tag": "two words"}, "tag"),
        ("syslog", {"tag": "a" * 65}, "tag"),
    ],
)
def test_bad_options_are_a_400_naming_the_option(
    device_type: str, options: dict[str, str], named: str
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build_sink(device_type, options)
    assert caught.value.status == 400
    assert caught.value.message.startswith(f"{named}:")
    assert SECRET not in caught.value.message
