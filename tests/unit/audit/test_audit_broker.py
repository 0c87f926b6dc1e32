"""The audit broker: a request's blocks are reused only by the device that was handed them."""

from __future__ import annotations

from strongroom.audit import AuditBroker, AuditDevice, DeviceKeys, DeviceOptions
from strongroom.audit.entry import AuthInfo
from strongroom.audit.sinks import MemorySink
from strongroom.logical import Operation, Request, Response
from strongroom.testing.clock import FakeClock

SECRET = "hunter2-in-the-request"
TOKEN = "hvs.CallerTokenNeverLogged"


def device(sink: MemorySink, **options: object) -> AuditDevice:
    return AuditDevice("file/", "file", sink, DeviceKeys.generate(), DeviceOptions(**options))


async def test_a_device_re_enabled_at_the_same_path_mid_request_logs_no_raw_blocks() -> None:
    broker = AuditBroker(FakeClock())
    raw_sink, hashed_sink = MemorySink(), MemorySink()
    raw = device(raw_sink, log_raw=True)
    hashed = device(hashed_sink)
    for each in (raw, hashed):
        await each.open()
    broker.add(raw)
    request = Request(Operation.UPDATE, "kv/data/app", data={"password": SECRET})
    request.client_token = TOKEN
    caller = AuthInfo(client_token=TOKEN, policies=("default",))
    logged = await broker.log_request(request, caller, "")
    # Between the request and its response, the path is given to a hashing device.
    broker.remove("file/")
    broker.add(hashed)
    await broker.log_response(request, Response(data={"ok": True}), caller, "", logged=logged)
    assert SECRET.encode() in raw_sink.data  # log_raw, as configured
    written = hashed_sink.data
    assert written.count(b"\n") == 1
    assert SECRET.encode() not in written and TOKEN.encode() not in written
    for each in (raw, hashed):
        await each.close()
