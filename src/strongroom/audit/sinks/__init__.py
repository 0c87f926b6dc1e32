"""Audit sinks: where a device's lines go (a file, a socket, syslog; memory for tests).

`build_sink` turns a device's type and string options into an unopened `Sink`, refusing bad
options with `InvalidParameter` (a 400 that names the option, never its value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from strongroom.audit.sinks.base import Sink
from strongroom.audit.sinks.file import DiscardSink, FileSink, StdoutSink, build_file_sink
from strongroom.audit.sinks.memory import MemorySink
from strongroom.audit.sinks.socket import SocketSink, build_socket_sink
from strongroom.audit.sinks.syslog import SyslogSink, build_syslog_sink
from strongroom.errors import InvalidParameter

_BUILDERS: dict[str, Callable[[Mapping[str, str]], Sink]] = {
    "file": build_file_sink,
    "socket": build_socket_sink,
    "syslog": build_syslog_sink,
}
DEVICE_TYPES = tuple(_BUILDERS)


def build_sink(device_type: str, options: Mapping[str, str]) -> Sink:
    """An unopened sink for a device of `device_type`. Options the sink does not know (the
    device's own, such as `log_raw`) are ignored."""
    builder = _BUILDERS.get(device_type)
    if builder is None:
        raise InvalidParameter("type: unknown audit device type (file, socket or syslog)")
    return builder(options)


__all__ = [
    "DEVICE_TYPES",
    "DiscardSink",
    "FileSink",
    "MemorySink",
    "Sink",
    "SocketSink",
    "StdoutSink",
    "SyslogSink",
    "build_sink",
]
