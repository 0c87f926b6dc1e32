"""The file device's sinks: an append-only file, standard output, or nowhere (`discard`).

A file batch is all-or-nothing: a write that fails part-way is cut back to the size the file had
before the batch, so a log never ends in half a line that the next entry would be glued to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import select
import stat
from collections.abc import Mapping

from strongroom.audit.sinks.base import Sink, closed_error, flag_option, text_option
from strongroom.errors import InvalidParameter

DEFAULT_MODE = 0o600
EXECUTABLE_BITS = 0o111
OPEN_FLAGS = (
    os.O_WRONLY
    | os.O_APPEND
    | os.O_CREAT
    | os.O_NOFOLLOW
    | os.O_CLOEXEC
    # Opening a FIFO for writing would block until a reader appears; non-blocking, it fails or
    # opens at once, and the regular-file check then refuses it.
    | os.O_NONBLOCK
)
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
# last_line reads backwards in chunks of this size, and gives up on a longer line than the cap.
SCAN_CHUNK = 64 * 1024
MAX_LINE = 64 * 1024 * 1024
STDOUT_TIMEOUT = 2.0  # longest wait for a full non-blocking standard output to drain
_OCTAL = re.compile(r"[0-7]{1,12}", re.ASCII)


def write_all(fd: int, data: bytes, *, wait: float | None = None) -> None:
    """`os.write` until every byte is written: a write may be short (signal, size limit). With
    `wait`, a non-blocking descriptor that is full (EAGAIN) is waited on for up to `wait`
    seconds without progress, then `TimeoutError`."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            if wait is None:
                raise
            _wait_writable(fd, wait)
            continue
        if written <= 0:
            raise OSError(errno.EIO, "write made no progress")
        view = view[written:]


def _wait_writable(fd: int, seconds: float) -> None:
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    if not poller.poll(seconds * 1000):
        raise TimeoutError(errno.ETIMEDOUT, "audit output not writable in time")


