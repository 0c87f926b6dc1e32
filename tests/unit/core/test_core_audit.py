"""Audit devices in the core: the audit table, sys/audit*, and the fail-closed pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from strongroom.audit import AuditDevice, AuditFailed, DeviceKeys, DeviceOptions
from strongroom.audit.sinks import MemorySink
from strongroom.audit.verify import verify_lines
from strongroom.core import Core, CoreConfig
from strongroom.core.audit import AuditDeviceConfig
from strongroom.errors import BadRequest, InvalidParameter, NotFound, PermissionDenied
from strongroom.logical import Operation, Request
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.core import UnsealedCore, unsealed_core

SECRET = "correct-horse-battery-staple"


async def call(
    setup: UnsealedCore, operation: Operation, path: str, token: str | None = None, **data: Any
) -> Any:
    token = setup.root_token if token is None else token
    request = Request(operation, path, data=data, client_token=token)
    return (await setup.core.handle(request)).data


async def enable_file(setup: UnsealedCore, path: str, file: Path, **options: Any) -> None:
    await call(
        setup,
        Operation.UPDATE,
        f"sys/audit/{path}",
        type="file",
        options={"file_path": str(file), **options},
    )


def entries(file: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in file.read_bytes().splitlines()]
    return [line for line in lines if line.get("type") != "checkpoint"]


@pytest.fixture
async def setup() -> UnsealedCore:
    return await unsealed_core(config=CoreConfig(unsafe_allow_api_audit_creation=True))


async def test_the_api_cannot_enable_devices_unless_the_config_allows_it(tmp_path: Path) -> None:
    setup = await unsealed_core()
    with pytest.raises(BadRequest, match="cannot enable audit device via API"):
        await enable_file(setup, "file", tmp_path / "audit.log")
    assert not (tmp_path / "audit.log").exists()


async def test_enable_list_hash_and_disable(setup: UnsealedCore, tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    await enable_file(setup, "file", log, mode="0640")
    listing = await call(setup, Operation.READ, "sys/audit")
    assert listing == {
        "file/": {
            "type": "file",
            "description": "",
            "options": {"file_path": str(log), "mode": "0640"},
            "local": False,
            "path": "file/",
        }
    }
    assert log.stat().st_mode & 0o777 == 0o640
    assert entries(log)[0]["request"]["path"] == "sys/audit/test"  # the test write
    hashed = await call(setup, Operation.UPDATE, "sys/audit-hash/file", input=SECRET)
    assert hashed["hash"].startswith("hmac-sha256:")
    await call(setup, Operation.DELETE, "sys/audit/file")
    assert await call(setup, Operation.READ, "sys/audit") == {}
    with pytest.raises(BadRequest, match="unknown audit device"):
        await call(setup, Operation.UPDATE, "sys/audit-hash/file", input=SECRET)
    # Enabled again, the device has a new salt: the old hash cannot be reproduced.
    await enable_file(setup, "file", log)
    again = await call(setup, Operation.UPDATE, "sys/audit-hash/file", input=SECRET)
    assert again["hash"] != hashed["hash"]


async def test_secrets_are_logged_only_as_the_hash_audit_hash_gives(
    setup: UnsealedCore, tmp_path: Path
) -> None:
    log = tmp_path / "audit.log"
    await enable_file(setup, "file", log)
    await call(setup, Operation.UPDATE, "sys/mounts/kv", type="kv")
    await call(setup, Operation.UPDATE, "kv/app", password=SECRET)
    assert (await call(setup, Operation.READ, "kv/app")) == {"password": SECRET}
    text = log.read_text()
    assert SECRET not in text and setup.root_token not in text
    expected = (await call(setup, Operation.UPDATE, "sys/audit-hash/file", input=SECRET))["hash"]
    written = [e for e in entries(log) if e["request"]["path"] == "kv/app"]
    assert [e["type"] for e in written] == ["request", "response", "request", "response"]
    assert written[0]["request"]["data"] == {"password": expected}
    assert written[3]["response"]["data"] == {"password": expected}
    assert written[3]["auth"]["policy_results"]["allowed"] is True


async def test_paths_and_options_are_validated(setup: UnsealedCore, tmp_path: Path) -> None:
    await enable_file(setup, "team/file", tmp_path / "a.log")
    for path in ("team", "team/file/more", "team/file"):
        with pytest.raises(BadRequest, match="already in use"):
            await enable_file(setup, path, tmp_path / "b.log")
    with pytest.raises(InvalidParameter, match="format"):
        await enable_file(setup, "other", tmp_path / "b.log", format="jsonx")
    with pytest.raises(InvalidParameter, match="prefixing is disabled"):
        await enable_file(setup, "other", tmp_path / "b.log", prefix="x")
    with pytest.raises(InvalidParameter, match="public-key"):
        await enable_file(setup, "other/public-key", tmp_path / "b.log")
    with pytest.raises(BadRequest, match="failed its test write"):
        await enable_file(setup, "other", tmp_path / "missing" / "b.log")
    with pytest.raises(InvalidParameter, match=r"options\.nested"):
        await call(
            setup, Operation.UPDATE, "sys/audit/x", type="file", options={"nested": {"a": 1}}
        )
    assert list(await call(setup, Operation.READ, "sys/audit")) == ["team/file/"]


async def test_audit_endpoints_need_sudo(setup: UnsealedCore, tmp_path: Path) -> None:
    policy = 'path "sys/audit*" { capabilities = ["create", "read", "update", "delete"] }'
    await call(setup, Operation.UPDATE, "sys/policies/acl/auditor", policy=policy)
    created = await setup.core.handle(
        Request(
            Operation.UPDATE,
            "auth/token/create",
            data={"policies": ["auditor"]},
            client_token=setup.root_token,
        )
    )
    assert created.auth is not None
    token = created.auth.client_token
    with pytest.raises(PermissionDenied):
        await call(setup, Operation.READ, "sys/audit", token)
    with pytest.raises(PermissionDenied):
        await call(
            setup, Operation.UPDATE, "sys/audit/x", token, type="file", options={"file_path": "/x"}
        )


async def test_the_public_key_verifies_the_log(setup: UnsealedCore, tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    await enable_file(setup, "file", log)
    await call(setup, Operation.READ, "sys/mounts")
    pem = (await call(setup, Operation.READ, "sys/audit/file/public-key"))["public_key"]
    key = load_pem_public_key(pem.encode())
    assert isinstance(key, Ed25519PublicKey)
    await setup.core.seal()
    with log.open("rb") as lines:
        result = verify_lines(lines, key)
    assert result.intact and result.unsigned_tail == 0 and result.entries >= 3


async def test_a_device_survives_seal_and_unseal_with_one_chain(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    config = CoreConfig(unsafe_allow_api_audit_creation=True)
    setup = await unsealed_core(InmemBackend(), config=config)
    await enable_file(setup, "file", log)
    pem = (await call(setup, Operation.READ, "sys/audit/file/public-key"))["public_key"]
    await setup.core.seal()
    await setup.core.submit_unseal_share(setup.keys[0])
    await call(setup, Operation.READ, "sys/mounts")
    await setup.core.seal()
    key = load_pem_public_key(pem.encode())
    assert isinstance(key, Ed25519PublicKey)
    with log.open("rb") as lines:
        result = verify_lines(lines, key)
    assert result.intact, result.summary()
    assert result.entries == 1 + 2 + 2  # test write, public-key read, sys/mounts read


async def test_declared_devices_follow_the_config(tmp_path: Path) -> None:
    physical = InmemBackend()
    declared = AuditDeviceConfig("file", "declared", {"file_path": str(tmp_path / "d.log")})
    setup = await unsealed_core(physical, config=CoreConfig(audit_devices=(declared,)))
    assert list(await call(setup, Operation.READ, "sys/audit")) == ["declared/"]
    with pytest.raises(BadRequest, match="configuration-managed"):
        await call(setup, Operation.DELETE, "sys/audit/declared")
    first = await call(setup, Operation.UPDATE, "sys/audit-hash/declared", input=SECRET)
    await setup.core.seal()

    # A changed description keeps the device (and its salt); a removed stanza removes it.
    changed = AuditDeviceConfig(
        "file", "declared", {"file_path": str(tmp_path / "d.log")}, "now described"
    )
    core = Core(physical, CoreConfig(audit_devices=(changed,)))
    await core.submit_unseal_share(setup.keys[0])
    again = UnsealedCore(core, setup.keys, setup.root_token)
    assert (await call(again, Operation.READ, "sys/audit"))["declared/"]["description"] == (
        "now described"
    )
    assert await call(again, Operation.UPDATE, "sys/audit-hash/declared", input=SECRET) == first
    await core.seal()

    core = Core(physical, CoreConfig())
    await core.submit_unseal_share(setup.keys[0])
    without = UnsealedCore(core, setup.keys, setup.root_token)
    assert await call(without, Operation.READ, "sys/audit") == {}
    await core.close()


async def test_no_audit_file_in_the_plugin_directory(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    config = CoreConfig(unsafe_allow_api_audit_creation=True, plugin_directory=str(plugins))
    setup = await unsealed_core(config=config)
    with pytest.raises(BadRequest, match="plugin directory"):
        await enable_file(setup, "file", plugins / "sub" / ".." / "audit.log")
    assert not list(plugins.iterdir())


async def test_audited_request_headers(setup: UnsealedCore, tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    await enable_file(setup, "file", log)
    base = "sys/config/auditing/request-headers"
    await call(setup, Operation.UPDATE, f"{base}/X-Hashed", hmac=True)
    await call(setup, Operation.UPDATE, f"{base}/X-Plain")
    assert await call(setup, Operation.READ, base) == {
        "headers": {"x-hashed": {"hmac": True}, "x-plain": {"hmac": False}}
    }
    assert await call(setup, Operation.READ, f"{base}/x-plain") == {"x-plain": {"hmac": False}}
    request = Request(
        Operation.READ,
        "sys/mounts",
        client_token=setup.root_token,
        headers={"x-hashed": SECRET, "x-plain": "visible", "x-other": "dropped"},
    )
    await setup.core.handle(request)
    headers = entries(log)[-1]["request"]["headers"]
    assert headers["x-plain"] == ["visible"]
    assert headers["x-hashed"][0].startswith("hmac-sha256:")
    assert "x-other" not in headers
    await call(setup, Operation.DELETE, f"{base}/x-plain")
    assert list((await call(setup, Operation.READ, base))["headers"]) == ["x-hashed"]


async def test_mount_non_hmac_keys_and_elided_lists(setup: UnsealedCore, tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    await enable_file(setup, "file", log, elide_list_responses="true")
    await call(
        setup,
        Operation.UPDATE,
        "sys/mounts/kv",
        type="kv",
        config={"audit_non_hmac_request_keys": ["username"]},
    )
    await call(setup, Operation.UPDATE, "kv/a", username="alice", password=SECRET)
    await call(setup, Operation.LIST, "kv/")
    written = entries(log)
    write = next(e for e in written if e["request"]["path"] == "kv/a")
    assert write["request"]["data"]["username"] == "alice"
    assert write["request"]["data"]["password"].startswith("hmac-sha256:")
    listing = [e for e in written if e["request"]["operation"] == "list"][-1]
    assert listing["response"]["data"] == {"keys": 1}


# --- the pipeline fails closed ---------------------------------------------------------------


class SelectiveSink(MemorySink):
    """Fails every batch that contains `fail_on`."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_on: bytes | None = None

    def write(self, data: bytes) -> None:
        if self.fail_on is not None and self.fail_on in data:
            raise OSError(28, "No space left on device")
        super().write(data)


