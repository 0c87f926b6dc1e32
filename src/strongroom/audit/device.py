"""One enabled audit device: its sink, keys and chain, and the writer that batches its lines.

Requests never write to the sink themselves. Each hands its entry to the device and waits for
the line to be written (fail closed), while one writer thread per device takes everything that
queued up during the previous write and writes it as one batch: under load, a single write
(and, with the file sink's `fsync`, a single fsync) acknowledges many requests, and a slow disk
stalls only the requests waiting on that device, never the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from strongroom.audit.chain import Chain, ChainState, line_hash
from strongroom.audit.entry import EntryHasher
from strongroom.audit.keys import DeviceKeys
from strongroom.audit.options import DeviceOptions
from strongroom.audit.sinks import Sink
from strongroom.clock import Periodic
from strongroom.errors import InternalError

log = logging.getLogger(__name__)
T = TypeVar("T")


class AuditDeviceFailed(InternalError):
    default_message = "the audit device could not record the entry"


class _Checkpoint:
    """The queue item asking the writer for a signed checkpoint."""


_CHECKPOINT = _Checkpoint()
_Item = dict[str, Any] | _Checkpoint


class AuditDevice:
    def __init__(
        self,
        path: str,
        device_type: str,
        sink: Sink,
        keys: DeviceKeys,
        options: DeviceOptions,
    ) -> None:
        self.path = path
        self.type = device_type
        self.keys = keys
        self.options = options
        self.hasher = EntryHasher(keys.salt, options.hmac_accessor, options.log_raw)
        self._sink = sink
        self._prefix = options.prefix.encode("utf-8")
        self._chain = Chain()
        self._opened = False
        self._unsigned = 0  # entries written since the last checkpoint
        self._pending: list[tuple[_Item, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-writer")
        self._checkpoints = Periodic(
            f"audit checkpoints of {path}", options.checkpoint_interval, self.checkpoint
        )

    @property
    def head(self) -> ChainState:
        """The chain state after the last line written (a log ending earlier was truncated)."""
        return self._chain.state

    # --- lifecycle --------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the sink and continue the chain its file already holds."""
        await self._in_writer(self._open)
        self._checkpoints.start()

    def _open(self) -> None:
        if self._opened:
            return
        self._sink.open()
        last = self._sink.last_line()
        if last is not None:
            self._chain = Chain(self._resumed_state(last))
        self._opened = True

    def _resumed_state(self, line: bytes) -> ChainState:
        body = line.removeprefix(self._prefix)
        try:
            fields = json.loads(body)
            return ChainState(int(fields["seq"]), line_hash(body))
        except (ValueError, TypeError, KeyError):
            log.warning("audit device %s: the file does not end in a chain line", self.path)
            return ChainState()

    async def reopen(self) -> None:
        """Log rotation (SIGHUP): sign what the old file holds, then write to a new one."""
        with contextlib.suppress(AuditDeviceFailed):
            await self.checkpoint()
        await self._in_writer(self._reopen)

    def _reopen(self) -> None:
        if self._opened:
            self._sink.reopen()
        else:
            self._open()

    async def close(self) -> None:
        await self._checkpoints.stop()
        with contextlib.suppress(AuditDeviceFailed):
            await self.checkpoint()
        try:
            await self._in_writer(self._close)
        finally:
            self._executor.shutdown(wait=False)

    def _close(self) -> None:
        self._sink.close()
        self._opened = False

    # --- writing ----------------------------------------------------------------------------

    async def write(self, entry: dict[str, Any]) -> None:
        """Return once the entry's line is written; raise `AuditDeviceFailed` if it was not."""
        await self._enqueue(entry)

    async def checkpoint(self) -> None:
        """Sign everything written so far (nothing is written if nothing is unsigned)."""
        await self._enqueue(_CHECKPOINT)

    async def _enqueue(self, item: _Item) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._pending.append((item, future))
        if self._flusher is None:
            self._flusher = loop.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        """One batch at a time: chained and serialised here, written by the writer thread
        (which holds the GIL only around the system call)."""
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                state, unsigned = self._chain.state, self._unsigned
                try:
                    if not self._opened:  # could not open at unseal: retry with every batch
                        await self._in_writer(self._open)
                    data = self._serialise([item for item, _ in batch])
                    if data:
                        await self._in_writer(self._sink.write, data)
                except Exception as exc:
                    # As if never tried: the sink undid a partial write; the chain goes back.
                    self._chain, self._unsigned = Chain(state), unsigned
                    # The message may name a path; it never holds entry content.
                    log.error("audit device %s failed to write: %s", self.path, exc)
                    _settle(batch, AuditDeviceFailed())
                else:
                    _settle(batch, None)
        finally:
            self._flusher = None

    def _serialise(self, items: list[_Item]) -> bytes:
        lines = []
        for item in items:
            if isinstance(item, _Checkpoint):
                if self._unsigned:
                    lines.append(self._chain.checkpoint_line(self.keys.signing_key))
                    self._unsigned = 0
            else:
                lines.append(self._chain.next_line(item))
                self._unsigned += 1
        if self._prefix:
            return b"".join(self._prefix + line for line in lines)
        return b"".join(lines)

    async def _in_writer(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, call, *args)


def _settle(batch: list[tuple[_Item, asyncio.Future[None]]], error: Exception | None) -> None:
    for _, future in batch:
        if future.done():  # the waiting request was cancelled (its deadline passed)
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
