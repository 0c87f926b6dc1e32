"""The audit device: batching writer, fail-closed writes, chain resumption and checkpoints."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from strongroom.audit import AuditDevice, AuditDeviceFailed, DeviceKeys, DeviceOptions
from strongroom.audit.sinks import MemorySink
from strongroom.audit.verify import verify_lines


class FlakySink(MemorySink):
    """A memory sink that fails while `failing` is set, and can hold writes at a gate."""

    def __init__(self, initial: bytes = b"") -> None:
        super().__init__(initial)
        self.failing = False
        self.gate = threading.Event()
        self.gate.set()
        self.batches: list[int] = []

    def write(self, data: bytes) -> None:
        self.gate.wait(5)
        if self.failing:
            raise OSError(28, "No space left on device")
        self.batches.append(data.count(b"\n"))
        super().write(data)


def device(sink: MemorySink, keys: DeviceKeys | None = None, **options: object) -> AuditDevice:
    return AuditDevice(
        "test/", "file", sink, keys or DeviceKeys.generate(), DeviceOptions(**options)
    )


def entry(number: int) -> dict[str, object]:
    return {"type": "request", "n": number}


async def test_each_write_returns_once_its_line_is_written() -> None:
    sink = FlakySink()
    audit = device(sink)
    await audit.open()
    await audit.write(entry(1))
    assert [json.loads(line)["n"] for line in sink.lines()] == [1]
    await audit.close()


async def test_writes_that_queue_during_a_write_share_the_next_batch() -> None:
    sink = FlakySink()
    audit = device(sink)
    await audit.open()
    sink.gate.clear()
    first = asyncio.create_task(audit.write(entry(0)))
    await asyncio.sleep(0.05)  # the first batch is now blocked inside the sink
    rest = [asyncio.create_task(audit.write(entry(n))) for n in range(1, 51)]
    await asyncio.sleep(0.05)
    sink.gate.set()
    await asyncio.gather(first, *rest)
    assert sink.batches == [1, 50]
    numbers = [json.loads(line)["n"] for line in sink.lines()]
    assert numbers == list(range(51))
    await audit.close()


async def test_a_failed_write_fails_its_callers_and_leaves_no_gap() -> None:
    sink = FlakySink()
    keys = DeviceKeys.generate()
    audit = device(sink, keys)
    await audit.open()
    await audit.write(entry(1))
    sink.failing = True
    with pytest.raises(AuditDeviceFailed):
        await audit.write(entry(2))
    sink.failing = False
    await audit.write(entry(3))
    await audit.close()
    numbers = [json.loads(line).get("n") for line in sink.lines()]
    assert numbers == [1, 3, None]  # None: the checkpoint written on close
    result = verify_lines(sink.lines(), keys.public_key)
    assert result.intact and result.entries == 2 and result.unsigned_tail == 0


async def test_a_device_that_could_not_open_retries_with_each_write() -> None:
    class LateSink(FlakySink):
        def open(self) -> None:
            if self.failing:
                raise OSError(2, "No such file or directory")
            super().open()

    sink = LateSink()
    sink.failing = True
    audit = device(sink)
    with pytest.raises(OSError, match="No such file"):
        await audit.open()
    with pytest.raises(AuditDeviceFailed):
        await audit.write(entry(1))
    sink.failing = False
    await audit.write(entry(2))
    assert [json.loads(line)["n"] for line in sink.lines()] == [2]
    await audit.close()


async def test_reopening_a_sink_that_holds_a_chain_continues_it() -> None:
    keys = DeviceKeys.generate()
    first = FlakySink()
    audit = device(first, keys)
    await audit.open()
    for number in range(3):
        await audit.write(entry(number))
    await audit.close()
    second = FlakySink(first.data)
    audit = device(second, keys)
    await audit.open()
    await audit.write(entry(3))
    await audit.close()
    result = verify_lines(second.lines(), keys.public_key)
    assert result.intact and result.entries == 4


async def test_a_foreign_last_line_starts_a_new_chain() -> None:
    sink = FlakySink(b"not a chain line\n")
    audit = device(sink)
    await audit.open()
    await audit.write(entry(1))
    assert json.loads(sink.lines()[-1])["seq"] == 1
    await audit.close()


async def test_checkpoint_signs_only_when_something_is_unsigned() -> None:
    sink = FlakySink()
    keys = DeviceKeys.generate()
    audit = device(sink, keys)
    await audit.open()
    await audit.checkpoint()
    assert sink.lines() == []
    await audit.write(entry(1))
    await audit.checkpoint()
    await audit.checkpoint()
    assert [json.loads(line)["type"] for line in sink.lines()] == ["request", "checkpoint"]
    await audit.close()
    assert len(sink.lines()) == 2  # close adds nothing: everything is signed


async def test_reopen_signs_the_old_file_first() -> None:
    sink = FlakySink()
    audit = device(sink)
    await audit.open()
    await audit.write(entry(1))
    await audit.reopen()
    assert sink.reopens == 1
    assert json.loads(sink.lines()[-1])["type"] == "checkpoint"
    await audit.close()


async def test_prefix_is_written_before_each_line_and_left_out_of_the_chain() -> None:
    sink = FlakySink()
    keys = DeviceKeys.generate()
    audit = device(sink, keys, prefix="@cee: ")
    await audit.open()
    await audit.write(entry(1))
    await audit.close()
    assert all(line.startswith(b"@cee: {") for line in sink.lines())
    assert verify_lines(sink.lines(), keys.public_key, prefix=b"@cee: ").intact
    assert not verify_lines(sink.lines(), keys.public_key).intact


async def test_periodic_checkpoints_run_on_their_interval() -> None:
    sink = FlakySink()
    audit = device(sink, checkpoint_interval=1)
    await audit.open()
    await audit.write(entry(1))
    for _ in range(40):
        if sink.lines()[-1:] and b'"checkpoint"' in sink.lines()[-1]:
            break
        await asyncio.sleep(0.05)
    assert json.loads(sink.lines()[-1])["type"] == "checkpoint"
    await audit.close()