async def add_device(setup: UnsealedCore, path: str, sink: MemorySink, **options: Any) -> None:
    device = AuditDevice(path, "memory", sink, DeviceKeys.generate(), DeviceOptions(**options))
    await device.open()
    setup.core.audit.broker.add(device)


async def test_an_unrecorded_request_never_reaches_the_backend(setup: UnsealedCore) -> None:
    await call(setup, Operation.UPDATE, "sys/mounts/kv", type="kv")
    sink = SelectiveSink()
    await add_device(setup, "mem/", sink)
    sink.fail_on = b'"type":"request"'
    with pytest.raises(AuditFailed) as failure:
        await call(setup, Operation.UPDATE, "kv/app", password=SECRET)
    assert failure.value.status == 500
    sink.fail_on = None
    with pytest.raises(NotFound):
        await call(setup, Operation.READ, "kv/app")


async def test_an_unrecorded_response_is_never_returned(setup: UnsealedCore) -> None:
    await call(setup, Operation.UPDATE, "sys/mounts/kv", type="kv")
    await call(setup, Operation.UPDATE, "kv/app", password=SECRET)
    sink = SelectiveSink()
    await add_device(setup, "mem/", sink)
    sink.fail_on = b'"type":"response"'
    with pytest.raises(AuditFailed):
        await call(setup, Operation.READ, "kv/app")
    sink.fail_on = None
    assert await call(setup, Operation.READ, "kv/app") == {"password": SECRET}


