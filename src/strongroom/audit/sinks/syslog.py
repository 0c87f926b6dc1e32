"""The syslog device's sink: each line as one RFC 3164-style datagram to the local syslog socket.

The message is ``<PRI>TAG[pid]: line`` without the timestamp and host name, which the local
daemon (rsyslog, syslog-ng, journald) fills in. A line longer than the socket's largest datagram
fails the write (EMSGSIZE): syslog is not the device for very large responses.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

from strongroom.audit.sinks.base import Sink, split_lines, text_option
from strongroom.audit.sinks.socket import (
    DEFAULT_WRITE_TIMEOUT,
    ConnectedSink,
    Connection,
    connected_socket,
)
from strongroom.errors import InvalidParameter

DEFAULT_ADDRESS = "/dev/log"
DEFAULT_FACILITY = "AUTH"
DEFAULT_TAG = "strongroom"
MAX_TAG_LENGTH = 64
SEVERITY_INFO = 6
FACILITIES = {
    "KERN": 0,
    "USER": 1,
    "MAIL": 2,
    "DAEMON": 3,
    "AUTH": 4,
    "SYSLOG": 5,
    "LPR": 6,
    "NEWS": 7,
    "UUCP": 8,
    "CRON": 9,
    "AUTHPRIV": 10,
    "FTP": 11,
    **{f"LOCAL{number}": 16 + number for number in range(8)},
}


class SyslogSink(ConnectedSink):
    """Sends to a unix datagram socket (`address`, /dev/log by default) at severity INFO."""

    def __init__(
        self,
        facility: str = DEFAULT_FACILITY,
        tag: str = DEFAULT_TAG,
        address: str = DEFAULT_ADDRESS,
        timeout: float = DEFAULT_WRITE_TIMEOUT,
    ) -> None:
        if not valid_tag(tag):
            raise ValueError("invalid syslog tag")
        self.priority = FACILITIES[facility.upper()] * 8 + SEVERITY_INFO
        self.tag = tag
        self.address = address
        self.timeout = timeout
        self._connection = Connection(self._connect, stream=False)  # opens in open()

    def write(self, data: bytes) -> None:
        self._check_open()  # a missing /dev/log failed in open() already
        header = f"<{self.priority}>{self.tag}[{os.getpid()}]: ".encode("ascii")
        self._connection.send_datagrams(
            header + line.removesuffix(b"\n") for line in split_lines(data)
        )

    def _connect(self) -> socket.socket:
        return connected_socket(socket.AF_UNIX, socket.SOCK_DGRAM, self.address, self.timeout)


def valid_tag(tag: str) -> bool:
    """Printable ASCII without the characters that end a tag (space, ':', '[', ']')."""
    return (
        0 < len(tag) <= MAX_TAG_LENGTH
        and tag.isascii()
        and tag.isprintable()
        and not any(char in tag for char in " :[]")
    )


def build_syslog_sink(options: Mapping[str, str]) -> Sink:
    """The sink of a `syslog` device; options `facility` and `tag`."""
    facility = text_option(options, "facility", DEFAULT_FACILITY)
    if facility.upper() not in FACILITIES:
        raise InvalidParameter("facility: expected a syslog facility such as AUTH or LOCAL0")
    tag = text_option(options, "tag", DEFAULT_TAG)
    if not valid_tag(tag):
        raise InvalidParameter(
            f"tag: 1 to {MAX_TAG_LENGTH} printable ASCII characters without space, ':', '[' or ']'"
        )
    return SyslogSink(facility, tag)