class FileSink:
    """Appends to a regular file; `mode=None` leaves an existing file's permissions as they are
    (minus any executable bit). `fsync` makes every batch durable before `write` returns."""

    def __init__(self, path: str, *, mode: int | None = DEFAULT_MODE, fsync: bool = False) -> None:
        if not os.path.isabs(path):
            raise ValueError("an audit file path must be absolute")
        self.path = path
        self.mode = None if mode is None else mode & ~EXECUTABLE_BITS & 0o777
        self.fsync = fsync
        self._fd: int | None = None
        self._closed = True  # until open(); a failed reopen leaves it False, so write retries

    def open(self) -> None:
        self._closed = False
        if self._fd is None:
            self._fd = self._open_path()

    def write(self, data: bytes) -> None:
        if not data:
            return
        fd, size_before = self._writable()
        try:
            write_all(fd, data)
            if self.fsync:
                os.fsync(fd)
        except OSError:
            _truncate_quietly(fd, size_before)
            raise

    def reopen(self) -> None:
        self._close_fd()
        self.open()

    def close(self) -> None:
        self._closed = True
        self._close_fd()

    def last_line(self) -> bytes | None:
        try:
            fd = os.open(self.path, READ_FLAGS)
        except FileNotFoundError:
            return None
        try:
            info = os.fstat(fd)
            _require_regular(info, self.path)
            return last_complete_line(fd, info.st_size)
        finally:
            os.close(fd)

    def _writable(self) -> tuple[int, int]:
        """The descriptor to append to and the file's size now."""
        if self._closed:
            raise closed_error()
        if self._fd is not None:
            info = os.fstat(self._fd)
            if info.st_nlink > 0:
                return self._fd, info.st_size
            # Our file was deleted (or its directory removed): anything written to it now would
            # vanish with the descriptor, so write to the path again or fail.
            self._close_fd()
        self._fd = self._open_path()
        return self._fd, os.fstat(self._fd).st_size

    def _open_path(self) -> int:
        # Create private; the fchmod below sets the requested mode once we know it is our file.
        fd = os.open(self.path, OPEN_FLAGS, DEFAULT_MODE)
        try:
            info = os.fstat(fd)
            _require_regular(info, self.path)
            os.set_blocking(fd, True)
            self._apply_mode(fd, stat.S_IMODE(info.st_mode))
            if self.fsync:
                _sync_directory(os.path.dirname(self.path))  # a new file's name is durable too
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _apply_mode(self, fd: int, current: int) -> None:
        wanted = current & ~EXECUTABLE_BITS if self.mode is None else self.mode
        if wanted != current:
            os.fchmod(fd, wanted)

    def _close_fd(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class StdoutSink:
    """Writes to standard output (file descriptor 1), which it never closes. A supervisor may
    have made it non-blocking: a full pipe is then waited on for up to `timeout` seconds."""

    def __init__(self, fd: int = 1, *, timeout: float = STDOUT_TIMEOUT) -> None:
        self._fd = fd
        self._timeout = timeout
        self._closed = True  # until open()

    def open(self) -> None:
        os.fstat(self._fd)  # OSError (EBADF) when the process has no standard output
        self._closed = False

    def write(self, data: bytes) -> None:
        if self._closed:
            raise closed_error()
        write_all(self._fd, data, wait=self._timeout)

    def reopen(self) -> None:
        self.open()

    def close(self) -> None:
        self._closed = True

    def last_line(self) -> bytes | None:
        return None


class DiscardSink:
    """Drops every line: Vault's `file_path=discard`, for testing a device's overhead."""

    def open(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        pass

    def reopen(self) -> None:
        pass

    def close(self) -> None:
        pass

    def last_line(self) -> bytes | None:
        return None


def build_file_sink(options: Mapping[str, str]) -> Sink:
    """The sink of a `file` device; options `file_path` (or `path`), `mode`, `fsync`."""
    mode = parse_mode(text_option(options, "mode", ""))
    fsync = flag_option(options, "fsync", False)
    path = text_option(options, "file_path", "") or text_option(options, "path", "")
    if not path:
        raise InvalidParameter("file_path: required")
    if path == "stdout":
        return StdoutSink()
    if path == "discard":
        return DiscardSink()
    if "\x00" in path or not os.path.isabs(path):
        raise InvalidParameter('file_path: must be an absolute path, "stdout" or "discard"')
    return FileSink(path, mode=mode, fsync=fsync)


def parse_mode(text: str) -> int | None:
    """An octal mode string: "" is the default 0600, "0000" (`None`) keeps an existing mode."""
    if text == "":
        return DEFAULT_MODE
    if not _OCTAL.fullmatch(text) or int(text, 8) > 0o777:
        raise InvalidParameter("mode: expected an octal file mode such as 0600, at most 0777")
    mode = int(text, 8)
    return None if mode == 0 else mode & ~EXECUTABLE_BITS


def last_complete_line(fd: int, size: int) -> bytes | None:
    """The last ``\\n``-terminated line of the first `size` bytes of `fd`, read backwards
    (memory bounded by the line's length); a trailing partial line is skipped."""
    end = _rfind_newline(fd, size, 0)
    if end < 0:
        return None
    floor = max(0, end - MAX_LINE)
    start = _rfind_newline(fd, end, floor) + 1
    if start == 0 and floor > 0:
        raise OSError(errno.EFBIG, f"the last audit line is longer than {MAX_LINE} bytes")
    return _pread_exact(fd, end + 1 - start, start)


def _rfind_newline(fd: int, limit: int, floor: int) -> int:
    """The offset of the last ``\\n`` in [floor, limit), or -1."""
    position = limit
    while position > floor:
        start = max(floor, position - SCAN_CHUNK)
        found = _pread_exact(fd, position - start, start).rfind(b"\n")
        if found >= 0:
            return start + found
        position = start
    return -1


def _pread_exact(fd: int, length: int, offset: int) -> bytes:
    chunks: list[bytes] = []
    while length > 0:
        chunk = os.pread(fd, length, offset)
        if not chunk:
            raise OSError(errno.EIO, "audit file shrank while being read")
        chunks.append(chunk)
        length -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _require_regular(info: os.stat_result, path: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "an audit file must be a regular file", path)


def _sync_directory(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _truncate_quietly(fd: int, size: int) -> None:
    """Best effort: the write's own error is the one worth raising."""
    with contextlib.suppress(OSError):
        os.ftruncate(fd, size)