async def test_one_working_device_is_enough(setup: UnsealedCore) -> None:
    broken, working = SelectiveSink(), SelectiveSink()
    broken.fail_on = b"{"
    await add_device(setup, "broken/", broken)
    await add_device(setup, "working/", working)
    await call(setup, Operation.READ, "sys/mounts")
    assert len(working.lines()) == 2 and broken.lines() == []
    working.fail_on = b"{"
    with pytest.raises(AuditFailed):
        await call(setup, Operation.READ, "sys/mounts")


async def test_log_raw_on_one_device_never_leaks_into_another(setup: UnsealedCore) -> None:
    raw, hashed = MemorySink(), MemorySink()
    await add_device(setup, "raw/", raw, log_raw=True)
    await add_device(setup, "hashed/", hashed)
    await call(setup, Operation.UPDATE, "sys/mounts/kv", type="kv")
    await call(setup, Operation.UPDATE, "kv/app", password=SECRET)
    assert SECRET.encode() in raw.data
    assert SECRET.encode() not in hashed.data and setup.root_token.encode() not in hashed.data


async def test_denied_requests_are_recorded_with_their_error(setup: UnsealedCore) -> None:
    sink = MemorySink()
    await add_device(setup, "mem/", sink)
    with pytest.raises(PermissionDenied):
        await call(setup, Operation.READ, "sys/mounts", "not-a-token")
    request, response = (json.loads(line) for line in sink.lines())
    assert request["error"] == response["error"] == "permission denied"
    assert request["auth"]["client_token"].startswith("hmac-sha256:")
    assert b"not-a-token" not in sink.data
